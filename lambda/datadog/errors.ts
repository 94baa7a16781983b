import { ProductError } from '../domain/errors';

/** What went wrong, as a caller decides on it (retry, adopt, tell the user). */
export type DatadogErrorKind =
  | 'bad-request' // 400: Datadog rejected the request's content
  | 'forbidden' // 403: a key is wrong or lacks a permission
  | 'not-found' // 404
  | 'conflict' // 409: already exists, or a concurrent write
  | 'rate-limited' // 429
  | 'server' // 5xx
  | 'timeout' // no answer within the per-request timeout
  | 'network' // connection refused, reset, DNS...
  | 'unexpected'; // any other status, or a body that is not the JSON we expect

export interface RateLimit {
  readonly limit?: number;
  readonly period?: number;
  readonly remaining?: number;
  /** Seconds until the window resets. */
  readonly reset?: number;
  readonly name?: string;
}

const RETRYABLE: ReadonlySet<DatadogErrorKind> = new Set(['rate-limited', 'server', 'timeout', 'network']);

/** Every failure of a Datadog call. Carries the operation, status and Datadog's messages; never a key. */
export class DatadogApiError extends Error {
  override readonly name = 'DatadogApiError';

  constructor(
    readonly operation: string,
    readonly kind: DatadogErrorKind,
    /** HTTP status, absent for timeouts and network errors. */
    readonly status: number | undefined,
    /** Datadog's errors, one readable line each (strings as sent, JSON:API objects as title: detail (meta)), or a short excerpt of another body. */
    readonly errors: readonly string[],
    message: string,
    readonly attempts = 1,
    readonly rateLimit?: RateLimit,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export function kindOfStatus(status: number): DatadogErrorKind {
  if (status === 400) return 'bad-request';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status >= 500 && status <= 599) return 'server';
  return 'unexpected';
}

/** The external ID of an answer that must carry one (create, rotate, mint). */
export function requireExternalId(externalId: string | undefined, operation: string): string {
  if (externalId) return externalId;
  throw new DatadogApiError(operation, 'unexpected', 200, [], `${operation} answered without an external_id`);
}

/** A call the API version cannot make (see the port's capabilities): the caller's mistake, never retryable. */
export class UnsupportedByVersionError extends ProductError {
  override readonly name = 'UnsupportedByVersionError';
  constructor(operation: string, why: string) {
    super(`${operation}: ${why}`, false);
  }
}
