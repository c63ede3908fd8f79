/** The secret store the environment's secrets are read from, and the cloud identities that read it. */
import { z } from 'zod';
import type { Environment as Env } from '../schema';
import { type Ctx, dnsLabel, strict } from './common';

/**
 * The cloud identity an add-on's Kubernetes ServiceAccount acts as (workload identity: no key or ambient
 * node credential): a Google service account (GKE Workload Identity, annotation
 * iam.gke.io/gcp-service-account) or an IAM role (EKS IRSA, annotation eks.amazonaws.com/role-arn).
 */
export const gcpServiceAccount = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    'must be a Google service account email such as external-secrets@my-project.iam.gserviceaccount.com',
  );
export const awsRoleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/external-secrets');

/** The secret-store providers, by their `provider`. */
export const SECRET_PROVIDER_VARIANTS = [
  strict({
    provider: z.literal('aws'),
    region: z.string().min(1),
    serviceAccount: dnsLabel,
    /** The IAM role each namespace's store reads as, by namespace: one per namespace, none shared (as for gcp). */
    identities: z.record(dnsLabel, awsRoleArn),
  }),
  strict({
    provider: z.literal('gcp'),
    projectId: z.string().min(1),
    serviceAccount: dnsLabel,
    /**
     * The cloud identity each namespace's store reads as, by namespace: one identity per namespace, so an
     * editor of one namespace (who can name any store of it in an ExternalSecret) reads only what that
     * namespace's identity may read. Each is granted, in the cloud, only its namespace's secrets (README
     * "Secrets"). Every namespace that reads the store needs one (the platform's namespace and the operated
     * data stores'), and no two share one.
     */
    identities: z.record(dnsLabel, gcpServiceAccount),
  }),
  strict({
    provider: z.literal('vault'),
    /** Vault's address; TLS only: tokens and secrets must not cross the network in the clear. */
    server: z
      .string()
      .url()
      .regex(/^https:\/\//, 'must be an https:// URL: Vault tokens and secrets never travel in the clear'),
    path: z.string().min(1),
    role: z.string().min(1),
    serviceAccount: dnsLabel,
    /** Where the CA that signed Vault's certificate is, when it is not a public one. @default - the system's trusted CAs */
    caProvider: strict({ type: z.enum(['ConfigMap', 'Secret']), name: dnsLabel, key: z.string().min(1), namespace: dnsLabel }).optional(),
  }),
] as const;

const secretProvider = z.discriminatedUnion('provider', SECRET_PROVIDER_VARIANTS, {
  error: () => 'must be one of the providers: aws, gcp, vault',
});

export const secrets = strict({
  /**
   * A namespaced `SecretStore` in every namespace that reads secrets, each authenticating as a
   * ServiceAccount of its own namespace (and, for a cloud store, that namespace's identity). A
   * `ClusterSecretStore` is refused: it reads every namespace's secrets as one identity.
   * @default SecretStore
   */
  scope: z
    .enum(['SecretStore'], {
      error: () =>
        "must be SecretStore: a ClusterSecretStore reads every namespace's secrets as one identity, so an editor of any namespace could read them all",
    })
    .default('SecretStore'),
  /** Name of the store. */
  storeName: dnsLabel,
  store: secretProvider,
  /**
   * Where the environment's secrets are in the store: `<prefix>/<name>` in AWS Secrets Manager and
   * Vault, `<prefix>-<name>` in Google Secret Manager, whose secret IDs allow only letters, digits,
   * `-` and `_`.
   */
  prefix: z.string().regex(/^[A-Za-z0-9_./-]+$/, 'must be a key path such as platform/prod'),
  /**
   * Where the secrets several regions share are (a DR pair's role passwords, which CloudNativePG requires
   * to be identical on both sides): set where the regions inherit it, since each region overrides
   * `prefix` for its own connection strings. @default - `prefix`
   */
  sharedPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/, 'must be a key path such as platform/prod')
    .optional(),
  /** How often the operator re-reads the store. */
  refreshInterval: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 1h'),
});

/** A Google Secret Manager secret ID (and so a prefix of one). */
const GCP_SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** One cloud identity per namespace that reads the store, none shared; prefixes the provider accepts. */
export function checkSecrets(env: Env, ctx: Ctx): void {
  const issue = (path: (string | number)[], input: unknown, message: string) => ctx.addIssue({ code: 'custom', path, input, message });
  if ('identities' in env.secrets.store) {
    const identities = env.secrets.store.identities;
    const readers = [env.namespace, ...Object.values(env.dataStores).flatMap((s) => (s.mode === 'operated' ? [s.namespace] : []))];
    for (const namespace of new Set(readers)) {
      if (identities[namespace] === undefined) {
        issue(
          ['secrets', 'store', 'identities', namespace],
          undefined,
          `must name the cloud identity namespace ${namespace}'s store reads as: its ExternalSecrets read the store (one identity per namespace; named: ${Object.keys(identities).join(', ') || 'none'})`,
        );
      }
    }
    const seen = new Map<string, string>();
    for (const [namespace, identity] of Object.entries(identities)) {
      const other = seen.get(identity);
      if (other !== undefined) {
        issue(
          ['secrets', 'store', 'identities', namespace],
          identity,
          `is namespace ${other}'s identity too: each namespace reads as its own, so an editor of one cannot read another's secrets`,
        );
      }
      seen.set(identity, namespace);
    }
  }
  for (const field of ['prefix', 'sharedPrefix'] as const) {
    const value = env.secrets[field];
    if (env.secrets.store.provider === 'gcp' && value !== undefined && !GCP_SECRET_ID.test(value)) {
      issue(
        ['secrets', field],
        value,
        'must be letters, digits, "-" and "_" only for Google Secret Manager (secret IDs have no "/" or "."), e.g. platform-prod',
      );
    }
  }
}
