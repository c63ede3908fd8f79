/**
 * References to secrets and their producers, which single-object linters cannot see:
 *
 * - ref/secret-source: every Secret a pod mounts or reads, a KEDA TriggerAuthentication reads, or an
 *   Ingress serves TLS from is written by an ExternalSecret, a cert-manager Certificate or an emitted
 *   Secret in the same namespace, and every key read is one that producer writes.
 * - ref/secret-store: every ExternalSecret's store exists (and a ClusterSecretStore admits its namespace).
 * - ref/certificate-issuer: every Certificate's issuer exists.
 * - ref/trigger-auth: every ScaledObject trigger's authenticationRef exists.
 * - ref/service-monitor: every ServiceMonitor selects a Service whose named ports it scrapes (or, by
 *   `targetPort`, whose pods declare the container port it scrapes).
 */
import type { Violation } from '../types';
import { asArray, asObj, asString, GK, isObj, mapMatches, show, violation, type Entry, type Model, type RuleFamily } from './model';
import { podPorts, resolveTargetPort } from './ports';

export const SECRET_SOURCE = 'ref/secret-source';
export const SECRET_STORE = 'ref/secret-store';
export const CERTIFICATE_ISSUER = 'ref/certificate-issuer';
export const TRIGGER_AUTH = 'ref/trigger-auth';
export const SERVICE_MONITOR = 'ref/service-monitor';

const EXTERNAL_SECRET = 'external-secrets.io/ExternalSecret';
const SECRET_STORE_GK = 'external-secrets.io/SecretStore';
const CLUSTER_SECRET_STORE = 'external-secrets.io/ClusterSecretStore';
const CERTIFICATE = 'cert-manager.io/Certificate';
const ISSUER = 'cert-manager.io/Issuer';
const CLUSTER_ISSUER = 'cert-manager.io/ClusterIssuer';
const TRIGGER_AUTHENTICATION = 'keda.sh/TriggerAuthentication';
const CLUSTER_TRIGGER_AUTHENTICATION = 'keda.sh/ClusterTriggerAuthentication';
const SERVICE_MONITOR_GK = 'monitoring.coreos.com/ServiceMonitor';

/** Keys a cert-manager Certificate writes into its Secret. */
const TLS_KEYS = ['tls.crt', 'tls.key', 'ca.crt'];

/** What writes a Secret, and which keys (undefined: keys unknown, any key accepted). */
interface Producer {
  readonly by: string;
  readonly keys: readonly string[] | undefined;
}

function producers(model: Model): Map<string, Producer> {
  const out = new Map<string, Producer>();
  const add = (namespace: string, name: string | undefined, producer: Producer) => {
    if (name !== undefined) out.set(`${namespace}/${name}`, producer);
  };
  for (const entry of model.ofKind(EXTERNAL_SECRET)) {
    const spec = asObj(entry.obj.spec) ?? {};
    const name = asString(asObj(spec.target)?.name) ?? entry.name;
    // dataFrom pulls whole maps whose keys are only known at run time.
    const fetched = spec.dataFrom === undefined ? asArray(spec.data).map((d) => asString(asObj(d)?.secretKey) ?? '') : undefined;
    // A template writes its own keys, and keeps the fetched ones only when merging (the default is Replace).
    const template = asObj(asObj(spec.target)?.template);
    const templated = Object.keys(asObj(template?.data) ?? {});
    const kept = template === undefined || template.mergePolicy === 'Merge' ? fetched : [];
    const keys = kept === undefined ? undefined : [...kept, ...templated];
    add(entry.namespace, name, { by: entry.id, keys });
  }
  for (const entry of model.ofKind(CERTIFICATE)) {
    add(entry.namespace, asString(asObj(entry.obj.spec)?.secretName), { by: entry.id, keys: TLS_KEYS });
  }
  for (const entry of model.ofKind(GK.Secret)) add(entry.namespace, entry.name, { by: entry.id, keys: undefined });
  return out;
}

/** One place that reads a Secret. */
interface Use {
  readonly entry: Entry;
  readonly path: string;
  readonly secret: string;
  readonly keys: readonly string[];
}

