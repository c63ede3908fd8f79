/**
 * The review surface: one snapshot per environment per chart. A change to any manifest shows up here
 * as a diff a reviewer reads before it reaches dist/.
 */
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { rendered } from './helpers';

describe.each(environmentNames())('%s', (name) => {
  const env = rendered(name);
  it.each(env.files.map((file) => [file.name, file] as const))('renders %s', (_file, file) => {
    expect(file.text).toMatchSnapshot();
  });
});
