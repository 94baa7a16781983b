import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/config/schema';
import { FakeAwsOrganization, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { useDatadogStandin } from './harness';

/**
 * The CLI as it is installed: dist/dd-aws-org.js (scripts/build-cli.mjs, run by npm's prepare),
 * in its own Node process, against the stand-ins. The configuration's source, --from-stack,
 * and the exit codes of the run's own problems, with no stack trace.
 */

const root = join(__dirname, '..', '..');
const API_KEY = 'builtCliApiKey5Jd8Qe';
const APP_KEY = 'builtCliAppKey2Xc6Vb';

const { standin: datadog, files } = useDatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
let model: FakeAwsOrganization;
let aws: AwsStandin;
let member: string;
let appDir: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root });
  appDir = join(files.dir, 'app');
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'cdk.json'), JSON.stringify({ app: 'npx tsx bin/app.ts', context: { datadogAwsOrg: { datadog: { apiVersion: 'v2' } } } }));
}, 60_000);

beforeEach(async () => {
  model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
  member = model.createAccount({ name: 'member' });
  aws = await startAwsStandin(model);
});

afterEach(() => aws.stop());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node dist/dd-aws-org.js ...` in `cwd`, with only the environment given (no shared AWS files, no instance metadata). */
function ddAwsOrg(args: string[], env: NodeJS.ProcessEnv = {}, cwd = appDir): Promise<Run> {
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: files.dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(files.dir, 'no-credentials'),
    AWS_CONFIG_FILE: join(files.dir, 'no-config'),
    ...aws.env(),
    DD_API_URL: datadog.url,
    DD_API_KEY: API_KEY,
    DD_APP_KEY: APP_KEY,
    ...env,
  };
  for (const [key, value] of Object.entries(environment)) if (value === undefined) delete environment[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'dist', 'dd-aws-org.js'), ...args], { cwd, env: environment, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      for (const key of [API_KEY, APP_KEY]) expect(stdout + stderr).not.toContain(key);
      expect(stderr).not.toMatch(/^\s+at /m);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('dist/dd-aws-org.js', () => {
  it("reads ./cdk.json's context in the directory it is started from, and says so on stderr and in --json", async () => {
    const run = await ddAwsOrg(['converge', member, '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('dd-aws-org: configuration from ./cdk.json (context.datadogAwsOrg)\n');
    expect(JSON.parse(run.stdout)).toMatchObject({ configSource: './cdk.json (context.datadogAwsOrg)', results: [{ accountId: member, status: 'ok' }] });
  });

  it('--from-stack reads what the deployed stack published in SSM', async () => {
    const published = parseConfig({ datadog: { apiVersion: 'v1' }, scope: { excludeAccounts: [member] } });
    model.putParameter('/datadog-aws-org-integration/DatadogOrgIntegration/config', JSON.stringify(published));
    const run = await ddAwsOrg(['converge', member, '--dry-run', '--json', '--from-stack']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { configSource: string; results: { status: string }[] };
    expect(json.configSource).toBe('stack DatadogOrgIntegration (SSM parameter /datadog-aws-org-integration/DatadogOrgIntegration/config (us-east-1))');
    expect(json.results[0]!.status).toBe('skipped');
  });

  it('without AWS credentials: exit 2, naming what to set', async () => {
    const run = await ddAwsOrg(['plan'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("dd-aws-org: no AWS credentials found: set AWS_PROFILE to a profile of the organization's management account");
  });

  it('converge without DD_API_KEY: exit 2, naming it', async () => {
    const run = await ddAwsOrg(['converge', member], { DD_API_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DD_API_KEY is not set');
  });

  it('AWS unreachable: exit 1, naming the address and what to check', async () => {
    const run = await ddAwsOrg(['plan'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dd-aws-org: cannot reach AWS at 127.0.0.1:9 (ECONNREFUSED): check the network, AWS_REGION, AWS_ENDPOINT_URL');
  });

  it('DD_SITE is reported by its name: exit 2', async () => {
    const run = await ddAwsOrg(['plan'], { DD_SITE: 'datadoghq.xyz', DD_API_URL: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dd-aws-org: DD_SITE=datadoghq.xyz: unknown Datadog site "datadoghq.xyz"');
  });

  it('--help ends with the exit codes', async () => {
    const run = await ddAwsOrg(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {3}done[\s\S]*\n {2}75 {2}converge \/ handle-event: retry later/);
  });
});
