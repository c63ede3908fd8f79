/**
 * Workload identity: a Kubernetes ServiceAccount acts as a cloud identity, so an add-on that calls the
 * cloud needs no key and never falls back to the node's credentials. GKE Workload Identity reads the
 * Google service account from the annotation iam.gke.io/gcp-service-account; EKS (IRSA) the IAM role
 * from eks.amazonaws.com/role-arn.
 */
export const GKE_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';
export const EKS_IDENTITY_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** The ServiceAccount annotation that binds it to `identity` (a Google service account email or an IAM role ARN). */
export function workloadIdentityAnnotations(identity: string): Record<string, string> {
  return identity.startsWith('arn:aws:iam::') ? { [EKS_IDENTITY_ANNOTATION]: identity } : { [GKE_IDENTITY_ANNOTATION]: identity };
}
