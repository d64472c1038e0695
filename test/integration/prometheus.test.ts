/**
 * The Prometheus pipeline against real services (scripts/prometheus-services.sh):
 * prometheus.scrape scrapes Debian's node exporter, prometheus.relabel filters
 * and labels, prometheus.remote_write writes into Prometheus 2.42's
 * remote-write receiver, and everything is checked through Prometheus' query API.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../support/harness.js';
import { MetricsTarget } from '../support/metrics-target.js';
import { binarySkipReason, NODE_EXPORTER_ADDR, PrivatePrometheus, PROMETHEUS_URL, query, sharedSkipReason, type InstantSample, type RangeSeries } from '../support/prometheus.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function run(config: string): Promise<Harness> {
  const h = await Harness.start(config);
  cleanups.push(() => h.stop());
  return h;
}

/** The node exporter's own value of a series that does not change (exact comparison). */
async function nodeExporterValue(name: string): Promise<number> {
  const text = await (await fetch(`http://${NODE_EXPORTER_ADDR}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`node exporter has no ${name}`);
  return Number(line.split(' ')[1]);
}

describe.skipIf(sharedSkipReason !== '')('node exporter → alloy-ts → Prometheus', () => {
  it('arrives in Prometheus with the target, relabeled and external labels and the scraped values', async () => {
    const runId = randomUUID().slice(0, 8);
    await run(`
prometheus.scrape "node" {
  targets         = [{"__address__" = "${NODE_EXPORTER_ADDR}", "env" = "test"}]
  forward_to      = [prometheus.relabel.keep.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
}
prometheus.relabel "keep" {
  forward_to = [prometheus.remote_write.prom.receiver]
  rule {
    source_labels = ["__name__"]
    regex         = "up|scrape_samples_scraped|node_memory_MemTotal_bytes|node_cpu_seconds_total|node_load1"
    action        = "keep"
  }
  rule {
    target_label = "run"
    replacement  = "${runId}"
  }
}
prometheus.remote_write "prom" {
  external_labels = { source = "alloy-ts" }
  endpoint {
    url = "${PROMETHEUS_URL}/api/v1/write"
    queue_config { batch_send_deadline = "200ms" }
  }
}
`);
    let up: InstantSample[] = [];
    await eventually(async () => (up = await query(PROMETHEUS_URL, `up{run="${runId}"}`)).length > 0, 'up in Prometheus', 25_000);
    expect(up[0]!.metric).toEqual({ __name__: 'up', instance: NODE_EXPORTER_ADDR, job: 'prometheus.scrape.node', env: 'test', run: runId, source: 'alloy-ts' });
    expect(up[0]!.value[1]).toBe('1');

    const memTotal = await query(PROMETHEUS_URL, `node_memory_MemTotal_bytes{run="${runId}"}`);
    expect(memTotal).toHaveLength(1);
    expect(Number(memTotal[0]!.value[1])).toBe(await nodeExporterValue('node_memory_MemTotal_bytes'));

    const cpus = await query(PROMETHEUS_URL, `count by (mode) (node_cpu_seconds_total{run="${runId}", job="prometheus.scrape.node"})`);
    expect(cpus.map((s) => s.metric['mode'])).toContain('idle');
    // Only the kept families arrived.
    const names = await query(PROMETHEUS_URL, `count by (__name__) ({run="${runId}"})`);
    expect(names.map((s) => s.metric['__name__']).sort()).toEqual(['node_cpu_seconds_total', 'node_load1', 'node_memory_MemTotal_bytes', 'scrape_samples_scraped', 'up']);
    // scrape_samples_scraped counts the whole scrape, before relabeling.
    const scraped = await query(PROMETHEUS_URL, `scrape_samples_scraped{run="${runId}"}`);
    expect(Number(scraped[0]!.value[1])).toBeGreaterThan(100);
  });
});

describe.skipIf(binarySkipReason !== '')('remote write while Prometheus restarts', () => {
  it('loses nothing: samples scraped while it is down are buffered and retried', async () => {
    const prom = await PrivatePrometheus.create();
    await prom.start();
    cleanups.push(() => prom.stop());
    const target = await MetricsTarget.start((n) => `# TYPE restart_probe counter\nrestart_probe_total ${n}\n`);
    cleanups.push(() => target.close());
    const config = (targets: string) => `
prometheus.scrape "probe" {
  targets         = ${targets}
  forward_to      = [prometheus.remote_write.prom.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "prom" {
  endpoint {
    url = "${prom.writeUrl}"
    queue_config {
      batch_send_deadline = "100ms"
      min_backoff         = "50ms"
      max_backoff         = "400ms"
    }
  }
}
`;
    const h = await run(config(`[{"__address__" = "${target.address}"}]`));
    const probe = () => query<RangeSeries>(prom.url, 'restart_probe_total[1h]');
    await eventually(async () => (await probe()).length > 0, 'first samples', 20_000);

    await prom.stop();
    const servedBeforeOutage = target.requests.length;
    await eventually(() => target.requests.length >= servedBeforeOutage + 5, 'scrapes during the outage', 20_000);
    await prom.start();
    // Stop scraping (no target), then wait for everything served to arrive.
    await h.apply(config('[]'));
    const served = target.requests.length;
    let values: number[] = [];
    await eventually(async () => {
      values = ((await probe())[0]?.values ?? []).map(([, v]) => Number(v));
      return values.length >= served;
    }, `all ${served} scraped values in Prometheus`, 30_000);
    expect(served).toBeGreaterThan(servedBeforeOutage + 4);
    expect(values).toEqual(Array.from({ length: served }, (_, i) => i + 1));
    // The outage was seen: requests failed and were retried.
    const metrics = await h.controller.get('prometheus.remote_write.prom')!.registry!.getMetricsAsJSON();
    const retries = metrics.find((m) => m.name === 'prometheus_remote_storage_samples_retries_total')!.values[0]!.value;
    expect(retries).toBeGreaterThan(0);
  });
});
