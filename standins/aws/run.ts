/**
 * Runs the AWS stand-in with a small demo organization, for trying the CLI by hand:
 *
 *   npx tsx standins/aws/run.ts [--port 4566]
 *
 * then export the printed variables in another shell. Ctrl-C stops it.
 */

import { createDemoOrganization, describeDemoOrganization } from './demo';
import { startAwsStandin } from './index';

function portFromArgs(argv: string[]): number {
  const index = argv.indexOf('--port');
  const value = index >= 0 ? argv[index + 1] : process.env.PORT;
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${value}`);
  return port;
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { model, ous } = createDemoOrganization();
  const standin = await startAwsStandin(model, { port: portFromArgs(process.argv.slice(2)) });

  print(`AWS stand-in (Organizations, STS, IAM) listening on ${standin.url}`);
  print();
  print('# export these in the shell that runs the CLI:');
  for (const [key, value] of Object.entries(standin.env())) print(`export ${key}='${value}'`);
  print('unset AWS_PROFILE AWS_SESSION_TOKEN');
  print();
  for (const line of describeDemoOrganization(model, ous)) print(line);
  print();
  print('# calls (Ctrl-C stops):');
  model.onCall = (call) =>
    print(`${call.at.toISOString()} ${call.service} ${call.operation} in ${call.accountId || '-'}${call.error ? ` -> ${call.error}` : ''}`);

  const stop = (): void => {
    void standin.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
