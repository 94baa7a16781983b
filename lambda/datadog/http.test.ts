import { DatadogApiError, type DatadogErrorKind } from './errors';
import { redact, type DatadogRequest, type RetryNotice } from './http';
import type { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import {
  API_KEY,
  APP_KEY,
  CREDENTIALS,
  CREDENTIALS_HINT,
  apiError,
  makeHttp,
  startRawServer,
  useStandin,
  type RawServer,
} from '../../test/support/datadog-http';

const LIST: DatadogRequest = {
  operation: 'ListAWSAccounts',
  permission: 'aws_configuration_read',
  method: 'GET',
  path: '/api/v1/integration/aws',
};

const CREATE: DatadogRequest = {
  operation: 'CreateAWSAccount',
  permission: 'aws_configurations_manage',
  method: 'POST',
  path: '/api/v1/integration/aws',
  body: { account_id: '123456789012', role_name: 'DatadogIntegrationRole' },
};

const standin = useStandin();

describe('DatadogHttp success path', () => {
  it('sends both keys and returns the parsed JSON body', async () => {
    const { http, sleeps } = makeHttp(standin.url);
    standin.seed({ account_id: '123456789012', role_name: 'R', external_id: 'hidden' });

    const response = await http.request<{ accounts: unknown[] }>(LIST);

    expect(response).toEqual({ accounts: [{ account_id: '123456789012', role_name: 'R' }] });
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/integration/aws', query: {}, authorized: true });
    expect(sleeps).toEqual([]);
  });

  it('is answered 403 forbidden by the stand-in when a key is wrong (authorized=false)', async () => {
    const { http } = makeHttp(standin.url, { credentials: async () => ({ apiKey: API_KEY, appKey: 'wrong-app-key' }) });

    const error = await apiError(() => http.request(LIST));

    expect(error.kind).toBe('forbidden');
    expect(standin.requests).toHaveLength(1);
    expect(standin.requests[0]!.authorized).toBe(false);
  });

  it('sends the JSON body of a write and returns what Datadog answered', async () => {
    const { http } = makeHttp(standin.url);

    const response = await http.request<{ external_id: string }>(CREATE);

    expect(response.external_id).toMatch(/^[0-9a-f]{32}$/);
    expect(standin.requests[0]).toMatchObject({ method: 'POST', body: CREATE.body, authorized: true });
    expect(standin.stored()).toEqual([{ ...(CREATE.body as object), external_id: response.external_id }]);
  });

  it('sends the query parameters and skips the undefined ones', async () => {
    const { http } = makeHttp(standin.url);

    await http.request({
      ...LIST,
      query: { account_id: '123456789012', role_name: undefined, access_key_id: 'AKIA EXAMPLE&x=1' },
    });

    expect(standin.requests[0]!.query).toEqual({ account_id: '123456789012', access_key_id: 'AKIA EXAMPLE&x=1' });
  });

  it.each(['/datadog', '/datadog/'])('keeps the path of a proxy base URL (%s)', async (prefix) => {
    const { http } = makeHttp(standin.url + prefix, { maxAttempts: 1 });

    await expect(http.request(LIST)).rejects.toMatchObject({ kind: 'not-found' });

    expect(standin.requests[0]!.path).toBe('/datadog/api/v1/integration/aws');
  });

  it('reads the credentials once per call, before the first attempt', async () => {
    const credentials = jest.fn(async () => CREDENTIALS);
    const { http } = makeHttp(standin.url, { credentials });
    standin.inject({ kind: 'status', status: 503 });

    await http.request(LIST);

    expect(credentials).toHaveBeenCalledTimes(1);
    expect(standin.requests.map((r) => r.authorized)).toEqual([true, true]);
  });

  it('answers {} for an empty 2xx body (204 from the stand-in)', async () => {
    const { http } = makeHttp(standin.url);
    standin.inject({ kind: 'status', status: 204 });

    await expect(http.request(LIST)).resolves.toEqual({});
  });
});

describe('DatadogHttp headers and bodies on the wire', () => {
  let raw: RawServer;
  let replies: { status: number; body?: string; headers?: Record<string, string> }[];

  beforeAll(async () => {
    raw = await startRawServer(() => replies.shift() ?? { status: 200, body: '{}' });
  });

  afterAll(async () => {
    await raw.stop();
  });

  beforeEach(() => {
    raw.requests.length = 0;
    replies = [];
  });

  it('a GET carries the keys, Accept and the User-Agent, and no Content-Type and no body', async () => {
    const { http } = makeHttp(raw.url);

    await http.request(LIST);

    const [request] = raw.requests;
    expect(request!.headers['dd-api-key']).toBe(API_KEY);
    expect(request!.headers['dd-application-key']).toBe(APP_KEY);
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('datadog-aws-org-integration');
    expect(request!.headers['content-type']).toBeUndefined();
    expect(request!.body).toBe('');
  });

  it('a request with a body carries Content-Type: application/json and the JSON text', async () => {
    const { http } = makeHttp(raw.url, { userAgent: 'dd-aws-org/1.2.3' });

    await http.request(CREATE);

    const [request] = raw.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('dd-aws-org/1.2.3');
    expect(JSON.parse(request!.body)).toEqual(CREATE.body);
  });

  it('answers {} for a 200 with an empty (or blank) body', async () => {
    const { http } = makeHttp(raw.url);
    replies.push({ status: 200, body: '' }, { status: 200, body: ' \n ' });

    await expect(http.request(LIST)).resolves.toEqual({});
    await expect(http.request(LIST)).resolves.toEqual({});
  });

  it('a 2xx body that is not JSON fails with kind unexpected, without retrying', async () => {
    const { http, sleeps } = makeHttp(raw.url);
    replies.push({ status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } });

    const error = await apiError(() => http.request(LIST));

    expect(error).toMatchObject({ kind: 'unexpected', status: 200, operation: 'ListAWSAccounts', attempts: 1 });
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('not JSON');
    expect(raw.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('an error body that is not JSON becomes a short whitespace-collapsed excerpt in errors', async () => {
    const { http } = makeHttp(raw.url, { maxAttempts: 1 });
    replies.push({ status: 502, body: '<html>\n  <body>Bad   Gateway</body>\n</html>\n' + 'x'.repeat(500) });

    const error = await apiError(() => http.request(LIST));

    expect(error.kind).toBe('server');
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]!.startsWith('<html> <body>Bad Gateway</body> </html> xxx')).toBe(true);
    expect(error.errors[0]!.length).toBe(200);
  });
});

describe('DatadogHttp status -> DatadogApiError', () => {
  it.each<[number, DatadogErrorKind, boolean]>([
    [400, 'bad-request', false],
    [401, 'forbidden', false],
    [403, 'forbidden', false],
    [404, 'not-found', false],
    [409, 'conflict', false],
    [418, 'unexpected', false],
    [429, 'rate-limited', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
  ])('%i becomes kind %s (retryable %s)', async (status, kind, retryable) => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status, body: { errors: [`first ${status}`, { detail: 'second' }] } });

    const error = await apiError(() => http.request(CREATE));

    expect(error).toBeInstanceOf(DatadogApiError);
    expect(error.name).toBe('DatadogApiError');
    expect(error).toMatchObject({ kind, status, operation: 'CreateAWSAccount', attempts: 1 });
    expect(error.errors).toEqual([`first ${status}`, 'second']);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(`CreateAWSAccount failed: Datadog answered ${status}`);
    expect(error.message).toContain(`first ${status}`);
    expect(error.message).not.toContain('after');
    expect(standin.requests).toHaveLength(1);
  });

  it('403 names the credentials hint, the base URL and the permission the request needs', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 403, body: { errors: ['Forbidden'] } });

    const error = await apiError(() => http.request(CREATE));

    expect(error.kind).toBe('forbidden');
    expect(error.errors).toEqual(['Forbidden']);
    expect(error.message).toContain(CREDENTIALS_HINT);
    expect(error.message).toContain(standin.url);
    expect(error.message).toContain('aws_configurations_manage permission');
  });

  it('a non-403 error does not talk about permissions', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 400, body: { errors: ['bad'] } });

    const error = await apiError(() => http.request(CREATE));

    expect(error.message).not.toContain(CREDENTIALS_HINT);
    expect(error.message).not.toContain('permission');
  });

  it('an error body without an errors array is shown as an excerpt', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 400, body: { message: 'nope' } });

    const error = await apiError(() => http.request(LIST));

    expect(error.errors).toEqual(['{"message":"nope"}']);
  });
});

