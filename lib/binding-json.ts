/**
 * The JSON a generated binding type (imports/) stands for, to type a spec written as JSON with
 * `satisfies BindingJson<ClusterSpec>` instead of building it with the binding's classes and enums:
 * the object is emitted exactly as written, and the compiler checks its field names, its nesting and
 * its values against the CRD's schema as imported.
 *
 * - a string enum becomes the union of its values (`ClusterSpecPrimaryUpdateStrategy` → 'unsupervised' | 'supervised');
 * - an int-or-string class (`ClusterSpecResourcesLimits`, a private constructor and a `value`) becomes `number | string`;
 * - arrays, objects and maps are mapped member by member, optional stays optional.
 *
 * The bindings name a field in camelCase where the CRD does not (`enablePDB` → `enablePdb`,
 * `cacheTTL` → `cacheTtl`): `JSON_NAMES` maps such a binding name back to the CRD's, so the JSON is
 * written with the CRD's own name. A name missing there is an excess property, as it should be.
 */
export type BindingJson<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? readonly BindingJson<U>[]
      : T extends { readonly value: string | number }
        ? [keyof T] extends ['value']
          ? T['value']
          : JsonObject<T>
        : JsonObject<T>;

/** Binding field names that differ from the CRD's (cdk8s import camel-cases acronyms). */
interface JSON_NAMES {
  readonly enablePdb: 'enablePDB';
  readonly cacheTtl: 'cacheTTL';
  readonly serverCaSecret: 'serverCASecret';
  readonly serverAltDnsNames: 'serverAltDNSNames';
  readonly isWalArchiver: 'isWALArchiver';
}

type JsonObject<T> = { readonly [K in keyof T as K extends keyof JSON_NAMES ? JSON_NAMES[K] : K]: BindingJson<T[K]> };
