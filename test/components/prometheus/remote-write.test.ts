import { describe, expect, it } from 'vitest';

// These tests check the queues' semantics (an append resolves once delivered);
// the write-ahead log in front of them is tested in remote-write-wal.test.ts
// and test/integration/remote-write-wal.test.ts.
process.env.ALLOY_TS_WAL = 'off';
import { batchOf, type SampleBatch, type SeriesLabels } from '../../../src/components/common/metric-samples.js';
import { startsHarnesses } from '../started-harness.js';
import { metricValue, receiverOf, remoteWriteBlock, usesServers } from './helpers.js';

const { receiver } = usesServers();
const start = startsHarnesses();

const T0 = 1_700_000_000_000;

function series(name: string, extra: Record<string, string> = {}): SeriesLabels {
  return Object.freeze({ __name__: name, ...extra });
}

function samples(labels: SeriesLabels, count: number, from = 0): SampleBatch {
  return batchOf(Array.from({ length: count }, (_, i) => ({ labels, value: from + i, timestampMs: T0 + (from + i) * 1000 })));
}

describe('prometheus.remote_write wire format', () => {
  it('sends snappy protobuf v1 with sorted labels, no __ labels, external labels under the series\' own, exact values and markers', async () => {
    const rw = await receiver();
    const h = await start(remoteWriteBlock(rw.url, { extra: 'external_labels = { cluster = "c1", job = "external" }' }));
    const a = series('metric_a', { job: 'mine', zone: 'z', __hidden: 'x', aa: 'first' });
    const b = series('metric_b');
    const batch = batchOf([
      { labels: a, value: 1.5, timestampMs: T0 },
      { labels: b, value: -0.25, timestampMs: T0 + 1 },
      { labels: b, value: 0, timestampMs: T0 + 2, stale: true },
      { labels: a, value: Number.NaN, timestampMs: T0 + 3 },
      { labels: a, value: 0, timestampMs: T0 + 4 },
    ]);
    await receiverOf(h, 'prometheus.remote_write.w').append(batch);
    expect(rw.samples).toHaveLength(5);
    const [s0, s1, s2, s3, s4] = rw.samples;
    expect(s0!.labelOrder).toEqual(['__name__', 'aa', 'cluster', 'job', 'zone']);
    expect(s0!.labels).toEqual({ __name__: 'metric_a', aa: 'first', cluster: 'c1', job: 'mine', zone: 'z' });
    expect(s1!.labels).toEqual({ __name__: 'metric_b', cluster: 'c1', job: 'external' });
    expect([s0!.value, s1!.value, s4!.value]).toEqual([1.5, -0.25, 0]);
    expect(s2!.stale).toBe(true);
    expect(Number.isNaN(s3!.value) && !s3!.stale).toBe(true);
    expect(rw.samples.map((s) => s.timestampMs)).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4]);
    const headers = rw.requests[0]!.headers;
    expect(headers['content-encoding']).toBe('snappy');
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(headers['user-agent']).toMatch(/^Alloy\/v/);
    expect(await metricValue(h, 'prometheus.remote_write.w', 'prometheus_remote_storage_samples_total')).toBe(5);
  });

  it('cuts requests at max_samples_per_send and keeps each series in order', async () => {
    const rw = await receiver();
    const h = await start(remoteWriteBlock(rw.url, { queue: 'max_samples_per_send = 100\nbatch_send_deadline = "20ms"' }));
    const labels = Array.from({ length: 10 }, (_, i) => series('m', { i: String(i) }));
    const b = batchOf(Array.from({ length: 1000 }, (_, n) => ({ labels: labels[n % 10]!, value: Math.floor(n / 10), timestampMs: T0 + n })));
    await receiverOf(h, 'prometheus.remote_write.w').append(b);
    expect(rw.samples).toHaveLength(1000);
    expect(Math.max(...rw.requests.map((r) => r.samples))).toBe(100);
    for (const l of labels) {
      const values = rw.samples.filter((s) => s.labels['i'] === l['i']).map((s) => s.value);
      expect(values).toEqual(Array.from({ length: 100 }, (_, k) => k));
    }
    // The next batch goes out in requests reused from the first: nothing of those may remain.
    const n = series('n');
    await receiverOf(h, 'prometheus.remote_write.w').append(samples(n, 150));
    const later = rw.samples.slice(1000);
    expect(later.map((s) => s.labels)).toEqual(Array.from({ length: 150 }, () => ({ __name__: 'n' })));
    expect(later.map((s) => s.value)).toEqual(Array.from({ length: 150 }, (_, k) => k));
  });

  it('applies write_relabel_config per endpoint', async () => {
    const rw = await receiver();
    const h = await start(remoteWriteBlock(rw.url, {
      endpointExtra: `write_relabel_config {
      source_labels = ["__name__"]
      regex         = "drop_me"
      action        = "drop"
    }
    write_relabel_config {
      target_label = "via"
      replacement  = "relabel"
    }`,
    }));
    await receiverOf(h, 'prometheus.remote_write.w').append(batchOf([
      { labels: series('drop_me'), value: 1, timestampMs: T0 },
      { labels: series('keep_me'), value: 2, timestampMs: T0 },
    ]));
    expect(rw.samples.map((s) => s.labels)).toEqual([{ __name__: 'keep_me', via: 'relabel' }]);
    expect(await metricValue(h, 'prometheus.remote_write.w', 'prometheus_remote_storage_samples_dropped_total', { reason: 'dropped_series' })).toBe(1);
  });
});

