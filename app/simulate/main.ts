/**
 * `npm run simulate [-- --env NAME ...] [--output text|json|markdown] [--crd-mirror DIR] [--dist DIR]`
 *
 * Each environment's committed app bundle (dist/<env>/, as verify reads it) applied to a control plane
 * that acts, and checked at the floor, at the ceiling, losing each zone and losing the spot pools
 * (app/simulate/simulate.ts). Progress goes to stderr, the report to stdout. Exit 1 on any error
 * finding (and on an unused waiver in CI), 2 when the simulation itself cannot run.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectEnvironments } from '../../environments';
import { defaultCrdMirror } from '../verify/crds';
import { readEnvironmentOutput } from '../verify/manifests';
import { ROOT } from '../verify/tools';
import { inCi } from '../verify/verify';
import { formatSimulationMarkdown, formatSimulationText, passed, type SimulationReport, simulationJson } from './report';
import { simulateEnvironments } from './simulate';
import { runScript } from '../run-script';

const USAGE = `usage: npm run simulate [-- --env NAME ...] [--output text|json|markdown] [--crd-mirror DIR] [--dist DIR] [--no-drills]

  --env, -e NAME    environment to simulate, repeatable (default: all)
  --output FORMAT   text (default), json or markdown
  --crd-mirror DIR  read the pinned CRDs from this mirror (default: ../shared/crds when it exists)
  --dist DIR        the output folder (default: dist)
  --no-drills       skip the zone and spot drills`;

const started = Date.now();

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string', short: 'e', multiple: true },
      output: { type: 'string', default: 'text' },
      'crd-mirror': { type: 'string' },
      dist: { type: 'string' },
      'no-drills': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const output = values.output;
  if (output !== 'text' && output !== 'json' && output !== 'markdown')
    throw new Error(`--output must be text, json or markdown, got "${output}"`);
  const mirror = values['crd-mirror'] !== undefined ? resolve(values['crd-mirror']) : defaultCrdMirror();
  if (mirror !== undefined && !existsSync(mirror)) throw new Error(`--crd-mirror ${mirror} does not exist`);
  const distDir = resolve(values.dist ?? join(ROOT, 'dist'));
  const log = (line: string) => console.error(`simulate ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`);
  const inputs = selectEnvironments(values.env).map((env) => ({
    env,
    objects: readEnvironmentOutput(distDir, env.name)
      .objects.filter((o) => o.bundle === '')
      .map((o) => o.object),
  }));
  const results = await simulateEnvironments(inputs, { crdMirror: mirror, log, drills: !values['no-drills'] });
  const report: SimulationReport = {
    environments: results,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    strictWaivers: inCi(),
  };
  console.log(
    output === 'json' ? simulationJson(report) : output === 'markdown' ? formatSimulationMarkdown(report) : formatSimulationText(report),
  );
  return passed(report) ? 0 : 1;
}

runScript('simulate', USAGE, main);
