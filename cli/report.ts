import type { ConvergeResult } from '../lambda/converge';
import { EXIT } from './exit-codes';
import type { Output } from './output';

export function convergeExitCode(results: readonly ConvergeResult[]): number {
  if (results.some((r) => r.status === 'error')) return EXIT.failed;
  if (results.some((r) => r.status === 'retry')) return EXIT.retryLater;
  return EXIT.ok;
}

/**
 * The public --json shape: {"results": [{accountId, status, actions: [{type, reason}], error?}]}.
 * Each result and action also says its profile (null for the top level's) and Datadog target
 * (an action's own: a move's leftover is deleted elsewhere), profiles or not: one shape for scripts.
 */
export function resultsJson(results: readonly ConvergeResult[]): unknown {
  return {
    results: results.map((r) => ({
      accountId: r.accountId,
      status: r.status,
      profile: r.profile ?? null,
      target: r.target ?? null,
      actions: r.actions.map(({ type, reason, target }) => ({ type, reason, target: target ?? r.target ?? null })),
      ...(r.error !== undefined && { error: r.error }),
    })),
  };
}

/** Where a result was routed, for the human line: its profile and Datadog target. */
function routeText(result: ConvergeResult): string {
  if (result.target === undefined) return '';
  return `  [${result.profile === undefined ? 'top level' : `profile ${result.profile}`}, Datadog target ${result.target}]`;
}

export function printResults(output: Output, results: readonly ConvergeResult[], options: { json?: boolean; dryRun?: boolean; routed?: boolean }): void {
  if (options.json) return output.json(resultsJson(results));
  if (options.dryRun) output.line('Dry run: nothing was changed. These are the actions a run would take.\n');
  for (const result of results) {
    output.line(`${result.accountId}  ${result.status}${result.scope ? `  (${result.scope})` : ''}${options.routed ? routeText(result) : ''}`);
    const width = Math.max(0, ...result.actions.map((a) => a.type.length));
    for (const action of result.actions) output.line(`  ${action.type.padEnd(width)}  ${action.reason}`);
    if (result.error) output.line(`  error: ${result.error}`);
    for (const note of result.notes) output.line(`  note: ${note}`);
  }
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  output.line(`\n${results.length} account${results.length === 1 ? '' : 's'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`);
}
