import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { isPlainObject } from '../../lambda/config/environment';
import { parseConfig, type Config } from '../../lambda/config/schema';
import type { Integration } from '../../lambda/datadog/port';
import { InputError } from '../../lambda/domain/errors';
import { sameRules } from '../../lambda/plan/settings-drift';
import { isOurIntegration } from '../../lambda/domain/ownership';
import { CONFIG_CONTEXT_KEY } from '../../lib/config';
import { announceConfigSource, mergeCliConfig, resolveConfigSource, startDirectory, type ConfigSource } from '../config-source';
import { datadogPort, type CliDependencies, type GlobalOptions } from '../context';
import { overridesOfDefaults } from '../namespaces';
import type { Output } from '../output';

/**
 * `migrate --to v2`: moves a deployment's configuration from Datadog's v1 API to v2 without
 * recreating an integration or rotating an external ID. It only reads Datadog (both APIs: they
 * are two views of the same integrations) and writes nothing there or to AWS; unless
 * --dry-run it rewrites the configuration file (or cdk.json's context), atomically.
 */

export interface MigrationChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** What `migrate --json` prints (README). */
export interface MigrationReport {
  from: 'v1' | 'v2';
  to: 'v2';
  dryRun: boolean;
  configFile: string;
  written: boolean;
  changes: MigrationChange[];
  integrations: { ours: number; seenInV2: number; externalIdsKept: number };
  problems: string[];
}

type JsonObject = Record<string, unknown>;

function objectAt(value: unknown, where: string): JsonObject {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InputError(`${where} must be a JSON object`);
  return value;
}

/** The configuration every command reads, in a file migrate can rewrite. */
async function migratableSource(options: GlobalOptions, deps: CliDependencies): Promise<ConfigSource & { file: NonNullable<ConfigSource['file']> }> {
  if (options.fromStack !== undefined) {
    throw new InputError('migrate rewrites a configuration file, and --from-stack names none: run it in the CDK app\'s directory (./cdk.json) or name the file with --config');
  }
  const source = await resolveConfigSource(options, deps);
  if (!source.file) {
    throw new InputError(
      `no --config given and no cdk.json in ${startDirectory(deps)}: name the configuration file with --config <file>, or run in the CDK app's directory`,
    );
  }
  return { ...source, file: source.file };
}

/** Writes a file whole or not at all: a temporary file in the same directory, renamed over it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = (await stat(path)).mode & 0o777;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const refKey = (integration: Integration) => `${integration.accountId}\u0000${integration.auth.kind === 'role' ? integration.auth.roleName : ''}`;
const describe = (integration: Integration, roleName: string) => `account ${integration.accountId} (role ${roleName})`;

interface Pair {
  v1: Integration;
  v2?: Integration;
}

/**
 * The configured v1 rules in v2's names, learnt from Datadog: the v2 view of the integrations
 * whose v1 rules are exactly the configured ones, minus what restates Datadog's defaults.
 */
function translateRules(rules: Readonly<Record<string, boolean>>, pairs: Pair[]): { rules: Record<string, boolean> } | { problem: string } {
  if (Object.keys(rules).length === 0) return { rules: {} };
  const matching = pairs.filter((pair) => pair.v2 && sameRules(pair.v1.settings.namespaceRules, rules));
  if (matching.length === 0) {
    throw new InputError(
      `integration.namespaceRules ${JSON.stringify(rules)} cannot be translated: no integration of ours in Datadog has exactly ` +
        "these rules, so Datadog cannot show their v2 names. Write them as CloudWatch namespaces yourself (e.g. \"AWS/AutoScaling\": false; " +
        'list the names with dd-aws-org integration namespaces --api-version v2) together with datadog.apiVersion "v2", or apply the ' +
        'configuration under v1 first (dd-aws-org apply) and migrate again',
    );
  }
  const [first, ...rest] = matching as Required<Pair>[];
  const readForm = first!.v2.settings.namespaceRules;
  const other = rest.find((pair) => !sameRules(pair.v2.settings.namespaceRules, readForm));
  if (other) {
    return {
      problem:
        `integration.namespaceRules: account ${first!.v1.accountId} and account ${other.v1.accountId} have the configured rules in v1 ` +
        `but different ones in v2 (${JSON.stringify(readForm)} and ${JSON.stringify(other.v2.settings.namespaceRules)}): ` +
        'align them in Datadog, or write the rules as CloudWatch namespaces yourself',
    };
  }
  return { rules: overridesOfDefaults(readForm) };
}