describe('prometheus.remote_write delivery', () => {
  it('retries 5xx and 429 (honouring Retry-After) with Retry-Attempt, then acknowledges', async () => {
    const rw = await receiver();
    rw.respondWith(503, 2);
    rw.respondWith(429, 1, { 'retry-after': '0' });
    const h = await start(remoteWriteBlock(rw.url));
    await receiverOf(h, 'prometheus.remote_write.w').append(samples(series('r'), 3));
    expect(rw.requests.map((r) => r.status)).toEqual([503, 503, 429, 204]);
    expect(rw.requests.map((r) => r.headers['retry-attempt'])).toEqual([undefined, '1', '2', '3']);
    expect(rw.samples).toHaveLength(3);
    expect(await metricValue(h, 'prometheus.remote_write.w', 'prometheus_remote_storage_samples_retries_total')).toBe(9);
  });

  it('drops on other 4xx (and 429 when retry_on_http_429 = false), acknowledging the batch', async () => {
    const rw = await receiver();
    rw.respondWith(400, 1);
    rw.respondWith(429, 1);
    const h = await start(remoteWriteBlock(rw.url, { queue: 'retry_on_http_429 = false\nbatch_send_deadline = "20ms"' }));
    const r = receiverOf(h, 'prometheus.remote_write.w');
    await r.append(samples(series('x'), 2));
    await r.append(samples(series('y'), 2));
    await r.append(samples(series('z'), 2));
    expect(rw.requests.map((q) => q.status)).toEqual([400, 429, 204]);
    expect(rw.samples.map((s) => s.labels['__name__'])).toEqual(['z', 'z']);
    expect(await metricValue(h, 'prometheus.remote_write.w', 'prometheus_remote_storage_samples_failed_total')).toBe(4);
  });

  it('keeps endpoints independent: a dead one does not hold back a live one', async () => {
    const live = await receiver();
    const dead = await receiver();
    await dead.down();
    const h = await start(`prometheus.remote_write "w" {
  endpoint {
    url = "${live.url}"
    queue_config { batch_send_deadline = "20ms" }
  }
  endpoint {
    url = "${dead.url}"
    queue_config {
      batch_send_deadline = "20ms"
      min_backoff = "10ms"
      max_backoff = "20ms"
    }
  }
}`);
    const r = receiverOf(h, 'prometheus.remote_write.w');
    let acknowledged = false;
    const p = r.append(samples(series('both'), 5)).then(() => (acknowledged = true));
    await live.waitFor(() => live.samples.length === 5, 'live endpoint');
    expect(acknowledged).toBe(false); // not until every endpoint has it
    await dead.up();
    await p;
    expect(dead.samples).toHaveLength(5);
  });

  it('bounds what it holds: appends beyond capacity wait for room (backpressure)', async () => {
    const rw = await receiver();
    rw.setDelay(100);
    const h = await start(`prometheus.remote_write "w" {
  endpoint {
    url = "${rw.url}"
    queue_config {
      capacity             = 10
      max_shards           = 1
      max_samples_per_send = 10
      batch_send_deadline  = "10ms"
    }
  }
}`);
    const r = receiverOf(h, 'prometheus.remote_write.w');
    const settled: number[] = [];
    const appends = [0, 1, 2].map((k) => r.append(samples(series('bp'), 10, k * 10)).then(() => settled.push(k)));
    const info = () => h.controller.get('prometheus.remote_write.w')?.debugInfo as { endpoints: { pending_samples: number; waiting_batches: number }[] };
    expect(info().endpoints[0]).toMatchObject({ pending_samples: 10, waiting_batches: 2 });
    await Promise.all(appends);
    expect(settled).toEqual([0, 1, 2]);
    expect(rw.samples.map((s) => s.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('drains what it holds when stopped', async () => {
    const rw = await receiver();
    const h = await start(`prometheus.remote_write "w" {
  endpoint {
    url = "${rw.url}"
    queue_config { batch_send_deadline = "1h" }
  }
}`);
    const p = receiverOf(h, 'prometheus.remote_write.w').append(samples(series('drain'), 7));
    await new Promise((r) => setTimeout(r, 50));
    expect(rw.samples).toHaveLength(0);
    await h.stop();
    await p;
    expect(rw.samples).toHaveLength(7);
  });

  it('sends metadata of the families it has seen', async () => {
    const rw = await receiver();
    const h = await start(remoteWriteBlock(rw.url, { endpointExtra: 'metadata_config { send_interval = "50ms" }' }));
    const batch: SampleBatch = { ...samples(series('requests_total'), 1), metadata: new Map([['requests', { type: 'counter', help: 'Requests.', unit: '' }]]) };
    await receiverOf(h, 'prometheus.remote_write.w').append(batch);
    await rw.waitFor(() => rw.metadata.length > 0, 'metadata');
    expect(rw.metadata[0]).toEqual({ type: 'COUNTER', family: 'requests', help: 'Requests.', unit: '' });
  });
});
