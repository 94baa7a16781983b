import type { Command } from 'commander';
import type { Config } from '../../lambda/config/schema';
import type { ConvergeResult } from '../../lambda/converge';
import type { PipelineDependencies } from '../../lambda/dependencies';
import { InputError } from '../../lambda/domain/errors';
import { routingOf } from '../../lambda/config/profiles';
import type { AccountPlan, Action } from '../../lambda/plan/plan-account';
import type { OrganizationPlan, TargetSummary } from '../../lambda/plan/plan-organization';
import { applyOrganization } from '../../lambda/reconcile/apply';
import { observeOrganization, readRoles, type ObservedOrganization } from '../../lambda/reconcile/observe-organization';
import { accountsForWorkers, accountsToConverge, guardLimits, planObservedOrganization } from '../../lambda/reconcile/organization-work';
import { loadCliConfig } from '../config-source';
import { cliPipeline, type CliDependencies, type GlobalOptions } from '../context';
import { EXIT } from '../exit-codes';
import type { Output } from '../output';
import { Progress, StatusLine } from '../progress';
import { resultsJson } from '../report';

/**
 * The org-wide plan and its apply, one implementation for `plan`, `apply` and `handle-event`
 * (an event that calls for the whole organization): the plan the scheduled reconcile makes,
 * with the roles its workers would read, and the run that converges what it lists.
 */

/**
 * Which member account roles a plan reads: `reconciler`, the roles the deployed reconcile's
 * workers read (reconcile.inspectRoles); `deep`, as if inspectRoles were on; `shallow`, none.
 */
export type RoleReading = 'reconciler' | 'deep' | 'shallow';

export function roleReading(options: { deep?: boolean; shallow?: boolean }): RoleReading {
  if (options.deep && options.shallow) throw new InputError('--deep reads the roles and --shallow skips them: pass one of them, not both');
  return options.deep ? 'deep' : options.shallow ? 'shallow' : 'reconciler';
}

/** What one org-wide run works with: the configuration, the clients, and where it prints. */
export interface OrganizationRun {
  readonly config: Config;
  readonly pipeline: PipelineDependencies;
  readonly deps: CliDependencies;
  readonly output: Output;
  readonly json: boolean;
  /** On a terminal: progress is drawn, and apply may ask. */
  readonly interactive: boolean;
}

export async function organizationRun(command: Command, deps: CliDependencies, output: Output, json: boolean | undefined): Promise<OrganizationRun> {
  const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps, output);
  return {
    config,
    pipeline: cliPipeline(config, deps, output, json),
    deps,
    output,
    json: Boolean(json),
    interactive: Boolean(deps.isInteractive?.()),
  };
}

export interface PlannedOrganization {
  readonly observed: ObservedOrganization;
  readonly plan: OrganizationPlan;
  readonly roles: { readonly reading: RoleReading; readonly inspectRoles: boolean; readonly read: number };
}

const clock = (run: OrganizationRun) => () => run.deps.now?.() ?? Date.now();

/**
 * One walk and one Datadog listing, then the roles the reconcile's workers would read (the
 * accounts it would hand them), then the plan again with those roles.
 */
export async function planWholeOrganization(
  run: OrganizationRun,
  options: { readonly roles: RoleReading; readonly maxDeletions?: number; readonly concurrency?: number },
): Promise<PlannedOrganization> {
  const { config, pipeline } = run;
  const limits = guardLimits(config, options.maxDeletions);
  const status = new StatusLine((text) => run.output.stderr(text), run.interactive && !run.json, clock(run));
  const walked = await observeOrganization(config, pipeline, {
    onWalkProgress: (progress) =>
      progress.tagsToRead > 0 && progress.tagsRead > 0
        ? status.count('organization: reading tags', progress.tagsRead, progress.tagsToRead)
        : status.show(`organization: ${progress.parentsListed} roots and OUs listed, ${progress.accounts} accounts`),
  });
  status.end();
  const inspectRoles = options.roles === 'deep' || config.reconcile.inspectRoles;
  const roles = { reading: options.roles, inspectRoles };
  const withoutRoles = planObservedOrganization(walked, config, limits);
  if (options.roles === 'shallow') return { observed: walked, plan: withoutRoles, roles: { ...roles, read: 0 } };
  const targets = accountsForWorkers(withoutRoles, walked, config, inspectRoles);
  const observed = await readRoles(walked, targets, config, pipeline, {
    concurrency: options.concurrency,
    onRead: (done, total) => status.count('roles', done, total),
  });
  status.end();
  return { observed, plan: planObservedOrganization(observed, config, limits), roles: { ...roles, read: observed.roles.size } };
}

