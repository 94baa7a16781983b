/**
 * `dd-aws-org integration list | head -1`: the reader closes stdout after the first chunk. The
 * command must end quietly (no EPIPE, no stack trace) with its own exit code, both from source
 * (what `npm run cli` runs) and as the bundled dist/dd-aws-org.js (built here from source).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

const ROOT = join(__dirname, '..', '..');
const API_KEY = 'closed-stdout-api-key-0000';
const APP_KEY = 'closed-stdout-app-key-0000';
/** Far more than a pipe's 64 KiB buffer, so that writes go on after the reader has left. */
const INTEGRATIONS = 2000;

const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
const buildDir = mkdtempSync(join(tmpdir(), 'dd-aws-org-dist-'));
const bundled = join(buildDir, 'dd-aws-org.js');

beforeAll(async () => {
  await standin.start();
  for (let i = 0; i < INTEGRATIONS; i++) {
    standin.seed({ account_id: String(100000000000 + i), role_name: 'DatadogIntegrationRole', host_tags: [`team:${'x'.repeat(40)}`] });
  }
  // The same build as scripts/build-cli.mjs (npm's prepare), into a temp dir: dist/ is left alone.
  await build({ entryPoints: [join(ROOT, 'bin', 'dd-aws-org.ts')], outfile: bundled, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
}, 60_000);

afterAll(async () => {
  await standin.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstChunk: string;
}

/** Runs the CLI with stdout piped, and closes our end of the pipe as soon as the first chunk arrives. */
function runAndCloseStdout(entry: string[], args: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_PATH: join(ROOT, 'node_modules'),
        DD_API_URL: standin.url,
        DD_API_KEY: API_KEY,
        DD_APP_KEY: APP_KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let firstChunk = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', (chunk: Buffer) => {
      firstChunk = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stderr, firstChunk }));
  });
}

const fromSource = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'dd-aws-org.ts')];

describe('a closed stdout ends the command quietly', () => {
  it.each([
    ['from source (npm run cli)', () => fromSource],
    ['the bundled dist/dd-aws-org.js', () => [bundled]],
  ])('%s: integration list | head -1', async (_name, entry) => {
    const ended = await runAndCloseStdout(entry(), ['integration', '--api-version', 'v1', 'list']);
    expect(ended.firstChunk).toMatch(/^ACCOUNT ID/);
    expect(ended.stderr).not.toMatch(/EPIPE|Error|at .*\.(ts|js):\d+/);
    // Nothing on stderr but where the configuration came from.
    expect(ended.stderr).toMatch(/^dd-aws-org: configuration from [^\n]*\n$/);
    expect(ended).toMatchObject({ code: 0, signal: null });
  }, 60_000);

  it('--json too', async () => {
    const ended = await runAndCloseStdout(fromSource, ['integration', '--api-version', 'v1', 'list', '--json']);
    expect(ended.firstChunk.startsWith('{')).toBe(true);
    // Nothing on stderr but where the configuration came from.
    expect(ended.stderr).toMatch(/^dd-aws-org: configuration from [^\n]*\n$/);
    expect(ended.code).toBe(0);
  }, 60_000);
});
