import { isPlainObject } from '../lambda/config/environment';

/**
 * Everything the CLI prints goes through here, and every known secret is masked on the
 * way out: the last line of defence that keeps keys out of any output, whatever happens.
 */
export class Output {
  private readonly secrets = new Set<string>();
  /** Where the run's configuration came from: added as `configSource` to every JSON object printed. */
  private configSource: string | undefined;

  constructor(
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
  ) {}

  addSecrets(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.trim().length >= 4) this.secrets.add(value.trim());
  }

  stdout(text: string): void {
    this.out(this.mask(text));
  }

  stderr(text: string): void {
    this.err(this.mask(text));
  }

  line(text = ''): void {
    this.stdout(text + '\n');
  }

  setConfigSource(description: string | undefined): void {
    this.configSource = description;
  }

  json(value: unknown): void {
    const tagged = this.configSource !== undefined && isPlainObject(value) ? { configSource: this.configSource, ...value } : value;
    this.line(JSON.stringify(tagged, null, 2));
  }

  mask(text: string): string {
    let masked = text;
    for (const secret of this.secrets) masked = masked.split(secret).join('[redacted]');
    return masked;
  }
}

/** A plain left-aligned table; empty cells show as "-". */
export function table(headers: string[], rows: string[][]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === '' ? '-' : cell)));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const format = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [format(headers), ...cells.map(format)].join('\n');
}

/**
 * A writer for process.stdout or process.stderr that outlives the reader: once the other end
 * is closed (`dd-aws-org ... | head -1`), the stream's EPIPE is absorbed and later writes are
 * dropped, so the command finishes what it is doing (an apply is never cut between two calls)
 * and exits with its own code, without a stack trace. Any other stream error still surfaces.
 */
export function closableWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}
