/**
 * The management (hub) bundle: dist/<hub>/fleet drives every cluster of the fleet from the hub's Argo
 * CD, and dist/<hub>/fleet/<cluster> holds what the hub syncs for one cluster. A cluster of the fleet,
 * the hub's own included, is bootstrapped by the hub (`kubectl apply -k dist/<hub>/fleet` once, on the
 * hub) and never by its own flux/ or argocd/ entry point: two controllers would own the same objects.
 *
 * - fleet/            the fleet's AppProject, one cluster secret per member (an ExternalSecret: the API
 *                     address and credentials stay in the store, the labels come from the model), and
 *                     the ApplicationSet: its cluster generator selects the members by those labels and
 *                     RollingSync syncs them in the fleet's order, each step Healthy before the next.
 * - fleet/<cluster>/  that cluster's add-on Applications (Helm, by sync wave, server-side apply, the
 *                     fields the charts' controllers own ignored) and its apps Application (dist/<cluster>,
 *                     the fields Argo Rollouts and the autoscalers own ignored): the order the cluster's
 *                     own Argo CD entry point has, aimed at the cluster by its registered name.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { clusterFacts, type Fleet, FleetLabelKey, fleetLabel, previewName } from '../environments/fleet';
import { EdgeImplementation, type Environment } from '../environments/schema';
import { Application, AppProject } from '../imports/argoproj.io';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
} from '../imports/external-secrets.io';
import type { ClusterAddon } from '../lib/addons/addon';
import { addonClusterKinds } from '../lib/addons/chart-facts';
import { GATEWAY_API_CRDS } from '../lib/addons/chart-versions';
import { NGINX_GATEWAY_NAMESPACE } from '../lib/addons/names';
import { dependencyDepths } from '../lib/addons/order';
import type { Manifest } from '../lib/core/manifest';
import { groupOf } from '../lib/core/plain';
import { CLUSTER_NAME_PARAM, clusterLabelParam, FleetApplicationSet } from '../lib/gitops/application-set';
import { ArgoCdApplication, ociChartUrl } from '../lib/gitops/argocd-application';
import { addonApplicationProps } from './argocd-addon-props';
import { controllerOwnedFields } from '../lib/gitops/controller-owned-fields';
import { ArgoCdProject, type GroupKind, kindsOf } from '../lib/gitops/argocd-project';
import { ARGOCD_NAMESPACE, Folder, IN_CLUSTER_SERVER, projectName, repositoryPath, Stage } from '../lib/gitops/names';
import { PROJECT_WAVE, addonWave, appsWave, syncWave } from '../lib/gitops/sync-waves';
import { platformLabels } from '../lib/labels';
import { PlatformSecretStore } from '../lib/constructs/secret-store';

/** The hub bundle's folder under dist/<hub>/. */
export const FLEET_FOLDER = 'fleet';

/** The argocd.argoproj.io/secret-type label that makes a Secret an Argo CD cluster. */
const CLUSTER_SECRET_TYPE = { 'argocd.argoproj.io/secret-type': 'cluster' } as const;

/** What the hub needs of one member: its model, its add-ons and its apps' objects. */
export interface FleetMember {
  readonly environment: Environment;
  readonly addons: readonly ClusterAddon[];
  readonly appObjects: readonly Manifest[];
}

/** A member's folder under dist/<hub>/: `fleet/prod-eu`. */
export function fleetClusterFolder(cluster: string): string {
  return `${FLEET_FOLDER}/${cluster}`;
}

/**
 * An Application of the fleet on the hub: `fleet-prod-eu-cert-manager`, `fleet-prod-eu-apps`, and the
 * generated `fleet-prod-eu`. The fleet's name first: the hub's own entry point names its Applications
 * `<environment>-<stage>` in the same namespace.
 */
export function fleetApplicationName(fleet: Fleet, cluster: string, name?: string): string {
  return name === undefined ? `${fleet.name}-${cluster}` : `${fleet.name}-${cluster}-${name}`;
}

/** The hub's store of the clusters' credentials: a SecretStore of the argocd namespace alone. */
export function clusterStoreName(fleet: Fleet): string {
  return `${fleet.name}-clusters`;
}

/** A member's cluster secret (and its ExternalSecret) in the hub's argocd namespace. */
export function clusterSecretName(cluster: string): string {
  return `cluster-${cluster}`;
}

/** The labels the hub's cluster secret of a member carries: the fleet's, then the model's facts. */
export function clusterLabels(fleet: Fleet, environment: Environment): Record<string, string> {
  const facts = clusterFacts(environment);
  return {
    [fleetLabel(fleet, 'fleet')]: fleet.name,
    ...Object.fromEntries(Object.values(FleetLabelKey).map((key) => [fleetLabel(fleet, key), facts[key]])),
  };
}

