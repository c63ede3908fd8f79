/**
 * Strict schema validation of emitted objects (kubeconform `-strict` semantics) with validators that
 * scripts/gen-validators.ts compiled ahead of time into imports/validators/: nothing is compiled and
 * no schema is read at run time. The core kinds are checked against the schemas of the cluster's
 * Kubernetes minor, captured from its kube-apiserver (imports/kubernetes/); the CRD kinds against
 * their pinned CRDs.
 */
import validators, { type SchemaError } from '../imports/validators';
import type { Manifest } from '../lib/core/manifest';
import { hasSchemas, NEWEST_MINOR, schemaKubernetesVersions } from './kubernetes-version';
import type { Violation } from './types';

export { KUBERNETES_VERSION_RULE, kubernetesVersionViolation, schemaKubernetesVersions } from './kubernetes-version';

/** The pattern strings the generator uses, so that messages name the rule instead of a regex. */
const NAMED_PATTERNS: Readonly<Record<string, { readonly name: string; readonly expected: string }>> = {
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$': {
    name: 'Kubernetes quantity',
    expected: 'a number with an optional suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent), e.g. 500m, 1.5Gi, 2',
  },
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': {
    name: 'DNS-1123 subdomain',
    expected: "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
  },
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': {
    name: 'DNS-1123 label',
    expected: "lowercase letters, digits and '-', starting and ending with a letter or digit",
  },
  '^[a-z]([-a-z0-9]*[a-z0-9])?$': {
    name: 'DNS-1035 label',
    expected: "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
  },
};

/** Core kinds are exported as `<minor>/<apiVersion>/<Kind>`. */
const CORE_KEY = /^\d+\.\d+\//;

const SUPPORTED: readonly string[] = [...new Set(Object.keys(validators).map((k) => k.replace(CORE_KEY, '')))].sort();

/** `apiVersion/Kind` of every kind we have a validator for, e.g. `apps/v1/Deployment`. */
export function supportedKinds(): string[] {
  return [...SUPPORTED];
}

/**
 * Schema violations of one object; an empty list when it is valid. Core kinds are checked against the
 * schemas of `kubernetesVersion` (a minor with captured schemas, see kubernetesVersionViolation).
 * @default kubernetesVersion - the newest captured minor
 */
