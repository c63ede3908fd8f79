import type { Construct } from 'constructs';

/**
 * What a construct can check of its own props, without the environment that produced them (cdk8s-plus
 * does the same: its HorizontalPodAutoscaler refuses `minReplicas` above `maxReplicas`). Each error
 * names the construct's kind, its path in the construct tree and the prop, with the bad value:
 *
 *   Autoscaler 'prod-workloads/backend/Autoscaler': minReplicas (5) must be at most maxReplicas (3)
 *
 * The environment's schema checks what the model says; these catch a construct lifted into another
 * program, or a chart that resolves the model wrongly.
 */
export class PropChecks {
  private readonly what: string;

  constructor(construct: Construct) {
    this.what = `${construct.constructor.name} '${construct.node.path}'`;
  }

  private fail(prop: string, value: unknown, rule: string): never {
    throw new Error(`${this.what}: ${prop} (${JSON.stringify(value)}) ${rule}`);
  }

  /** A Kubernetes object name: a DNS subdomain (RFC 1123: lowercase alphanumerics, `-` and `.`, at most 253). */
  name(prop: string, value: string): this {
    if (value.length === 0 || value.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) {
      this.fail(
        prop,
        value,
        'must be a Kubernetes object name: 1-253 lowercase letters, digits, "-" or ".", starting and ending alphanumeric',
      );
    }
    return this;
  }

  /** A whole number from `min` to `max` (inclusive). */
  integer(prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): this {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(
        prop,
        value,
        max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`,
      );
    }
    return this;
  }

  /** A number greater than 0. */
  positive(prop: string, value: number): this {
    if (!Number.isFinite(value) || value <= 0) this.fail(prop, value, 'must be greater than 0');
    return this;
  }

  /** A TCP or UDP port number. */
  port(prop: string, value: number): this {
    return this.integer(prop, value, 1, 65535);
  }

  /** `low` is at most `high`. */
  ordered(lowProp: string, low: number, highProp: string, high: number): this {
    if (low > high) this.fail(lowProp, low, `must be at most ${highProp} (${high})`);
    return this;
  }

  /** A list or a map with at least one entry. */
  nonEmpty(prop: string, value: readonly unknown[] | Readonly<Record<string, unknown>>): this {
    const size = Array.isArray(value) ? value.length : Object.keys(value).length;
    if (size === 0) this.fail(prop, value, 'must not be empty');
    return this;
  }
}
