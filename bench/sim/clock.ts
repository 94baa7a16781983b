/**
 * Virtual time for the benchmark simulation. Simulated services "take" 60-150 ms per call and
 * wait for rate-limit tokens, but nothing really sleeps: `sleep` registers a virtual timer, and
 * whenever the process has nothing else to do the clock jumps to the earliest pending timer and
 * resolves it. An org-wide reconcile that would take an hour of wall time runs in seconds, and
 * the virtual time it reports is what the real services would have cost.
 *
 * "Nothing else to do" is detected with setImmediate: a timer registration schedules a check two
 * macrotask turns later, by which time every promise chain the resolved timers started has run
 * (the microtask queue drains after each macrotask) and has registered its next timers. At the
 * check, if timers are pending, `now` moves to the earliest due time and every timer due then
 * resolves, in registration order; then the next check is scheduled. Same program, same seed:
 * same order of events, same virtual times.
 *
 * Only code that waits on this clock (or on promises) is driven; code that awaits real I/O or
 * real timers is not virtualised (and `run` reports a stall if the function waits on nothing
 * the clock knows about).
 */

export interface VirtualClockOptions {
  /** The virtual time at start, in ms (0). */
  startMs?: number;
  /** Wall-clock instant that virtual time 0 stands for, for `date()` (2026-01-05T09:00:00Z). */
  epochMs?: number;
  /**
   * `run` rejects when its function is still pending after this many consecutive checks that
   * found no timer (it waits on something the clock does not drive). 0 disables the check.
   */
  stallChecks?: number;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

interface ActiveRun {
  readonly reject: (error: Error) => void;
}

export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
const DEFAULT_STALL_CHECKS = 10_000;

/** Earlier due time first; equal times in registration order. */
function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A binary min-heap of timers (a sorted array would cost O(n) per insert with 10^4 pending). */
class TimerHeap {
  private readonly items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(items[index]!, items[parent]!)) break;
      [items[index], items[parent]] = [items[parent]!, items[index]!];
      index = parent;
    }
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === index) break;
      [items[index], items[smallest]] = [items[smallest]!, items[index]!];
      index = smallest;
    }
    return top;
  }
}

export class VirtualClock {
  readonly epochMs: number;
  private current: number;
  private readonly timers = new TimerHeap();
  private readonly runs = new Set<ActiveRun>();
  private readonly stallChecks: number;
  private seq = 0;
  private checkScheduled = false;
  private idleChecks = 0;
  private advances = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.startMs ?? 0;
    this.epochMs = options.epochMs ?? DEFAULT_EPOCH_MS;
    this.stallChecks = options.stallChecks ?? DEFAULT_STALL_CHECKS;
  }

  /** Virtual milliseconds. */
  now(): number {
    return this.current;
  }

  /** The virtual instant as a Date (epochMs + now()). */
  date(): Date {
    return new Date(this.epochMs + this.current);
  }

  /** Timers registered and not yet resolved. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** How many times virtual time moved (for diagnostics: each move costs two macrotask turns). */
  get steps(): number {
    return this.advances;
  }

  /** Resolves when virtual time reaches now() + ms (0, negative or NaN: at the next check). */
  sleep(ms: number): Promise<void> {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    return new Promise<void>((resolve) => {
      this.timers.push({ at: this.current + delay, seq: this.seq++, resolve });
      this.scheduleCheck();
    });
  }

  /**
   * Runs `fn` to completion under the clock and returns its result. Timers drive themselves, so
   * this is mostly a guard: it keeps checks going while `fn` is pending and rejects if `fn`
   * waits on nothing the clock drives (see `stallChecks`).
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const active: ActiveRun = { reject };
      this.runs.add(active);
      this.scheduleCheck();
      let result: Promise<T>;
      try {
        result = Promise.resolve(fn());
      } catch (error) {
        this.runs.delete(active);
        reject(error as Error);
        return;
      }
      result.then(
        (value) => {
          this.runs.delete(active);
          resolve(value);
        },
        (error: unknown) => {
          this.runs.delete(active);
          reject(error as Error);
        },
      );
    });
  }

  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    // Twice: promise chains resumed by the last resolution (and anything they hand to
    // setImmediate themselves) run before the clock decides that the process is idle.
    setImmediate(() => setImmediate(() => this.check()));
  }

  private check(): void {
    this.checkScheduled = false;
    const first = this.timers.peek();
    if (!first) {
      if (this.runs.size === 0) return;
      this.idleChecks += 1;
      if (this.stallChecks > 0 && this.idleChecks >= this.stallChecks) {
        this.idleChecks = 0;
        const stalled = [...this.runs];
        this.runs.clear();
        const error = new Error(
          `VirtualClock.run: stalled at ${this.current} ms virtual: the function is pending but no virtual timer is (it waits on something the clock does not drive)`,
        );
        for (const run of stalled) run.reject(error);
        return;
      }
      this.scheduleCheck();
      return;
    }
    this.idleChecks = 0;
    if (first.at > this.current) this.current = first.at;
    this.advances += 1;
    const due = this.current;
    while (this.timers.size > 0 && this.timers.peek()!.at <= due) this.timers.pop()!.resolve();
    if (this.timers.size > 0 || this.runs.size > 0) this.scheduleCheck();
  }
}
