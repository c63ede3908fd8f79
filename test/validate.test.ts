/**
 * Validation built into synth: every environment validates clean, invalid output is never written,
 * and waivers need a reason and are reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNames } from '../environments';
import { synthesize, ValidationError, validateEnvironments } from '../app/synthesize';

const fixture = (name: string) => join(__dirname, 'fixtures', 'environments', `${name}.yaml`);

describe('validation in synth', () => {
  it.each(environmentNames())('%s validates with zero violations and no waivers', (name) => {
    const [env] = validateEnvironments({ environments: [name] });
    expect(env!.report.violations).toEqual([]);
    expect(env!.report.waived).toEqual([]);
    expect(env!.report.valid).toBe(env!.objects.length);
  });

  it('refuses to write output that fails a rule, and writes nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'invalid-'));
    let error: unknown;
    try {
      synthesize({ environmentFiles: [fixture('prod-single-replica')], outDir: out });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(
      'ERROR hpa/min-replicas HorizontalPodAutoscaler/platform/frontend spec.minReplicas: minReplicas is 1 (production HPAs need minReplicas >= 2)',
    );
    expect(readdirSync(out)).toEqual([]);
    rmSync(out, { recursive: true });
  });

  it('writes output whose only violation is waived with a reason, and lists the waiver', () => {
    const [env] = synthesize({ environmentFiles: [fixture('prod-single-replica-waived')] });
    expect(env!.report.violations).toEqual([]);
    expect(env!.report.waived).toEqual([
      expect.objectContaining({ reason: 'Internal preview with no availability target; one replica keeps it cheap.' }),
    ]);
  });
});

describe('npm run validate', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', 'validate', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });

  it('prints a kubeconform-like summary and exits 0 when valid', () => {
    const result = cli('--env', 'prod');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^prod: \d+ resources, \d+ valid, 0 invalid, 0 errors, 0 warnings, 0 waived/);
  });

  it('says so and fails when --kubeconform is asked for but kubeconform is not on PATH', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', 'validate', '--env', 'dev', '--kubeconform'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, PATH: dirname(process.execPath) },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('kubeconform: not run');
  });

  it('prints JSON for CI and exits 1 on an error', () => {
    const result = cli('--environment-file', fixture('prod-single-replica'), '--output', 'json');
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(JSON.stringify(json)).toContain('hpa/min-replicas');
  });
});
