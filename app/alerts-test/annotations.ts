/**
 * The annotations an alert fires with, rendered as Prometheus renders them, for the expectations of
 * the generated promtool cases. Only the template forms the platform's alerts use are known; any other
 * `{{ ... }}` is an error, so a new form cannot slip past the tests unrendered.
 */

/** Go's `fmt.Sprintf("%.<digits>f", value)`; a value exactly halfway between two outputs is refused. */
export function goFixed(value: number, digits: number): string {
  const scaled = Math.abs(value) * 10 ** digits;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-9) {
    // Go rounds an exact tie to even, JavaScript's toFixed away from zero: choose another fixture value.
    throw new Error(`${value} is halfway between two ${digits}-digit renderings: pick a fixture value that is not`);
  }
  return value.toFixed(digits);
}

/** Go's `%.4g`. */
function goG4(value: number): string {
  const text = Number(value.toPrecision(4));
  return String(text);
}

/** prometheus/common's HumanizeDuration (helpers/templates/time.go) for the values tests produce. */
export function humanizeDuration(value: number): string {
  if (Number.isNaN(value) || !Number.isFinite(value)) throw new Error(`humanizeDuration(${value}) is not rendered here`);
  if (value === 0) return '0s';
  if (Math.abs(value) < 1) throw new Error(`humanizeDuration(${value}) below a second is not rendered here`);
  const sign = value < 0 ? '-' : '';
  const whole = Math.trunc(Math.abs(value));
  const seconds = whole % 60;
  const minutes = Math.trunc(whole / 60) % 60;
  const hours = Math.trunc(whole / 3600) % 24;
  const days = Math.trunc(whole / 86_400);
  if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
  if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
  if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
  return `${sign}${goG4(Math.abs(value))}s`;
}

const ACTION = /\{\{\s*(.*?)\s*\}\}/g;

/**
 * `text` with `{{ $labels.<name> }}`, `{{ $value | printf "%.<n>f" }}` and
 * `{{ $value | humanizeDuration }}` replaced.
 * @throws Error on any other action, or a label the alert does not have
 */
export function renderAnnotation(text: string, labels: Readonly<Record<string, string>>, value: number): string {
  return text.replace(ACTION, (_, action: string) => {
    const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
    if (label) {
      const found = labels[label[1]!];
      if (found === undefined) throw new Error(`annotation reads $labels.${label[1]}, which the firing alert does not have: ${text}`);
      return found;
    }
    const fixed = /^\$value \| printf "%\.(\d)f"$/.exec(action);
    if (fixed) return goFixed(value, Number(fixed[1]));
    if (action === '$value | humanizeDuration') return humanizeDuration(value);
    throw new Error(`annotation template {{ ${action} }} is not rendered by app/alerts-test/annotations.ts: ${text}`);
  });
}