function printReport(output: Output, report: MigrationReport, source: ConfigSource, roleName: string): void {
  const { ours, seenInV2, externalIdsKept } = report.integrations;
  output.line(`Checked ${ours} integration${ours === 1 ? '' : 's'} with role ${roleName} through Datadog's v1 API: ${seenInV2} seen through v2.`);
  output.line(`External IDs kept: ${externalIdsKept} of ${ours} (nothing rotated, nothing recreated; nothing was written to Datadog or AWS).`);
  output.line('');
  output.line(`Configuration changes (${source.description}):`);
  for (const change of report.changes) output.line(`  ${change.path}: ${JSON.stringify(change.from)} -> ${JSON.stringify(change.to)}`);
  output.line('');
  output.line(report.written ? `Wrote ${report.configFile}.` : `Dry run: ${report.configFile} was not written.`);
  output.line('');
  output.line('Next steps:');
  output.line(`  1. Review the change (e.g. git diff ${report.configFile}).`);
  output.line('  2. npx cdk deploy, so that the Lambdas use v2.');
  output.line('  3. dd-aws-org plan: drift now shows in v2 terms; e.g. a role whose trust does not name');
  output.line("     Datadog's external ID now shows update-role-trust.");
}

export function migrateCommand(deps: CliDependencies, output: Output, setExitCode: (code: number) => void): Command {
  return new Command('migrate')
    .description("move the configuration from Datadog's v1 API to v2, keeping every integration and external ID; writes nothing to Datadog or AWS")
    .requiredOption('--to <version>', 'the API version to move to: v2', (value: string) => {
      if (value !== 'v2') throw new InvalidArgumentError(`only v2: migrate moves a v1 configuration to v2 (got "${value}")`);
      return value;
    })
    .option('--dry-run', 'check and report, write nothing')
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      `
The configuration is the --config file, else ./cdk.json's context.${CONFIG_CONTEXT_KEY}; it is rewritten
in place (2-space JSON, everything else kept) unless --dry-run. Every integration with role.name seen
through v1 must be seen through v2 with its external ID; v1 namespace rules are translated to
CloudWatch names as Datadog's v2 API shows them.
Exit codes: 0 done or nothing to do, 1 a Datadog-side problem (nothing written), 2 usage or configuration.`,
    )
    .action(async (options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const source = await migratableSource(globals, deps);
      announceConfigSource(output, source);
      const config: Config = mergeCliConfig(source, globals, deps.env);
      const report: MigrationReport = {
        from: config.datadog.apiVersion,
        to: 'v2',
        dryRun: Boolean(options.dryRun),
        configFile: source.file.path,
        written: false,
        changes: [],
        integrations: { ours: 0, seenInV2: 0, externalIdsKept: 0 },
        problems: [],
      };
      const finish = (code: number) => {
        if (options.json) output.json(report);
        else for (const problem of report.problems) output.stderr(`dd-aws-org: ${problem}\n`);
        setExitCode(code);
      };
      if (config.datadog.apiVersion === 'v2') {
        if (!options.json) output.line(`${source.description} already uses datadog.apiVersion "v2": nothing to do.`);
        return finish(0);
      }

      // Only reads: both views of the same integrations.
      const roleName = config.role.name;
      const [v1, v2] = await Promise.all([
        datadogPort(config, 'v1', deps, output).listIntegrations(),
        datadogPort(config, 'v2', deps, output).listIntegrations(),
      ]);
      const isOurs = (integration: Integration) => isOurIntegration(integration, roleName);
      const seen = new Map(v2.filter(isOurs).map((integration) => [refKey(integration), integration]));
      const pairs: Pair[] = v1.filter(isOurs).map((integration) => ({ v1: integration, v2: seen.get(refKey(integration)) }));
      report.integrations = {
        ours: pairs.length,
        seenInV2: pairs.filter((pair) => pair.v2).length,
        externalIdsKept: pairs.filter((pair) => pair.v2?.externalId).length,
      };
      for (const pair of pairs) {
        if (!pair.v2) report.problems.push(`${describe(pair.v1, roleName)}: not seen through Datadog's v2 API`);
        else if (!pair.v2.externalId) report.problems.push(`${describe(pair.v1, roleName)}: seen through Datadog's v2 API without an external ID`);
      }
      if (report.problems.length) return finish(1);

      const translated = translateRules(config.integration.namespaceRules, pairs);
      if ('problem' in translated) {
        report.problems.push(translated.problem);
        return finish(1);
      }

      report.changes.push({ path: 'datadog.apiVersion', from: 'v1', to: 'v2' });
      const next: JsonObject = { ...source.raw, datadog: { ...objectAt(source.raw.datadog, 'datadog'), apiVersion: 'v2' } };
      const rules = config.integration.namespaceRules;
      if (!sameRules(rules, translated.rules)) {
        report.changes.push({ path: 'integration.namespaceRules', from: rules, to: translated.rules });
        next.integration = { ...objectAt(source.raw.integration, 'integration'), namespaceRules: translated.rules };
      }
      // The schema's own checks (e.g. excluded regions v2 does not know); its message goes through, exit 2.
      parseConfig(next, `${source.description} migrated to v2`);

      if (!options.dryRun) {
        await writeAtomically(resolve(source.file.path), JSON.stringify(source.file.withConfig(next), null, 2) + '\n');
        report.written = true;
      }
      if (!options.json) printReport(output, report, source, roleName);
      finish(0);
    });
}
