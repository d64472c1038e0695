/**
 * The OpenTelemetry JS SDK's own OTLP exporters (gRPC, HTTP/JSON,
 * HTTP/protobuf) send traces, metrics and logs to otelcol.receiver.otlp,
 * through otelcol.processor.batch and otelcol.exporter.otlp (gRPC) or
 * otelcol.exporter.otlphttp, to an independent OTLP backend
 * (test/support/otlp-receiver.ts) that decodes them with the upstream .proto
 * files. What arrives is compared field by field with what the SDK made.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../../support/harness.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Agent {
  h: Harness;
  grpcUrl: string;
  httpUrl: string;
}

/** receiver (grpc + http on free ports) → batch → `exporter` block text. */
async function agent(exporter: string, exporterId: string): Promise<Agent> {
  const h = await Harness.start(`
otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:0" }
  http { endpoint = "127.0.0.1:0" }
  output {
    traces  = [otelcol.processor.batch.b.input]
    metrics = [otelcol.processor.batch.b.input]
    logs    = [otelcol.processor.batch.b.input]
  }
}
otelcol.processor.batch "b" {
  timeout = "20ms"
  output {
    traces  = [${exporterId}.input]
    metrics = [${exporterId}.input]
    logs    = [${exporterId}.input]
  }
}
${exporter}`);
  cleanups.push(() => h.stop());
  for (const id of ['otelcol.receiver.otlp.in', 'otelcol.processor.batch.b', exporterId]) {
    expect(h.health(id)?.state, `${id}: ${h.health(id)?.message}`).toBe('healthy');
  }
  const listening = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening;
  return { h, grpcUrl: `http://${listening[0]}`, httpUrl: `http://${listening[1]}` };
}

async function backend(): Promise<OtlpReceiver> {
  const r = await OtlpReceiver.start();
  cleanups.push(() => r.close());
  return r;
}

const RESOURCE = resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'i-1', 'host.arch': 'amd64' });

type Protocol = 'grpc' | 'json' | 'proto';

function traceExporter(p: Protocol, a: Agent): SpanExporter {
  if (p === 'grpc') return new TracesGrpc({ url: a.grpcUrl, compression: CompressionAlgorithm.GZIP });
  if (p === 'json') return new TracesJson({ url: `${a.httpUrl}/v1/traces` });
  return new TracesProto({ url: `${a.httpUrl}/v1/traces`, compression: CompressionAlgorithm.GZIP });
}

function metricExporter(p: Protocol, a: Agent): PushMetricExporter {
  if (p === 'grpc') return new MetricsGrpc({ url: a.grpcUrl });
  if (p === 'json') return new MetricsJson({ url: `${a.httpUrl}/v1/metrics` });
  return new MetricsProto({ url: `${a.httpUrl}/v1/metrics` });
}

function logExporter(p: Protocol, a: Agent): LogRecordExporter {
  if (p === 'grpc') return new LogsGrpc({ url: a.grpcUrl });
  if (p === 'json') return new LogsJson({ url: `${a.httpUrl}/v1/logs`, compression: CompressionAlgorithm.GZIP });
  return new LogsProto({ url: `${a.httpUrl}/v1/logs` });
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function attrs(list: Obj[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv['key'], Object.values(kv['value'] ?? {})[0]]));
}

async function sendTraces(p: Protocol, a: Agent, n: number): Promise<{ traceId: string; spanId: string; name: string }[]> {
  const provider = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor(traceExporter(p, a))] });
  const tracer = provider.getTracer('checkout-tracer', '1.2.3');
  const made = [];
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(`op-${p}-${i}`, { kind: SpanKind.SERVER, attributes: { 'http.route': `/r/${i}`, attempt: i, ratio: 0.5, ok: true } });
    span.addEvent('evt', { k: 'v' });
    span.end();
    made.push({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, name: `op-${p}-${i}` });
  }
  await provider.forceFlush();
  await provider.shutdown();
  return made;
}

function spansOf(r: OtlpReceiver): Obj[] {
  const out: Obj[] = [];
  for (const body of r.bodies('traces')) {
    for (const rs of (body['resourceSpans'] ?? []) as Obj[]) {
      for (const ss of rs['scopeSpans'] ?? []) for (const span of ss['spans'] ?? []) out.push({ ...span, resource: attrs(rs['resource']?.['attributes']), scope: ss['scope'] });
    }
  }
  return out;
}

