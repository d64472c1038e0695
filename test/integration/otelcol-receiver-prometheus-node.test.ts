/**
 * otelcol.receiver.prometheus with a real target: Debian's node exporter of
 * the test services, scraped by prometheus.scrape, converted to OTLP and sent
 * by otelcol.exporter.otlp to an OTLP backend decoding on its own. Types
 * follow the exporter's TYPE lines (counter → monotonic sum, gauge, summary),
 * and a static value is compared with the exporter's own exposition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../support/harness.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { NODE_EXPORTER_ADDR, sharedSkipReason } from '../support/prometheus.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const attrs = (kvs: Obj[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv['key'], Object.values(kv['value'] ?? {})[0] ?? '']));

describe.skipIf(sharedSkipReason !== '')(`node exporter → otelcol.receiver.prometheus → OTLP${sharedSkipReason ? ` (skipped: ${sharedSkipReason})` : ''}`, () => {
  it('arrives as OTLP metrics with the node exporter types and values', async () => {
    const otlp = await OtlpReceiver.start();
    cleanups.push(() => otlp.close());
    const h = await Harness.start(`
prometheus.scrape "node" {
  targets         = [{"__address__" = "${NODE_EXPORTER_ADDR}"}]
  job_name        = "node"
  forward_to      = [otelcol.receiver.prometheus.r.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
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
    await eventually(() => otlp.bodies('metrics').length >= 1, 'a scrape at the OTLP backend', 20_000);
    const rm = (otlp.bodies('metrics')[0] as Obj)['resourceMetrics'][0];
    expect(attrs(rm['resource']['attributes'])).toMatchObject({ 'service.name': 'node', 'service.instance.id': NODE_EXPORTER_ADDR });
    const metrics = new Map<string, Obj>((rm['scopeMetrics'] as Obj[]).flatMap((s) => s['metrics'] as Obj[]).map((m) => [m['name'], m]));

    const cpu = metrics.get('node_cpu_seconds_total')!;
    expect(cpu['sum']['isMonotonic']).toBe(true);
    expect(attrs(cpu['sum']['dataPoints'][0]['attributes'])).toHaveProperty('mode');
    expect(attrs(cpu['sum']['dataPoints'][0]['attributes'])).toHaveProperty('cpu');

    const text = await (await fetch(`http://${NODE_EXPORTER_ADDR}/metrics`)).text();
    const memTotal = Number(/^node_memory_MemTotal_bytes (\S+)$/m.exec(text)![1]);
    const mem = metrics.get('node_memory_MemTotal_bytes')!;
    expect(attrs(mem['metadata'])).toEqual({ 'prometheus.type': 'gauge' });
    expect(mem['gauge']['dataPoints'][0]['asDouble']).toBe(memTotal);

    const gcSummary = metrics.get('go_gc_duration_seconds')!;
    const point = gcSummary['summary']['dataPoints'][0];
    expect(point['quantileValues'].map((q: Obj) => q['quantile'] ?? 0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Number(point['count'] ?? 0)).toBeGreaterThanOrEqual(0);
    expect(metrics.get('up')!['gauge']['dataPoints'][0]['asDouble']).toBe(1);
  }, 40_000);
});
