import { Construct } from 'constructs';
import { ClusterIssuer, type ClusterIssuerSpecAcmeSolvers } from '../../imports/cert-manager.io';
import { NGINX_CLASS } from './edge-ingress';

/** The label cert-manager puts on its HTTP-01 solver pods (pkg/apis/acme/v1: acme.cert-manager.io/http01-solver). */
export const ACME_HTTP01_SOLVER_LABEL = { 'acme.cert-manager.io/http01-solver': 'true' } as const;

/** The port cert-manager's HTTP-01 solver listens on (pkg/issuer/acme/http: acmeSolverListenPort). */
export const ACME_HTTP01_SOLVER_PORT = 8089;

/** How the CA's challenge is answered. */
export type AcmeSolver =
  | { readonly type: 'http01' }
  | { readonly type: 'dns01-clouddns'; readonly project: string }
  | { readonly type: 'dns01-route53'; readonly region: string };

/** Where HTTP-01 challenges are served: through a Gateway's plain-HTTP listener, or an IngressClass. */
export type Http01Route =
  | { readonly kind: 'gateway'; readonly gateway: string; readonly namespace: string; readonly listener: string }
  | { readonly kind: 'ingress'; readonly className: string };

export interface AcmeIssuerProps {
  /** The ClusterIssuer: its name, the ACME account e-mail, the ACME directory URL and how challenges are solved. */
  readonly issuer: { readonly name: string; readonly email: string; readonly server: string; readonly solver: AcmeSolver };
  /** Labels of every object it writes (the app.kubernetes.io set). */
  readonly labels: Record<string, string>;
  /** Where HTTP-01 challenges are answered. @default - through the nginx IngressClass */
  readonly http01Route?: Http01Route;
}

function http01(route: Http01Route): ClusterIssuerSpecAcmeSolvers {
  if (route.kind === 'ingress') return { http01: { ingress: { ingressClassName: route.className } } };
  return {
    http01: {
      gatewayHttpRoute: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: route.gateway,
            namespace: route.namespace,
            sectionName: route.listener,
          },
        ],
        // The solver's Service is reached from the Gateway inside the cluster: no node port.
        serviceType: 'ClusterIP',
      },
    },
  };
}

function solver(choice: AcmeSolver, route: Http01Route): ClusterIssuerSpecAcmeSolvers {
  switch (choice.type) {
    case 'http01':
      return http01(route);
    case 'dns01-clouddns':
      return { dns01: { cloudDns: { project: choice.project } } };
    case 'dns01-route53':
      return { dns01: { route53: { region: choice.region } } };
  }
}

/** The cert-manager ClusterIssuer that obtains and renews the public certificates from an ACME CA. */
export class AcmeIssuer extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    super(scope, id);
    const { issuer } = props;
    this.name = issuer.name;
    new ClusterIssuer(this, 'Resource', {
      metadata: { name: issuer.name, labels: props.labels },
      spec: {
        acme: {
          email: issuer.email,
          server: issuer.server,
          privateKeySecretRef: { name: `${issuer.name}-account-key` },
          solvers: [solver(issuer.solver, props.http01Route ?? { kind: 'ingress', className: NGINX_CLASS })],
        },
      },
    });
  }
}
