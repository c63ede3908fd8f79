/**
 * A hash of a service's configuration files, on its pod template: a ConfigMap change alone does not
 * restart the pods that mount it (the kubelet updates the files in place, and an app reads them at
 * start), so the template must change with it for the workload to roll.
 */
import { createHash } from 'node:crypto';

/** The pod template annotation that carries it. */
export const CONFIG_HASH_ANNOTATION = 'checksum/config';

/** sha256 of the files, keys sorted: the same files give the same hash in any order. */
export function configHash(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(files).sort()) hash.update(`${key}\u0000${files[key]}\u0000`);
  return hash.digest('hex');
}

/** The annotation for a service's files, or none when it has no configuration files. */
export function configHashAnnotations(files: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return files === undefined ? {} : { [CONFIG_HASH_ANNOTATION]: configHash(files) };
}
