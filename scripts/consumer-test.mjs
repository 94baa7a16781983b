#!/usr/bin/env node
// npm run test:package (a step of .ci/run; not part of npm test: it installs from the npm registry).
// Packs this package, installs the tarball into a fresh plain-JavaScript CDK app beside
// aws-cdk-lib, constructs and the pinned aws-cdk CLI, instantiates the construct in the app's
// own stack, synthesizes offline with no AWS credentials and no TypeScript, tsx or esbuild
// installed, checks the template, runs `npx dd-aws-org --help` from that install, and
// type-checks a TypeScript consumer against the shipped declarations.
// KEEP_CONSUMER_APP=1 keeps the temporary app (its path is printed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const AWS_CDK_CLI = '2.1148.1';
const HANDLERS = ['intake', 'worker', 'reconcile', 'secrets-check'];
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'dd-consumer-'));
const app = join(work, 'app');

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

/** The environment of a platform team's shell: no AWS credentials, no npm run context, none of this repository's tools on PATH. */
function consumerEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|AWS_|CDK_)/i.test(key)));
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' };
}

function run(command, args, cwd, env = consumerEnv()) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function step(text) {
  process.stdout.write(`-- ${text} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

/** As npm pack prints sizes: kB of 1000 bytes. */
function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function installedVersion(name) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function packAndCheckFiles() {
  step('npm pack (prepack builds dist/)');
  const output = run('npm', ['pack', '--json', '--pack-destination', work], ROOT, process.env);
  // The prepack build prints a line of its own before npm's JSON.
  const [packed] = JSON.parse(output.slice(output.search(/^\[/m)));
  const files = packed.files.map((file) => file.path);
  const forbidden = files.filter((file) => /^(test|bench|scripts|lib|lambda|cli|bin|\.ci)\//.test(file) || (/\.ts$/.test(file) && !file.endsWith('.d.ts')) || /^(tsconfig|jest|eslint|cdk)\b/.test(file));
  check(forbidden.length === 0, `the package ships files it must not: ${forbidden.join(', ')}`);
  const required = ['LICENSE', 'NOTICE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/dd-aws-org.js', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/handlers/THIRD-PARTY-LICENSES.txt', ...HANDLERS.map((name) => `dist/handlers/${name}/index.js`)];
  const missing = required.filter((file) => !files.includes(file));
  check(missing.length === 0, `the package lacks ${missing.join(', ')}`);
  process.stdout.write(`   ${packed.filename}: packed ${kB(packed.size)}, unpacked ${kB(packed.unpackedSize)}, ${files.length} files; no test, bench, script or .ts source\n`);
  return { tarball: join(work, packed.filename), name: packed.name };
}

function createApp(tarball, name) {
  step(`fresh CDK app: npm install aws-cdk-lib constructs aws-cdk@${AWS_CDK_CLI} and the tarball (--prefer-offline)`);
  mkdirSync(app);
  const manifest = {
    name: 'platform-cdk-app',
    version: '1.0.0',
    private: true,
    dependencies: {
      'aws-cdk-lib': installedVersion('aws-cdk-lib'),
      constructs: installedVersion('constructs'),
      [name]: `file:${tarball}`,
    },
    devDependencies: { 'aws-cdk': AWS_CDK_CLI },
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(app, 'cdk.json'), `${JSON.stringify({ app: 'node app.js', notices: false, context: { 'cli-telemetry': false } }, null, 2)}\n`);
  writeFileSync(
    join(app, 'app.js'),
    `const { App, Stack } = require('aws-cdk-lib');
const { DatadogOrgIntegration, parseConfig } = require('${name}');

const app = new App();
const stack = new Stack(app, 'PlatformStack', { env: { account: '111111111111', region: 'us-east-1' } });
new DatadogOrgIntegration(stack, 'Datadog', {
  config: parseConfig({
    datadog: { site: 'datadoghq.eu', apiVersion: 'v2' },
    deployment: { controlTower: { enabled: true } },
  }),
});
`,
  );
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  const tools = ['typescript', 'tsx', 'esbuild', 'ts-node'].filter((tool) => existsSync(join(app, 'node_modules', tool)));
  check(tools.length === 0, `the app's install pulled in ${tools.join(', ')}: the package must synthesize without them`);
  process.stdout.write(`   installed: ${readdirSync(join(app, 'node_modules')).length} top-level entries, no typescript, tsx or esbuild\n`);
}

function synthAndCheckTemplate(name) {
  step('npx cdk synth --quiet (offline, no AWS credentials)');
  run('npx', ['--no-install', 'cdk', 'synth', '--quiet'], app);
  const out = join(app, 'cdk.out');
  const template = JSON.parse(readFileSync(join(out, 'PlatformStack.template.json'), 'utf8'));
  const resources = Object.values(template.Resources);
  const ofType = (type) => resources.filter((resource) => resource.Type === type);

  const functions = ofType('AWS::Lambda::Function');
  check(functions.length === 3, `expected 3 Lambda functions, found ${functions.length}`);
  const packaged = join(app, 'node_modules', name, 'dist', 'handlers');
  const bundles = new Set(HANDLERS.map((handler) => readFileSync(join(packaged, handler, 'index.js'), 'utf8')));
  for (const { Properties: fn } of functions) {
    check(fn.Handler === 'index.handler' && fn.Runtime === 'nodejs24.x', `function ${fn.Description}: handler ${fn.Handler}, runtime ${fn.Runtime}`);
    const asset = join(out, `asset.${String(fn.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    check(existsSync(asset) && bundles.has(readFileSync(asset, 'utf8')), `function ${fn.Description}: its asset is not one of the package's prebuilt bundles`);
  }

  const require = createRequire(join(app, 'app.js'));
  const { organizationsPatterns, controlTowerPatterns } = require(name);
  const rules = ofType('AWS::Events::Rule').map((rule) => rule.Properties);
  // CloudFormation spells EventBridge's detailType as detail-type.
  const canonical = (value) =>
    Array.isArray(value) ? value.map(canonical)
    : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((key) => [key === 'detailType' ? 'detail-type' : key, canonical(value[key])]))
    : value;
  // The keys-stored rule (a reconcile when the Datadog keys are written) listens to Secrets Manager, not to the account events.
  const keysStored = rules.filter((rule) => rule.EventPattern?.source?.[0] === 'aws.secretsmanager');
  check(keysStored.length === 1, `expected one keys-stored rule, found ${keysStored.length}`);
  const patterns = rules.filter((rule) => rule.EventPattern && !keysStored.includes(rule)).map((rule) => JSON.stringify(canonical(rule.EventPattern))).sort();
  const expected = [...organizationsPatterns(), ...controlTowerPatterns()].map((named) => JSON.stringify(canonical(named.pattern))).sort();
  check(JSON.stringify(patterns) === JSON.stringify(expected), `the event rules' patterns:\n${patterns.join('\n')}\nare not the package's:\n${expected.join('\n')}`);
  const schedules = rules.filter((rule) => rule.ScheduleExpression === 'rate(12 hours)');
  check(schedules.length === 1, `expected one reconcile schedule, found ${schedules.length}`);

  const fifo = ofType('AWS::SQS::Queue').filter((queue) => queue.Properties.FifoQueue === true);
  const accountQueue = fifo.find((queue) => queue.Properties.RedrivePolicy?.maxReceiveCount === 15);
  check(fifo.length === 2 && accountQueue, `expected the FIFO account queue and its FIFO dead-letter queue, found ${fifo.length} FIFO queues`);
  process.stdout.write(
    `   template: ${functions.length} functions from the prebuilt bundles (index.handler, nodejs24.x), ${patterns.length} event rules + 1 schedule, FIFO account queue (maxReceiveCount 15) + FIFO dead-letter queue, ${resources.length} resources\n`,
  );
}

function runCliHelp() {
  step('npx dd-aws-org --help');
  const help = run('npx', ['--no-install', 'dd-aws-org', '--help'], app);
  check(/Usage: dd-aws-org/.test(help) && /converge/.test(help) && /plan/.test(help), `unexpected help:\n${help}`);
  process.stdout.write(help.split('\n').slice(0, 3).map((line) => `   ${line}\n`).join(''));
}

/** The shipped declarations, as a TypeScript user's editor and compiler see them (this repository's tsc, not installed in the app). */
function typeCheckConsumer(name) {
  step('tsc --noEmit on a TypeScript consumer');
  writeFileSync(
    join(app, 'consumer.ts'),
    `import { App, Stack } from 'aws-cdk-lib';
import { DatadogOrgIntegration, organizationsPatterns, parseConfig, type Config, type DatadogOrgIntegrationProps } from '${name}';

const config: Config = parseConfig({ datadog: { site: 'datadoghq.eu' } });
const props: DatadogOrgIntegrationProps = { config };
const integration = new DatadogOrgIntegration(new Stack(new App(), 'Typed'), 'Datadog', props);
export const arn: string = integration.worker.functionArn;
export const ids: string[] = organizationsPatterns().map((named) => named.id);
// @ts-expect-error the site is one of Datadog's sites, not any string
export const site: Config['datadog']['site'] = 'example.com';
`,
  );
  const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: [] };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
  process.stdout.write('   the declarations type-check (Config, DatadogOrgIntegrationProps, the construct, the patterns)\n');
}

try {
  const { tarball, name } = packAndCheckFiles();
  createApp(tarball, name);
  synthAndCheckTemplate(name);
  runCliHelp();
  typeCheckConsumer(name);
  process.stdout.write(`consumer test passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
} catch (error) {
  process.stderr.write(`consumer test FAILED: ${error instanceof Error ? error.message : String(error)}\n(app kept at ${app})\n`);
  process.exitCode = 1;
} finally {
  if (process.exitCode !== 1 && process.env.KEEP_CONSUMER_APP !== '1') rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`temporary app: ${app}\n`);
}
