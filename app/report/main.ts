/**
 * `npm run report [-- --env NAME ...] [--verify verify.json] [--simulation simulate.json] [--out FILE]`
 *
 * One self-contained HTML page for the change in the working tree: the plan (with the simulation's
 * verdict per pool), the topology drawn, verify's findings and waivers, the diff against dist/.
 * Exit 2 when the page cannot be made.
 */
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, DEFAULT_REPORT } from './report';
import { runScript } from '../run-script';

const USAGE = `usage: npm run report [-- --env NAME ...] [--verify FILE] [--simulation FILE] [--out FILE] [--dist DIR]

  --env, -e NAME     environment to report, repeatable (default: all)
  --verify FILE      the JSON of npm run verify -- --output json (without it the page says "verify not run")
  --simulation FILE  the JSON of npm run simulate -- --output json (the verdict beside each pool)
  --out, -o FILE     where to write the page (default: ${DEFAULT_REPORT}; never under dist/)
  --dist DIR         the committed output folder to diff against (default: dist)`;

/** The file relative to here when it is below here, else as it is. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string', short: 'e', multiple: true },
      verify: { type: 'string' },
      simulation: { type: 'string' },
      out: { type: 'string', short: 'o' },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const { file, inputs } = await buildReport({
    environments: values.env,
    verifyFile: values.verify,
    simulationFile: values.simulation,
    out: values.out,
    distDir: values.dist,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `report: wrote ${shown(file)} (${inputs.environments.length} environments; verify ${inputs.verify === undefined ? 'not run' : `from ${inputs.verify.file}`}; simulation ${inputs.simulation === undefined ? 'not run' : `from ${inputs.simulation.file}`}) in ${seconds}s`,
  );
  return 0;
}

runScript('report', USAGE, main);
