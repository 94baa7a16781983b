import { StateError } from './errors';

/**
 * The time an invocation has left, shared by the worker (which sets it from the Lambda context)
 * and the Datadog client (which will not start a wait that outlasts it). Unlimited until set.
 */
export class TimeBudget {
  private remaining: (() => number) | undefined;

  /** From now on, the time left is what `remainingMs` says (Lambda's context.getRemainingTimeInMillis). */
  track(remainingMs: () => number): void {
    this.remaining = remainingMs;
  }

  remainingMs(): number {
    return this.remaining ? this.remaining() : Number.POSITIVE_INFINITY;
  }

  /** Whether a wait of `waitMs` still leaves `reserveMs` for what follows it. */
  allows(waitMs: number, reserveMs = 0): boolean {
    return waitMs + reserveMs <= this.remainingMs();
  }
}

/** A wait (Datadog's 429 reset) would outlast the invocation: the account is returned to the queue, not failed. */
export class OutOfTimeError extends StateError {
  override readonly name: string = 'OutOfTimeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, true, options);
  }
}