describe('DatadogHttp no retry on other 4xx', () => {
  it.each([400, 401, 403, 404, 409, 418])('%i is tried exactly once', async (status) => {
    const { http, sleeps, retries } = makeHttp(standin.url, { maxAttempts: 5 });
    standin.inject({ kind: 'status', status });

    const error = await apiError(() => http.request(CREATE));

    expect(error.status).toBe(status);
    expect(error.attempts).toBe(1);
    expect(standin.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(retries).toEqual([]);
    expect(standin.stored()).toEqual([]);
  });
});

describe('DatadogHttp rate limits (429)', () => {
  const rateLimitHeaders = {
    'X-RateLimit-Limit': '100',
    'X-RateLimit-Period': '60',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': '3',
    'X-RateLimit-Name': 'aws_integration',
  };

  it('waits X-RateLimit-Reset seconds (plus up to 250 ms of jitter), then succeeds', async () => {
    const { http, sleeps, retries } = makeHttp(standin.url);
    standin.inject({ kind: 'status', status: 429, headers: rateLimitHeaders });

    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });

    expect(standin.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(3000);
    expect(sleeps[0]).toBeLessThanOrEqual(3250);
    expect(sleeps[0]).toBe(3125); // random() = 0.5
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error.rateLimit).toEqual({ limit: 100, period: 60, remaining: 0, reset: 3, name: 'aws_integration' });
  });

  it.each([
    [0, 3000],
    [0.999, 3249.75],
  ])('the jitter stays within 0-250 ms (random %p -> %p ms)', async (random, expected) => {
    const { http, sleeps } = makeHttp(standin.url, { random: () => random });
    standin.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '3' } });

    await http.request(LIST);

    expect(sleeps).toEqual([expected]);
  });

  it('the last 429 is thrown with the parsed rate limit and names it in the message', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 429, headers: rateLimitHeaders, body: { errors: ['Too many requests'] } });

    const error = await apiError(() => http.request(LIST));

    expect(error.kind).toBe('rate-limited');
    expect(error.rateLimit).toEqual({ limit: 100, period: 60, remaining: 0, reset: 3, name: 'aws_integration' });
    expect(error.message).toContain('rate limit aws_integration resets in 3 s');
  });

  it('a reset longer than maxRetryWaitMs fails at once, without sleeping', async () => {
    const { http, sleeps, retries } = makeHttp(standin.url, { maxAttempts: 5, maxRetryWaitMs: 5000 });
    standin.inject({ kind: 'status', status: 429, headers: { ...rateLimitHeaders, 'X-RateLimit-Reset': '30' } });

    const error = await apiError(() => http.request(LIST));

    expect(error).toMatchObject({ kind: 'rate-limited', status: 429, attempts: 1 });
    expect(error.rateLimit?.reset).toBe(30);
    expect(standin.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(retries).toEqual([]);
  });

  // Regression: the jitter was once added before comparing with maxRetryWaitMs, so a reset equal to the bound was never waited for.
  it('a reset exactly equal to maxRetryWaitMs is still waited for', async () => {
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts: 2, maxRetryWaitMs: 3000 });
    standin.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '3' } });

    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });
    expect(sleeps).toHaveLength(1);
  });

  it('a 429 without rate-limit headers falls back to exponential backoff', async () => {
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts: 4, backoffBaseMs: 100 });
    standin.inject({ kind: 'status', status: 429 }, { kind: 'status', status: 429 }, { kind: 'status', status: 429 });

    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });

    expect(sleeps).toEqual([75, 150, 300]);
    expect(standin.requests).toHaveLength(4);
  });

  it('ignores rate-limit headers that are not non-negative numbers', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({
      kind: 'status',
      status: 429,
      headers: { 'X-RateLimit-Limit': 'lots', 'X-RateLimit-Reset': '-1', 'X-RateLimit-Remaining': '7' },
    });

    const error = await apiError(() => http.request(LIST));

    expect(error.rateLimit).toEqual({ limit: undefined, period: undefined, remaining: 7, reset: undefined, name: undefined });
  });
});

