import { describe, expect, it } from 'vitest';
import type { Harness } from '../../support/harness.js';
import { startsHarnesses } from '../started-harness.js';
import { remoteWriteBlock, usesServers } from './helpers.js';

// Servers first: afterEach hooks run in reverse, so harnesses stop before their servers close.
const { target, receiver } = usesServers();
const start = startsHarnesses();

describe('scrape → relabel → remote_write', () => {
  it('delivers scraped samples with target, relabeled and external labels, and report series', async () => {
    const t = await target((n) => `# TYPE requests_total counter\nrequests_total{path="/a"} ${n}\nrequests_total{path="/b",job="scraped"} ${n * 2}\ntemperature 21.5\n`);
    const rw = await receiver();
    const h: Harness = await start(`
prometheus.scrape "t" {
  targets         = [{"__address__" = "${t.address}", "team" = "a", "__meta_x" = "gone"}]
  forward_to      = [prometheus.relabel.r.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.relabel "r" {
  forward_to = [prometheus.remote_write.w.receiver]
  rule {
    source_labels = ["__name__"]
    regex         = "temperature"
    action        = "drop"
  }
  rule {
    source_labels = ["path"]
    target_label  = "route"
  }
}
${remoteWriteBlock(rw.url, { extra: 'external_labels = { cluster = "c1" }' })}
`);
    await rw.waitFor(() => rw.named('requests_total').length >= 4 && rw.named('up').length >= 2, 'samples');
    const first = rw.named('requests_total')[0]!;
    expect(first.labels).toEqual({ __name__: 'requests_total', cluster: 'c1', instance: t.address, job: 'prometheus.scrape.t', path: '/a', route: '/a', team: 'a' });
    expect(first.labelOrder).toEqual(['__name__', 'cluster', 'instance', 'job', 'path', 'route', 'team']);
    const conflicted = rw.named('requests_total').find((s) => s.labels['path'] === '/b')!;
    expect(conflicted.labels['job']).toBe('prometheus.scrape.t');
    expect(conflicted.labels['exported_job']).toBe('scraped');
    expect(rw.named('temperature')).toEqual([]);
    const up = rw.named('up')[0]!;
    expect(up.value).toBe(1);
    expect(up.labels).toEqual({ __name__: 'up', cluster: 'c1', instance: t.address, job: 'prometheus.scrape.t', team: 'a' });
    for (const name of ['scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      expect(rw.named(name).length, name).toBeGreaterThan(0);
    }
    expect(rw.named('scrape_samples_scraped')[0]!.value).toBe(3);
    expect(rw.named('scrape_series_added')[0]!.value).toBe(3);
    // Timestamps are the scrape's, shared by every sample of one scrape.
    expect(up.timestampMs).toBe(rw.named('scrape_series_added')[0]!.timestampMs);
    const headers = t.requests[0]!.headers;
    expect(headers['accept']).toBe('application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2');
    expect(headers['x-prometheus-scrape-timeout-seconds']).toBe('0.15');
    expect(headers['user-agent']).toMatch(/^Alloy\//);
    expect(h.health('prometheus.scrape.t')?.state).toBe('healthy');
  });
});
