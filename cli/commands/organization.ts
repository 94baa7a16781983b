import { Command, InvalidArgumentError } from 'commander';
import type { ConvergeResult } from '../../lambda/converge';
import { InputError } from '../../lambda/domain/errors';
import { heldDeletions, type OrganizationPlan } from '../../lambda/plan/plan-organization';
import { applyOrganization } from '../../lambda/reconcile/apply';
import { accountsToConverge, guardLimits, observeOrganization, planObservedOrganization } from '../../lambda/reconcile/organization';
import { cliPipeline, loadCliConfig, type CliDependencies, type GlobalOptions } from '../context';
import type { Output } from '../output';
import type { ExitCodeSink } from './converge';
import { Progress } from '../progress';

/** Exit codes of plan and apply (README). */
export const ORGANIZATION_EXIT = { ok: 0, failed: 1, usage: 2, deletionGuard: 3 } as const;

function wholeNumberArg(min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new InvalidArgumentError(`"${value}": a whole number, at least ${min}.`);
    return number;
  };
}

/** The public --json shape of plan (and of apply's plan). */
export function planJson(plan: OrganizationPlan): unknown {
  return {
    summary: plan.summary,
    actions: plan.plans.flatMap((p) =>
      p.actions.filter((a) => a.type !== 'none').map((a) => ({ accountId: p.accountId, type: a.type, reason: a.reason })),
    ),
    held: heldDeletions(plan),
  };
}

function printPlan(output: Output, plan: OrganizationPlan): void {
  const { summary } = plan;
  output.line(
    `${summary.accounts} accounts: ${summary.inSync} in sync, ${summary.toCreate} to create, ${summary.toRepair} to repair, ${summary.toDelete} to delete`,
  );
  const groups = new Map<string, { accountId: string; reason: string }[]>();
  for (const accountPlan of plan.plans) {
    for (const action of accountPlan.actions) {
      if (action.type !== 'none') groups.set(action.type, [...(groups.get(action.type) ?? []), { accountId: accountPlan.accountId, reason: action.reason }]);
    }
    for (const action of accountPlan.held ?? []) {
      const group = `${action.type} held by the deletion guard`;
      groups.set(group, [...(groups.get(group) ?? []), { accountId: accountPlan.accountId, reason: action.reason }]);
    }
    if (accountPlan.blocked) {
      groups.set('blocked', [...(groups.get('blocked') ?? []), { accountId: accountPlan.accountId, reason: accountPlan.blocked.reason }]);
    }
  }
  for (const [type, entries] of groups) {
    output.line(`\n${type} (${entries.length})`);
    for (const entry of entries) output.line(`  ${entry.accountId}  ${entry.reason}`);
  }
  output.line(`\ndeletion guard: ${plan.guard.reason}`);
}

export function organizationCommands(deps: CliDependencies, output: Output, setExitCode: ExitCodeSink): Command[] {
  const prepare = async (command: Command, json: boolean | undefined) => {
    const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps.env);
    const pipeline = cliPipeline(config, deps, output, json);
    return { config, pipeline };
  };

  const plan = new Command('plan')
    .description('every action the reconciler would take across the organization, grouped, with counts (writes nothing)')
    .option('--deep', "also read every member account's role (assume role + IAM reads), with bounded concurrency")
    .option('--json', 'print {"summary": {...}, "actions": [{accountId, type, reason}]}')
    .action(async (options: { deep?: boolean; json?: boolean }, command: Command) => {
      const { config, pipeline } = await prepare(command, options.json);
      const observed = await observeOrganization(config, pipeline, { deep: options.deep });
      const organizationPlan = planObservedOrganization(observed, config, guardLimits(config));
      if (options.json) output.json(planJson(organizationPlan));
      else printPlan(output, organizationPlan);
      setExitCode(organizationPlan.guard.tripped ? ORGANIZATION_EXIT.deletionGuard : ORGANIZATION_EXIT.ok);
    });

  const apply = new Command('apply')
    .description('run the plan: converge every account that needs work')
    .option('--max-deletions <n>', 'allow this many integration deletions in this run (default: reconcile.maxDeletionsPerRun)', wholeNumberArg(0))
    .option('--concurrency <n>', 'accounts worked on at once (default: reconcile.concurrency)', wholeNumberArg(1))
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', 'print {"summary": {...}, "actions": [...], "results": [...]}')
    .action(async (options: { maxDeletions?: number; concurrency?: number; yes?: boolean; json?: boolean }, command: Command) => {
      const interactive = Boolean(deps.isInteractive?.());
      if (!options.yes && !interactive) {
        throw new InputError('apply changes the organization: pass --yes to run it without a terminal to confirm on');
      }
      const { config, pipeline } = await prepare(command, options.json);
      const observed = await observeOrganization(config, pipeline);
      const organizationPlan = planObservedOrganization(observed, config, guardLimits(config, options.maxDeletions));
      if (!options.json) printPlan(output, organizationPlan);
      // Tripped: the deletions are held (the plan shows them); creations and repairs go ahead, and the run ends with exit 3.
      const tripped = organizationPlan.guard.tripped;
      const guardError = tripped ? { error: organizationPlan.guard.reason } : {};
      if (tripped) output.stderr(`dd-aws-org: deletion guard: ${organizationPlan.guard.reason}\n`);
      const accountIds = accountsToConverge(organizationPlan, observed);
      if (accountIds.length === 0) {
        if (options.json) output.json({ ...(planJson(organizationPlan) as object), results: [], ...guardError });
        else output.line('\nNothing to do.');
        setExitCode(tripped ? ORGANIZATION_EXIT.deletionGuard : ORGANIZATION_EXIT.ok);
        return;
      }
      if (!options.yes) {
        const answer = await deps.prompt!(`\nApply to ${accountIds.length} account${accountIds.length === 1 ? '' : 's'}? [y/N] `);
        if (!/^y(es)?$/i.test(answer.trim())) {
          output.stderr('dd-aws-org: nothing applied\n');
          setExitCode(ORGANIZATION_EXIT.ok);
          return;
        }
      }
      const progress = new Progress(accountIds.length, (text) => output.stderr(text), interactive && !options.json, () => deps.now?.() ?? Date.now());
      const results: ConvergeResult[] = await applyOrganization(accountIds, observed, config, pipeline, {
        concurrency: options.concurrency ?? config.reconcile.concurrency,
        onResult: (result) => progress.record(result),
        holdDeletions: tripped,
      });
      progress.finish();
      const failed = results.filter((r) => r.status === 'error');
      if (options.json) {
        output.json({
          ...(planJson(organizationPlan) as object),
          results: results.map((r) => ({ accountId: r.accountId, status: r.status, actions: r.actions.map(({ type, reason }) => ({ type, reason })), ...(r.error !== undefined && { error: r.error }) })),
          ...guardError,
        });
      } else {
        // On a terminal the bar showed counts only: list the failures; otherwise each line already said.
        if (interactive) for (const result of failed) output.line(`${result.accountId}  error: ${result.error}`);
        output.line(`\n${progress.summary()}`);
      }
      setExitCode(failed.length > 0 ? ORGANIZATION_EXIT.failed : tripped ? ORGANIZATION_EXIT.deletionGuard : ORGANIZATION_EXIT.ok);
    });

  return [plan, apply];
}