describe('DatadogHttp retries', () => {
  it.each([500, 502, 503])('retries a %i and returns the later success', async (status) => {
    const { http, sleeps } = makeHttp(standin.url);
    standin.inject({ kind: 'status', status });

    await expect(http.request(CREATE)).resolves.toHaveProperty('external_id');

    expect(standin.requests).toHaveLength(2);
    expect(standin.requests.every((r) => r.authorized)).toBe(true);
    expect(sleeps).toEqual([375]); // default base 500: 250 + 0.5 * 250
    expect(standin.stored()).toHaveLength(1);
  });

  it.each<[string, Parameters<DatadogStandin['inject']>[0], DatadogErrorKind]>([
    ['503', { kind: 'status', status: 503 }, 'server'],
    ['429 without headers', { kind: 'status', status: 429 }, 'rate-limited'],
    ['a connection reset', { kind: 'reset' }, 'network'],
  ])('stops after maxAttempts on %s', async (_name, fault, kind) => {
    const maxAttempts = 4;
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts });
    standin.inject(fault, fault, fault, fault, fault, fault);

    const error = await apiError(() => http.request(LIST));

    expect(error.kind).toBe(kind);
    expect(error.attempts).toBe(maxAttempts);
    expect(error.message).toContain(`(after ${maxAttempts} attempts)`);
    expect(standin.requests).toHaveLength(maxAttempts);
    expect(sleeps).toHaveLength(maxAttempts - 1);
  });

  it.each([0, -3])('maxAttempts %i still makes one attempt', async (maxAttempts) => {
    const { http } = makeHttp(standin.url, { maxAttempts });
    standin.inject({ kind: 'status', status: 503 });

    const error = await apiError(() => http.request(LIST));

    expect(error.attempts).toBe(1);
    expect(standin.requests).toHaveLength(1);
  });

  it('a connection reset is kind network, and is retried', async () => {
    const { http, retries } = makeHttp(standin.url);
    standin.inject({ kind: 'reset' });

    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });

    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toMatchObject({ kind: 'network', status: undefined, errors: [], attempts: 1 });
    expect(retries[0]!.error.message).toContain(`cannot reach Datadog at ${standin.url}`);
    expect(standin.requests).toHaveLength(2);
  });

  it('a refused connection is kind network', async () => {
    const raw = await startRawServer(() => ({ status: 200 }));
    const url = raw.url;
    await raw.stop();
    const { http } = makeHttp(url, { maxAttempts: 2 });

    const error = await apiError(() => http.request(LIST));

    expect(error).toMatchObject({ kind: 'network', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('a server that hangs past timeoutMs is kind timeout, and is retried', async () => {
    const { http, retries } = makeHttp(standin.url, { timeoutMs: 200 });
    standin.inject({ kind: 'hang' });

    const started = Date.now();
    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });

    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.error).toMatchObject({ kind: 'timeout', status: undefined, attempts: 1 });
    expect(retries[0]!.error.message).toContain('did not answer within 200 ms');
    expect(standin.requests).toHaveLength(2);
  });

  it('a slow answer within timeoutMs is not a timeout', async () => {
    const { http, retries } = makeHttp(standin.url, { timeoutMs: 2000 });
    standin.inject({ kind: 'delay', ms: 50 });

    await expect(http.request(LIST)).resolves.toEqual({ accounts: [] });
    expect(retries).toEqual([]);
  });

  it.each([
    [0, [50, 100, 200, 400, 800]],
    [0.5, [75, 150, 300, 600, 1200]],
    [1, [100, 200, 400, 800, 1600]],
  ])('backoff doubles each attempt with equal jitter (random %p)', async (random, expected) => {
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts: 6, backoffBaseMs: 100, backoffMaxMs: 60_000, random: () => random });
    standin.inject(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 503 })));

    await http.request(LIST);

    expect(sleeps).toEqual(expected);
    // Equal jitter: every wait is at least half of its exponential step.
    sleeps.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual((100 * 2 ** i) / 2));
  });

  it('backoff is capped by backoffMaxMs', async () => {
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts: 6, backoffBaseMs: 1000, backoffMaxMs: 3000 });
    standin.inject(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));

    await http.request(LIST);

    expect(sleeps).toEqual([750, 1500, 2250, 2250, 2250]);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(3000);
  });

  it('uses 500 ms base and 20 s cap by default', async () => {
    const { http, sleeps } = makeHttp(standin.url, { maxAttempts: 10, random: () => 1 });
    standin.inject(...Array.from({ length: 9 }, () => ({ kind: 'status' as const, status: 503 })));

    await http.request(LIST);

    expect(sleeps).toEqual([500, 1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]);
  });

  it('tells onRetry about each failed attempt, its delay and its error, before sleeping', async () => {
    const events: string[] = [];
    const onRetry = jest.fn((notice: RetryNotice) => events.push(`retry ${notice.attempt}`));
    const { http: observed } = makeHttp(standin.url, {
      maxAttempts: 3,
      backoffBaseMs: 100,
      sleep: async (ms) => {
        events.push(`sleep ${ms}`);
      },
      onRetry,
    });
    standin.inject({ kind: 'status', status: 502, body: { errors: ['upstream'] } }, { kind: 'reset' });

    await observed.request(LIST);

    expect(onRetry).toHaveBeenCalledTimes(2);
    const [first, second] = onRetry.mock.calls.map(([notice]) => notice);
    expect(first).toMatchObject({ operation: 'ListAWSAccounts', attempt: 1, delayMs: 75 });
    expect(first!.error).toMatchObject({ kind: 'server', status: 502, errors: ['upstream'], attempts: 1 });
    expect(second).toMatchObject({ operation: 'ListAWSAccounts', attempt: 2, delayMs: 150 });
    expect(second!.error).toMatchObject({ kind: 'network', attempts: 2 });
    expect(events).toEqual(['retry 1', 'sleep 75', 'retry 2', 'sleep 150']);
  });

  it('does not call onRetry when the last attempt fails', async () => {
    const { http, retries } = makeHttp(standin.url, { maxAttempts: 2 });
    standin.inject({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });

    await apiError(() => http.request(LIST));

    expect(retries.map((r) => r.attempt)).toEqual([1]);
  });
});

