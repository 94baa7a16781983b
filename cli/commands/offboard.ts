import { Command } from 'commander';
import { InputError } from '../../lambda/domain/errors';
import { findOurs, removeOurs, type UninstallItem, type UninstallPlan, type UninstallResult } from '../../lambda/reconcile/uninstall';
import { loadCliConfig } from '../config-source';
import { cliPipeline, type CliDependencies, type GlobalOptions } from '../context';
import { EXIT } from '../exit-codes';
import { table, type Output } from '../output';
import type { ExitCodeSink } from './converge';
import { isRouted } from './organization-run';


interface OffboardOptions {
  all?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

/** With profiles, each integration's Datadog target is shown (roles and policies have none: "-"). */
const row = (item: UninstallItem, routed: boolean) => [item.accountId, item.kind, item.name, ...(routed ? [item.target ?? ''] : [])];

function printFound(output: Output, plan: UninstallPlan, routed: boolean): void {
  output.line(`Ownership marker: ${plan.marker} (organization ${plan.organizationId})`);
  output.line(`\nTo delete (${plan.items.length}): every integration with the marker, every role and policy tagged managed-by=datadog-aws-org-integration`);
  if (plan.items.length > 0) output.line(table(['ACCOUNT', 'KIND', 'NAME', ...(routed ? ['DATADOG TARGET'] : [])], plan.items.map((item) => row(item, routed))));
  if (plan.notReached.length > 0) {
    output.line(`\nNot reached (${plan.notReached.length}): whatever of ours is in these accounts stays`);
    output.line(table(['ACCOUNT', 'REASON'], plan.notReached.map((n) => [n.accountId, n.reason])));
  }
  if (plan.unlisted.length > 0) {
    output.line(`\nNot listed (${plan.unlisted.length}): our integrations in these Datadog targets stay; run offboard --all again once they answer`);
    output.line(table(['DATADOG TARGET', 'REASON'], plan.unlisted.map((u) => [u.target, u.reason])));
  }
}

function json(plan: UninstallPlan, dryRun: boolean, results?: readonly UninstallResult[]): unknown {
  const items: readonly (UninstallItem & { status: string; error?: string })[] = results ?? plan.items.map((item) => ({ ...item, status: 'planned' }));
  return {
    organizationId: plan.organizationId,
    marker: plan.marker,
    dryRun,
    items: items.map(({ target, ...item }) => ({ ...item, target: target ?? null })),
    notReached: plan.notReached,
    unlisted: plan.unlisted,
  };
}

/**
 * `offboard --all`: the uninstall. Deletes what this deployment provably made (integrations with
 * our marker, roles and policies with our tag) and nothing else; the list first, then a typed
 * confirmation on a terminal, or --yes.
 */
export function offboardCommand(deps: CliDependencies, output: Output, setExitCode: ExitCodeSink): Command {
  return new Command('offboard')
    .description('uninstall: delete every integration carrying our ownership marker and every role and policy tagged as ours, in every account reachable; nothing else')
    .option('--all', 'everything this deployment made (the only form)')
    .option('--dry-run', 'list what would be deleted; delete nothing')
    .option('--yes', 'do not ask for the typed confirmation (required when not on a terminal)')
    .option(
      '--json',
      'print {"organizationId", "marker", "dryRun", "items": [{accountId, kind, name, status}], "notReached": [...]}; with profiles, each item has its target, plus "unlisted": [{target, reason}]',
    )
    .addHelpText(
      'after',
      `
On a terminal it lists what it found and asks you to type the organization ID. Accounts whose member
access role cannot be assumed are listed as not reached: what is ours there stays.
Exit codes: 0 done (or nothing to do, or not confirmed), 1 a deletion failed or a Datadog target
could not be listed, 2 usage.`,
    )
    .action(async (options: OffboardOptions, command: Command) => {
      if (!options.all) {
        throw new InputError(
          'offboard takes --all (it removes everything this deployment made); to offboard some accounts, exclude them with scope.onExclusion "offboard" or opt them out, then converge',
        );
      }
      const dryRun = Boolean(options.dryRun);
      const interactive = Boolean(deps.isInteractive?.());
      if (!dryRun && !options.yes && !interactive) {
        throw new InputError('offboard --all deletes integrations and roles: pass --yes to run it without a terminal, or --dry-run to see the list first');
      }
      const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps, output);
      const pipeline = cliPipeline(config, deps, output, options.json);
      const routed = isRouted(config);
      const plan = await findOurs(config, pipeline);
      // A target that could not be listed leaves ours there: the uninstall is not complete.
      const incomplete = plan.unlisted.length > 0 ? EXIT.failed : EXIT.ok;
      if (!options.json) printFound(output, plan, routed);
      if (dryRun || plan.items.length === 0) {
        if (options.json) output.json(json(plan, dryRun));
        else output.line(plan.items.length === 0 ? '\nNothing of ours to delete.' : '\nDry run: nothing was deleted.');
        setExitCode(incomplete);
        return;
      }
      if (!options.yes) {
        const answer = await deps.prompt!(`\nType the organization ID (${plan.organizationId}) to delete these ${plan.items.length} items: `);
        if (answer.trim() !== plan.organizationId) {
          output.stderr('dd-aws-org: not confirmed: nothing deleted\n');
          setExitCode(EXIT.ok);
          return;
        }
      }
      const results = await removeOurs(
        plan,
        pipeline,
        options.json ? undefined : (r) => output.line(`${r.accountId}  ${r.kind}  ${r.name}${routed && r.target ? `  ${r.target}` : ''}  ${r.status}${r.error ? `: ${r.error}` : ''}`),
      );
      const failed = results.filter((r) => r.status === 'failed');
      if (options.json) output.json(json(plan, false, results));
      else output.line(`\n${results.length - failed.length} deleted, ${failed.length} failed${plan.unlisted.length > 0 ? `; ${plan.unlisted.length} Datadog target(s) not listed` : ''}`);
      setExitCode(failed.length > 0 ? EXIT.failed : incomplete);
    });
}
