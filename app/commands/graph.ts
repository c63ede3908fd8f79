import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildEnvironment } from '../../charts';
import { loadEnvironmentFile, selectEnvironments } from '../../environments';
import { graphOptions as optionsFor, topologyMarkdown, topologyMermaid } from '../graph';
import { renderEnvironment } from '../render';
import { UserError } from '../../lib/core/user-error';

interface GraphOptions {
  env?: string;
  environmentFile?: string;
  out?: string;
  embed?: string;
}

/**
 * Replaces what stands between `<!-- graph:<env>:start -->` and `<!-- graph:<env>:end -->` in a
 * Markdown file, so the README's picture is regenerated rather than pasted.
 * @throws Error when the file lacks the markers.
 */
export function embedGraph(document: string, environment: string, markdown: string): string {
  const start = `<!-- graph:${environment}:start -->`;
  const end = `<!-- graph:${environment}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new UserError(`no "${start}" ... "${end}" markers to embed the graph between`);
  return `${document.slice(0, from + start.length)}\n${markdown}${document.slice(to)}`;
}

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description(
      "Mermaid flowchart of an environment's topology as synthesized (hosts, Services, workloads, routing, scaling), with the calls and data stores the model declares",
    )
    .option('-e, --env <name>', 'environment to draw', 'prod')
    .option('-f, --environment-file <file>', 'draw an environment overlay from a YAML/JSON file instead')
    .option('-o, --out <file>', 'write to a file: Markdown with a mermaid block (.md), or plain Mermaid (.mmd); default stdout')
    .option('--embed <file>', 'replace the block between <!-- graph:<env>:start --> and <!-- graph:<env>:end --> in a Markdown file')
    .action((options: GraphOptions) => {
      const environment =
        options.environmentFile === undefined
          ? selectEnvironments([options.env ?? 'prod'])[0]!
          : loadEnvironmentFile(options.environmentFile);
      const objects = renderEnvironment(buildEnvironment(environment)).objects;
      const graphOptions = optionsFor(environment);
      if (options.embed !== undefined) {
        writeFileSync(
          options.embed,
          embedGraph(readFileSync(options.embed, 'utf8'), environment.name, topologyMarkdown(objects, graphOptions)),
        );
        console.log(`embedded the ${environment.name} topology in ${options.embed}`);
        return;
      }
      if (options.out === undefined) {
        process.stdout.write(topologyMermaid(objects, graphOptions));
        return;
      }
      const text = options.out.endsWith('.mmd') ? topologyMermaid(objects, graphOptions) : topologyMarkdown(objects, graphOptions);
      writeFileSync(options.out, text);
      console.log(`wrote the ${environment.name} topology to ${options.out}`);
    });
}
