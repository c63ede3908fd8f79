/**
 * The committed dist/ is what the sources synthesize today, byte for byte, and every environment
 * folder builds with `kubectl kustomize` (what Flux's kustomize-controller runs).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { renderEnvironments } from '../app/synthesize';
import { nonEmpty } from './helpers';

const dist = join(__dirname, '..', 'dist');

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('dist/', () => {
  const rendered = renderEnvironments();

  it('holds one folder per environment and nothing else', () => {
    expect(readdirSync(dist).sort()).toEqual(environmentNames().sort());
  });

  it.each(rendered.map((env) => [env.environment, env] as const))('is fresh for %s (run `npm run synth` if this fails)', (name, env) => {
    const onDisk = readdirSync(join(dist, name), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(join(dist, name), join(entry.parentPath, entry.name)));
    expect(onDisk.sort()).toEqual(env.files.map((file) => file.name).sort());
    for (const file of nonEmpty(env.files, `${name}: files`)) {
      expect(readFileSync(join(dist, name, file.name), 'utf8'), `dist/${name}/${file.name}`).toBe(file.text);
    }
  });

  it('is deterministic: two renders give identical bytes', () => {
    const again = renderEnvironments();
    expect(again.map((env) => env.files.map((f) => f.text))).toEqual(rendered.map((env) => env.files.map((f) => f.text)));
  });

  it('uses stable, readable names without hash suffixes (no 5+ character hex runs)', () => {
    for (const env of nonEmpty(rendered, 'environments')) {
      for (const object of nonEmpty(env.objects, `${env.environment}: objects`)) {
        expect(object.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
        expect(object.metadata.name).not.toMatch(/[0-9a-f]{5,}/);
      }
    }
  });

  // CI machines have kubectl; elsewhere the check is skipped rather than faked.
  it.runIf(hasKubectl() || process.env.CI === 'true').each(environmentNames())(
    'builds every kustomize root of dist/%s with kubectl kustomize',
    (name) => {
      const env = rendered.find((e) => e.environment === name)!;
      const folders = env.files.filter((f) => f.name.endsWith('kustomization.yaml')).map((f) => dirname(f.name));
      expect(folders).toContain('.');
      for (const folder of folders) {
        const output = execFileSync('kubectl', ['kustomize', join(dist, name, folder)], { encoding: 'utf8' });
        const expected = env.files.filter((f) => dirname(f.name) === folder).reduce((sum, f) => sum + f.objects.length, 0);
        expect(output.match(/^kind: /gm)?.length, `dist/${name}/${folder}`).toBe(expected);
      }
    },
  );
});
