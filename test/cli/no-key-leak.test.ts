import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Fault } from '@datadog-aws-org-integration/standins/datadog';
import { ACCOUNT_A, ROLE, runCliCollect, useDatadogStandin } from './harness';

/**
 * Whatever happens, neither Datadog key appears in anything the CLI prints. The keys are
 * distinctive (no hex-only runs, nothing the CLI could print by chance), so a search for
 * them, or for any long piece of them, finds only a leak.
 */

const API_KEY = 'ApiKeyQz7Wx3Vn9Pr5Tj2Lk8Hm4';
const APP_KEY = 'AppKeyYu6Gd1Fs0Bc7Xe3Nq9Rw5Zt2Kv8';
/** Keys a user got wrong: they must not leak either. */
const WRONG_API_KEY = 'WrongApiQm4Hx8Jz2Vc6Tn1Ls5';
const WRONG_APP_KEY = 'WrongAppGy7Pw3Dk9Rb5Fu0Xe2Sq';
const SECRET_ID = 'datadog/keys';

const { standin, files } = useDatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
const secretsManager = mockClient(SecretsManagerClient);
afterAll(() => secretsManager.restore());
beforeEach(() => secretsManager.reset());

const statuses = (count: number, fault: Fault): Fault[] => Array.from({ length: count }, () => fault);
const echo = `key ${API_KEY} with application key ${APP_KEY} is not valid here`;

interface Scenario {
  name: string;
  args: string[] | (() => string[]);
  /** Environment keys (default: the right ones). */
  keys?: { apiKey?: string; appKey?: string };
  faults?: Fault[];
  /** A SecretString for --secret-id scenarios. */
  secret?: string;
  seed?: boolean;
  exit: number;
}

