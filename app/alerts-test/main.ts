/**
 * `npm run alerts [env...]`: proves every environment's committed alert rules (dist/<env>/) with the
 * pinned promtool (tools/versions.env, built by `npm run tools`): `promtool check rules` and the
 * `promtool test rules` cases generated from the model. Prints per environment the alerts, the cases,
 * the exporters they read and the stores left unwatched; exits 1 when any proof fails.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDistEnvironment } from '../diff/read-dist';
import { selectEnvironments } from '../../environments';
import { toolPath } from '../verify/tools';
import { proveAlerts } from './run';

function main(): number {
  const promtool = toolPath('promtool');
  if (!existsSync(promtool)) {
    console.error(`alerts: ${promtool} is missing: run \`npm run tools\` (scripts/install-tools.sh promtool)`);
    return 1;
  }
  const dist = join(__dirname, '..', '..', 'dist');
  let failed = 0;
  let cases = 0;
  const environments = selectEnvironments(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
  for (const environment of environments) {
    const objects = readDistEnvironment(dist, environment.name).map((o) => o.object);
    const proof = proveAlerts(promtool, environment, objects);
    cases += proof.tests;
    const verdict = proof.problems.length === 0 ? 'proven' : 'FAILED';
    console.log(
      `${proof.environment}: ${verdict}: ${proof.alerts.length} alerts, ${proof.tests} promtool cases (check ${proof.check.seconds.toFixed(1)} s, test ${proof.test.seconds.toFixed(1)} s)`,
    );
    console.log(`  alerts: ${proof.alerts.join(', ')}`);
    console.log(`  sources: ${proof.sources.join(', ')}`);
    for (const [store, why] of proof.unwatched) console.log(`  not alerted: ${store}: ${why}`);
    for (const problem of proof.problems) console.error(problem);
    if (proof.problems.length > 0) failed++;
  }
  console.log(`alerts: ${environments.length - failed} of ${environments.length} environments proven by promtool (${cases} cases)`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
