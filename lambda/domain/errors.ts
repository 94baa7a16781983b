/**
 * The product's errors, each saying whether trying again later can help: the worker retries
 * what is retryable and reports the rest as failed, the CLI exits 75 or 1 accordingly.
 */
export class ProductError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * "The input or the configuration is wrong": nothing was sent anywhere, and the message names
 * the field and the fix. Never retryable; the CLI maps it to exit code 2.
 */
export class InputError extends ProductError {
  override readonly name: string = 'InputError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}

/** What was found keeps the product from going on now (an account not reachable, an answer not understood). */
export class StateError extends ProductError {
  override readonly name: string = 'StateError';
}

/** AWS's error names for "too many requests" or "busy": trying again later helps. */
const AWS_TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ConcurrentModification',
  'ConcurrentModificationException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Node.js system error codes of a connection that failed: the network, not the request. */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EPIPE']);

interface ErrorShape {
  readonly retryable?: unknown;
  readonly name?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
}

/**
 * May trying again later succeed? The product's errors say so themselves; an AWS SDK error is
 * transient when AWS throttled, was busy or failed on its side, and permanent for any other
 * refusal of the request (a missing permission, a malformed policy); an error of unknown kind
 * is taken as transient, so that nothing is given up on a guess.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const shape = error as ErrorShape;
  if (typeof shape.retryable === 'boolean') return shape.retryable;
  if (shape.$retryable !== undefined || AWS_TRANSIENT.has(shape.name ?? '') || shape.$fault === 'server') return true;
  if (shape.code !== undefined && NETWORK_CODES.has(shape.code)) return true;
  return shape.$fault !== 'client';
}

/** The message of anything thrown, for a result line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
