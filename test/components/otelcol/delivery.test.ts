/**
 * Delivery guarantees of the otelcol exporters and what the receiver answers:
 * retries against a backend that refuses for 15 s (nothing lost, queue
 * bounded), permanent refusals dropped and counted, and the receiver's
 * OTLP status codes when the pipeline refuses.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerError, type OtelConsumer } from '../../../src/components/otelcol/pdata/consumer.js';
import { decodeRequest } from '../../../src/components/otelcol/pdata/codec.js';
import { Payload } from '../../../src/components/otelcol/pdata/payload.js';
import type { TracesData } from '../../../src/components/otelcol/pdata/model.js';
import { builtinComponents } from '../../../src/components/index.js';
import { configFiles, testController } from '../../support/controller.js';
import { eventually, Harness } from '../../support/harness.js';
import { encodeOtlp, OtlpReceiver } from '../../support/otlp-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(text: string): Promise<Harness> {
  const h = await Harness.start(text);
  cleanups.push(() => h.stop());
  return h;
}

async function backend(): Promise<OtlpReceiver> {
  const r = await OtlpReceiver.start();
  cleanups.push(() => r.close());
  return r;
}

function tracesRequest(tag: string, spans: number): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId: Buffer.alloc(16, 1).toString('base64'),
              spanId: Buffer.from(`${tag}`.padEnd(6, '-').slice(0, 6) + String(i).padStart(2, '0')).toString('base64'),
              name: `${tag}-${i}`,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000100000000',
            })),
          },
        ],
      },
    ],
  };
}

/** The data as the agent's components pass it (decoded by the agent's codec). */
function tracesData(tag: string, spans: number): TracesData {
  return decodeRequest('traces', encodeOtlp('traces', tracesRequest(tag, spans))) as TracesData;
}

function inputOf(h: Harness, id: string): OtelConsumer {
  const v = h.exportOf(id, 'input');
  if (v?.type !== 'capsule') throw new Error(`${id} exports no input`);
  return v.payload as OtelConsumer;
}

async function metricValue(h: Harness, id: string, name: string): Promise<number> {
  const text = await h.controller.get(id)!.registry!.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('otelcol exporters: retries and drops', () => {
  it('retries while the backend answers UNAVAILABLE for 15 s: nothing accepted is lost, the queue stays bounded', async () => {
    const r = await backend();
    r.failFor(15_000, { grpc: grpc.status.UNAVAILABLE, http: 503 });
    const h = await start(`otelcol.exporter.otlp "out" {
  client {
    endpoint = "${r.grpcAddress}"
    tls { insecure = true }
  }
  sending_queue {
    queue_size    = 40
    num_consumers = 4
  }
  retry_on_failure {
    initial_interval = "200ms"
    max_interval     = "1s"
    max_elapsed_time = "1m"
  }
}`);
    const input = inputOf(h, 'otelcol.exporter.otlp.out');
    const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => input.consume(Payload.fromData('traces', tracesData(`q${i}`, 5)), {})));
    const accepted = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.filter((o) => o.status === 'rejected');
    // 40 requests fit the queue; the rest are refused with a retryable error, not buffered.
    expect(accepted).toBe(40);
    expect(refused).toHaveLength(20);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ConsumerError);
    expect(refused.every((o) => (o as PromiseRejectedResult).reason.permanent === false)).toBe(true);
    expect(await metricValue(h, 'otelcol.exporter.otlp.out', 'otelcol_exporter_queue_size')).toBe(40);
    expect(await metricValue(h, 'otelcol.exporter.otlp.out', 'otelcol_exporter_enqueue_failed_spans_total')).toBe(100);

    await eventually(() => r.itemCount('traces') >= 200, 'all accepted spans delivered after the outage', 40_000);
    expect(r.refused).toBeGreaterThan(4);
    expect(r.itemCount('traces')).toBe(200);
    const names = new Set(r.bodies('traces').flatMap((b) => (b['resourceSpans'] as any[]).flatMap((rs) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name)))));
    expect(names.size).toBe(200);
    expect(await metricValue(h, 'otelcol.exporter.otlp.out', 'otelcol_exporter_sent_spans_total')).toBe(200);
    expect(await metricValue(h, 'otelcol.exporter.otlp.out', 'otelcol_exporter_send_failed_spans_total')).toBe(0);
  }, 60_000);

  it('otlphttp retries 503 and delivers everything once the backend recovers', async () => {
    const r = await backend();
    r.failFor(2_000, { grpc: grpc.status.UNAVAILABLE, http: 503 });
    const h = await start(`otelcol.exporter.otlphttp "out" {
  client { endpoint = "${r.httpUrl}" }
  retry_on_failure {
    initial_interval = "100ms"
    max_interval     = "300ms"
  }
}`);
    const input = inputOf(h, 'otelcol.exporter.otlphttp.out');
    await Promise.all(Array.from({ length: 10 }, (_, i) => input.consume(Payload.fromData('traces', tracesData(`h${i}`, 3)), {})));
    await eventually(() => r.itemCount('traces') >= 30, 'spans after the outage', 20_000);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.itemCount('traces')).toBe(30);
  }, 30_000);

  for (const [transport, failure] of [
    ['grpc', { grpc: grpc.status.INVALID_ARGUMENT, http: 400 }],
    ['http', { grpc: grpc.status.INVALID_ARGUMENT, http: 400 }],
  ] as const) {
    it(`drops and counts data the backend refuses permanently (${transport})`, async () => {
      const r = await backend();
      r.failFor(60_000, failure);
      const id = transport === 'grpc' ? 'otelcol.exporter.otlp.out' : 'otelcol.exporter.otlphttp.out';
      const client = transport === 'grpc' ? `client {\n    endpoint = "${r.grpcAddress}"\n    tls { insecure = true }\n  }` : `client { endpoint = "${r.httpUrl}" }`;
      const h = await start(`${id.replace(/\.out$/, '')} "out" {\n  ${client}\n  retry_on_failure { initial_interval = "50ms" }\n}`);
      const input = inputOf(h, id);
      for (let i = 0; i < 3; i++) await input.consume(Payload.fromData('traces', tracesData(`p${i}`, 4)), {});
      await eventually(async () => (await metricValue(h, id, 'otelcol_exporter_send_failed_spans_total')) === 12, 'dropped spans counted');
      expect(r.refused).toBe(3); // one attempt each: no retries of a permanent error
      expect(await metricValue(h, id, 'otelcol_exporter_sent_spans_total')).toBe(0);
    });
  }
});

