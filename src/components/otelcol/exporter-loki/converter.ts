/**
 * Groups converted entries into one LogBatch per label set and hands them to
 * the Loki receivers, counting entries as Alloy's converter does.
 */
import { Counter } from '../../../runtime/prom-client.js';
import type { ComponentContext } from '../../../runtime/component.js';
import { fanOut as fanOutLogs, labelsString, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import { ConsumerError } from '../pdata/consumer.js';
import type { LogsData } from '../pdata/model.js';
import { logToLokiEntry, type LokiEntry } from './convert.js';

interface Stream {
  readonly labels: Record<string, string>;
  readonly entries: LokiEntry[];
}

export class LokiConverter {
  private readonly total: Counter;
  private readonly failed: Counter;
  private readonly processed: Counter;

  constructor(private readonly ctx: ComponentContext<unknown>) {
    const registers = [ctx.registry];
    this.total = new Counter({ name: 'otelcol_exporter_loki_entries_total', help: 'Total number of log entries passed through the converter', registers });
    this.failed = new Counter({ name: 'otelcol_exporter_loki_entries_failed', help: 'Total number of log entries failed to convert', registers });
    this.processed = new Counter({ name: 'otelcol_exporter_loki_entries_processed', help: 'Total number of log entries successfully converted', registers });
  }

  async consume(data: LogsData, receivers: readonly LogsReceiver[]): Promise<void> {
    const streams = new Map<string, Stream>();
    for (const rl of data.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          this.total.inc();
          let entry: LokiEntry;
          try {
            entry = logToLokiEntry(record, rl.resource?.attributes, sl.scope);
          } catch (err) {
            this.failed.inc();
            this.ctx.logger.error('failed to convert log to loki entry', { err: err instanceof Error ? err.message : String(err) });
            continue;
          }
          this.processed.inc();
          const key = labelsString(entry.labels);
          let stream = streams.get(key);
          if (!stream) streams.set(key, (stream = { labels: entry.labels, entries: [] }));
          stream.entries.push(entry);
        }
      }
    }
    this.ctx.debug(() => `${streams.size} streams, ${[...streams.values()].reduce((n, s) => n + s.entries.length, 0)} entries`);
    try {
      await Promise.all([...streams.values()].map((s) => fanOutLogs(receivers, batchOf(s))));
    } catch (err) {
      throw new ConsumerError(err instanceof Error ? err.message : String(err), false);
    }
  }
}

function batchOf(s: Stream): LogBatch {
  const n = s.entries.length;
  const ms = new Float64Array(n);
  const ns = new Int32Array(n);
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const e = s.entries[i]!;
    ms[i] = e.ms;
    ns[i] = e.ns;
    lines[i] = e.line;
  }
  return { labels: s.labels, ms, ns, lines };
}
