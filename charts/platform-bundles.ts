/**
 * Cluster-level bundles beside the apps: the add-ons the apps need and the GitOps objects that
 * deploy everything, each in its own folder of dist/<env>/.
 */
import type { App } from 'cdk8s';
import type { Environment } from '../environments/schema';
import type { Bundle } from './index';

export function platformBundles(_app: App, _environment: Environment): Bundle[] {
  return [];
}
