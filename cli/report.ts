import type { ConvergeResult } from '../lambda/converge';
import { EXIT } from './exit-codes';
import type { Output } from './output';

export function convergeExitCode(results: readonly ConvergeResult[]): number {
  if (results.some((r) => r.status === 'error')) return EXIT.failed;
  if (results.some((r) => r.status === 'retry')) return EXIT.retryLater;
  return EXIT.ok;
}

/** The public --json shape: {"results": [{accountId, status, actions: [{type, reason}], error?}]}. */
export function resultsJson(results: readonly ConvergeResult[]): unknown {
  return {
    results: results.map((r) => ({
      accountId: r.accountId,
      status: r.status,
      actions: r.actions.map(({ type, reason }) => ({ type, reason })),
      ...(r.error !== undefined && { error: r.error }),
    })),
  };
}

export function printResults(output: Output, results: readonly ConvergeResult[], options: { json?: boolean; dryRun?: boolean }): void {
  if (options.json) return output.json(resultsJson(results));
  if (options.dryRun) output.line('Dry run: nothing was changed. These are the actions a run would take.\n');
  for (const result of results) {
    output.line(`${result.accountId}  ${result.status}${result.scope ? `  (${result.scope})` : ''}`);
    const width = Math.max(0, ...result.actions.map((a) => a.type.length));
    for (const action of result.actions) output.line(`  ${action.type.padEnd(width)}  ${action.reason}`);
    if (result.error) output.line(`  error: ${result.error}`);
    for (const note of result.notes) output.line(`  note: ${note}`);
  }
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  output.line(`\n${results.length} account${results.length === 1 ? '' : 's'}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`);
}
