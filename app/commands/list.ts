import type { Command } from 'commander';
import { selectEnvironments } from '../../environments';

function listEnvironments(): string {
  return selectEnvironments()
    .map((env) => {
      const rows = Object.entries(env.services).map(([name, svc]) => {
        if (!svc.enabled) return `  ${name.padEnd(10)} ${svc.kind.padEnd(7)} disabled`;
        if (svc.kind === 'job')
          return `  ${name.padEnd(10)} ${svc.kind.padEnd(7)} schedule ${svc.schedule} (${svc.timeZone}) pool ${svc.pool}`;
        const range = `${svc.replicas.min}-${svc.replicas.max}`;
        return `  ${name.padEnd(10)} ${svc.kind.padEnd(7)} replicas ${range.padEnd(7)} pool ${svc.pool}`;
      });
      return [`${env.name} (${env.tier}, namespace ${env.namespace})`, ...rows].join('\n');
    })
    .join('\n\n');
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list environments with their services and replica ranges')
    .action(() => console.log(listEnvironments()));
}