export function validateSchema(obj: Manifest, kubernetesVersion: string = NEWEST_MINOR): Violation[] {
  if (!hasSchemas(kubernetesVersion)) {
    throw new Error(
      `no Kubernetes ${kubernetesVersion} schemas: captured ${schemaKubernetesVersions()
        .map((v) => v.minor)
        .join(', ')}`,
    );
  }
  const object = objectRef(obj);
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const coreKey = `${kubernetesVersion}/${key}`;
  const validate = Object.hasOwn(validators, coreKey) ? validators[coreKey] : Object.hasOwn(validators, key) ? validators[key] : undefined;
  if (validate === undefined) {
    return [{ rule: 'schema/unknown-kind', severity: 'error', object, path: 'kind', message: unknownKindMessage(obj) }];
  }
  if (validate(obj)) return [];
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const e of validate.errors ?? []) {
    // Errors inside anyOf/oneOf branches (the only ones that keep a schemaPath) are summed up by the
    // combinator's own error.
    if (e.schemaPath !== undefined) continue;
    const v = toViolation(e, obj, object);
    // metadata is checked by ObjectMeta and by the per-kind name rule beside it: report once.
    const key = `${v.path}\u0000${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(v);
  }
  return violations;
}

function objectRef(obj: Manifest): string {
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '<unnamed>';
  const ns = obj.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? `${String(obj.kind)}/${ns}/${name}` : `${String(obj.kind)}/${name}`;
}

function unknownKindMessage(obj: Manifest): string {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const sameKind = SUPPORTED.filter((k) => k.endsWith(`/${kind}`));
  if (sameKind.length > 0) {
    return `apiVersion "${apiVersion}" is not supported for kind ${kind} — use ${sameKind.map((k) => k.slice(0, -kind.length - 1)).join(' or ')}`;
  }
  const sameVersion = SUPPORTED.filter((k) => k.slice(0, k.lastIndexOf('/')) === apiVersion).map((k) => k.slice(k.lastIndexOf('/') + 1));
  if (sameVersion.length > 0) {
    return `unknown kind "${kind}" for apiVersion ${apiVersion}${didYouMean(kind, sameVersion)} — supported: ${sameVersion.join(', ')}`;
  }
  return `unknown apiVersion/kind "${apiVersion}/${kind}" — supported: ${SUPPORTED.join(', ')}`;
}

function toViolation(e: SchemaError, root: unknown, object: string): Violation {
  const p = e.params;
  const segments = pointerSegments(e.instancePath);
  const value = valueAt(root, segments);
  let path = dottedPath(root, segments);
  let message: string;
  switch (e.keyword) {
    case 'allowedFields': {
      const field = String(p.field);
      const allowed = Object.keys(p.allowed as object);
      path = dottedPath(root, [...segments, field]);
      message = `unknown field "${field}"${didYouMean(field, allowed)} — allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`;
      break;
    }
    case 'required':
      path = dottedPath(root, [...segments, String(p.missingProperty)]);
      message = `missing required field "${String(p.missingProperty)}"`;
      break;
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      message = `expected ${types.join(' or ')}, got ${describe(value)}`;
      break;
    }
    case 'enum':
      message = `${describe(value)} is not allowed — allowed: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      message = `expected ${JSON.stringify(p.allowedValue)}, got ${describe(value)}`;
      break;
    case 'pattern': {
      const named = NAMED_PATTERNS[String(p.pattern)];
      message =
        named !== undefined
          ? `${describe(value)} is not a valid ${named.name} — expected ${named.expected}`
          : `${describe(value)} does not match the pattern ${String(p.pattern)}`;
      break;
    }
    case 'exclusiveFields':
      message = `sets ${(p.present as string[]).join(' and ')} — at most one of ${(p.fields as string[]).join(', ')} may be set`;
      break;
    case 'maxLength':
    case 'minLength':
      message = `must be ${e.keyword === 'maxLength' ? 'at most' : 'at least'} ${String(p.limit)} characters long, got ${typeof value === 'string' ? value.length : describe(value)}`;
      break;
    case 'maxItems':
    case 'minItems':
    case 'maxProperties':
    case 'minProperties': {
      const count = Array.isArray(value) ? value.length : value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
      const what = e.keyword.endsWith('Items') ? 'items' : 'fields';
      message = `must have ${e.keyword.startsWith('max') ? 'at most' : 'at least'} ${String(p.limit)} ${what}, got ${count}`;
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      message = `must be ${String(p.comparison)} ${String(p.limit)}, got ${describe(value)}`;
      break;
    case 'multipleOf':
      message = `must be a multiple of ${String(p.multipleOf)}, got ${describe(value)}`;
      break;
    case 'uniqueItems':
      message = `items ${String(p.j)} and ${String(p.i)} are identical — items must be unique`;
      break;
    case 'oneOf':
      message = Array.isArray(p.passingSchemas)
        ? 'matches more than one of the allowed forms — set only one of the alternatives'
        : 'matches none of the allowed forms';
      break;
    case 'anyOf':
      message = 'matches none of the allowed forms';
      break;
    case 'not':
      message = 'uses a combination of fields that is not allowed';
      break;
    default:
      message = `fails the "${e.keyword}" check (${JSON.stringify(p)})`;
  }
  return { rule: 'schema', severity: 'error', object, path, message };
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let cur = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** `spec.template.spec.containers[0].resources`, `metadata.labels["app.kubernetes.io/name"]`. */
function dottedPath(root: unknown, segments: readonly string[]): string {
  let out = '';
  let cur = root;
  for (const s of segments) {
    if (Array.isArray(cur) && /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}..."` : s;
  }
  return String(value);
}

/** ` (did you mean "replicas"?)` when one allowed name is a likely typo of `name`, else ''. */
function didYouMean(name: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 4));
  for (const candidate of allowed) {
    if (Math.abs(candidate.length - name.length) > limit) continue; // cannot be within the limit
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? ` (did you mean "${best}"?)` : '';
}

/** Optimal-string-alignment distance: a swapped pair of letters (`nmae`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
