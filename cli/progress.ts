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
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    const elapsed = this.now() - this.started;
    const etaSeconds = this.done > 0 ? Math.round(((elapsed / this.done) * (this.total - this.done)) / 1000) : undefined;
    const eta = etaSeconds === undefined ? '' : ` ETA ${Math.floor(etaSeconds / 60)}m${String(etaSeconds % 60).padStart(2, '0')}s`;
    const failed = this.counts.get('error') ?? 0;
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}${failed ? `, ${failed} failed` : ''}${eta}`;
  }
}
