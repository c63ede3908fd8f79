import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EnvironmentError, EnvironmentErrors } from '../../environments/load';
import { validateEnvironments, type ValidatedEnvironment } from '../synthesize';
import { formatReport, reportJson } from '../../validation';
import { UserError } from '../../lib/core/user-error';
import { collect } from './synth';

/** Runs kubeconform -strict over the rendered files too, when it is installed, at each environment's Kubernetes minor. */
function runKubeconform(environments: readonly ValidatedEnvironment[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconform-'));
  try {
    let status = 0;
    for (const env of environments) {
      const files = env.files
        .filter((file) => file.objects.length > 0)
        .map((file) => {
          const path = join(dir, `${env.environment}-${file.name.replaceAll('/', '-')}`);
          writeFileSync(path, file.text);
          return path;
        });
      const version = `${env.model.cluster.kubernetesVersion}.0`;
      const result = spawnSync('kubeconform', ['-strict', '-summary', '-kubernetes-version', version, ...files], { stdio: 'inherit' });
      if (result.error) {
        console.error(`kubeconform: not run (${result.error.message}); install it on PATH to use --kubeconform`);
        return 1;
      }
      if (result.status !== 0) status = result.status ?? 1;
    }
    return status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate environments: strict schemas, policy rules and cross-object references')
    .option('-e, --env <name>', 'environment to validate, repeatable (default: all)', collect)
    .option('-f, --environment-file <file>', 'also validate an environment overlay from a YAML/JSON file, repeatable', collect)
    .option('--output <format>', 'text or json', 'text')
    .option('--kubeconform', 'also run kubeconform -strict when it is on PATH')
    .action((options: { env?: string[]; environmentFile?: string[]; output: string; kubeconform?: boolean }) => {
      if (options.output !== 'text' && options.output !== 'json') {
        throw new UserError(`--output must be text or json, got "${options.output}"`);
      }
      let environments: ValidatedEnvironment[];
      try {
        environments = validateEnvironments({ environments: options.env, environmentFiles: options.environmentFile });
      } catch (error) {
        if (options.output !== 'json') throw error;
        const errors = error instanceof EnvironmentErrors ? error.errors : error instanceof EnvironmentError ? [error] : undefined;
        if (errors === undefined) throw error;
        // The same shape as a report's findings: the model error names its environment, field path, value and file.
        const modelErrors = errors.flatMap((e) =>
          e.issues.map((issue) => ({ environment: e.environment, ...issue, value: issue.value ?? null })),
        );
        console.log(JSON.stringify({ environments: [], modelErrors, total: { modelErrors: modelErrors.length } }, null, 2));
        process.exitCode = 1;
        return;
      }
      const reports = environments.map((env) => env.report);
      console.log(options.output === 'json' ? reportJson(reports) : formatReport(reports));
      const failed = reports.some((report) => report.violations.some((v) => v.severity === 'error'));
      const kubeconform = options.kubeconform ? runKubeconform(environments) : 0;
      if (failed || kubeconform !== 0) process.exitCode = 1;
    });
}