describe('keys never leak', () => {
  const secrets = [API_KEY, APP_KEY];

  function expectNoKeys(error: DatadogApiError): void {
    const surfaces = [error.message, error.stack ?? '', JSON.stringify(error), JSON.stringify(error.errors), String(error)];
    for (const surface of surfaces) {
      for (const secret of secrets) expect(surface).not.toContain(secret);
    }
  }

  it('a server that echoes the keys in its errors is redacted everywhere', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 400, body: { errors: [`bad key ${API_KEY}`, `and app key ${APP_KEY}!`] } });

    const error = await apiError(() => http.request(LIST));

    expect(error.kind).toBe('bad-request');
    expect(error.errors).toEqual(['bad key [redacted]', 'and app key [redacted]!']);
    expect(error.message).toContain('bad key [redacted]');
    expectNoKeys(error);
  });

  it('a 403 echoing the keys in a non-JSON body is redacted', async () => {
    const raw = await startRawServer(() => ({ status: 403, body: `denied for ${API_KEY}/${APP_KEY}` }));
    try {
      const { http } = makeHttp(raw.url);
      const error = await apiError(() => http.request(LIST));
      expect(error.errors).toEqual(['denied for [redacted]/[redacted]']);
      expectNoKeys(error);
    } finally {
      await raw.stop();
    }
  });

  it('retried errors told to onRetry are redacted too', async () => {
    const { http, retries } = makeHttp(standin.url);
    standin.inject({ kind: 'status', status: 503, body: { errors: [`overloaded, key ${API_KEY}`] } });

    await http.request(LIST);

    expect(retries[0]!.error.errors).toEqual(['overloaded, key [redacted]']);
    expectNoKeys(retries[0]!.error);
  });

  it('a key that cannot be sent in a header is not quoted back by the transport error', async () => {
    const badKey = 'apikey-with\nnewline-0123456789';
    const { http } = makeHttp(standin.url, { maxAttempts: 1, credentials: async () => ({ apiKey: badKey, appKey: APP_KEY }) });

    const error = await apiError(() => http.request(LIST));

    expect(error.message).not.toContain(badKey);
    expect(JSON.stringify(error)).not.toContain(JSON.stringify(badKey).slice(1, -1));
    expect(standin.requests).toHaveLength(0);
  });

  // Regression: rateLimit.name was once copied unredacted, leaking an echoed key through JSON.stringify(error).
  it('a key echoed in X-RateLimit-Name does not reach the error', async () => {
    const { http } = makeHttp(standin.url, { maxAttempts: 1 });
    standin.inject({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '1', 'X-RateLimit-Name': API_KEY } });

    const error = await apiError(() => http.request(LIST));

    expectNoKeys(error);
  });

  it.each([
    ['both keys', `a ${API_KEY} b ${APP_KEY}`, 'a [redacted] b [redacted]'],
    ['repeated', `${API_KEY}${API_KEY}`, '[redacted][redacted]'],
    ['nothing to hide', 'plain text', 'plain text'],
  ])('redact replaces %s', (_name, text, expected) => {
    expect(redact(text, CREDENTIALS)).toBe(expected);
  });

  it('redact leaves keys shorter than 4 characters alone (they would mangle every message)', () => {
    expect(redact('abc abcd', { apiKey: 'abc', appKey: 'abcd' })).toBe('abc [redacted]');
  });
});
