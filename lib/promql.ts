/**
 * PromQL syntax checking with the Prometheus project's own grammar (`@prometheus-io/lezer-promql`,
 * the parser behind the Prometheus UI's editor). An alert whose expression does not parse is
 * rejected by Prometheus when it loads the rule file, which means the alert silently never exists;
 * checking at synth time turns that into an error with the rule name and the position.
 *
 * The grammar checks syntax only (a misspelt function, an unbalanced brace, a dangling operator),
 * not types: `rate(up)` without a range parses. Expressions are still reviewed and tested.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** One place where the expression does not parse. */
export interface PromqlError {
  /** 0-based offset into the expression. */
  readonly offset: number;
  /** 1-based line and column, for messages. */
  readonly line: number;
  readonly column: number;
  /** The text the parser could not place, or `end of expression`. */
  readonly near: string;
}

function position(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Every syntax error of `expr`, in order; empty when it parses. */
export function promqlErrors(expr: string): PromqlError[] {
  if (expr.trim() === '') return [{ offset: 0, line: 1, column: 1, near: 'empty expression' }];
  const errors: PromqlError[] = [];
  // Lezer recovers from errors and marks each with an error node (the ⚠ in a printed tree); a valid
  // expression has none.
  parser.parse(expr).iterate({
    enter: (node) => {
      if (!node.type.isError) return;
      const near = node.from < expr.length ? expr.slice(node.from, Math.max(node.to, node.from + 1)).slice(0, 20) : 'end of expression';
      errors.push({ offset: node.from, ...position(expr, node.from), near });
    },
  });
  return errors;
}

/**
 * Throws when `expr` is not valid PromQL, naming what it belongs to and where it breaks.
 * @param owner what the expression is, for the message, e.g. `alert HighErrorRate`
 */
export function assertPromql(owner: string, expr: string): void {
  const [first, ...rest] = promqlErrors(expr);
  if (first === undefined) return;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  throw new Error(
    `${owner}: invalid PromQL at line ${first.line}, column ${first.column} near ${JSON.stringify(first.near)}${more}: ${expr}`,
  );
}

/** A PromQL double-quoted string literal. */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export function eq(label: string, value: string): LabelMatcher {
  return { label, op: '=', value };
}

export function ne(label: string, value: string): LabelMatcher {
  return { label, op: '!=', value };
}

export function re(label: string, pattern: string): LabelMatcher {
  return { label, op: '=~', value: pattern };
}

/** Matches any of `values` literally. */
export function oneOf(label: string, values: readonly string[]): LabelMatcher {
  return re(label, values.map(escapeRegex).join('|'));
}

/** Equality matchers from a label map (a Kubernetes selector, say). */
export function eqAll(labels: Readonly<Record<string, string>>): LabelMatcher[] {
  return Object.entries(labels).map(([label, value]) => eq(label, value));
}

/** A vector selector: `metric{a="b", c=~"d|e"}`. */
export function selector(metric: string, ...labelMatchers: readonly LabelMatcher[]): string {
  if (labelMatchers.length === 0) return metric;
  return `${metric}{${labelMatchers.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(', ')}}`;
}

/** Escapes RE2 metacharacters so a name matches literally inside `=~`. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
