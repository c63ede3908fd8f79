/** Service-level objectives, the alerts' thresholds and tracing. */
import { z } from 'zod';
import { strict } from './common';

/** Service-level objectives: rollouts are analysed against them, alerts fire on them. */
export const slo = strict({
  /** Highest acceptable share of 5xx responses, percent (OPS-01 P2: 1 %). */
  errorRatePercent: z.number().positive().max(100),
  /** Highest acceptable p95 latency, seconds (OPS-01 P2: 2 s). */
  p95LatencySeconds: z.number().positive(),
});

export const monitoring = strict({
  /** Prometheus that analysis runs query. */
  prometheusUrl: z.string().url(),
  /** OPS-01's P3 thresholds; P1 and P2 follow from `slo`. */
  alerts: strict({
    diskPercent: z.number().min(1).max(100),
    memoryPercent: z.number().min(1).max(100),
  }),
  /** OpenTelemetry traces (OPS-02: Jaeger's OTLP collector). @default - no tracing */
  tracing: strict({
    otlpEndpoint: z.string().url(),
    /** Share of root traces sampled, 0-1. */
    sampleRatio: z.number().min(0).max(1),
  }).optional(),
});
