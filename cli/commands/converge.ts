import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Config } from '../../lambda/config/schema';
import { convergeAccount, type ConvergeResult } from '../../lambda/converge';
import { InputError } from '../../lambda/domain/errors';
import { describeOutcome, parseEvent, type EventOutcome } from '../../lambda/event/parse';
import { loadCliConfig } from '../config-source';
import { checkRunCredentials, cliPipeline, type CliDependencies, type GlobalOptions } from '../context';
import { EXIT } from '../exit-codes';
import { accountIdArg } from '../options';
import type { Output } from '../output';
import { convergeExitCode, printResults } from '../report';
import { applyPlanned, isRouted, organizationRun, planWholeOrganization, reportPlan, requireConfirmation } from './organization-run';

interface RunOptions {
  dryRun?: boolean;
  json?: boolean;
}

interface EventOptions extends RunOptions {
  yes?: boolean;
}

/** Sets the exit code without throwing, so that the results are printed first. */
export type ExitCodeSink = (code: number) => void;

async function convergeAll(
  accountIds: readonly string[],
  config: Config,
  options: RunOptions,
  deps: CliDependencies,
  output: Output,
): Promise<ConvergeResult[]> {
  await checkRunCredentials(config, deps, output);
  const pipeline = cliPipeline(config, deps, output, options.json);
  const results: ConvergeResult[] = [];
  // One account at a time: writes to Datadog's AWS integration conflict when run concurrently.
  for (const accountId of accountIds) {
    results.push(await convergeAccount(accountId, { config, deps: pipeline, dryRun: Boolean(options.dryRun) }));
  }
  return results;
}

export function convergeCommands(deps: CliDependencies, output: Output, setExitCode: ExitCodeSink): Command[] {
  const converge = new Command('converge')
    .description('bring accounts to their desired state: Datadog integration and IAM role (observe -> plan -> act)')
    .argument('<account-id...>', 'AWS account IDs, 12 digits each', (value: string, previous: string[] = []) => [
      ...previous,
      accountIdArg(value),
    ])
    .option('--dry-run', 'print the plan; write nothing anywhere')
    .option('--json', 'print {"results": [{accountId, status, actions, error}]}')
    .action(async (accountIds: string[], options: RunOptions, command: Command) => {
      const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps, output);
      const results = await convergeAll([...new Set(accountIds)], config, options, deps, output);
      printResults(output, results, { ...options, routed: isRouted(config) });
      setExitCode(convergeExitCode(results));
    });

  const handleEvent = new Command('handle-event')
    .description('converge the accounts an EventBridge event names (the JSON a rule delivers to its target)')
    .argument('<file>', 'event JSON file, or - for standard input')
    .option('--dry-run', 'print the plan; write nothing anywhere')
    .option('--yes', 'an event that calls for the whole organization: apply its plan without asking (required when not on a terminal)')
    .option('--json', 'print {"results": [{accountId, status, actions, error}]}; for the whole organization, as apply --json')
    .action(async (file: string, options: EventOptions, command: Command) => {
      const event = await readEvent(file, deps);
      const outcome = parseEvent(event);
      if (outcome.kind === 'invalid' || outcome.kind === 'unknown') {
        throw new InputError(describeOutcome(outcome));
      }
      if (outcome.kind === 'reconcile') {
        setExitCode(await reconcileOrganizationFor(outcome, options, command, deps, output));
        return;
      }
      const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>(), deps, output);
      if (outcome.kind !== 'accounts') {
        // Understood, and nothing to converge: say so on stderr, keep stdout machine-readable.
        output.stderr(`dd-aws-org: ${describeOutcome(outcome)}\n`);
        if (options.json) output.json({ results: [] });
        setExitCode(EXIT.ok);
        return;
      }
      if (!options.json) output.line(describeOutcome(outcome));
      const results = await convergeAll(outcome.accountIds, config, options, deps, output);
      printResults(output, results, { ...options, routed: isRouted(config) });
      setExitCode(convergeExitCode(results));
    });

  return [converge, handleEvent];
}

/** An event that names no account: the org-wide plan the scheduled reconcile would make, applied as `apply` does. */
async function reconcileOrganizationFor(outcome: EventOutcome, options: EventOptions, command: Command, deps: CliDependencies, output: Output): Promise<number> {
  const run = await organizationRun(command, deps, output, options.json);
  if (!options.dryRun) requireConfirmation(run, options.yes, 'handle-event (a reconcile of the whole organization)');
  if (!options.json) output.line(`${describeOutcome(outcome)}\n`);
  const planned = await planWholeOrganization(run, { roles: 'reconciler' });
  if (!options.dryRun) return applyPlanned(run, planned, { yes: options.yes });
  const code = reportPlan(run, planned, { results: [] });
  if (!options.json) output.line('\nDry run: nothing was changed.');
  return code;
}

async function readEvent(file: string, deps: CliDependencies): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await (deps.readStdin ?? readProcessStdin)() : await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read event file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`the event in ${file === '-' ? 'standard input' : file} is not JSON; pass the event exactly as EventBridge delivers it`);
  }
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