describe('otelcol.receiver.otlp status codes', () => {
  async function pipeline(r: OtlpReceiver): Promise<{ grpcAddr: string; httpUrl: string }> {
    const h = await start(`otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:0" }
  http { endpoint = "127.0.0.1:0" }
  output { traces = [otelcol.exporter.otlp.out.input] }
}
otelcol.exporter.otlp "out" {
  client {
    endpoint = "${r.grpcAddress}"
    tls { insecure = true }
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}`);
    const listening = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening;
    return { grpcAddr: listening[0]!, httpUrl: `http://${listening[1]}` };
  }

  function grpcExport(addr: string, body: Uint8Array): Promise<grpc.ServiceError | null> {
    const client = new grpc.Client(addr, grpc.credentials.createInsecure());
    const id = (b: Buffer) => b;
    return new Promise((resolve) =>
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', id, id, Buffer.from(body), (err) => {
        client.close();
        resolve(err);
      }),
    );
  }

  it('answers OK / UNAVAILABLE (503) / INTERNAL (500) / INVALID_ARGUMENT (400) as the collector does', async () => {
    const r = await backend();
    const { grpcAddr, httpUrl } = await pipeline(r);
    const body = encodeOtlp('traces', tracesRequest('s', 2));
    const post = (b: Uint8Array | string, type = 'application/x-protobuf') => fetch(`${httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body: b });

    expect(await grpcExport(grpcAddr, body)).toBeNull();
    expect((await post(body)).status).toBe(200);
    expect(r.itemCount('traces')).toBe(4);

    r.failFor(60_000, { grpc: grpc.status.UNAVAILABLE, http: 503 });
    expect((await grpcExport(grpcAddr, body))?.code).toBe(grpc.status.UNAVAILABLE);
    expect((await post(body)).status).toBe(503);

    r.failFor(60_000, { grpc: grpc.status.INVALID_ARGUMENT, http: 400 });
    expect((await grpcExport(grpcAddr, body))?.code).toBe(grpc.status.INTERNAL);
    const json = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'j', traceId: '01'.repeat(16), spanId: '02'.repeat(8) }] }] }] });
    const permanent = await post(json, 'application/json');
    expect(permanent.status).toBe(500);
    expect(((await permanent.json()) as { code: number }).code).toBe(grpc.status.INTERNAL);

    expect((await grpcExport(grpcAddr, Buffer.from([0x0a, 0xff, 0xff])))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}', 'application/json')).status).toBe(400);
    expect((await post(body, 'text/plain')).status).toBe(415);
    expect((await fetch(`${httpUrl}/v1/traces`)).status).toBe(405);
  });
});

describe('otelcol argument checks', () => {
  it('refuses Alloy arguments alloy-ts does not implement, with the position', async () => {
    const controller = testController(builtinComponents());
    cleanups.push(() => controller.stop());
    const diagnostics = await controller.apply(
      configFiles(`otelcol.exporter.otlp "out" {
  client {
    endpoint = "127.0.0.1:4317"
    read_buffer_size = "1MiB"
  }
  sending_queue {
    batch { flush_timeout = "1s" }
  }
}`),
    );
    expect(diagnostics.map((d) => `${d.start.line}:${d.start.column}: ${d.message}`)).toEqual(['4:24: client.read_buffer_size is not supported by alloy-ts']);
    const second = await controller.apply(configFiles(`otelcol.exporter.otlp "out" {
  client { endpoint = "127.0.0.1:4317" }
  sending_queue {
    batch { flush_timeout = "1s" }
  }
}`));
    expect(second.map((d) => `${d.start.line}:${d.start.column}: ${d.message}`)).toEqual(['4:5: the sending_queue > batch block (use otelcol.processor.batch) is not supported by alloy-ts']);
  });
});
