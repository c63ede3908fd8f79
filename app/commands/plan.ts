import { type Command, Option } from 'commander';
import { PLAN_FORMATS, formatPlans, planEnvironment, type PlanFormat } from '../plan';
import { readSimulationReport, simulationVerdicts } from '../simulate/plan-notes';
import { renderEnvironments } from '../synthesize';
import { collect } from './synth';

interface PlanOptions {
  env?: string[];
  environmentFile?: string[];
  format: PlanFormat;
  simulation?: string;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description("capacity and cost per node pool at the autoscalers' min and max, from the synthesized objects")
    .option('-e, --env <name>', 'environment to plan, repeatable (default: all)', collect)
    .option('-f, --environment-file <file>', 'also plan an environment overlay from a YAML/JSON file, repeatable', collect)
    .addOption(new Option('--format <format>', 'output format').choices(PLAN_FORMATS).default('table'))
    .option('--simulation <file>', 'say beside each pool whether npm run simulate agreed (its --output json report)')
    .action((options: PlanOptions) => {
      const plans = renderEnvironments({ environments: options.env, environmentFiles: options.environmentFile }).map((rendered) =>
        planEnvironment(rendered.model, rendered.objects),
      );
      const verdicts = options.simulation === undefined ? undefined : simulationVerdicts(plans, readSimulationReport(options.simulation));
      // Beside each pool: a `simulation` column (JSON: a `simulation` field), then a line per pool that disagrees.
      console.log(formatPlans(plans, options.format, verdicts));
      for (const verdict of verdicts?.filter((v) => v.agrees === false) ?? []) console.error(`simulation: ${verdict.line}`);
      const errors = plans.flatMap((plan) => plan.errors);
      // The full plan is printed first so the failing pool can be read in context; the errors go to stderr too.
      if (errors.length > 0) {
        for (const error of errors) console.error(`error: ${error}`);
        process.exitCode = 1;
      }
    });
}