function podUses(model: Model): Use[] {
  const uses: Use[] = [];
  for (const pod of model.pods) {
    asArray(pod.spec.volumes).forEach((volume, i) => {
      const secret = asObj(asObj(volume)?.secret);
      const name = asString(secret?.secretName);
      if (!secret || !name || secret.optional === true) return;
      const keys = asArray(secret.items).map((item) => asString(asObj(item)?.key) ?? '');
      uses.push({ entry: pod.entry, path: `${pod.path}.volumes[${i}].secret.secretName`, secret: name, keys });
    });
    for (const field of ['initContainers', 'containers'] as const) {
      asArray(pod.spec[field]).forEach((container, c) => {
        if (!isObj(container)) return;
        const base = `${pod.path}.${field}[${c}]`;
        asArray(container.env).forEach((env, e) => {
          const ref = asObj(asObj(asObj(env)?.valueFrom)?.secretKeyRef);
          const name = asString(ref?.name);
          if (!ref || !name || ref.optional === true) return;
          uses.push({ entry: pod.entry, path: `${base}.env[${e}].valueFrom.secretKeyRef`, secret: name, keys: [asString(ref.key) ?? ''] });
        });
        asArray(container.envFrom).forEach((from, f) => {
          const ref = asObj(asObj(from)?.secretRef);
          const name = asString(ref?.name);
          if (!ref || !name || ref.optional === true) return;
          uses.push({ entry: pod.entry, path: `${base}.envFrom[${f}].secretRef.name`, secret: name, keys: [] });
        });
      });
    }
  }
  return uses;
}

function otherUses(model: Model): Use[] {
  const uses: Use[] = [];
  for (const entry of model.ofKind(GK.Ingress)) {
    asArray(asObj(entry.obj.spec)?.tls).forEach((tls, i) => {
      const name = asString(asObj(tls)?.secretName);
      if (name) uses.push({ entry, path: `spec.tls[${i}].secretName`, secret: name, keys: ['tls.crt', 'tls.key'] });
    });
  }
  for (const entry of model.ofKind(TRIGGER_AUTHENTICATION)) {
    asArray(asObj(entry.obj.spec)?.secretTargetRef).forEach((ref, i) => {
      const name = asString(asObj(ref)?.name);
      if (name) uses.push({ entry, path: `spec.secretTargetRef[${i}]`, secret: name, keys: [asString(asObj(ref)?.key) ?? ''] });
    });
  }
  return uses;
}

function checkSecretSources(model: Model, out: Violation[]): void {
  const produced = producers(model);
  for (const use of [...podUses(model), ...otherUses(model)]) {
    const producer = produced.get(`${use.entry.namespace}/${use.secret}`);
    if (!producer) {
      out.push(
        violation(
          SECRET_SOURCE,
          use.entry,
          use.path,
          `Secret ${show(use.secret)} is not written by any ExternalSecret, Certificate or Secret in namespace ${use.entry.namespace}`,
        ),
      );
      continue;
    }
    const missing = producer.keys === undefined ? [] : use.keys.filter((key) => !producer.keys!.includes(key));
    for (const key of missing) {
      out.push(
        violation(
          SECRET_SOURCE,
          use.entry,
          use.path,
          `key ${show(key)} of Secret ${show(use.secret)} is not written by ${producer.by} (keys: ${producer.keys!.join(', ')})`,
        ),
      );
    }
  }
}

function checkStores(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(EXTERNAL_SECRET)) {
    const ref = asObj(asObj(entry.obj.spec)?.secretStoreRef);
    const name = asString(ref?.name);
    if (!name) continue;
    const cluster = asString(ref?.kind) === 'ClusterSecretStore';
    const store = cluster ? model.get(CLUSTER_SECRET_STORE, '', name) : model.get(SECRET_STORE_GK, entry.namespace, name);
    const path = 'spec.secretStoreRef';
    if (!store) {
      out.push(
        violation(
          SECRET_STORE,
          entry,
          path,
          `${cluster ? 'ClusterSecretStore' : 'SecretStore'} ${show(name)} does not exist${cluster ? '' : ` in namespace ${entry.namespace}`}`,
        ),
      );
      continue;
    }
    const conditions = asArray(asObj(store.obj.spec)?.conditions).filter(isObj);
    const admitted = conditions.length === 0 || conditions.some((c) => asArray(c.namespaces).includes(entry.namespace));
    if (!admitted)
      out.push(violation(SECRET_STORE, entry, path, `${store.id} does not admit namespace ${entry.namespace} (spec.conditions)`));
  }
}

