import { describe, expect, it } from 'vitest';
import { batchOf, type SeriesLabels } from '../../../src/components/common/metric-samples.js';
import { startsHarnesses } from '../started-harness.js';
import { metricValue, receiverOf, remoteWriteBlock, usesServers } from './helpers.js';

const { receiver } = usesServers();
const start = startsHarnesses();

const T0 = 1_700_000_000_000;
const RULES = `
  rule {
    source_labels = ["__name__"]
    regex         = "drop_.*"
    action        = "drop"
  }
  rule {
    source_labels = ["host"]
    regex         = "(.*)\\\\.example\\\\.com"
    target_label  = "short"
  }
  rule {
    action = "labeldrop"
    regex  = "host"
  }`;

function relabelConfig(url: string): string {
  return `prometheus.relabel "r" {
  forward_to = [prometheus.remote_write.w.receiver]
  ${RULES}
}
${remoteWriteBlock(url)}`;
}

describe('prometheus.relabel', () => {
  it('relabels with the shared engine, drops what rules drop, caches per series, exports its rules', async () => {
    const rw = await receiver();
    const h = await start(relabelConfig(rw.url));
    const web: SeriesLabels = { __name__: 'up', host: 'web.example.com' };
    const dropped: SeriesLabels = { __name__: 'drop_this', host: 'x' };
    const r = receiverOf(h, 'prometheus.relabel.r');
    for (let n = 0; n < 3; n++) {
      await r.append(batchOf([
        { labels: web, value: n, timestampMs: T0 + n },
        { labels: dropped, value: n, timestampMs: T0 + n },
      ]));
    }
    // remote_write acknowledges once its WAL has the samples; delivery follows.
    await rw.waitFor(() => rw.samples.length >= 3, 'three samples delivered');
    expect(rw.samples.map((s) => [s.labels, s.value])).toEqual([0, 1, 2].map((n) => [{ __name__: 'up', short: 'web' }, n]));
    const id = 'prometheus.relabel.r';
    expect(await metricValue(h, id, 'alloy_prometheus_relabel_metrics_processed')).toBe(6);
    expect(await metricValue(h, id, 'alloy_prometheus_relabel_metrics_written')).toBe(3);
    expect(await metricValue(h, id, 'alloy_prometheus_relabel_cache_misses')).toBe(2);
    expect(await metricValue(h, id, 'alloy_prometheus_relabel_cache_hits')).toBe(4);
    expect(await metricValue(h, id, 'alloy_prometheus_relabel_cache_size')).toBe(2);
    expect(await metricValue(h, id, 'prometheus_forwarded_samples_total')).toBe(3);
    const rules = h.exportOf(id, 'rules');
    expect(rules?.type === 'capsule' && (rules.payload as unknown as { length: number }).length).toBe(3);
  });

  it('forwards staleness markers and then forgets the series', async () => {
    const rw = await receiver();
    const h = await start(relabelConfig(rw.url));
    const web: SeriesLabels = { __name__: 'up', host: 'web.example.com' };
    await receiverOf(h, 'prometheus.relabel.r').append(batchOf([
      { labels: web, value: 1, timestampMs: T0 },
      { labels: web, value: 0, timestampMs: T0 + 1, stale: true },
    ]));
    await rw.waitFor(() => rw.samples.length >= 2, 'both samples delivered');
    expect(rw.samples.map((s) => s.stale)).toEqual([false, true]);
    expect(await metricValue(h, 'prometheus.relabel.r', 'alloy_prometheus_relabel_cache_deletes')).toBe(1);
    expect(await metricValue(h, 'prometheus.relabel.r', 'alloy_prometheus_relabel_cache_size')).toBe(0);
  });

  it('rejects a non-positive max_cache_size with Alloy\'s message', async () => {
    const h = await start('');
    const { parseFile } = await import('../../../src/lang/parser.js');
    const { SourceFile } = await import('../../../src/lang/position.js');
    const source = SourceFile.fromString('main.alloy', 'prometheus.relabel "r" {\n  forward_to = []\n  max_cache_size = 0\n}\n');
    const diags = await h.controller.apply([{ source, file: parseFile(source).file }]);
    expect(diags.map((d) => d.message)).toEqual(['max_cache_size must be greater than 0 and is 0']);
  });
});
