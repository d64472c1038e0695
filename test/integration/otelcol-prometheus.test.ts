/**
 * OTLP metrics from the OpenTelemetry JS SDK → otelcol.receiver.otlp →
 * otelcol.exporter.prometheus → prometheus.remote_write → the real
 * Prometheus 2.42 of the test services, queried back: names with unit and
 * type suffixes, job/instance/scope labels, target_info, values.
 */
import { randomUUID } from 'node:crypto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../support/harness.js';
import { PROMETHEUS_URL, query, sharedSkipReason, type InstantSample } from '../support/prometheus.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(sharedSkipReason !== '')('OTLP metrics → otelcol.exporter.prometheus → Prometheus', () => {
  it('arrive with Alloy names, labels and values, plus target_info', async () => {
    const run = `run-${randomUUID().slice(0, 8)}`;
    const h = await Harness.start(`
otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:0" }
  output { metrics = [otelcol.processor.batch.b.input] }
}
otelcol.processor.batch "b" {
  timeout = "20ms"
  output { metrics = [otelcol.exporter.prometheus.p.input] }
}
otelcol.exporter.prometheus "p" {
  forward_to = [prometheus.remote_write.prom.receiver]
}
prometheus.remote_write "prom" {
  endpoint {
    url = "${PROMETHEUS_URL}/api/v1/write"
    queue_config { batch_send_deadline = "200ms" }
  }
}`);
    cleanups.push(() => h.stop());
    const addr = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening[0];
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://${addr}` }), exportIntervalMillis: 600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': run, 'host.arch': 'amd64', 'deployment.environment': 'test' }),
      readers: [reader],
    });
    const meter = provider.getMeter('checkout-meter', '2.0.0');
    meter.createCounter('http.server.requests', { unit: '{request}' }).add(7, { 'http.route': '/a' });
    meter.createUpDownCounter('queue.depth').add(-3, { q: 'x' });
    meter.createObservableGauge('cpu.utilization', { unit: '1' }).addCallback((r) => r.observe(0.25, { cpu: '0' }));
    meter.createObservableCounter('process.cpu.time', { unit: 's' }).addCallback((r) => r.observe(12.5));
    const hist = meter.createHistogram('http.server.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100] } });
    for (const v of [5, 50, 500]) hist.record(v, { 'http.route': '/a' });
    await provider.forceFlush();
    await provider.shutdown();

    const byName = async (promql: string) => {
      let got: InstantSample[] = [];
      await eventually(async () => (got = await query(PROMETHEUS_URL, promql)).length > 0, promql, 25_000);
      return got;
    };
    const common = { job: 'shop/checkout', instance: run, otel_scope_name: 'checkout-meter', otel_scope_version: '2.0.0' };
    const requests = await byName(`http_server_requests_total{instance="${run}"}`);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.metric).toEqual({ __name__: 'http_server_requests_total', ...common, http_route: '/a' });
    expect(requests[0]!.value[1]).toBe('7');

    expect((await byName(`queue_depth{instance="${run}"}`))[0]!.value[1]).toBe('-3');
    const util = await byName(`cpu_utilization_ratio{instance="${run}"}`);
    expect(util[0]!.metric).toEqual({ __name__: 'cpu_utilization_ratio', ...common, cpu: '0' });
    expect(util[0]!.value[1]).toBe('0.25');
    expect((await byName(`process_cpu_time_seconds_total{instance="${run}"}`))[0]!.value[1]).toBe('12.5');

    const buckets = await byName(`http_server_duration_milliseconds_bucket{instance="${run}"}`);
    expect(Object.fromEntries(buckets.map((s) => [s.metric['le'], s.value[1]]))).toEqual({ '10': '1', '100': '2', '+Inf': '3' });
    expect((await byName(`http_server_duration_milliseconds_sum{instance="${run}"}`))[0]!.value[1]).toBe('555');
    expect((await byName(`http_server_duration_milliseconds_count{instance="${run}"}`))[0]!.value[1]).toBe('3');

    const info = await byName(`target_info{instance="${run}"}`);
    expect(info[0]!.metric).toMatchObject({ __name__: 'target_info', job: 'shop/checkout', instance: run, host_arch: 'amd64', deployment_environment: 'test' });
    expect(info[0]!.metric['service_name']).toBeUndefined();
    expect(info[0]!.value[1]).toBe('1');
  }, 60_000);
});
