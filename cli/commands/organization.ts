import { Command, InvalidArgumentError } from 'commander';
import type { CliDependencies } from '../context';
import type { Output } from '../output';
import type { ExitCodeSink } from './converge';
import { applyPlanned, organizationRun, planWholeOrganization, reportPlan, requireConfirmation, roleReading } from './organization-run';

function wholeNumberArg(min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`"${value}": a whole number, at least ${min}.`);
    return number;
  };
}

const DEEP = 'read the roles of every account the reconciler would work on or check, even with reconcile.inspectRoles off';

export function organizationCommands(deps: CliDependencies, output: Output, setExitCode: ExitCodeSink): Command[] {
  const plan = new Command('plan')
    .description(
      'every action the reconciler would take across the organization, grouped, with counts (writes nothing); reads the roles its workers would read (reconcile.inspectRoles)',
    )
    .option('--shallow', 'read no role: a quick look at Organizations and Datadog only (a deleted role or an altered trust does not show)')
    .option('--deep', DEEP)
    .option(
      '--json',
      'print {"summary": {...}, "guard": {tripped, deletions, limit, reason}, "actions": [{accountId, type, reason}]}; with profiles, each entry also has profile and target, plus "targets" and "unmatchedProfiles"',
    )
    .action(async (options: { deep?: boolean; shallow?: boolean; json?: boolean }, command: Command) => {
      const roles = roleReading(options);
      const run = await organizationRun(command, deps, output, options.json);
      setExitCode(reportPlan(run, await planWholeOrganization(run, { roles })));
    });

  const apply = new Command('apply')
    .description('run the plan: converge every account it lists, role and trust repairs included')
    .option('--max-deletions <n>', 'allow this many integration deletions in this run (default: reconcile.maxDeletionsPerRun)', wholeNumberArg(0))
    .option('--concurrency <n>', 'accounts worked on at once, role reads included (default: reconcile.concurrency)', wholeNumberArg(1))
    .option('--deep', DEEP)
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', 'print {"summary": {...}, "guard": {...}, "actions": [...], "results": [...]}')
    .action(async (options: { maxDeletions?: number; concurrency?: number; deep?: boolean; yes?: boolean; json?: boolean }, command: Command) => {
      const run = await organizationRun(command, deps, output, options.json);
      requireConfirmation(run, options.yes, 'apply');
      const planned = await planWholeOrganization(run, { roles: roleReading(options), maxDeletions: options.maxDeletions, concurrency: options.concurrency });
      setExitCode(await applyPlanned(run, planned, options));
    });

  return [plan, apply];
}
