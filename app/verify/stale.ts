/**
 * verify checks dist/ as committed, so it must be what the generator writes now: dist/<env>/ is
 * compared object by object with a fresh render (the same comparison as `npm run diff`).
 */
import { diffDist, isEmpty, summary } from '../diff';
import type { Finding } from './findings';

const SHOWN = 8;

export function staleDist(distDir: string, environments: readonly string[]): Finding[] {
  return diffDist({ distDir, environments }).flatMap((diff, index): Finding[] => {
    if (isEmpty(diff)) return [];
    const objects = [...diff.added.map((o) => `+${o}`), ...diff.removed.map((o) => `-${o}`), ...diff.changed.map((c) => `~${c.key}`)];
    const shown = objects.slice(0, SHOWN).join(', ') + (objects.length > SHOWN ? `, … ${objects.length - SHOWN} more` : '');
    return [
      {
        environment: environments[index]!,
        tool: 'dist',
        rule: 'stale',
        severity: 'error',
        object: `dist/${environments[index]}`,
        message: `${summary(diff)} (${shown}): dist/ is not what the generator writes now; run \`npm run synth\` and commit dist/ (\`npm run diff\` shows the changes)`,
      },
    ];
  });
}
