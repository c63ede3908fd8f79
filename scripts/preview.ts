/**
 * `npm run preview -- <pull request number> [--out dist]`: a pull request's preview environment
 * (environments/preview.ts, named pr-<number>) rendered, validated as synth validates, and written to
 * <out>/pr-<number>/. CI pushes that folder to the branch previews/pr-<number>, which the hub's
 * pull-request ApplicationSet deploys; it never goes to main.
 */
import { parseArgs } from 'node:util';
import { writeEnvironments } from '../app/dist-writer';
import { renderEnvironment } from '../app/render';
import { validationContext } from '../app/synthesize';
import { buildEnvironment } from '../charts';
import { EnvironmentError, EnvironmentErrors, loadEnvironment } from '../environments';
import { previewName } from '../environments/fleet';
import { previewEnvironment } from '../environments/preview';
import { formatReport, validate } from '../validation';

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { out: { type: 'string', default: 'dist' } },
    allowPositionals: true,
  });
  const number = positionals[0];
  if (positionals.length !== 1 || number === undefined || !/^[1-9][0-9]{0,8}$/.test(number)) {
    console.error(`preview: error: expected one pull request number such as 123, got ${JSON.stringify(positionals)}`);
    return 2;
  }
  const environment = loadEnvironment(previewEnvironment(previewName(number)));
  const rendered = renderEnvironment(buildEnvironment(environment));
  const report = validate(rendered.objects, validationContext(environment));
  if (report.violations.some((v) => v.severity === 'error') || report.invalid > 0) {
    console.error(formatReport([report]));
    return 1;
  }
  writeEnvironments([rendered], { outDir: values.out!, complete: false });
  console.log(`preview ${environment.name}: ${rendered.objects.length} objects into ${values.out}/${environment.name}/`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof EnvironmentError || error instanceof EnvironmentErrors)) throw error;
  for (const line of error.message.split('\n')) console.error(`preview: error: ${line}`);
  process.exitCode = 2;
}
