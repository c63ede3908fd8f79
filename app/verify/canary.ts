/**
 * The API server's canary, every run: a privileged pod in a throwaway namespace labelled as the
 * generator labels its own (Pod Security restricted, enforced and warned). The server must refuse it;
 * a server that admits it is not checking what verify relies on (admission, Pod Security), and the
 * run fails saying so.
 */
import type { Manifest } from '../../lib/core/manifest';
import { manifestId } from '../../lib/core/manifest';
import { applyNamespace, dryRunApply, RESTRICTED_LABELS } from './admission';
import { CHECKER_RULES } from './coverage';
import type { Finding } from './findings';
import { type KubeClient, toError } from './kube-client';

export const API_SERVER_CANARY_NAMESPACE = 'verify-canary-apiserver';

export const API_SERVER_CANARY: Manifest = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'privileged', namespace: API_SERVER_CANARY_NAMESPACE },
  spec: { containers: [{ name: 'app', image: 'registry.example.com/canary:1.0.0', securityContext: { privileged: true } }] },
};

/** What the refusal must say: Pod Security's own words. */
const EXPECTED = /violates PodSecurity "restricted:/;

export async function apiServerCanary(client: KubeClient, environment: string): Promise<Finding[]> {
  await applyNamespace(client, API_SERVER_CANARY_NAMESPACE, RESTRICTED_LABELS);
  // No controller manager runs beside verify's API server, so no one creates the namespace's `default`
  // ServiceAccount; without it the ServiceAccount admission plugin refuses the pod before Pod Security sees it.
  const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: API_SERVER_CANARY_NAMESPACE } };
  const created = await client.apply(`/api/v1/namespaces/${API_SERVER_CANARY_NAMESPACE}/serviceaccounts/default`, account, {
    dryRun: false,
    fieldManager: 'verify-canary',
  });
  if (created.status !== 200 && created.status !== 201) throw toError(created, `creating the canary's ServiceAccount`);
  const { findings } = await dryRunApply(
    client,
    environment,
    [{ file: 'canary', bundle: '', object: API_SERVER_CANARY, text: '' }],
    'canary',
  );
  if (findings.some((f) => f.rule === 'rejected' && EXPECTED.test(f.message))) return [];
  return [
    {
      environment,
      tool: 'verify',
      rule: CHECKER_RULES.blind,
      severity: 'error',
      object: 'checker/apiserver',
      message: `the API server went blind: its canary ${manifestId(API_SERVER_CANARY)} (a privileged container in a namespace enforcing Pod Security restricted) was not refused by Pod Security${findings.length > 0 ? `; it said: ${findings.map((f) => f.message).join('; ')}` : ''}`,
    },
  ];
}
