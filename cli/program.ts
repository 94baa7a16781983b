import { Command, CommanderError } from 'commander';
import { DatadogApiError } from '../lambda/datadog/errors';
import { InputError } from '../lambda/domain/errors';
import { version } from '../package.json';
import { convergeCommands } from './commands/converge';
import { integrationCommand } from './commands/integration';
import { migrateCommand } from './commands/migrate';
import { offboardCommand } from './commands/offboard';
import { organizationCommands } from './commands/organization';
import type { CliDependencies } from './context';
import { Output } from './output';

/** Exit codes: a public contract (README). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(deps: CliDependencies, output: Output, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('dd-aws-org')
    .description('Keep every account of an AWS Organization integrated with Datadog.')
    .version(version, '--version')
    .option('--config <file>', 'JSON configuration file (see the README)')
    .option('--site <site>', 'Datadog site, e.g. datadoghq.eu (default: DD_SITE, the config, or datadoghq.com)')
    .option('--secret-id <id>', 'Secrets Manager secret with {"apiKey", "appKey"} (default: DD_API_KEY / DD_APP_KEY)')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => output.stdout(text), writeErr: (text) => output.stderr(text) })
    .exitOverride();
  program.addCommand(integrationCommand(deps, output));
  for (const command of convergeCommands(deps, output, setExitCode)) program.addCommand(command);
  for (const command of organizationCommands(deps, output, setExitCode)) program.addCommand(command);
  program.addCommand(migrateCommand(deps, output, setExitCode));
  program.addCommand(offboardCommand(deps, output, setExitCode));
  // Settings such as exitOverride are copied when a command is created; apply them to the tree.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(add --help for usage)');
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

/** Runs the CLI and returns its exit code; never throws. */
export async function runCli(argv: string[], deps: CliDependencies): Promise<number> {
  const output = new Output(deps.stdout, deps.stderr);
  output.addSecrets(deps.env.DD_API_KEY, deps.env.DD_APP_KEY);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(deps, output, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof InputError) {
      output.stderr(`dd-aws-org: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof DatadogApiError) {
      output.stderr(`dd-aws-org: ${error.message}\n`);
      return EXIT.failed;
    }
    output.stderr(`dd-aws-org: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT.failed;
  }
}
