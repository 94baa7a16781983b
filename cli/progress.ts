import type { ConvergeResult } from '../lambda/converge';

/**
 * Progress of apply: a one-line bar with counts and ETA on a terminal, a plain line per
 * account otherwise (logs, CI).
 */
export class Progress {
  private done = 0;
  private readonly counts = new Map<string, number>();
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
    private readonly now: () => number,
  ) {
    this.started = now();
  }

  record(result: ConvergeResult): void {
    this.done++;
    this.counts.set(result.status, (this.counts.get(result.status) ?? 0) + 1);
    if (this.terminal) {
      this.write(`\r${this.bar()}`);
    } else {
      const types = result.actions.map((a) => a.type).join(', ');
      this.write(`[${this.done}/${this.total}] ${result.accountId} ${result.status}${types ? ` (${types})` : ''}${result.error ? `: ${result.error}` : ''}\n`);
    }
  }

  finish(): void {
    if (this.terminal) this.write('\n');
  }

  summary(): string {
    const counts = [...this.counts].map(([status, n]) => `${n} ${status}`).join(', ');
    return `${this.done} of ${this.total} accounts worked on: ${counts || 'none'}`;
  }

  private bar(): string {
    const failed = this.counts.get('error') ?? 0;
    return progressBar(this.done, this.total, this.now() - this.started, failed ? `, ${failed} failed` : '');
  }
}

/** `[####......] 3/10, extra ETA 0m12s`: the ETA from the pace so far. */
function progressBar(done: number, total: number, elapsedMs: number, extra = ''): string {
  const width = 30;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  const etaSeconds = done > 0 ? Math.round(((elapsedMs / done) * (total - done)) / 1000) : undefined;
  const eta = etaSeconds === undefined ? '' : ` ETA ${Math.floor(etaSeconds / 60)}m${String(etaSeconds % 60).padStart(2, '0')}s`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${extra}${eta}`;
}

/**
 * What a long read is doing (the organization walk, the role reads), as one line redrawn in
 * place on a terminal; nothing at all elsewhere, so logs and --json stay as they were.
 */
export class StatusLine {
  private shown = false;
  private counting?: { label: string; started: number };

  constructor(
    private readonly write: (text: string) => void,
    private readonly terminal: boolean,
    private readonly now: () => number,
  ) {}

  show(text: string): void {
    if (!this.terminal) return;
    // \x1b[K clears what a longer previous text left on the line.
    this.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  /** A bar for `label`, its ETA timed from the first count of that label. */
  count(label: string, done: number, total: number): void {
    if (!this.terminal) return;
    if (this.counting?.label !== label) this.counting = { label, started: this.now() };
    this.show(`${label} ${progressBar(done, total, this.now() - this.counting.started)}`);
  }

  /** Leaves the last state on its line. */
  end(): void {
    if (this.shown) this.write('\n');
    this.shown = false;
    this.counting = undefined;
  }
}
