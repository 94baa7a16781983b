import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatadogCredentials } from '../../lambda/datadog/credentials';
import { DatadogApiError } from '../../lambda/datadog/errors';
import { DatadogHttp, type DatadogHttpOptions, type RetryNotice } from '../../lambda/datadog/http';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

/** Long enough that redact() applies (>= 4 characters), distinctive enough to grep for. */
export const API_KEY = 'apikey0123456789abcdef0123456789';
export const APP_KEY = 'appkey0123456789abcdef0123456789abcdef01';
export const CREDENTIALS: DatadogCredentials = { apiKey: API_KEY, appKey: APP_KEY };
export const CREDENTIALS_HINT = 'DD_API_KEY (API key) and DD_APP_KEY (application key)';

/** A Datadog stand-in for the enclosing suite: started before it, emptied before each test, stopped after. */
export function useStandin(): DatadogStandin {
  const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  beforeAll(() => standin.start());
  beforeEach(() => standin.reset());
  afterAll(() => standin.stop());
  return standin;
}

export interface HttpHarness {
  readonly http: DatadogHttp;
  /** Every delay passed to sleep(), in order; sleep resolves at once. */
  readonly sleeps: number[];
  readonly retries: RetryNotice[];
}

/** A DatadogHttp with fast, deterministic retries: sleep records and resolves at once, random is fixed. */
export function makeHttp(baseUrl: string, options: Partial<DatadogHttpOptions> = {}): HttpHarness {
  const sleeps: number[] = [];
  const retries: RetryNotice[] = [];
  const http = new DatadogHttp({
    baseUrl,
    credentials: async () => CREDENTIALS,
    credentialsHint: CREDENTIALS_HINT,
    timeoutMs: 5000,
    maxAttempts: 3,
    maxRetryWaitMs: 10_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onRetry: (notice) => retries.push(notice),
    ...options,
  });
  return { http, sleeps, retries };
}

/** Runs fn and returns what it threw or rejected with (sync throws included); fails if it succeeded. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, but the call succeeded');
}

export async function apiError(fn: () => unknown): Promise<DatadogApiError> {
  const error = await caught(fn);
  if (!(error instanceof DatadogApiError)) throw new Error(`expected a DatadogApiError, got ${String(error)}`);
  return error;
}

export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawReply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface RawServer {
  readonly url: string;
  readonly requests: RawRequest[];
  stop(): Promise<void>;
}

/**
 * A bare loopback HTTP server for what the stand-in cannot do: show the raw request headers,
 * and answer with bodies that are not JSON.
 */
export async function startRawServer(reply: (request: RawRequest) => RawReply): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(request);
      const answer = reply(request);
      const text = answer.body ?? '';
      res.writeHead(answer.status, { 'content-length': Buffer.byteLength(text), ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