const create = ['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE];
const list = ['integration', 'list'];

const scenarios: Scenario[] = [
  { name: 'bad account ID', args: ['integration', 'create', '--account-id', '1234-5678-9012', '--role-name', ROLE], exit: 2 },
  { name: 'the API key given as the account ID', args: ['integration', 'list', '--account-id', API_KEY], exit: 2 },
  { name: 'the application key given as a host tag', args: [...create, '--host-tag', APP_KEY], exit: 2 },
  { name: 'unknown option', args: [...list, '--api-key'], exit: 2 },
  { name: 'unknown site', args: ['--site', 'nowhere', ...list], exit: 2 },
  {
    name: '400 whose JSON body echoes both keys',
    args: create,
    faults: [{ kind: 'status', status: 400, body: { errors: [echo, { detail: API_KEY }] } }],
    exit: 1,
  },
  {
    name: '400 whose body is not Datadog\'s errors object and echoes both keys',
    args: create,
    faults: [{ kind: 'status', status: 400, body: { message: echo } }],
    exit: 1,
  },
  {
    name: '400 whose long non-JSON body is cut off in the middle of the echoed key',
    args: create,
    // The CLI shows a 200-character excerpt of such a body: the API key starts 20 characters before the cut.
    faults: [{ kind: 'status', status: 400, body: `${'x'.repeat(179)} ${API_KEY} ${'y'.repeat(50)}` }],
    exit: 1,
  },
  { name: '403 (wrong keys)', args: list, keys: { apiKey: WRONG_API_KEY, appKey: WRONG_APP_KEY }, exit: 1 },
  {
    name: '403 whose body echoes the wrong keys',
    args: list,
    keys: { apiKey: WRONG_API_KEY, appKey: WRONG_APP_KEY },
    faults: [{ kind: 'status', status: 403, body: { errors: [`Forbidden: ${WRONG_API_KEY} / ${WRONG_APP_KEY}`] } }],
    exit: 1,
  },
  { name: '409 (already exists)', args: create, seed: true, exit: 1 },
  {
    name: '429 until the attempts run out',
    args: list,
    faults: statuses(5, { kind: 'status', status: 429, headers: { 'x-ratelimit-reset': '1', 'x-ratelimit-name': API_KEY } }),
    exit: 1,
  },
  {
    name: '500 until the attempts run out, body echoing the keys',
    args: ['integration', 'namespaces'],
    faults: statuses(5, { kind: 'status', status: 500, body: { errors: [echo] } }),
    exit: 1,
  },
  { name: 'connection reset on every attempt', args: create, faults: statuses(5, { kind: 'reset' }), exit: 1 },
  {
    name: 'timeout (requestTimeoutMs 1000, a request that never answers)',
    args: () => ['--config', files.write('timeout.json', { datadog: { requestTimeoutMs: 1000, maxAttempts: 1 } }), ...list],
    faults: [{ kind: 'hang' }],
    exit: 1,
  },
  { name: 'API key with a newline in it', args: list, keys: { apiKey: 'ApiKeyQz7Wx3Vn9\nPr5Tj2Lk8Hm4' }, exit: 2 },
  { name: 'application key with a space in it', args: list, keys: { appKey: 'AppKeyYu6Gd1Fs0Bc7 Xe3Nq9Rw5Zt2Kv8' }, exit: 2 },
  {
    name: 'keys with a trailing newline, 400 echoing them',
    args: create,
    keys: { apiKey: `${API_KEY}\n`, appKey: `${APP_KEY}\n` },
    faults: [{ kind: 'status', status: 400, body: { errors: [echo] } }],
    exit: 1,
  },
  {
    name: 'secret that is not JSON and contains the key text',
    args: ['--secret-id', SECRET_ID, ...list],
    keys: { apiKey: undefined, appKey: undefined },
    secret: `apiKey=${API_KEY}\nappKey=${APP_KEY}`,
    exit: 2,
  },
  {
    name: 'secret whose keys are not strings',
    args: ['--secret-id', SECRET_ID, ...list],
    keys: { apiKey: undefined, appKey: undefined },
    secret: JSON.stringify({ apiKey: [API_KEY], appKey: { value: APP_KEY } }),
    exit: 2,
  },
  {
    name: 'keys from a secret, 400 echoing them',
    args: ['--secret-id', SECRET_ID, ...create],
    keys: { apiKey: undefined, appKey: undefined },
    secret: JSON.stringify({ apiKey: API_KEY, appKey: APP_KEY }),
    faults: [{ kind: 'status', status: 400, body: { errors: [echo] } }],
    exit: 1,
  },
  {
    name: 'wrong keys from a secret (403)',
    args: ['--secret-id', SECRET_ID, ...list],
    keys: { apiKey: undefined, appKey: undefined },
    secret: JSON.stringify({ apiKey: WRONG_API_KEY, appKey: WRONG_APP_KEY }),
    exit: 1,
  },
  { name: '--json success (list)', args: [...list, '--json'], seed: true, exit: 0 },
  { name: '--json success (create)', args: [...create, '--json'], exit: 0 },
  { name: 'human success (rotate-external-id)', args: ['integration', 'rotate-external-id', '--account-id', ACCOUNT_A, '--role-name', ROLE], seed: true, exit: 0 },
  {
    name: 'success whose response carries the key (a host tag echoing it)',
    args: [...list, '--json'],
    faults: [{ kind: 'status', status: 200, body: { accounts: [{ account_id: ACCOUNT_A, role_name: ROLE, host_tags: [`k:${API_KEY}`] }] } }],
    exit: 0,
  },
  { name: '--help', args: ['integration', 'create', '--help'], exit: 0 },
  { name: '--help at the top', args: ['--help'], exit: 0 },
];

/** Every 8-character piece of a key, so that part of a key counts as a leak too. */
function pieces(key: string): string[] {
  const core = key.trim();
  return Array.from({ length: Math.max(0, core.length - 7) }, (_, i) => core.slice(i, i + 8)).filter((piece) => !/\s/.test(piece));
}

describe('no key in any output', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    if (scenario.seed) standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-seeded' });
    if (scenario.faults) standin.inject(...scenario.faults);
    if (scenario.secret !== undefined) {
      secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: scenario.secret });
    }
    const keys = { apiKey: API_KEY, appKey: APP_KEY, ...scenario.keys };
    const run = await runCliCollect(typeof scenario.args === 'function' ? scenario.args() : scenario.args, {
      env: { DD_API_URL: standin.url, DD_API_KEY: keys.apiKey, DD_APP_KEY: keys.appKey },
      secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }),
    });

    expect(run.code).toBe(scenario.exit);
    const output = run.stdout + run.stderr;
    expect(output.length).toBeGreaterThan(0);
    for (const key of [API_KEY, APP_KEY, WRONG_API_KEY, WRONG_APP_KEY]) {
      expect(output).not.toContain(key);
    }
    for (const key of [API_KEY, APP_KEY, WRONG_API_KEY, WRONG_APP_KEY, keys.apiKey ?? '', keys.appKey ?? '']) {
      const leaked = pieces(key).filter((piece) => output.includes(piece));
      expect(leaked).toEqual([]);
    }
  });
});