function sorted<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()].sort((a, b) => key(a).localeCompare(key(b)));
}

function addonSource(addon: ClusterAddon): string {
  return addon.chart.repository.oci ? ociChartUrl(addon.chart) : addon.chart.repository.url;
}

function gatewayOf(environment: Environment): boolean {
  return environment.ingress.implementation === EdgeImplementation.GATEWAY;
}

/** The destinations and kinds of one member's Applications, by stage: its add-ons (and Gateway API's CRDs) and its apps. */
function memberScope(member: FleetMember): {
  addons: { namespaces: string[]; kinds: GroupKind[] };
  apps: { namespaces: string[]; cluster: GroupKind[]; namespaced: GroupKind[] };
} {
  const apps = kindsOf(member.appObjects);
  return {
    addons: {
      namespaces: member.addons.map((a) => a.namespace.name),
      kinds: addonClusterKinds(member.addons.map((a) => ({ chart: a.chart, createsNamespace: a.namespace.enforce !== undefined }))),
    },
    apps: {
      namespaces: [
        member.environment.namespace,
        ...member.appObjects.flatMap((o) => (o.metadata.namespace === undefined ? [] : [o.metadata.namespace])),
      ],
      ...apps,
    },
  };
}

export interface FleetHubChartProps {
  readonly fleet: Fleet;
  readonly hub: Environment;
  readonly members: readonly FleetMember[];
  /** The previews' template and its rendered objects (every preview has their kinds and shape). */
  readonly preview: { readonly environment: Environment; readonly objects: readonly Manifest[] };
}

/** The previews' AppProject: previews only, on their cluster, in namespaces named from their pull request. */
export function previewsProjectName(fleet: Fleet): string {
  return `${fleet.name}-previews`;
}

/** The branch a pull request's preview output is pushed to by CI (`npm run preview -- <number>`), never main. */
export function previewBranch(name: string): string {
  return `previews/${name}`;
}

