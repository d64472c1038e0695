/**
 * OTLP logs from the OpenTelemetry JS SDK → otelcol.receiver.otlp →
 * otelcol.exporter.loki → loki.write → the decoding Loki stand-in: labels and
 * lines as Alloy's exporter (the contrib Loki translator) produces them.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { logToLokiEntry } from '../../../src/components/otelcol/exporter-loki/convert.js';
import type { KeyValue, LogRecord } from '../../../src/components/otelcol/pdata/model.js';
import { eventually, Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('otelcol.exporter.loki', () => {
  it('delivers SDK logs to Loki with job/instance/exporter/level labels, hinted labels and JSON lines', async () => {
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const h = await Harness.start(`
otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:0" }
  output { logs = [otelcol.exporter.loki.l.input] }
}
otelcol.exporter.loki "l" {
  forward_to = [loki.write.w.receiver]
}
loki.write "w" {
  endpoint {
    url        = "${loki.pushUrl}"
    batch_wait = "20ms"
  }
}`);
    cleanups.push(() => h.stop());
    const addr = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening[0];
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'api', 'service.namespace': 'prod', 'service.instance.id': 'pod-7', 'k8s.pod.name': 'api-7', 'loki.resource.labels': 'k8s.pod.name' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://${addr}` }) })],
    });
    const logger = provider.getLogger('api-logger', '0.1.0');
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'error', body: 'boom <&>', attributes: { 'http.method': 'GET', 'loki.attribute.labels': 'http.method', user: 'x' }, timestamp: [1_700_000_000, 123_456_789] });
    logger.emit({ body: { msg: 'structured', n: 2 }, attributes: { 'loki.format': 'logfmt', a: 'b c' }, timestamp: [1_700_000_001, 0] });
    await provider.forceFlush();
    await provider.shutdown();
    await eventually(() => loki.entries().length >= 2, 'entries at Loki');
    const [first, second] = [...loki.entries()].sort((a, b) => Number(a.timestampNs - b.timestampNs));
    expect(first!.labels).toBe('{exporter="OTLP", http_method="GET", instance="pod-7", job="prod/api", k8s_pod_name="api-7", level="ERROR"}');
    expect(first!.timestampNs).toBe(1_700_000_000_123_456_789n);
    expect(first!.line).toBe('{"body":"boom \\u003c\\u0026\\u003e","severity":"error","attributes":{"user":"x"},"resources":{"service.instance.id":"pod-7","service.name":"api","service.namespace":"prod"},"instrumentation_scope":{"name":"api-logger","version":"0.1.0"}}');
    expect(second!.labels).toBe('{exporter="OTLP", instance="pod-7", job="prod/api", k8s_pod_name="api-7"}');
    expect(second!.line).toBe('msg=structured n=2 attribute_a="b c" resource_service.name=api resource_service.namespace=prod resource_service.instance.id=pod-7 instrumentation_scope_name=api-logger instrumentation_scope_version=0.1.0');
    const metrics = await h.controller.get('otelcol.exporter.loki.l')!.registry!.metrics();
    expect(metrics).toMatch(/otelcol_exporter_loki_entries_processed\{[^}]*\} 2/);
  });

  it('converts as the contrib Loki translator does: tenant hint, nested hints, raw format, label normalization', () => {
    const kv = (key: string, v: string | KeyValue[]): KeyValue => ({ key, value: typeof v === 'string' ? { stringValue: v } : { kvlistValue: { values: v } } });
    const record: LogRecord = {
      severityNumber: 9,
      body: { stringValue: 'plain text' },
      attributes: [kv('loki.format', 'raw'), kv('_private', 'p'), kv('2fa', 'yes'), kv('nested', [kv('inner', 'deep')]), kv('loki.attribute.labels', '_private, 2fa, nested.inner'), kv('tenant', 't1'), kv('loki.tenant', 'tenant')],
      traceId: Buffer.alloc(16, 0xab),
    };
    const entry = logToLokiEntry(record, [kv('service.name', 'svc')], { name: '' }, () => 42n);
    expect(entry.labels).toEqual({ exporter: 'OTLP', job: 'svc', level: 'INFO', key_private: 'p', key_2fa: 'yes', nested_inner: 'deep', tenant: 't1' });
    expect(entry.line).toBe('plain text');
    expect([entry.ms, entry.ns]).toEqual([0, 42]);
  });
});
