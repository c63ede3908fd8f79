import dev from './dev';
import type { EnvironmentOverlay } from './load';

/**
 * Preview: dev's shape for one pull request. Everything a preview owns is named from its name (its
 * namespaces, its hosts, its secret store and its certificate issuer), so previews of several pull
 * requests run side by side on the preview cluster and removing one removes all of it. The registered
 * `pr-0` (environments/pr-0.ts) is the template `plan`, `validate` and `verify` see; a pull request's
 * is `previewEnvironment('pr-<number>')` (`npm run preview -- <number>`), deployed by the hub's
 * pull-request ApplicationSet (environments/fleet.ts, docs/fleet.md).
 */
export function previewEnvironment(name: string): EnvironmentOverlay {
  return {
    name,
    extends: dev,
    namespace: name,
    // Its own host under the previews' domain, and its own edge.
    ingress: { host: `${name}.preview.example.com`, namespace: `${name}-edge` },
    // A preview runs the platform, not user projects.
    sandbox: null,
    dataStores: { postgres: { namespace: `${name}-data` }, redis: { namespace: `${name}-data` } },
    // Its own store of dev's secrets and its own issuer: cluster-wide names must not collide between previews.
    secrets: { storeName: `${name}-secrets` },
    tls: { issuer: { name: `${name}-letsencrypt-staging` } },
  };
}