function checkIssuers(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(CERTIFICATE)) {
    const ref = asObj(asObj(entry.obj.spec)?.issuerRef);
    const name = asString(ref?.name);
    if (!name) continue;
    const cluster = asString(ref?.kind) === 'ClusterIssuer';
    const issuer = cluster ? model.get(CLUSTER_ISSUER, '', name) : model.get(ISSUER, entry.namespace, name);
    if (!issuer)
      out.push(
        violation(CERTIFICATE_ISSUER, entry, 'spec.issuerRef', `${cluster ? 'ClusterIssuer' : 'Issuer'} ${show(name)} does not exist`),
      );
  }
}

function checkTriggerAuth(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(GK.ScaledObject)) {
    asArray(asObj(entry.obj.spec)?.triggers).forEach((trigger, i) => {
      const ref = asObj(asObj(trigger)?.authenticationRef);
      const name = asString(ref?.name);
      if (!name) return;
      const cluster = asString(ref?.kind) === 'ClusterTriggerAuthentication';
      const auth = cluster ? model.get(CLUSTER_TRIGGER_AUTHENTICATION, '', name) : model.get(TRIGGER_AUTHENTICATION, entry.namespace, name);
      if (!auth)
        out.push(
          violation(
            TRIGGER_AUTH,
            entry,
            `spec.triggers[${i}].authenticationRef`,
            `${cluster ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication'} ${show(name)} does not exist`,
          ),
        );
    });
  }
}

function checkServiceMonitors(model: Model, out: Violation[]): void {
  for (const entry of model.ofKind(SERVICE_MONITOR_GK)) {
    const spec = asObj(entry.obj.spec) ?? {};
    const selector = (asObj(asObj(spec.selector)?.matchLabels) ?? {}) as Record<string, string>;
    const nsSelector = asObj(spec.namespaceSelector);
    const namespaces = nsSelector?.any === true ? undefined : asArray(nsSelector?.matchNames).map(String);
    const inScope = (svc: Entry) =>
      namespaces === undefined || namespaces.length === 0
        ? svc.namespace === entry.namespace || nsSelector?.any === true
        : namespaces.includes(svc.namespace);
    const services = model
      .ofKind(GK.Service)
      .filter((svc) => inScope(svc) && mapMatches(selector, (svc.obj.metadata.labels ?? {}) as Record<string, string>));
    if (services.length === 0) {
      out.push(
        violation(
          SERVICE_MONITOR,
          entry,
          'spec.selector',
          `selects no Service (selector ${JSON.stringify(selector)} matches no Service's labels)`,
        ),
      );
      continue;
    }
    asArray(spec.endpoints).forEach((endpoint, i) => {
      const targetPort = asObj(endpoint)?.targetPort;
      if (targetPort !== undefined && asObj(endpoint)?.port === undefined) {
        // A container port of the Services' pods that no Service port need expose (a metrics port).
        for (const svc of services) {
          const selector = (asObj(asObj(svc.obj.spec)?.selector) ?? {}) as Record<string, string>;
          const pods = model.workloadsMatchingMap(svc.namespace, selector).map((w) => w.pod);
          if (pods.length > 0 && !pods.some((pod) => resolveTargetPort(podPorts(pod), targetPort) !== undefined)) {
            out.push(
              violation(
                SERVICE_MONITOR,
                entry,
                `spec.endpoints[${i}].targetPort`,
                `the pods of ${svc.id} have no container port ${show(targetPort)}`,
              ),
            );
          }
        }
        return;
      }
      const port = asString(asObj(endpoint)?.port);
      if (!port) return;
      const portNames = (svc: Entry) => asArray(asObj(svc.obj.spec)?.ports).map((p) => asString(asObj(p)?.name));
      const lacking = services.filter((svc) => !portNames(svc).includes(port));
      for (const svc of lacking)
        out.push(violation(SERVICE_MONITOR, entry, `spec.endpoints[${i}].port`, `${svc.id} has no port named ${show(port)}`));
    });
  }
}

export const secretRefRules: RuleFamily = {
  ids: [SECRET_SOURCE, SECRET_STORE, CERTIFICATE_ISSUER, TRIGGER_AUTH, SERVICE_MONITOR],
  check(model, _ctx, out: Violation[]) {
    checkSecretSources(model, out);
    checkStores(model, out);
    checkIssuers(model, out);
    checkTriggerAuth(model, out);
    checkServiceMonitors(model, out);
  },
};
