import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DatadogApiError } from '../../lambda/datadog/errors';

/** ../shared beside the repository, where Datadog's OpenAPI documents live (never copied here). */
export const SHARED_DIR = resolve(__dirname, '..', '..', '..', 'shared');
export const DATADOG_V1_SPEC = join(SHARED_DIR, 'datadog', 'aws-integration-v1.openapi.yaml');
const PRISM_BIN = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'prism');

export interface Violation {
  method: string;
  url: string;
  status: number;
  violations: { location?: string[]; severity: string; message: string }[];
}

export interface PrismProxy {
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * `prism proxy <spec> <upstream> --errors`: forwards to our stateful stand-in and rejects any
 * request (422) or response (500) that breaks Datadog's document, marking it in `sl-violations`.
 */
export async function startPrismProxy(spec: string, upstream: string, port?: number): Promise<PrismProxy> {
  if (!existsSync(spec)) throw new Error(`OpenAPI document not found: ${spec}`);
  const listenPort = port ?? (await freePort());
  const child: ChildProcess = spawn(
    PRISM_BIN,
    ['proxy', spec, upstream, '--errors', '--host', '127.0.0.1', '--port', String(listenPort)],
    { env: { ...process.env, SCARF_ANALYTICS: 'false', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Prism is listening')) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with code ${code}:\n${output}`));
    });
  });
  // Keep draining its output so that a chatty Prism never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${listenPort}`,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  /** Prism itself answered (application/problem+json): a violation or a Prism error, not the stand-in. */
  fromPrism: boolean;
}

export interface ViolationRecorder {
  fetch: typeof fetch;
  violations: Violation[];
  responses: SeenResponse[];
}

/**
 * Wraps fetch to record every spec violation Prism reports. Response violations come in the
 * `sl-violations` header; a request Prism rejects (422) carries them only in its problem body.
 */
export function violationRecorder(base: typeof fetch = fetch): ViolationRecorder {
  const violations: Violation[] = [];
  const responses: SeenResponse[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await base(input, init);
    const method = init?.method ?? 'GET';
    const url = String(input);
    const fromPrism = (response.headers.get('content-type') ?? '').includes('application/problem+json');
    const header = response.headers.get('sl-violations');
    if (header) {
      violations.push({ method, url, status: response.status, violations: JSON.parse(header) });
    } else if (fromPrism) {
      const problem = (await response.clone().json()) as { validation?: Violation['violations'] };
      if (Array.isArray(problem.validation) && problem.validation.length > 0) {
        violations.push({ method, url, status: response.status, violations: problem.validation });
      }
    }
    responses.push({ method, url, status: response.status, fromPrism });
    return response;
  };
  return { fetch: recording, violations, responses };
}

/** The X-RateLimit-* headers the contract suites send with a 429, as DatadogApiError parses them. */
export const CONTRACT_RATE_LIMIT = { limit: 60, period: 60, remaining: 0, reset: 42, name: 'aws_integration' };

/**
 * A documented error status went through Prism untouched and became the right typed error:
 * one attempt, one request to the stand-in, one response with that status.
 */
export async function expectDocumentedError(
  call: Promise<unknown>,
  expected: { operation: string; status: number; kind: string },
  seen: { requests: readonly unknown[]; recorder: ViolationRecorder },
): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatadogApiError);
  expect(error).toMatchObject({ ...expected, attempts: 1 });
  if (expected.status === 429) expect((error as DatadogApiError).rateLimit).toEqual(CONTRACT_RATE_LIMIT);
  expect(seen.requests).toHaveLength(1);
  expect(seen.recorder.responses.map((r) => r.status)).toEqual([expected.status]);
}
