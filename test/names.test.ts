/**
 * Names that cross objects are made by one function each, in the names module of their domain
 * (lib/names.ts states the rule). The host of a Service in the cluster is one of them: every layer
 * gets it from lib/names.ts's clusterHost, never by writing `<name>.<namespace>.svc.cluster.local` itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterHost, serviceHost, serviceName } from '../lib/names';
import { nonEmpty } from './helpers';

const ROOT = join(__dirname, '..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

describe('the host of a Service', () => {
  it('is made by clusterHost alone: no other file interpolates a name into .svc.cluster.local', () => {
    const files = nonEmpty(
      ['lib', 'validation', 'charts', 'environments', 'app'].flatMap(sources).filter((file) => file !== join('lib', 'names.ts')),
      'source files',
    );
    const makers = files.filter((file) => /\}\.svc\.cluster\.local/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(makers).toEqual([]);
  });

  it("of a platform service is its Service's clusterHost", () => {
    expect(serviceHost('backend', 'platform')).toBe(clusterHost(serviceName('backend'), 'platform'));
    expect(clusterHost('db-pooler', 'data')).toBe('db-pooler.data.svc.cluster.local');
  });
});
