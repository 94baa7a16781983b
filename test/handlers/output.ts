/**
 * Captures what Powertools Logger and Metrics print. Both write JSON lines through their own
 * node:console Console bound to process.stdout / process.stderr (errors and warnings go to
 * stderr), so the writes to those streams are intercepted while capturing: kept, not shown.
 * (Metrics' own warnings, such as "No application metrics to publish", are plain text.)
 */

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface EmfBlob {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

export interface CapturedOutput {
  /** Everything written to stdout and stderr while capturing, JSON or not. */
  text(): string;
  /** Logger lines (not EMF). */
  logs(): LogLine[];
  /** Embedded-metric-format blobs, one per publishStoredMetrics with metrics. */
  emf(): EmfBlob[];
  /** Metric name -> sum of its values over every blob. */
  metrics(): Record<string, number>;
  clear(): void;
  restore(): void;
}

type Write = typeof process.stdout.write;

export function captureOutput(): CapturedOutput {
  let all = '';
  const json: unknown[] = [];

  const intercept = (stream: NodeJS.WriteStream) => {
    return jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      all += text;
      const lines = text.split('\n').filter((line) => line.trim() !== '');
      const parsed = lines.map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      });
      json.push(...parsed.filter((p) => typeof p === 'object' && p !== null));
      return true;
    }) as Write);
  };

  const spies = [intercept(process.stdout), intercept(process.stderr)];
  const isEmf = (item: unknown): item is EmfBlob => typeof item === 'object' && item !== null && '_aws' in item;
  const emf = () => json.filter(isEmf);

  return {
    text: () => all,
    logs: () => json.filter((item): item is LogLine => !isEmf(item) && typeof (item as LogLine).message === 'string'),
    emf,
    metrics: () => {
      const totals: Record<string, number> = {};
      for (const blob of emf()) {
        for (const directive of blob._aws.CloudWatchMetrics) {
          for (const { Name } of directive.Metrics) {
            const value = blob[Name];
            const values = Array.isArray(value) ? (value as number[]) : [value as number];
            totals[Name] = (totals[Name] ?? 0) + values.reduce((sum, v) => sum + v, 0);
          }
        }
      }
      return totals;
    },
    clear: () => {
      all = '';
      json.length = 0;
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
