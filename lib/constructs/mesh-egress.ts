import { Construct } from 'constructs';
import {
  ServiceEntry,
  ServiceEntrySpecLocation,
  ServiceEntrySpecResolution,
  Sidecar,
  SidecarSpecOutboundTrafficPolicyMode,
} from '../../imports/networking.istio.io';

/** A destination outside the mesh that the namespace's workloads may reach, registered by name. */
export interface RegisteredHost {
  /** The ServiceEntry's name. */
  readonly name: string;
  /** DNS names (a leading `*.` wildcard allowed): what the sidecars let through, by TLS SNI or host. */
  readonly hosts: readonly string[];
  readonly port: number;
  /**
   * `tls`: TLS to the host on the port, told apart by SNI (the hosts' own addresses resolved by DNS);
   * `tcp`: plain TCP to `addresses`, told apart by destination address.
   */
  readonly protocol: 'tls' | 'tcp';
  /** Address ranges (required for `tcp`). @default - resolved from the hosts by DNS */
  readonly addresses?: readonly string[];
}

export interface MeshEgressProps {
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** The external destinations the namespace's workloads reach. */
  readonly hosts: readonly RegisteredHost[];
  /**
   * Workloads (by their selector labels) that reach hosts no one can list, which the model declares
   * (an endpoint with hosts `*`): their sidecars pass unregistered traffic through, and their
   * NetworkPolicy alone limits it. @default - none
   */
  readonly anyHost?: readonly { readonly name: string; readonly selector: Record<string, string> }[];
}

/**
 * The namespace's outbound traffic through the mesh: only to registered hosts. Istio's default
 * (meshConfig.outboundTrafficPolicy ALLOW_ANY) passes traffic to any unknown destination through the
 * sidecar; a namespace-wide Sidecar (no workloadSelector, named `default`) with REGISTRY_ONLY sends it
 * to Envoy's BlackHoleCluster instead, so a workload reaches the cluster's Services and the hosts of the
 * ServiceEntries here, nothing else (Istio "Sidecar" reference: outboundTrafficPolicy; "Accessing
 * External Services"). The entries are exported to this namespace only.
 */
export class MeshEgress extends Construct {
  constructor(scope: Construct, id: string, props: MeshEgressProps) {
    super(scope, id);
    const { labels } = props;
    new Sidecar(this, 'RegistryOnly', {
      metadata: { name: 'default', labels },
      spec: { outboundTrafficPolicy: { mode: SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY } },
    });
    for (const host of props.hosts) {
      if (host.protocol === 'tcp' && (host.addresses ?? []).length === 0) {
        throw new Error(`ServiceEntry ${host.name}: plain TCP is told apart by address only; give its address ranges`);
      }
      const wildcard = host.hosts.some((h) => h.startsWith('*'));
      new ServiceEntry(this, `Host-${host.name}`, {
        metadata: { name: host.name, labels },
        spec: {
          hosts: [...host.hosts],
          ...(host.addresses === undefined ? {} : { addresses: [...host.addresses] }),
          ports: [{ number: host.port, name: `${host.protocol}-${host.port}`, protocol: host.protocol.toUpperCase() }],
          location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          // Named hosts are resolved by DNS; a wildcard or an address range is the destination as dialled.
          resolution: wildcard || host.addresses !== undefined ? ServiceEntrySpecResolution.NONE : ServiceEntrySpecResolution.DNS,
          exportTo: ['.'],
        },
      });
    }
    for (const workload of props.anyHost ?? []) {
      new Sidecar(this, `AnyHost-${workload.name}`, {
        metadata: { name: `${workload.name}-any-host`, labels },
        spec: {
          workloadSelector: { labels: { ...workload.selector } },
          outboundTrafficPolicy: { mode: SidecarSpecOutboundTrafficPolicyMode.ALLOW_UNDERSCORE_ANY },
        },
      });
    }
  }
}
