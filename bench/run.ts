/** npm run bench -- <lambda|reconcile|targets|all> [--workers N] [--api-version v1|v2] [--trace-new-account] */
import { runLambdaBench } from './lambda';
import { runReconcileBench } from './reconcile';
import { runTargetsBench } from './targets';

const suites: Record<string, (argv: readonly string[]) => void | Promise<void>> = { lambda: runLambdaBench, reconcile: runReconcileBench, targets: runTargetsBench };

async function main(): Promise<void> {
  const wanted = process.argv[2] ?? 'all';
  const names = wanted === 'all' ? Object.keys(suites) : [wanted];
  for (const name of names) {
    const suite = suites[name];
    if (!suite) {
      process.stderr.write(`bench: unknown suite "${name}"; use one of: ${Object.keys(suites).join(', ')}, all\n`);
      process.exit(2);
    }
    await suite(process.argv.slice(3));
  }
}

void main();