/** With profiles in the configuration, the plan says which profile and which Datadog target each entry is for. */
export const isRouted = (config: Config): boolean => config.profiles.length > 0;

/** An account plan's entry, placed: its profile (null for the top level's) and the target it writes to. */
function placed(plan: AccountPlan, target?: string): { profile: string | null; target: string } {
  return { profile: plan.profile ?? null, target: target ?? plan.target };
}

/** The public --json shape of plan (and of apply's plan). */
export function planJson({ plan, roles }: PlannedOrganization): object {
  const { tripped, deletions, limit, reason } = plan.guard;
  // Always there, profiles or not: one shape for scripts (profile null: the top-level settings).
  const where = (p: AccountPlan, target?: string) => placed(p, target);
  const actionJson = (p: AccountPlan, a: Action) => ({ accountId: p.accountId, type: a.type, reason: a.reason, ...where(p, a.target) });
  return {
    summary: { ...plan.summary, rolesRead: roles.read, shallow: roles.reading === 'shallow' },
    guard: { tripped, deletions, limit, reason },
    actions: plan.plans.flatMap((p) => p.actions.filter((a) => a.type !== 'none').map((a) => actionJson(p, a))),
    // What a tripped deletion guard held back (empty when it did not trip).
    held: plan.plans.flatMap((p) => (p.held ?? []).map((a) => actionJson(p, a))),
    // Counted as repairs, with no action: a role that could not be read (retryable: the account is new).
    blocked: plan.plans.flatMap((p) => (p.blocked ? [{ accountId: p.accountId, ...p.blocked, ...where(p) }] : [])),
    targets: plan.targets,
    unmatchedProfiles: plan.unmatchedProfiles,
  };
}

/** The line under the counts that says which roles were read, and so what the counts can show. */
export function rolesLine({ roles }: PlannedOrganization): string {
  if (roles.reading === 'shallow') {
    return 'roles: not read (--shallow): a deleted role or an altered trust does not show; the reconciler reads them';
  }
  const read = `roles: read in ${roles.read} account${roles.read === 1 ? '' : 's'}`;
  if (roles.reading === 'deep') return `${read} (--deep: every account the reconciler would work on or check)`;
  return roles.inspectRoles
    ? `${read}, as the reconciler does (reconcile.inspectRoles)`
    : `${read} that need work (reconcile.inspectRoles is off; --deep checks the others too)`;
}

interface PlanEntry {
  readonly accountId: string;
  readonly reason: string;
  readonly profile?: string;
}

/** The plan's entries by group (an action type, held, blocked), in the order first met. */
type Groups = Map<string, PlanEntry[]>;

function addEntry(groups: Groups, group: string, entry: PlanEntry): void {
  groups.set(group, [...(groups.get(group) ?? []), entry]);
}

function printGroups(output: Output, groups: Groups, named: boolean): void {
  for (const [type, entries] of groups) {
    output.line(`\n${type} (${entries.length})`);
    for (const entry of entries) output.line(`  ${entry.accountId}  ${named ? `${entry.profile === undefined ? 'top level' : `profile ${entry.profile}`}  ` : ''}${entry.reason}`);
  }
}

/**
 * The plan's groups, by Datadog target: each entry goes to the target it writes to (a move's
 * leftover to the target it is deleted from). Without profiles, one target.
 */
function groupsByTarget(plan: OrganizationPlan): Map<string, Groups> {
  const byTarget = new Map<string, Groups>(plan.targets.map((t) => [t.target, new Map()]));
  const add = (target: string, group: string, entry: PlanEntry) => {
    const groups = byTarget.get(target) ?? new Map<string, PlanEntry[]>();
    byTarget.set(target, groups);
    addEntry(groups, group, entry);
  };
  for (const accountPlan of plan.plans) {
    const entry = (reason: string): PlanEntry => ({ accountId: accountPlan.accountId, reason, ...(accountPlan.profile !== undefined && { profile: accountPlan.profile }) });
    for (const action of accountPlan.actions) {
      if (action.type !== 'none') add(action.target ?? accountPlan.target, action.type, entry(action.reason));
    }
    for (const action of accountPlan.held ?? []) add(action.target ?? accountPlan.target, `${action.type} held by the deletion guard`, entry(action.reason));
    if (accountPlan.blocked) add(accountPlan.target, 'blocked', entry(accountPlan.blocked.reason));
  }
  return byTarget;
}

