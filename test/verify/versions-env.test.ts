/** tools/versions.env has one reader, tools/versions.sh: the installer sources it and verify runs it. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedVersions, readVersions, ROOT } from '../../app/verify/tools';

const dir = mkdtempSync(join(tmpdir(), 'versions-env-'));
const PINNED = readFileSync(join(ROOT, 'tools', 'versions.env'), 'utf8');
let files = 0;
/** tools/versions.env with `edit` applied, in a file of its own. */
const versionsFile = (edit: (text: string) => string): string => {
  const file = join(dir, `versions-${files++}.env`);
  writeFileSync(file, edit(PINNED));
  return file;
};

describe('readVersions (tools/versions.sh)', () => {
  it('reads the pinned file: quotes stripped, every key the reader knows, the optional Polaris empty', () => {
    const values = readVersions();
    expect(values.KUBERNETES_VERSIONS).toMatch(/^\d+\.\d+\.\d+( \d+\.\d+\.\d+)*$/);
    expect(values.POLARIS_VERSION).toBe('');
    expect(pinnedVersions(values).helm).toBe(values.HELM_VERSION);
  });

  it.each([
    ['an unknown key', (t: string) => `${t}\nKUBESCORE_VERSION=1.0.0\n`, /versions-\d+\.env:\d+: unknown key KUBESCORE_VERSION/],
    ['a line that is not KEY=value', (t: string) => `${t}\nhelm 4\n`, /versions-\d+\.env:\d+: not KEY=value: helm 4/],
    [
      'a value to expand',
      (t: string) => t.replace(/^ETCD_VERSION=.*$/m, 'ETCD_VERSION=$HOME'),
      /value must be literal: ETCD_VERSION=\$HOME/,
    ],
    ['a required key left out', (t: string) => t.replace(/^HELM_VERSION=.*$/m, ''), /versions-\d+\.env: HELM_VERSION is not set/],
    ['a required key set empty', (t: string) => t.replace(/^KWOK_VERSION=.*$/m, 'KWOK_VERSION='), /KWOK_VERSION is not set/],
  ])('fails on %s, naming the file and line', (_, edit, message) => {
    expect(() => readVersions(versionsFile(edit))).toThrow(message);
  });

  it('is what the installer reads: it sources tools/versions.sh and parses the file nowhere else', () => {
    const installer = readFileSync(join(ROOT, 'scripts', 'install-tools.sh'), 'utf8');
    expect(installer).toContain('source "$ROOT/tools/versions.sh"');
    expect(installer).toContain('load_versions "$VERSIONS_FILE"');
    expect(installer).not.toMatch(/<\s*"\$VERSIONS_FILE"/);
  });
});
