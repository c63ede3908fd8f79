/**
 * The exact numbers requirements state, each pinned once, where the model keeps it: a default in
 * lib/defaults.ts or a value of the platform base. Every other test reads the constant or the model
 * value instead of restating the number, so changing a requirement is one edit here and one beside the
 * model, and a test elsewhere never pins a number by accident.
 */
import { describe, expect, it } from 'vitest';
import { AUTOSCALING_DEFAULTS, LATENCY_SCALING_DEFAULTS } from '../lib/defaults';
import { environment } from './helpers';

/** The queue of the prod worker, as the model resolves it. */
function workerQueue() {
  const worker = environment('prod').services.worker;
  if (worker?.kind !== 'worker' || worker.queue === undefined) throw new Error('prod: services.worker is not a queue worker');
  return worker.queue;
}

describe('requirement numbers (docs/requirements.md)', () => {
  it('CAP-03: web services scale on CPU 70 % and memory 80 %, up 100 % and down 10 % a minute, behind 3- and 10-minute windows', () => {
    expect(AUTOSCALING_DEFAULTS).toEqual({
      cpuPercent: 70,
      memoryPercent: 80,
      scaleUp: { percent: 100, periodSeconds: 60, stabilizationSeconds: 180 },
      scaleDown: { percent: 10, periodSeconds: 60, stabilizationSeconds: 600 },
    });
  });

  it('CAP-04: the API scales on p95 request latency above 500 ms', () => {
    expect(LATENCY_SCALING_DEFAULTS.p95Milliseconds).toBe(500);
  });

  it('CAP-05: one queue worker per 100 waiting tasks; staging scales its workers from zero up to 20', () => {
    expect(workerQueue().targetPerReplica).toBe(100);
    const staging = environment('staging').services.worker;
    expect(staging?.kind === 'worker' && [staging.replicas, staging.queue?.scaleToZero]).toEqual([{ min: 0, max: 20 }, true]);
  });

  it('CAP-09: a region of 10K-100K users (prod-eu) scales the API between 5 and 20 pods and the workers between 5 and 30', () => {
    const { backend, worker } = environment('prod-eu').services;
    expect([backend?.kind !== 'job' && backend?.replicas, worker?.kind !== 'job' && worker?.replicas]).toEqual([
      { min: 5, max: 20 },
      { min: 5, max: 30 },
    ]);
  });

  it('CAP-08: the edge runs 3 NGINX replicas of 250m / 512Mi in production', () => {
    const { replicas, cpu, memory } = environment('prod').ingress;
    expect({ replicas, cpu, memory }).toEqual({ replicas: 3, cpu: '250m', memory: '512Mi' });
  });
});
