/**
 * Kubernetes resource quantities (`500m`, `2Gi`, `1e3`), with the grammar of
 * k8s.io/apimachinery/pkg/api/resource: a signed decimal number and an optional binary SI, decimal
 * SI or exponent suffix. Values are exact BigInt rationals, so `100m` and `0.1` compare equal and
 * `1Gi` against `1G` never suffers from float rounding; `parseQuantity` gives the float for sums.
 */

export interface Quantity {
  /** Numerator (may be negative). */
  readonly num: bigint;
  /** Denominator, always > 0. */
  readonly den: bigint;
}

// <sign><digits>[.<digits>] followed by a binary SI suffix, a decimal SI suffix, or an exponent.
// Alternation order matters: `1E3` must fall through the decimal `E` (exa) branch to the exponent one.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY: Readonly<Record<string, bigint>> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Kubernetes caps exponents far below this; the cap keeps a hostile `1e999999` from allocating. */
const MAX_EXPONENT = 64;

/** Parses a quantity given as a string or a YAML number; undefined when malformed. */
export function parseExactQuantity(value: unknown): Quantity | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, binary, decimal, exponent] = m;
  const dot = number!.indexOf('.');
  const digits = dot < 0 ? number! : number!.slice(0, dot) + number!.slice(dot + 1);
  const scale = dot < 0 ? 0 : number!.length - dot - 1;
  let num = BigInt(digits || '0') * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(scale);
  if (binary) num *= 1024n ** BINARY[binary]!;
  const exp10 = decimal ? DECIMAL[decimal]! : exponent ? Number(exponent) : 0;
  if (Math.abs(exp10) > MAX_EXPONENT) return undefined;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  return { num, den };
}

/** Sign of a - b. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** True when `text` is a syntactically valid Kubernetes quantity. */
export function isQuantity(text: string): boolean {
  return parseExactQuantity(text) !== undefined;
}

/**
 * The quantity's value in base units (cores for CPU, bytes for memory), as a float for adding up.
 * @throws Error when the text is not a quantity; callers validate first.
 */
export function parseQuantity(text: string): number {
  const quantity = parseExactQuantity(text);
  if (quantity === undefined) throw new Error(`"${text}" is not a Kubernetes quantity (e.g. 500m, 2Gi, 1.5)`);
  return Number(quantity.num) / Number(quantity.den);
}
