/**
 * `npm run verify [-- --env NAME ...] [--output json] [--crd-mirror DIR | --crd-online] [--chart-mirror DIR]`
 *
 * Progress goes to stderr, the report to stdout. Exit 1 on any rejection, API server warning,
 * unwaived finding or stale dist/; 2 when verify itself cannot run (tools, bad arguments).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultChartMirror } from './addons/mirror';
import { defaultCrdMirror } from './crds';
import { formatVerifyReport, verifyReportJson } from './report';
import { passed, verify } from './verify';
import { runScript } from '../run-script';

const USAGE = `usage: npm run verify [-- --env NAME ...] [--output text|json] [--crd-mirror DIR | --crd-online] [--chart-mirror DIR] [--dist DIR]

  --env, -e NAME    environment to verify, repeatable (default: all)
  --output FORMAT   text (default) or json
  --crd-mirror DIR  read the pinned CRDs from this mirror (default: ../shared/crds when it exists)
  --chart-mirror DIR  render the add-on charts from this mirror (default: ../shared/charts when it exists;
                    without one every run fails: the add-ons cannot be checked)
  --crd-online      fetch the pinned CRD URLs even when a mirror exists
  --dist DIR        the output folder to verify (default: dist)`;

const started = Date.now();

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string', short: 'e', multiple: true },
      output: { type: 'string', default: 'text' },
      'crd-mirror': { type: 'string' },
      'chart-mirror': { type: 'string' },
      'crd-online': { type: 'boolean', default: false },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.output !== 'text' && values.output !== 'json') throw new Error(`--output must be text or json, got "${values.output}"`);
  if (values['crd-online'] && values['crd-mirror'] !== undefined) throw new Error('--crd-mirror and --crd-online exclude each other');
  const mirror = values['crd-mirror'] !== undefined ? resolve(values['crd-mirror']) : values['crd-online'] ? undefined : defaultCrdMirror();
  if (mirror !== undefined && !existsSync(mirror)) throw new Error(`--crd-mirror ${mirror} does not exist`);
  const chartMirror = values['chart-mirror'] !== undefined ? resolve(values['chart-mirror']) : defaultChartMirror();
  if (chartMirror !== undefined && !existsSync(chartMirror)) throw new Error(`--chart-mirror ${chartMirror} does not exist`);
  const report = await verify({
    environments: values.env,
    distDir: values.dist,
    crdMirror: mirror,
    chartMirror,
    log: (line) => console.error(`verify ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`),
  });
  console.log(values.output === 'json' ? verifyReportJson(report) : formatVerifyReport(report));
  return passed(report) ? 0 : 1;
}

runScript('verify', USAGE, main);
