import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runCli } from '../../cli/program';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

/** What one in-process CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The delays the CLI asked to sleep for (retries), in ms. */
  sleeps: number[];
}

export interface CliRunOptions {
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  secretsManager?: () => SecretsManagerClient;
  /** The directory the CLI is started from, where ./cdk.json is looked for; default this one, which has none; null: as bin/ does (INIT_CWD, else process.cwd()). */
  cwd?: string | null;
}

/** The line every run that reads its configuration starts stderr with. */
export const sourceLine = (description: string): string => `dd-aws-org: configuration from ${description}\n`;
/** Where the configuration of a run started in the harness's default directory comes from. */
export const DEFAULTS = 'defaults (no --config, no ./cdk.json)';

/** Runs the CLI in-process, collecting its output; retries never really wait. */
export async function runCliCollect(args: string[], options: CliRunOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const code = await runCli(args, {
    env: options.env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.secretsManager && { secretsManager: options.secretsManager }),
    ...(options.cwd !== null && { cwd: () => options.cwd ?? __dirname }),
  });
  return { code, stdout, stderr, sleeps };
}

/** A temporary directory for config files, removed by `cleanup()`. */
export function tempFiles(): { dir: string; write(name: string, content: string | object): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dd-aws-org-test-'));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch that answers every call with one JSON body and records the URLs asked for. */
export function stubFetch(body: unknown, status = 200): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const stub: typeof fetch = async (input) => {
    urls.push(String(input));
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: stub, urls };
}

export const ACCOUNT_A = '123456789012';
export const ACCOUNT_B = '210987654321';
export const ROLE = 'DatadogIntegrationRole';

/** For one test file: the Datadog stand-in, started once and reset before each test, and a temporary directory. */
export function useDatadogStandin(keys: { apiKey: string; appKey: string }): { standin: DatadogStandin; files: ReturnType<typeof tempFiles> } {
  const standin = new DatadogStandin(keys);
  const files = tempFiles();
  beforeAll(async () => {
    await standin.start();
  });
  afterAll(async () => {
    await standin.stop();
    files.cleanup();
  });
  beforeEach(() => standin.reset());
  return { standin, files };
}

/**
 * For one test file: the Datadog stand-in (v1 and v2 over one store), started once and reset
 * before each test, a temporary directory, and a CLI run against the stand-in that checks that
 * neither key reaches its output.
 */
export function standinSession(keys: { apiKey: string; appKey: string }) {
  const { standin, files } = useDatadogStandin(keys);
  const cli = async (args: string[], extra: { fetch?: typeof fetch; cwd?: string } = {}): Promise<CliRun> => {
    const run = await runCliCollect(args, {
      env: { DD_API_URL: standin.url, DD_API_KEY: keys.apiKey, DD_APP_KEY: keys.appKey },
      secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }),
      ...extra,
    });
    for (const key of [keys.apiKey, keys.appKey]) expect(run.stdout + run.stderr).not.toContain(key);
    return run;
  };
  return { standin, files, cli };
}
