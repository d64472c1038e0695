/**
 * The two components a pipeline test adds to the config under test
 * (grafana/alloy internal/pipelinetest/harness): `pipelinetest.sink` records
 * what the pipeline delivers — through a real Loki push endpoint
 * (`loki_push_url`, decoded by loki.source.api's decoder) or directly
 * (`loki_receiver`) — and `pipelinetest.source` sends the test's entries to
 * the receivers in its `forward_to { logs = [...] }` block. alloy-ts adds
 * metrics: a remote-write endpoint (`prometheus_remote_write_url`) and a
 * samples receiver (`prometheus_receiver`) record what reaches them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attr, block, schema, t } from '../lang/schema.js';
import { defineComponent, type ComponentDefinition } from '../runtime/component.js';
import { fanOut, LOGS_RECEIVER_TYPE, receiverOf, type LogBatch, type LogsReceiver } from '../components/common/log-entries.js';
import { untilAborted } from '../components/common/until-aborted.js';
import { decodePushBody, parseStreamLabels } from '../components/loki/source-api/push-decode.js';
import { metricsReceiver, metricsReceiverType, type SampleBatch } from '../components/common/metric-samples.js';
import { decodeWriteRequest, type SunkSample } from './remote-write.js';

/** One entry as the sink saw it. */
export interface SunkEntry {
  readonly labels: Record<string, string>;
  /** Unix nanoseconds. */
  readonly timestampNs: bigint;
  readonly line: string;
  readonly structuredMetadata: Record<string, string>;
}

/** Largest push body the sink accepts. */
const MAX_PUSH_BYTES = 16 * 1024 * 1024;

/** What one test run records, and the sources it can send through. */
export class PipelineTestState {
  readonly entries: SunkEntry[] = [];
  readonly samples: SunkSample[] = [];
  readonly sources = new Map<string, LogsReceiver[]>();
  private server: Server | undefined;
  /** The sink's endpoints; listening before the config is loaded, so they are known when the sink is built. */
  pushUrl = '';
  remoteWriteUrl = '';

  async start(): Promise<void> {
    const server = pushServer(this);
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.pushUrl = `${origin}/loki/api/v1/push`;
    this.remoteWriteUrl = `${origin}/api/v1/write`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  recordSamples(batch: SampleBatch): void {
    for (let i = 0; i < batch.length; i++) this.samples.push({ labels: { ...batch.series[i]! }, value: batch.values[i]!, timestampMs: batch.timestamps[i]! });
  }

  record(batch: LogBatch): void {
    for (let i = 0; i < batch.lines.length; i++) {
      this.entries.push({
        labels: { ...batch.labels },
        timestampNs: BigInt(batch.ms[i]!) * 1_000_000n + BigInt(batch.ns[i]!),
        line: batch.lines[i]!,
        structuredMetadata: { ...(batch.metadata?.[i] ?? {}) },
      });
    }
  }
}

const SinkExports = schema({
  loki_push_url: attr(t.string),
  loki_receiver: attr(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)),
  prometheus_remote_write_url: attr(t.string),
  prometheus_receiver: attr(metricsReceiverType),
});

const SourceArguments = schema({
  forward_to: block(schema({ logs: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)), []) })),
});

/** The test components, bound to one run's state. */
export function pipelineTestComponents(state: PipelineTestState): ComponentDefinition[] {
  const sink = defineComponent({
    name: 'pipelinetest.sink',
    stability: 'experimental',
    args: schema({}),
    exports: SinkExports,
    build(ctx) {
      ctx.setExports({
        loki_push_url: state.pushUrl,
        loki_receiver: receiverOf(async (batch) => state.record(batch)),
        prometheus_remote_write_url: state.remoteWriteUrl,
        prometheus_receiver: metricsReceiver(async (batch) => state.recordSamples(batch)),
      });
      return { update() {}, run: untilAborted };
    },
  });
  const source = defineComponent({
    name: 'pipelinetest.source',
    stability: 'experimental',
    args: SourceArguments,
    exports: schema({}),
    build(ctx, args) {
      state.sources.set(ctx.id, args.forward_to.logs);
      return {
        update(next) {
          state.sources.set(ctx.id, next.forward_to.logs);
        },
        run: untilAborted,
      };
    },
  });
  return [sink, source];
}

function pushServer(state: PipelineTestState): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_PUSH_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        if (req.url === '/api/v1/write') {
          state.samples.push(...decodeWriteRequest(Buffer.concat(chunks)));
          res.writeHead(204).end();
          return;
        }
        const streams = decodePushBody(Buffer.concat(chunks), { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }, MAX_PUSH_BYTES);
        for (const s of streams) {
          state.record({ labels: parseStreamLabels(s.labels), ms: Float64Array.from(s.ms), ns: Int32Array.from(s.ns), lines: s.lines, metadata: s.metadata });
        }
        res.writeHead(204).end();
      } catch (e) {
        res.writeHead(400).end((e as Error).message);
      }
    });
  });
}

/** Sends entries through a source's receivers (one batch per entry: each keeps its own labels). */
export async function sendThrough(receivers: readonly LogsReceiver[], batches: readonly LogBatch[]): Promise<void> {
  for (const b of batches) await fanOut(receivers, b);
}
