import type { CredentialsProvider, DatadogCredentials } from './credentials';
import { errorMessages, parseJson } from './error-body';
import { OutOfTimeError, type TimeBudget } from '../domain/time-budget';
import { DatadogApiError, kindOfStatus, type RateLimit } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface DatadogRequest {
  /** Datadog's operationId, e.g. ListAWSAccounts: named in every error. */
  readonly operation: string;
  /** Datadog permission the application key needs, named when Datadog answers 403. */
  readonly permission: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
}

export interface RetryNotice {
  readonly operation: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: DatadogApiError;
}

export interface DatadogHttpOptions {
  /** e.g. https://api.datadoghq.com, or DD_API_URL. */
  readonly baseUrl: string;
  readonly credentials: CredentialsProvider;
  /** Where the keys come from, for the 403 hint: e.g. "DD_API_KEY and DD_APP_KEY". */
  readonly credentialsHint: string;
  readonly timeoutMs: number;
  /** Total attempts per call, first one included. */
  readonly maxAttempts: number;
  /** Longest wait for a 429's X-RateLimit-Reset; a longer reset fails at once. */
  readonly maxRetryWaitMs: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly userAgent?: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (notice: RetryNotice) => void;
  /** The invocation's time left: a retry wait that would outlast it fails at once with OutOfTimeError. */
  readonly budget?: TimeBudget;
}

/** What a retry must keep after its wait: the attempt itself, at most one request timeout. */
const afterWaitMs = (options: DatadogHttpOptions) => options.timeoutMs;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Datadog's HTTP transport: auth headers, per-request timeout, retries with backoff and
 * jitter on 429 / 5xx / network errors, and typed errors. No retry on any other 4xx.
 */
export class DatadogHttp {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  constructor(private readonly options: DatadogHttpOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 20_000;
  }

  async request<T>(request: DatadogRequest): Promise<T> {
    const credentials = await this.options.credentials();
    const maxAttempts = Math.max(1, this.options.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(request, credentials, attempt);
      if (outcome.ok) return outcome.value;
      const error = outcome.error;
      const delayMs = error.retryable && attempt < maxAttempts ? this.retryDelay(error, attempt) : undefined;
      if (delayMs === undefined) throw error;
      if (this.options.budget && !this.options.budget.allows(delayMs, afterWaitMs(this.options))) {
        throw new OutOfTimeError(`Datadog ${request.operation}: waiting ${Math.ceil(delayMs / 1000)} s to retry would outlast the invocation`, { cause: error });
      }
      this.options.onRetry?.({ operation: request.operation, attempt, delayMs, error });
      await this.sleep(delayMs);
    }
  }

  /** Wait before the next attempt, or undefined when waiting is pointless. */
  private retryDelay(error: DatadogApiError, attempt: number): number | undefined {
    const reset = error.rateLimit?.reset;
    if (error.kind === 'rate-limited' && reset !== undefined) {
      // The bound applies to Datadog's reset; the small jitter only spreads clients that share a window.
      return reset * 1000 <= this.options.maxRetryWaitMs ? reset * 1000 + this.random() * 250 : undefined;
    }
    // Equal jitter: at least half the exponential step, so retries never bunch at zero.
    const step = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return step / 2 + this.random() * (step / 2);
  }

  private async attempt<T>(
    request: DatadogRequest,
    credentials: DatadogCredentials,
    attempt: number,
  ): Promise<{ ok: true; value: T } | { ok: false; error: DatadogApiError }> {
    const fail = (kind: DatadogApiError['kind'], status: number | undefined, errors: string[], detail: string, rateLimit?: RateLimit) => ({
      ok: false as const,
      error: new DatadogApiError(
        request.operation,
        kind,
        status,
        errors.map((e) => redact(e, credentials)),
        redact(`${request.operation} failed: ${detail}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`, credentials),
        attempt,
        rateLimit && { ...rateLimit, name: rateLimit.name === undefined ? undefined : redact(rateLimit.name, credentials) },
      ),
    });

    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.url(request), {
        method: request.method,
        headers: this.headers(request, credentials),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return fail('timeout', undefined, [], `Datadog did not answer within ${this.options.timeoutMs} ms`);
      }
      return fail('network', undefined, [], `cannot reach Datadog at ${this.options.baseUrl}: ${networkReason(error)}`);
    }

    const body = parseJson(text);
    if (response.ok) {
      if (text.trim() === '') return { ok: true, value: {} as T };
      if (body === undefined) return fail('unexpected', response.status, [], `Datadog answered ${response.status} with a body that is not JSON`);
      return { ok: true, value: body as T };
    }

    const kind = kindOfStatus(response.status);
    // Redact before any excerpt is cut, or a key straddling the cut would escape the redaction.
    const safeText = redact(text, credentials);
    const errors = errorMessages(safeText, response.statusText);
    const rateLimit = kind === 'rate-limited' ? readRateLimit(response.headers) : undefined;
    const said = errors.length ? `: ${errors.join('; ')}` : '';
    let detail = `Datadog answered ${response.status} ${response.statusText || ''}`.trimEnd() + said;
    if (kind === 'forbidden') {
      detail += `. Check ${this.options.credentialsHint}: the API key must belong to the Datadog organization on ${this.options.baseUrl}, and the application key's user needs the ${request.permission} permission`;
    } else if (kind === 'rate-limited' && rateLimit?.reset !== undefined) {
      detail += ` (rate limit${rateLimit.name ? ` ${rateLimit.name}` : ''} resets in ${rateLimit.reset} s)`;
    }
    return fail(kind, response.status, errors, detail, rateLimit);
  }

  private url(request: DatadogRequest): string {
    // Concatenate rather than resolve, so a proxy base URL with a path (https://proxy/datadog) keeps it.
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url.toString();
  }

  private headers(request: DatadogRequest, credentials: DatadogCredentials): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'DD-API-KEY': credentials.apiKey,
      'DD-APPLICATION-KEY': credentials.appKey,
      'User-Agent': this.options.userAgent ?? 'datadog-aws-org-integration',
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    return headers;
  }
}

function readRateLimit(headers: Headers): RateLimit {
  const number = (name: string) => {
    const value = Number(headers.get(name));
    return headers.has(name) && Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  return {
    limit: number('x-ratelimit-limit'),
    period: number('x-ratelimit-period'),
    remaining: number('x-ratelimit-remaining'),
    reset: number('x-ratelimit-reset'),
    name: headers.get('x-ratelimit-name') ?? undefined,
  };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** Belt and braces: no key ever leaves in a message, whatever a server or library echoes back. */
export function redact(text: string, credentials: DatadogCredentials): string {
  let result = text;
  for (const secret of [credentials.apiKey, credentials.appKey]) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
