/**
 * What one call to a simulated service costs in virtual time: a rate-limit token (the call
 * queues for it, as a client-side limiter honouring the service's limit would, rather than
 * failing), optionally a free connection slot, then the service's latency; only then does the
 * operation itself run. Counts every call by operation, reads and writes, errors, and the peak
 * number of calls in flight.
 */

import type { VirtualClock } from './clock';

export interface ServiceLimits {
  /** For reports: 'organizations', 'iam', 'datadog'... */
  name: string;
  /** Per-call latency in virtual ms, fixed or per operation. */
  latencyMs: number | ((operation: string, write: boolean) => number);
  /** Token bucket for every call (unlimited when absent). */
  ratePerSecond?: number;
  /** Tokens the bucket holds when full (1: a steady rate, no burst). */
  burst?: number;
  /** An extra bucket that only reads take from (e.g. Datadog's read limit). */
  readRatePerSecond?: number;
  readBurst?: number;
  /** An extra bucket that only writes take from (e.g. Datadog's write limit). */
  writeRatePerSecond?: number;
  writeBurst?: number;
  /** At most this many calls in flight (latency + operation); the rest wait in FIFO order. */
  concurrency?: number;
}

export interface CallOptions {
  /** The call changes state (counted as a write; takes from the write bucket). */
  write?: boolean;
}

export interface OperationStats {
  calls: number;
  reads: number;
  writes: number;
  errors: number;
}

export interface ServiceStats extends OperationStats {
  name: string;
  /** By operation name, in order of first call. */
  operations: Record<string, OperationStats>;
  /** The most calls in their latency/operation phase at once. */
  maxInFlight: number;
  /** The most calls waiting for a token or a slot at once. */
  maxQueued: number;
  /** Virtual ms spent waiting for rate-limit tokens, summed over calls. */
  rateWaitMs: number;
  /** Virtual ms spent waiting for a concurrency slot, summed over calls. */
  slotWaitMs: number;
  /** Virtual time of the last call's end (0 before any). */
  lastCallEndMs: number;
}

function requirePositive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${what} must be a positive number, not ${value}`);
  return value;
}

/**
 * A token bucket in virtual time. Reservations are taken in call order and may drive the
 * balance negative: the n-th waiting caller waits for the n-th future token. That is FIFO,
 * exact and needs no polling.
 */
export class TokenBucket {
  private readonly rate: number;
  private readonly capacity: number;
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly clock: VirtualClock,
    ratePerSecond: number,
    burst = 1,
  ) {
    this.rate = requirePositive(ratePerSecond, 'ratePerSecond');
    this.capacity = requirePositive(burst, 'burst');
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  /** Takes the next token; returns how many virtual ms until it is there (0: now). */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
  }

  /** Waits (in virtual time) for a token. */
  async take(): Promise<number> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait);
    return wait;
  }
}

/** A FIFO counting semaphore: a released slot goes straight to the longest waiter. */
class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];
  private head = 0;

  constructor(private readonly size: number) {}

  acquire(): Promise<void> | undefined {
    if (this.used < this.size) {
      this.used += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head]!;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.used -= 1;
  }
}

function emptyStats(): OperationStats {
  return { calls: 0, reads: 0, writes: 0, errors: 0 };
}

export class SimulatedService {
  readonly name: string;
  private readonly latency: (operation: string, write: boolean) => number;
  private readonly all?: TokenBucket;
  private readonly reads?: TokenBucket;
  private readonly writes?: TokenBucket;
  private readonly slots?: Slots;
  private totals = emptyStats();
  private operations = new Map<string, OperationStats>();
  private inFlightNow = 0;
  private queuedNow = 0;
  private peakInFlight = 0;
  private peakQueued = 0;
  private rateWait = 0;
  private slotWait = 0;
  private lastEnd = 0;

  constructor(
    private readonly clock: VirtualClock,
    limits: ServiceLimits,
  ) {
    this.name = limits.name;
    const latency = limits.latencyMs;
    if (typeof latency === 'number') {
      if (!Number.isFinite(latency) || latency < 0) throw new Error(`${limits.name}: latencyMs must be 0 or more, not ${latency}`);
      this.latency = () => latency;
    } else {
      this.latency = latency;
    }
    if (limits.ratePerSecond !== undefined) this.all = new TokenBucket(clock, limits.ratePerSecond, limits.burst);
    if (limits.readRatePerSecond !== undefined) this.reads = new TokenBucket(clock, limits.readRatePerSecond, limits.readBurst);
    if (limits.writeRatePerSecond !== undefined) this.writes = new TokenBucket(clock, limits.writeRatePerSecond, limits.writeBurst);
    if (limits.concurrency !== undefined) {
      if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1) {
        throw new Error(`${limits.name}: concurrency must be a whole number of at least 1, not ${limits.concurrency}`);
      }
      this.slots = new Slots(limits.concurrency);
    }
  }

  /** Waits for a token (and a slot), then the latency, then runs `fn`; its result or error is the call's. */
  async call<T>(operation: string, fn: () => T | Promise<T>, options: CallOptions = {}): Promise<T> {
    const write = options.write === true;
    const stats = this.operationStats(operation);
    for (const target of [stats, this.totals]) {
      target.calls += 1;
      if (write) target.writes += 1;
      else target.reads += 1;
    }

    this.queuedNow += 1;
    if (this.queuedNow > this.peakQueued) this.peakQueued = this.queuedNow;
    let slotTaken = false;
    try {
      const ownBucket = write ? this.writes : this.reads;
      if (ownBucket) this.rateWait += await ownBucket.take();
      if (this.all) this.rateWait += await this.all.take();
      if (this.slots) {
        const waiting = this.slots.acquire();
        if (waiting) {
          const start = this.clock.now();
          await waiting;
          this.slotWait += this.clock.now() - start;
        }
        slotTaken = true;
      }
    } finally {
      this.queuedNow -= 1;
    }

    this.inFlightNow += 1;
    if (this.inFlightNow > this.peakInFlight) this.peakInFlight = this.inFlightNow;
    try {
      await this.clock.sleep(this.latency(operation, write));
      return await fn();
    } catch (error) {
      stats.errors += 1;
      this.totals.errors += 1;
      throw error;
    } finally {
      this.inFlightNow -= 1;
      this.lastEnd = Math.max(this.lastEnd, this.clock.now());
      if (slotTaken) this.slots?.release();
    }
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  get maxInFlight(): number {
    return this.peakInFlight;
  }

  /** A snapshot of the counters. */
  stats(): ServiceStats {
    const operations: Record<string, OperationStats> = {};
    for (const [name, stats] of this.operations) operations[name] = { ...stats };
    return {
      name: this.name,
      ...this.totals,
      operations,
      maxInFlight: this.peakInFlight,
      maxQueued: this.peakQueued,
      rateWaitMs: this.rateWait,
      slotWaitMs: this.slotWait,
      lastCallEndMs: this.lastEnd,
    };
  }

  /** Zeroes the counters (not the buckets: tokens already spent stay spent). */
  resetStats(): void {
    this.totals = emptyStats();
    this.operations = new Map();
    this.peakInFlight = this.inFlightNow;
    this.peakQueued = this.queuedNow;
    this.rateWait = 0;
    this.slotWait = 0;
    this.lastEnd = 0;
  }

  private operationStats(operation: string): OperationStats {
    let stats = this.operations.get(operation);
    if (!stats) {
      stats = emptyStats();
      this.operations.set(operation, stats);
    }
    return stats;
  }
}
