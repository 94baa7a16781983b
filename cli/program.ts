import { Command, InvalidArgumentError } from 'commander';
import { version } from '../package.json';
import { convergeCommands } from './commands/converge';
import { integrationCommand } from './commands/integration';
import { migrateCommand } from './commands/migrate';
import { offboardCommand } from './commands/offboard';
import { organizationCommands } from './commands/organization';
import { DEFAULT_STACK_NAME } from './config-source';
import type { CliDependencies } from './context';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { failureOf } from './failures';
import { Output } from './output';

const CONFIGURATION_HELP = `
Configuration: --config FILE (a configuration, or a cdk.json: its context.datadogAwsOrg), else
--from-stack [NAME] (what the deployed stack publishes), else ./cdk.json's context.datadogAwsOrg in
the directory the command is started from, else the defaults; DD_SITE, DD_API_URL, then --site and
--secret-id go over it. Each run names its source on stderr (and as "configSource" in --json).`;

/** An optional value takes the next word: `--from-stack plan` would read a stack named "plan". */
function stackNameArg(value: string): string {
  if (COMMAND_NAMES.has(value)) {
    throw new InvalidArgumentError(`"${value}" is a command: put --from-stack after it (dd-aws-org ${value} --from-stack), or name the stack first (--from-stack ${DEFAULT_STACK_NAME} ${value})`);
  }
  return value;
}

const COMMAND_NAMES = new Set(['integration', 'converge', 'handle-event', 'plan', 'apply', 'migrate', 'help']);

export function buildProgram(deps: CliDependencies, output: Output, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('dd-aws-org')
    .description('Keep every account of an AWS Organization integrated with Datadog.')
    .version(version, '--version')
    .option('--config <file>', 'JSON configuration file, or a cdk.json (its context.datadogAwsOrg); default ./cdk.json')
    .option('--from-stack [name]', `read the configuration the deployed stack runs with (default stack ${DEFAULT_STACK_NAME})`, stackNameArg)
    .option('--site <site>', 'Datadog site, e.g. datadoghq.eu (default: DD_SITE, the config, or datadoghq.com)')
    .option('--secret-id <id>', 'Secrets Manager secret with {"apiKey", "appKey"} (default: DD_API_KEY / DD_APP_KEY)')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', CONFIGURATION_HELP + '\n' + EXIT_CODES_HELP)
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
    const failure = failureOf(error);
    // Commander has printed its own message already.
    if (failure.message !== undefined) output.stderr(`dd-aws-org: ${failure.message}\n`);
    return failure.code;
  }
}
