/**
 * otelcol.receiver.prometheus: prometheus.scrape of a real HTTP target →
 * otelcol.receiver.prometheus → otelcol.exporter.otlp (gRPC) → an OTLP
 * backend decoding with its own protobufjs load of the .proto files. Names,
 * types, resource/scope/point attributes, values, start timestamps and
 * staleness are checked on what arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../../support/harness.js';
import { MetricsTarget } from '../../support/metrics-target.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';
import { resourceAttributes, unitWordToUcum } from '../../../src/components/otelcol/receiver-prometheus/convert.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXPOSITION = `# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{code="200",method="get"} 1027
http_requests_total{code="500",method="get"} 3
# HELP queue_length Items waiting.
# TYPE queue_length gauge
queue_length{otel_scope_name="jobs",otel_scope_version="1.2.0",queue="a"} 7
# TYPE otel_scope_info gauge
otel_scope_info{otel_scope_name="jobs",otel_scope_version="1.2.0",team="blue"} 1
# HELP request_duration_seconds Request latency.
# TYPE request_duration_seconds histogram
request_duration_seconds_bucket{path="/x",le="0.1"} 2
request_duration_seconds_bucket{path="/x",le="0.5"} 5
request_duration_seconds_bucket{path="/x",le="+Inf"} 6
request_duration_seconds_sum{path="/x"} 1.75
request_duration_seconds_count{path="/x"} 6
request_duration_seconds_created{path="/x"} 1700000000.25
# HELP rpc_latency_seconds RPC latency.
# TYPE rpc_latency_seconds summary
rpc_latency_seconds{quantile="0.9"} 0.3
rpc_latency_seconds{quantile="0.5"} 0.1
rpc_latency_seconds_sum 12.5
rpc_latency_seconds_count 40
# TYPE target_info gauge
target_info{deployment_environment="test",host_arch="amd64"} 1
untyped_thing 42
`;

const attrs = (kvs: Obj[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv['key'], Object.values(kv['value'] ?? {})[0] ?? '']));

describe('otelcol.receiver.prometheus', () => {
  it('turns scraped counters, gauges, histograms and summaries into OTLP metrics as Alloy does', async () => {
    const target = await MetricsTarget.start((n) => (n === 1 ? EXPOSITION : EXPOSITION.replace(/^queue_length.*\n/m, '')));
    cleanups.push(() => target.close());
    const otlp = await OtlpReceiver.start();
    cleanups.push(() => otlp.close());
    const h = await Harness.start(`
prometheus.scrape "s" {
  targets         = [{"__address__" = "${target.address}", "job" = "shop"}]
  forward_to      = [otelcol.receiver.prometheus.r.receiver]
  scrape_interval = "300ms"
  scrape_timeout  = "250ms"
}
otelcol.receiver.prometheus "r" {
  output { metrics = [otelcol.exporter.otlp.out.input] }
}
otelcol.exporter.otlp "out" {
  client {
    endpoint = "${otlp.grpcAddress}"
    tls { insecure = true }
  }
}`);
    cleanups.push(() => h.stop());

    await eventually(() => otlp.bodies('metrics').length >= 2, 'two scrapes at the OTLP backend', 15_000);
    const [first, second] = otlp.bodies('metrics') as Obj[];
    expect(first!['resourceMetrics']).toHaveLength(1);
    const rm = first!['resourceMetrics'][0];
    const [, port] = target.address.split(':');
    // 127.0.0.1 is not a discernible host: no net.host.name / server.address.
    expect(attrs(rm['resource']['attributes'])).toEqual({
      'service.name': 'shop',
      'service.instance.id': target.address,
      'net.host.port': port,
      'server.port': port,
      deployment_environment: 'test',
      host_arch: 'amd64',
    });

    const scopes = rm['scopeMetrics'] as Obj[];
    const own = scopes.find((s) => s['scope']['name'] === 'otelcol/prometheusreceiver')!;
    const jobs = scopes.find((s) => s['scope']['name'] === 'jobs')!;
    expect(own['scope']['version']).toBeTruthy();
    expect(jobs['scope']['version']).toBe('1.2.0');
    expect(attrs(jobs['scope']['attributes'])).toEqual({ team: 'blue' });
    const metric = (name: string) => (own['metrics'] as Obj[]).find((m) => m['name'] === name)!;

    const requests = metric('http_requests_total');
    expect(requests['description']).toBe('Requests served.');
    expect(attrs(requests['metadata'])).toEqual({ 'prometheus.type': 'counter' });
    expect(requests['sum']['isMonotonic']).toBe(true);
    expect(requests['sum']['aggregationTemporality']).toBe(2);
    expect(requests['sum']['dataPoints'].map((p: Obj) => [attrs(p['attributes']), p['asDouble']])).toEqual([
      [{ code: '200', method: 'get' }, 1027],
      [{ code: '500', method: 'get' }, 3],
    ]);
    const scrapeMs = BigInt(requests['sum']['dataPoints'][0]['timeUnixNano']) / 1_000_000n;
    expect(Number(scrapeMs)).toBeGreaterThan(Date.now() - 60_000);
    expect(requests['sum']['dataPoints'][0]['startTimeUnixNano']).toBeUndefined();

    const queue = (jobs['metrics'] as Obj[])[0]!;
    expect(queue['name']).toBe('queue_length');
    expect(queue['gauge']['dataPoints'].map((p: Obj) => [attrs(p['attributes']), p['asDouble']])).toEqual([[{ queue: 'a' }, 7]]);

    const hist = metric('request_duration_seconds');
    expect(hist['unit']).toBeUndefined(); // no UNIT line: empty (not encoded)
    expect(hist['histogram']['aggregationTemporality']).toBe(2);
    const hp = hist['histogram']['dataPoints'][0];
    expect(attrs(hp['attributes'])).toEqual({ path: '/x' });
    expect(hp['explicitBounds']).toEqual([0.1, 0.5]);
    expect(hp['bucketCounts']).toEqual(['2', '3', '1']);
    expect(hp['count']).toBe('6');
    expect(hp['sum']).toBe(1.75);
    expect(hp['startTimeUnixNano']).toBe('1700000000250000000');

    const summary = metric('rpc_latency_seconds');
    const sp = summary['summary']['dataPoints'][0];
    expect(sp['count']).toBe('40');
    expect(sp['sum']).toBe(12.5);
    expect(sp['quantileValues']).toEqual([{ quantile: 0.5, value: 0.1 }, { quantile: 0.9, value: 0.3 }]);

    const untyped = metric('untyped_thing');
    expect(attrs(untyped['metadata'])).toEqual({ 'prometheus.type': 'unknown' });
    expect(untyped['gauge']['dataPoints'][0]['asDouble']).toBe(42);

    const up = metric('up');
    expect(up['description']).toBe('The scraping was successful');
    expect(up['gauge']['dataPoints'][0]['asDouble']).toBe(1);
    expect(metric('scrape_duration_seconds')['unit']).toBe('s');
    expect(metric('target_info')).toBeUndefined();

    // The second scrape no longer exposes queue_length: a staleness marker, flagged "no recorded value".
    const jobs2 = (second!['resourceMetrics'][0]['scopeMetrics'] as Obj[]).find((s) => s['scope']['name'] === 'jobs')!;
    const stale = (jobs2['metrics'] as Obj[])[0]!['gauge']['dataPoints'][0];
    expect(stale['flags']).toBe(1);
    expect(stale['asDouble']).toBeUndefined();
  }, 30_000);

  it('builds resources and units with the upstream rules (prom_to_otlp.go, UnitWordToUCUM)', () => {
    const res = (instance: string) => attrs(resourceAttributes('j', instance));
    expect(res('node-1.example:9100')).toEqual({ 'service.name': 'j', 'net.host.name': 'node-1.example', 'server.address': 'node-1.example', 'service.instance.id': 'node-1.example:9100', 'net.host.port': '9100', 'server.port': '9100' });
    expect(res('myinstance')).toMatchObject({ 'server.address': 'myinstance', 'net.host.port': '', 'server.port': '' });
    expect(res('[2001:db8::1]:80')).toMatchObject({ 'server.address': '2001:db8::1', 'server.port': '80' });
    for (const local of ['localhost:8888', '0.0.0.0:8888', '127.0.0.5:1', '[::1]:9']) expect(res(local)['server.address']).toBeUndefined();
    expect(['seconds', 'bytes_per_second', 'ratio', 'widgets_per_fortnight', ''].map(unitWordToUcum)).toEqual(['s', 'By/s', '1', 'widgets/fortnight', '']);
  });
});