describe('otelcol.receiver.otlp with the OpenTelemetry JS SDK exporters', () => {
  for (const p of ['grpc', 'json', 'proto'] as const) {
    it(`traces over ${p} arrive intact through batch and exporter.otlp (gRPC)`, async () => {
      const r = await backend();
      const a = await agent(`otelcol.exporter.otlp "out" {\n  client {\n    endpoint = "${r.grpcAddress}"\n    tls { insecure = true }\n  }\n}`, 'otelcol.exporter.otlp.out');
      const made = await sendTraces(p, a, 25);
      await eventually(() => r.itemCount('traces') >= 25, 'spans at the backend');
      const spans = spansOf(r);
      expect(spans).toHaveLength(25);
      for (const m of made) {
        const got = spans.find((s) => s['spanId'] === m.spanId)!;
        expect(got, m.name).toBeDefined();
        expect(got['traceId']).toBe(m.traceId);
        expect(got['name']).toBe(m.name);
        expect(got['kind']).toBe(2);
        const i = Number(m.name.split('-').pop());
        expect(attrs(got['attributes'])).toEqual({ 'http.route': `/r/${i}`, attempt: String(i), ratio: 0.5, ok: true });
        expect(got['events'][0]['name']).toBe('evt');
        expect(BigInt(got['endTimeUnixNano'])).toBeGreaterThanOrEqual(BigInt(got['startTimeUnixNano']));
        expect(BigInt(got['startTimeUnixNano'])).toBeGreaterThan(1_600_000_000_000_000_000n);
        expect(got['resource']).toMatchObject({ 'service.name': 'checkout', 'service.namespace': 'shop', 'host.arch': 'amd64' });
        expect(got['scope']).toEqual({ name: 'checkout-tracer', version: '1.2.3' });
      }
      const metrics = await a.h.controller.get('otelcol.receiver.otlp.in')!.registry!.metrics();
      expect(metrics).toMatch(new RegExp(`otelcol_receiver_accepted_spans_total\\{transport="${p === 'grpc' ? 'grpc' : 'http'}",component_id="otelcol.receiver.otlp.in",component_path="/"\\} 25`));
    });

    it(`metrics over ${p} arrive intact (counter, gauge, histogram)`, async () => {
      const r = await backend();
      const a = await agent(`otelcol.exporter.otlp "out" {\n  client {\n    endpoint = "${r.grpcAddress}"\n    tls { insecure = true }\n  }\n}`, 'otelcol.exporter.otlp.out');
      const reader = new PeriodicExportingMetricReader({ exporter: metricExporter(p, a), exportIntervalMillis: 600_000 });
      const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
      const meter = provider.getMeter('checkout-meter', '2.0.0');
      meter.createCounter('http.server.requests', { unit: '{request}', description: 'Requests served' }).add(7, { route: '/a' });
      meter.createUpDownCounter('queue.depth').add(-3, { q: 'x' });
      const hist = meter.createHistogram('http.server.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } });
      for (const v of [5, 50, 500]) hist.record(v, { route: '/a' });
      await provider.forceFlush();
      await provider.shutdown();
      await eventually(() => r.itemCount('metrics') >= 3, 'data points at the backend');
      const metrics: Obj[] = r.bodies('metrics').flatMap((b) => (b['resourceMetrics'] as Obj[]).flatMap((rm) => rm['scopeMetrics'].flatMap((sm: Obj) => sm['metrics'])));
      const byName = Object.fromEntries(metrics.map((m) => [m['name'], m]));
      expect(byName['http.server.requests']['sum']).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
      expect(byName['http.server.requests']['unit']).toBe('{request}');
      expect(byName['http.server.requests']['description']).toBe('Requests served');
      const point = byName['http.server.requests']['sum']['dataPoints'][0];
      expect(point['asDouble'] ?? Number(point['asInt'])).toBe(7);
      expect(attrs(point['attributes'])).toEqual({ route: '/a' });
      const updown = byName['queue.depth']['sum']['dataPoints'][0];
      expect(updown['asDouble'] ?? Number(updown['asInt'])).toBe(-3);
      const h = byName['http.server.duration']['histogram']['dataPoints'][0];
      expect(h['count']).toBe('3');
      expect(h['sum']).toBe(555);
      expect(h['explicitBounds']).toEqual([10, 100]);
      expect(h['bucketCounts']).toEqual(['1', '1', '1']);
    });

    it(`logs over ${p} arrive intact`, async () => {
      const r = await backend();
      const a = await agent(`otelcol.exporter.otlp "out" {\n  client {\n    endpoint = "${r.grpcAddress}"\n    tls { insecure = true }\n  }\n}`, 'otelcol.exporter.otlp.out');
      const provider = new LoggerProvider({ resource: RESOURCE, processors: [new SimpleLogRecordProcessor({ exporter: logExporter(p, a) })] });
      const logger = provider.getLogger('checkout-logger', '3.0.0');
      for (let i = 0; i < 10; i++) {
        logger.emit({ severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: `line ${i} ünïcode`, attributes: { i, user: 'u' }, timestamp: [1_700_000_000, i * 1000 + 1] });
      }
      await provider.forceFlush();
      await provider.shutdown();
      await eventually(() => r.itemCount('logs') >= 10, 'log records at the backend');
      const records: Obj[] = r.bodies('logs').flatMap((b) => (b['resourceLogs'] as Obj[]).flatMap((rl) => rl['scopeLogs'].flatMap((sl: Obj) => sl['logRecords'])));
      expect(records).toHaveLength(10);
      const bodies = records.map((rec) => rec['body']['stringValue']).sort();
      expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i} ünïcode`).sort());
      const first = records.find((rec) => rec['body']['stringValue'] === 'line 3 ünïcode')!;
      expect(first['severityNumber']).toBe(13);
      expect(first['severityText']).toBe('WARN');
      expect(first['timeUnixNano']).toBe('1700000000000003001');
      expect(attrs(first['attributes'])).toEqual({ i: '3', user: 'u' });
    });
  }

  it('exporter.otlphttp delivers what the receiver took (protobuf and JSON encodings)', async () => {
    for (const encoding of ['proto', 'json']) {
      const r = await backend();
      const a = await agent(`otelcol.exporter.otlphttp "out" {\n  encoding = "${encoding}"\n  client { endpoint = "${r.httpUrl}" }\n}`, 'otelcol.exporter.otlphttp.out');
      const made = await sendTraces('grpc', a, 12);
      await eventually(() => r.itemCount('traces') >= 12, `spans at the backend (${encoding})`);
      expect(r.requests.every((q) => q.transport === 'http' && q.headers['content-encoding'] === 'gzip')).toBe(true);
      expect(r.requests[0]!.headers['content-type']).toBe(encoding === 'json' ? 'application/json' : 'application/x-protobuf');
      const ids = spansOf(r).map((s) => s['spanId']).sort();
      expect(ids).toEqual(made.map((m) => m.spanId).sort());
      expect(spansOf(r).map((s) => s['traceId']).sort()).toEqual(made.map((m) => m.traceId).sort());
    }
  });
});
