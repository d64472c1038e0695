/**
 * End-to-end acknowledgement through OTLP: the OpenTelemetry JS SDK's
 * OTLP/HTTP (protobuf) log exporter → otelcol.receiver.otlp →
 * otelcol.exporter.loki → loki.write with `wal { enabled = true }`. While the
 * Loki stand-in is down the receiver answers success once the entries are in
 * loki.write's WAL; the agent is then killed with SIGKILL, restarted with the
 * same --storage.path, Loki comes back, and every log record the SDK saw
 * accepted arrives (at least once, duplicates at most one exported batch).
 * The control: without the WAL the same export is not acknowledged while
 * Loki is down (success follows delivery there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { freePort } from '../support/free-port.js';

if (!hasDist && process.env.CI) throw new Error('OTLP → loki.write WAL test needs dist/ in CI');
if (!hasDist) console.warn('[skip] OTLP → loki.write WAL test: dist/ is not built (npm run build)');

/** @opentelemetry/core's ExportResultCode (core is not a direct dependency of this package). */
const SUCCESS = 0;
const FAILED = 1;
type ExportResult = Parameters<Parameters<LogRecordExporter['export']>[1]>[0];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The SDK's exporter, recording what each export call was told (the SDK's own view of success). */
class RecordingExporter implements LogRecordExporter {
  readonly results: { records: number; code: number; error?: string }[] = [];
  constructor(private readonly inner: OTLPLogExporter) {}
  export(logs: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(logs, (result) => {
      this.results.push({ records: logs.length, code: result.code, ...(result.error ? { error: result.error.message } : {}) });
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}

const BATCH = 50;

function config(otlpPort: number, lokiUrl: string, wal: boolean): string {
  return `
otelcol.receiver.otlp "in" {
  http { endpoint = "127.0.0.1:${otlpPort}" }
  output { logs = [otelcol.exporter.loki.l.input] }
}
otelcol.exporter.loki "l" {
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                = "${lokiUrl}"
    batch_wait         = "100ms"
    min_backoff_period = "50ms"
    max_backoff_period = "200ms"
  }
  wal {
    enabled = ${wal}
  }
}
`;
}

async function startAgent(storage: string, otlpPort: number, loki: LokiReceiver, wal: boolean): Promise<{ agent: AgentProcess; args: string[] }> {
  const file = path.join(storage, 'config.alloy');
  await writeFile(file, config(otlpPort, loki.pushUrl, wal));
  const args = [file, `--storage.path=${path.join(storage, 'data')}`];
  const { agent } = await AgentProcess.start(args);
  cleanups.push(() => agent.stop());
  await agent.waitForLog(/finished complete graph evaluation/);
  return { agent, args };
}

/** Emits `count` records through the SDK (batches of BATCH) and waits until every export call returned. */
async function emitThroughSdk(otlpPort: number, count: number, timeoutMillis: number): Promise<RecordingExporter> {
  const exporter = new RecordingExporter(new OTLPLogExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs`, timeoutMillis }));
  const provider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: BATCH, scheduledDelayMillis: 20, maxQueueSize: count, exportTimeoutMillis: timeoutMillis })],
  });
  const logger = provider.getLogger('wal-test');
  for (let i = 0; i < count; i++) logger.emit({ body: `record ${i}`, attributes: { n: i } });
  await provider.forceFlush();
  await provider.shutdown();
  return exporter;
}

describe.skipIf(!hasDist)('otelcol.receiver.otlp → otelcol.exporter.loki → loki.write with a WAL', () => {
  it('answers the SDK once the entries are in the WAL and delivers every record after kill -9 and a restart', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'alloy-ts-otlp-wal-'));
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    await loki.down();
    const otlpPort = await freePort();
    const { agent, args } = await startAgent(storage, otlpPort, loki, true);

    const total = 500;
    const exporter = await emitThroughSdk(otlpPort, total, 10_000);
    expect(exporter.results.filter((r) => r.code !== SUCCESS)).toEqual([]);
    expect(exporter.results.reduce((n, r) => n + r.records, 0)).toBe(total);
    expect(loki.accepted).toHaveLength(0);
    await agent.kill9();

    const second = await AgentProcess.start(args);
    cleanups.push(() => second.agent.stop());
    await loki.up();
    const records = (): number[] => loki.entries().map((e) => Number(/"body":"record (\d+)"/.exec(e.line)?.[1] ?? -1));
    await loki.waitUntil(() => new Set(records()).size >= total, 30_000, () => `${new Set(records()).size} of ${total} distinct records arrived`);
    expect(new Set(records())).toEqual(new Set(Array.from({ length: total }, (_, i) => i)));
    expect(records().length - total).toBeLessThanOrEqual(BATCH);
  }, 90_000);

  it('without the WAL, success waits for delivery: an export while Loki is down is not acknowledged', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'alloy-ts-otlp-nowal-'));
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    await loki.down();
    const otlpPort = await freePort();
    await startAgent(storage, otlpPort, loki, false);

    const exporter = await emitThroughSdk(otlpPort, BATCH, 2_000);
    expect(exporter.results.length).toBeGreaterThan(0);
    expect(exporter.results.every((r) => r.code === FAILED)).toBe(true);
  }, 60_000);
});
