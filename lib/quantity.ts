/**
 * Kubernetes resource quantities (`500m`, `2Gi`, `1e3`), parsed so that environments can be checked
 * (a request above its limit) and capacity can be added up. The grammar is the one in
 * k8s.io/apimachinery/pkg/api/resource: a signed decimal number and an optional suffix.
 */
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** True when `text` is a syntactically valid Kubernetes quantity. */
export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

/**
 * The quantity's value in base units (cores for CPU, bytes for memory).
 * @throws Error when the text is not a quantity; callers validate first.
 */
export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text);
  if (!match) {
    throw new Error(`"${text}" is not a Kubernetes quantity (e.g. 500m, 2Gi, 1.5)`);
  }
  const [, number, suffix = ''] = match;
  const multiplier = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIERS[suffix];
  return Number(number) * (multiplier ?? 1);
}
