/**
 * The install order of the add-ons, from their `dependsOn`. Flux enforces it with HelmRelease
 * `dependsOn`; Argo CD with sync waves, where an add-on's wave is its depth in the dependency graph
 * (0 for an add-on that depends on nothing), so everything it depends on is in an earlier wave.
 */

/** Anything with a name and the names it depends on. */
export interface DependencyNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/**
 * Depth of every node: 0 without dependencies, otherwise one more than its deepest dependency.
 * @throws Error naming an unknown dependency or the nodes of a cycle.
 */
export function dependencyDepths(nodes: readonly DependencyNode[]): Map<string, number> {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      if (!byName.has(dependency)) {
        throw new Error(
          `add-on "${node.name}" depends on "${dependency}", which is not installed; known: ${[...byName.keys()].join(', ')}`,
        );
      }
    }
  }
  const depths = new Map<string, number>();
  const visiting: string[] = [];
  const depthOf = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    if (visiting.includes(name))
      throw new Error(`add-ons depend on each other in a cycle: ${[...visiting.slice(visiting.indexOf(name)), name].join(' -> ')}`);
    visiting.push(name);
    const dependencies = byName.get(name)!.dependsOn;
    const depth = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depthOf));
    visiting.pop();
    depths.set(name, depth);
    return depth;
  };
  for (const node of nodes) depthOf(node.name);
  return depths;
}

/** The nodes sorted by depth, keeping their given order within a depth: a valid install order. */
export function inDependencyOrder<T extends DependencyNode>(nodes: readonly T[]): T[] {
  const depths = dependencyDepths(nodes);
  return nodes
    .map((node, index) => ({ node, index }))
    .sort((a, b) => depths.get(a.node.name)! - depths.get(b.node.name)! || a.index - b.index)
    .map(({ node }) => node);
}