/** A target's header: its name, who reports there, and whether it could be listed. */
function targetHeader(target: TargetSummary, isDefault: boolean): string[] {
  const who = [...(isDefault ? ['top level'] : []), ...target.profiles.map((p) => `profile ${p}`)].join(', ') || 'no profile';
  const header = `== Datadog target ${target.target}: ${who}; ${target.accounts} account${target.accounts === 1 ? '' : 's'} ==`;
  if (target.failure === undefined) return [header];
  return [header, `listing failed: ${target.failure}`, 'its accounts are retried on their own, and nothing in this target is deleted in this run'];
}

export function printPlan(output: Output, planned: PlannedOrganization, config: Config): void {
  const { summary } = planned.plan;
  output.line(
    `${summary.accounts} accounts: ${summary.inSync} in sync, ${summary.toCreate} to create, ${summary.toRepair} to repair, ${summary.toDelete} to delete` +
      // A move is counted as a creation; its old integration's deletion is in the guard's count.
      (planned.plan.moves > 0 ? ` (${planned.plan.moves} of them moving to another Datadog target)` : ''),
  );
  output.line(rolesLine(planned));
  const byTarget = groupsByTarget(planned.plan);
  if (!isRouted(config)) {
    for (const groups of byTarget.values()) printGroups(output, groups, false);
  } else {
    const defaultTarget = routingOf(config).defaultTarget.name;
    for (const target of planned.plan.targets) {
      output.line(`\n${targetHeader(target, target.target === defaultTarget).join('\n')}`);
      const groups = byTarget.get(target.target)!;
      if (groups.size === 0) output.line('nothing to do');
      printGroups(output, groups, true);
    }
    for (const name of planned.plan.unmatchedProfiles) output.line(`\nprofile ${name} matches no account of the organization`);
  }
  output.line(`\ndeletion guard: ${planned.plan.guard.reason}`);
}

/** `plan`'s output and exit code; also a dry run of handle-event's org-wide reconcile (with `results: []`). */
export function reportPlan(run: OrganizationRun, planned: PlannedOrganization, extra: { results?: [] } = {}): number {
  if (run.json) run.output.json({ ...planJson(planned), ...extra });
  else printPlan(run.output, planned, run.config);
  return planned.plan.guard.tripped ? EXIT.deletionGuard : EXIT.ok;
}

/** Refuses, before anything is read, a run that changes the organization with no one to confirm it. */
export function requireConfirmation(run: OrganizationRun, yes: boolean | undefined, command: string): void {
  if (!yes && !run.interactive) throw new InputError(`${command} changes the organization: pass --yes to run it without a terminal to confirm on`);
}

/**
 * Converges every account the plan has work for, after the guard and the operator's yes; prints
 * the plan first, then the results. Returns the exit code.
 */
export async function applyPlanned(
  run: OrganizationRun,
  planned: PlannedOrganization,
  options: { readonly yes?: boolean; readonly concurrency?: number },
): Promise<number> {
  const { output, json, interactive, deps } = run;
  const { plan, observed } = planned;
  if (!json) printPlan(output, planned, run.config);
  // Tripped: the deletions are held (the plan shows them); creations and repairs go ahead, and the run ends with exit 3.
  const tripped = plan.guard.tripped;
  const guardError = tripped ? { error: plan.guard.reason } : {};
  const done = tripped ? EXIT.deletionGuard : EXIT.ok;
  if (tripped) output.stderr(`dd-aws-org: deletion guard: ${plan.guard.reason}\n`);
  const accountIds = accountsToConverge(plan, observed);
  if (accountIds.length === 0) {
    if (json) output.json({ ...planJson(planned), results: [], ...guardError });
    else output.line('\nNothing to do.');
    return done;
  }
  if (!options.yes) {
    const answer = await deps.prompt!(`\nApply to ${accountIds.length} account${accountIds.length === 1 ? '' : 's'}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      output.stderr('dd-aws-org: nothing applied\n');
      return done;
    }
  }
  const progress = new Progress(accountIds.length, (text) => output.stderr(text), interactive && !json, clock(run));
  const results: ConvergeResult[] = await applyOrganization(accountIds, observed, run.config, run.pipeline, {
    concurrency: options.concurrency ?? run.config.reconcile.concurrency,
    onResult: (result) => progress.record(result),
    holdDeletions: tripped,
  });
  progress.finish();
  const failed = results.filter((r) => r.status === 'error');
  if (json) {
    output.json({ ...planJson(planned), ...(resultsJson(results) as object), ...guardError });
  } else {
    // On a terminal the bar showed counts only: list the failures; otherwise each line already said.
    if (interactive) for (const result of failed) output.line(`${result.accountId}  error: ${result.error}`);
    output.line(`\n${progress.summary()}`);
  }
  return failed.length > 0 ? EXIT.failed : done;
}