/** The GitHub owner and repository of a repository URL. */
export function githubRepository(url: string, environment: string): { owner: string; repo: string } {
  const match = /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(\.git)?$/.exec(url);
  if (!match) {
    throw new Error(
      `${environment}: gitops.repository = ${url}: previews need a GitHub repository (https://github.com/<owner>/<repo>): the pull-request generator is configured for GitHub`,
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}

/** dist/<hub>/fleet: the fleet's project, its clusters and its ApplicationSet. */
export class FleetHubChart extends Chart {
  constructor(scope: Construct, id: string, props: FleetHubChartProps) {
    super(scope, id);
    const { fleet, hub, members, preview } = props;
    const labels = platformLabels(hub, 'fleet');
    const { repository, branch } = hub.gitops;
    if (members.length === 0) throw new Error(`fleet ${fleet.name}: no member cluster; the hub would drive nothing`);

    // Previews: a project that allows only the previews' cluster, namespaces named from a pull request
    // (the template's namespaces, with the template's name replaced by pr-*), and the template's
    // cluster-scoped kinds; a preview can reach no other cluster or namespace.
    const template = preview.environment.name;
    const previewNamespaces = [
      ...new Set(
        preview.objects.flatMap((o) =>
          o.kind === 'Namespace' ? [o.metadata.name] : o.metadata.namespace === undefined ? [] : [o.metadata.namespace],
        ),
      ),
    ].map((namespace) => {
      if (namespace !== template && !namespace.startsWith(`${template}-`)) {
        throw new Error(`${template}: namespace ${namespace} is not named from the preview: two pull requests' previews would share it`);
      }
      return `${previewName('*')}${namespace.slice(template.length)}`;
    });
    new AppProject(this, 'PreviewsProject', {
      metadata: { name: previewsProjectName(fleet), namespace: ARGOCD_NAMESPACE, labels, annotations: syncWave(PROJECT_WAVE) },
      spec: {
        description: `${fleet.name}: one preview of ${template} per pull request labelled ${fleet.previews.label}, on ${fleet.previews.cluster}`,
        sourceRepos: [repository],
        destinations: sorted(previewNamespaces, (n) => n).map((namespace) => ({ name: fleet.previews.cluster, namespace })),
        clusterResourceWhitelist: sorted(
          preview.objects.filter((o) => o.metadata.namespace === undefined).map((o) => ({ group: groupOf(o.apiVersion), kind: o.kind })),
          (k) => `${k.group}/${k.kind}`,
        ),
      },
    });
    const number = '{{ .number }}';
    new FleetApplicationSet(this, 'Previews', {
      name: previewsProjectName(fleet),
      labels,
      generator: {
        kind: 'pullRequest',
        ...githubRepository(repository, hub.name),
        labels: [fleet.previews.label],
        requeueAfterSeconds: fleet.previews.requeueAfterSeconds,
      },
      template: {
        name: previewName(number),
        labels: { [fleetLabel(fleet, 'fleet')]: fleet.name, [`${fleet.labelDomain}/pull-request`]: number },
        project: previewsProjectName(fleet),
        source: { repository, revision: previewBranch(previewName(number)), path: repositoryPath(previewName(number), Folder.APPS) },
        destination: { name: fleet.previews.cluster },
        namespace: previewName(number),
      },
    });

    // This folder itself, so a change to the fleet (a new cluster, the order) reaches the hub from git.
    new ArgoCdApplication(this, 'Root', {
      name: `${fleet.name}-gitops`,
      project: projectName(fleet.name, Stage.GITOPS),
      labels,
      source: { repository, revision: branch, path: `${repositoryPath(hub.name, Folder.APPS)}/${FLEET_FOLDER}` },
      namespace: ARGOCD_NAMESPACE,
    });

    // Its own store in the argocd namespace, read through a ServiceAccount of that namespace as the
    // identity the hub's model names for argocd (secrets.store.identities.argocd): no other namespace's
    // store reads the clusters' credentials.
    new PlatformSecretStore(this, 'ClusterStore', {
      scope: 'SecretStore',
      name: clusterStoreName(fleet),
      namespace: ARGOCD_NAMESPACE,
      store: hub.secrets.store,
      labels,
    });
    for (const member of members) {
      const name = member.environment.name;
      const remoteKey = `${fleet.credentialsPrefix}-${name}`;
      new ExternalSecret(this, `cluster-${name}`, {
        metadata: { name: clusterSecretName(name), namespace: ARGOCD_NAMESPACE, labels },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { name: clusterStoreName(fleet), kind: ExternalSecretSpecSecretStoreRefKind.SECRET_STORE },
          target: {
            name: clusterSecretName(name),
            creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
            deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
            template: {
              engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
              // The labels the ApplicationSet selects and orders by: the model's, never hand-set on the Secret.
              metadata: { labels: { ...CLUSTER_SECRET_TYPE, ...clusterLabels(fleet, member.environment) } },
              data: { name, server: '{{ .server }}', config: '{{ .config }}' },
            },
          },
          data: [
            { secretKey: 'server', remoteRef: { key: remoteKey, property: 'server' } },
            { secretKey: 'config', remoteRef: { key: remoteKey, property: 'config' } },
          ],
        },
      });
    }

    const stepKey = (key: string) => fleetLabel(fleet, key as FleetLabelKey);
    new FleetApplicationSet(this, 'ApplicationSet', {
      name: fleet.name,
      labels,
      generator: {
        kind: 'clusters',
        matchLabels: { [fleetLabel(fleet, 'fleet')]: fleet.name },
        matchIn: [{ key: fleetLabel(fleet, FleetLabelKey.ENVIRONMENT), values: members.map((m) => m.environment.name) }],
      },
      template: {
        name: fleetApplicationName(fleet, CLUSTER_NAME_PARAM),
        // The generated Application carries the cluster's labels: RollingSync's steps select on them.
        labels: Object.fromEntries(Object.values(FleetLabelKey).map((key) => [stepKey(key), clusterLabelParam(stepKey(key))])),
        // Each cluster's folder holds its Applications, objects of the hub's argocd namespace.
        project: projectName(fleet.name, Stage.GITOPS),
        source: {
          repository,
          revision: branch,
          path: `${repositoryPath(hub.name, Folder.APPS)}/${fleetClusterFolder(CLUSTER_NAME_PARAM)}`,
        },
        // The cluster's Applications are objects of the hub: they live in its argocd namespace.
        destination: { server: IN_CLUSTER_SERVER },
        namespace: ARGOCD_NAMESPACE,
      },
      rollingSync: fleet.rollout.map((step) => ({
        matchIn: Object.entries(step.match).map(([key, values]) => ({ key: stepKey(key), values })),
        ...(step.maxUpdate === undefined ? {} : { maxUpdate: step.maxUpdate }),
      })),
    });

    // One project per stage, as a cluster's own Argo CD entry point has (charts/argocd-chart.ts), each
    // allowing what that stage's Applications write on the members and nothing more. They come last,
    // in wave 0: the root's kinds are those of this folder and the members' folders, known once built.
    const project = (stage: Stage) => projectName(fleet.name, stage);
    const description = (what: string, from: string) =>
      `${fleet.name}: ${what} of every cluster ${hub.name}'s Argo CD drives, from ${from}`;
    const signedBy = hub.gitops.verifyCommits ? { repositories: [repository], keys: hub.gitops.signingKeys } : undefined;
    const scopes = members.map((m) => ({ cluster: m.environment.name, ...memberScope(m) }));
    const ownKinds = kindsOf([
      ...this.node
        .findAll()
        .flatMap((c) =>
          c instanceof ApiObject ? [{ apiVersion: c.apiVersion, kind: c.kind, metadata: { namespace: c.metadata.namespace } }] : [],
        ),
      { ...AppProject.GVK, metadata: { namespace: ARGOCD_NAMESPACE } },
      // What each cluster's folder holds: its Applications.
      { ...Application.GVK, metadata: { namespace: ARGOCD_NAMESPACE } },
    ]);
    new ArgoCdProject(this, 'Project', {
      name: project(Stage.GITOPS),
      labels,
      description: description('the Argo CD objects', repository),
      sourceRepos: [repository],
      destinations: [ARGOCD_NAMESPACE],
      clusterKinds: ownKinds.cluster,
      namespacedKinds: ownKinds.namespaced,
      ...(signedBy === undefined ? {} : { signedBy }),
    });
    const gatewayMembers = members.filter((m) => gatewayOf(m.environment));
    if (gatewayMembers.length > 0) {
      new ArgoCdProject(this, 'ProjectCrds', {
        name: project(Stage.CRDS),
        labels,
        description: description("Gateway API's CRDs", GATEWAY_API_CRDS.repository),
        sourceRepos: [GATEWAY_API_CRDS.repository],
        destinations: gatewayMembers.map((m) => ({ cluster: m.environment.name, namespace: NGINX_GATEWAY_NAMESPACE })),
        clusterKinds: GATEWAY_API_CRDS.kinds,
        namespacedKinds: [],
      });
    }
    new ArgoCdProject(this, 'ProjectAddons', {
      name: project(Stage.ADDONS),
      labels,
      description: description('the add-ons', 'their chart repositories'),
      sourceRepos: members.flatMap((m) => m.addons.map(addonSource)),
      destinations: scopes.flatMap((s) => s.addons.namespaces.map((namespace) => ({ cluster: s.cluster, namespace }))),
      clusterKinds: scopes.flatMap((s) => s.addons.kinds),
    });
    new ArgoCdProject(this, 'ProjectApps', {
      name: project(Stage.APPS),
      labels,
      description: description('the apps', repository),
      sourceRepos: [repository],
      destinations: scopes.flatMap((s) => s.apps.namespaces.map((namespace) => ({ cluster: s.cluster, namespace }))),
      clusterKinds: scopes.flatMap((s) => s.apps.cluster),
      namespacedKinds: scopes.flatMap((s) => s.apps.namespaced),
      ...(signedBy === undefined ? {} : { signedBy }),
    });
  }
}

export interface FleetClusterChartProps {
  readonly fleet: Fleet;
  readonly hub: Environment;
  readonly member: FleetMember;
}

/** dist/<hub>/fleet/<cluster>: the cluster's add-on and apps Applications, on the hub, aimed at the cluster. */
export class FleetClusterChart extends Chart {
  constructor(scope: Construct, id: string, props: FleetClusterChartProps) {
    super(scope, id);
    const { fleet, hub, member } = props;
    const { environment, addons, appObjects } = member;
    const cluster = environment.name;
    const labels = { ...platformLabels(hub, 'fleet'), ...clusterLabels(fleet, environment) };
    const { repository, branch } = hub.gitops;
    const depths = dependencyDepths(addons);
    const common = { labels, cluster };
    const project = (stage: Stage) => projectName(fleet.name, stage);

    if (gatewayOf(environment)) {
      new ArgoCdApplication(this, 'addon-gateway-api', {
        ...common,
        project: project(Stage.CRDS),
        name: fleetApplicationName(fleet, cluster, GATEWAY_API_CRDS.name),
        source: { repository: GATEWAY_API_CRDS.repository, revision: GATEWAY_API_CRDS.commit, path: GATEWAY_API_CRDS.path },
        namespace: NGINX_GATEWAY_NAMESPACE,
        wave: addonWave(0),
        serverSideApply: true,
        prune: false,
      });
    }
    for (const addon of addons) {
      new ArgoCdApplication(this, `addon-${addon.name}`, {
        ...common,
        project: project(Stage.ADDONS),
        name: fleetApplicationName(fleet, cluster, addon.name),
        ...addonApplicationProps(environment, addon, depths.get(addon.name)!),
      });
    }
    new ArgoCdApplication(this, 'Apps', {
      ...common,
      project: project(Stage.APPS),
      name: fleetApplicationName(fleet, cluster, 'apps'),
      source: { repository, revision: branch, path: repositoryPath(cluster, Folder.APPS) },
      namespace: environment.namespace,
      wave: appsWave(Math.max(0, ...depths.values())),
      ignore: controllerOwnedFields(appObjects),
    });
  }
}
