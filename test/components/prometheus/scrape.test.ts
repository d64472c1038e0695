import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scrapeOffsetMs, populateTarget } from '../../../src/components/prometheus/scrape/target.js';
import { eventually } from '../../support/harness.js';
import { startsHarnesses } from '../started-harness.js';
import { remoteWriteBlock, usesServers } from './helpers.js';
import type { RemoteWriteReceiver } from '../../support/remote-write-receiver.js';

// Servers first: afterEach hooks run in reverse, so harnesses stop before their servers close.
const { target, receiver } = usesServers();
const start = startsHarnesses();

// Short intervals keep the tests quick; the timeout stays well above what a loaded CI machine
// needs to answer a local scrape (at 80 ms a scrape sometimes timed out there, and its failure
// marked every series stale).
function scrapeConfig(targets: string, url: string, extra = ''): string {
  return `
prometheus.scrape "s" {
  targets         = ${targets}
  forward_to      = [prometheus.remote_write.w.receiver]
  scrape_interval = "250ms"
  scrape_timeout  = "240ms"
  ${extra}
}
${remoteWriteBlock(url)}
`;
}

const stale = (rw: RemoteWriteReceiver, name: string) => rw.named(name).filter((s) => s.stale);

describe('prometheus.scrape staleness', () => {
  it('marks a series stale in the first scrape that lacks it', async () => {
    const t = await target((n) => (n <= 2 ? 'a 1\nb 2\n' : 'a 1\n'));
    const rw = await receiver();
    await start(scrapeConfig(`[{"__address__" = "${t.address}"}]`, rw.url));
    await rw.waitFor(() => stale(rw, 'b').length === 1 && rw.named('a').length >= 4, 'stale marker for b');
    const b = rw.named('b');
    expect(b.filter((s) => !s.stale)).toHaveLength(2);
    // The marker carries the timestamp of the third scrape, the one without b.
    const thirdScrape = rw.named('a')[2]!.timestampMs;
    expect(stale(rw, 'b')[0]!.timestampMs).toBe(thirdScrape);
    expect(Number.isNaN(stale(rw, 'b')[0]!.value)).toBe(true);
    expect(stale(rw, 'a')).toEqual([]);
  });

  it('reports up = 0 and marks every series stale when a scrape fails', async () => {
    const t = await target('a 1\nb 2\n');
    const rw = await receiver();
    await start(scrapeConfig(`[{"__address__" = "${t.address}"}]`, rw.url));
    await rw.waitFor(() => rw.named('a').length >= 1, 'first samples');
    t.status = 500;
    await rw.waitFor(() => rw.named('up').some((s) => s.value === 0), 'up = 0');
    expect(stale(rw, 'a')).toHaveLength(1);
    expect(stale(rw, 'b')).toHaveLength(1);
    const down = rw.named('up').find((s) => s.value === 0)!;
    expect(stale(rw, 'a')[0]!.timestampMs).toBe(down.timestampMs);
    expect(rw.named('scrape_samples_scraped').find((s) => s.timestampMs === down.timestampMs)!.value).toBe(0);
  });

  it('marks a removed target\'s series and report series stale, and keeps unchanged targets\' loops running', async () => {
    const a = await target('from_a 1\n');
    const b = await target('from_b 1\n');
    const rw = await receiver();
    const h = await start(scrapeConfig(`[{"__address__" = "${a.address}"}]`, rw.url));
    await rw.waitFor(() => rw.named('from_a').length >= 2, 'a scraped');
    await h.apply(scrapeConfig(`[{"__address__" = "${a.address}"}, {"__address__" = "${b.address}"}]`, rw.url));
    await rw.waitFor(() => rw.named('from_b').length >= 2, 'b scraped');
    // a's loop was not restarted: its series cache still knows its series.
    const addedForA = rw.named('scrape_series_added').filter((s) => s.labels['instance'] === a.address).map((s) => s.value);
    expect(addedForA[0]).toBe(1);
    expect(addedForA.slice(1).every((v) => v === 0)).toBe(true);

    await h.apply(scrapeConfig(`[{"__address__" = "${b.address}"}]`, rw.url));
    await rw.waitFor(() => stale(rw, 'from_a').length === 1, 'a marked stale');
    const upA = rw.named('up').filter((s) => s.labels['instance'] === a.address);
    expect(upA.at(-1)!.stale).toBe(true);
    expect(stale(rw, 'from_b')).toEqual([]);
  });
});

describe('prometheus.scrape options', () => {
  it('honor_labels keeps scraped labels; honor_timestamps = false uses the scrape time', async () => {
    const t = await target('m{job="mine",instance="x"} 1 1000\n');
    const rw = await receiver();
    await start(scrapeConfig(`[{"__address__" = "${t.address}"}]`, rw.url, 'honor_labels = true\nhonor_timestamps = false'));
    await rw.waitFor(() => rw.named('m').length >= 1, 'sample');
    const m = rw.named('m')[0]!;
    expect(m.labels).toMatchObject({ job: 'mine', instance: 'x' });
    expect(m.timestampMs).toBeGreaterThan(1_600_000_000_000);
  });

  it('keeps exposed timestamps by default and parses OpenMetrics and gzip', async () => {
    const t = await target(() => '# TYPE m gauge\nm 7 1700000000.5\n# EOF\n');
    t.contentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
    const rw = await receiver();
    await start(scrapeConfig(`[{"__address__" = "${t.address}"}]`, rw.url));
    await rw.waitFor(() => rw.named('m').length >= 1, 'sample');
    expect(rw.named('m')[0]).toMatchObject({ value: 7, timestampMs: 1_700_000_000_500 });
    expect(t.requests[0]!.headers['accept-encoding']).toBe('gzip');
  });

  it('decompresses gzip bodies and enforces body_size_limit on the uncompressed size', async () => {
    const rw = await receiver();
    const big = await target(`big 1\n${'# padding\n'.repeat(500)}`);
    const zipped = await target('');
    zipped.encode = () => ({ body: gzipSync('zipped 3\n'), headers: { 'content-encoding': 'gzip' } });
    const bigZipped = await target('');
    bigZipped.encode = () => ({ body: gzipSync(`big_zipped 1\n${'# padding\n'.repeat(500)}`), headers: { 'content-encoding': 'gzip' } });
    const targets = [zipped, big, bigZipped].map((t) => `{"__address__" = "${t.address}"}`).join(', ');
    await start(scrapeConfig(`[${targets}]`, rw.url, 'body_size_limit = "1KiB"'));
    const up = (t: { address: string }) => rw.named('up').find((s) => s.labels['instance'] === t.address);
    await rw.waitFor(() => rw.named('zipped').length >= 1 && up(big) !== undefined && up(bigZipped) !== undefined, 'all scraped');
    expect(rw.named('zipped')[0]!.value).toBe(3);
    expect([up(big)!.value, up(bigZipped)!.value]).toEqual([0, 0]);
    expect(rw.named('big')).toEqual([]);
    expect(rw.named('big_zipped')).toEqual([]);
  });

  it('fails a scrape over sample_limit', async () => {
    const t = await target('a 1\nb 1\nc 1\n');
    const rw = await receiver();
    await start(scrapeConfig(`[{"__address__" = "${t.address}"}]`, rw.url, 'sample_limit = 2'));
    await rw.waitFor(() => rw.named('up').length >= 1, 'up');
    expect(rw.named('up')[0]!.value).toBe(0);
    expect(rw.named('a')).toEqual([]);
  });

  it('sends params and per-target overrides, and reports unscrapable targets in debug info', async () => {
    const t = await target('m 1\n');
    const rw = await receiver();
    const h = await start(scrapeConfig(
      `[{"__address__" = "${t.address}", "__metrics_path__" = "/custom", "__param_b" = "over"}, {"job" = "no-address"}]`,
      rw.url,
      'params = { "a" = ["1", "2"], "b" = ["x"] }',
    ));
    await eventually(() => t.requests.length > 0, 'scraped');
    expect(t.requests[0]!.path).toBe('/custom?a=1&a=2&b=over');
    const info = h.controller.get('prometheus.scrape.s')?.debugInfo as { targets: { url: string }[]; dropped_targets: { error: string }[] };
    expect(info.targets[0]!.url).toBe(`http://${t.address}/custom?a=1&a=2&b=over`);
    expect(info.dropped_targets[0]!.error).toBe('no address');
  });

  it('rejects a timeout longer than the interval with Alloy\'s message', async () => {
    const h = await start('');
    const { parseFile } = await import('../../../src/lang/parser.js');
    const { SourceFile } = await import('../../../src/lang/position.js');
    const source = SourceFile.fromString('main.alloy', `prometheus.scrape "s" {\n  targets = []\n  forward_to = []\n  scrape_interval = "5s"\n  scrape_timeout = "10s"\n}\n`);
    const diags = await h.controller.apply([{ source, file: parseFile(source).file }]);
    expect(diags.map((d) => d.message)).toEqual(['scrape_timeout (10s) greater than scrape_interval (5s) for scrape config with job name ""']);
  });
});

describe('scrape targets', () => {
  const defaults = { jobName: 'j', intervalMs: 60_000, timeoutMs: 10_000, metricsPath: '/metrics', scheme: 'http', params: {} };

  it('populates labels as Prometheus does', () => {
    const t = populateTarget({ __address__: 'h:9', __meta_a: 'x', __scrape_interval__: '15s', keep: 'y', empty: '' }, defaults);
    if ('error' in t) throw new Error(t.error);
    expect(t.labels).toEqual({ instance: 'h:9', job: 'j', keep: 'y' });
    expect(t.intervalMs).toBe(15_000);
    expect(populateTarget({ __address__: 'h:9', __scrape_timeout__: '2m' }, defaults)).toEqual({ error: 'scrape timeout cannot be greater than scrape interval ("2m" > "1m")' });
  });

  it('spreads first scrapes by a stable per-target offset within the interval', () => {
    const a = populateTarget({ __address__: 'a:1' }, defaults);
    const b = populateTarget({ __address__: 'b:1' }, defaults);
    if ('error' in a || 'error' in b) throw new Error('bad target');
    const now = 1_700_000_000_000;
    const offA = scrapeOffsetMs(a, 7, now);
    expect(scrapeOffsetMs(a, 7, now)).toBe(offA);
    expect(offA).toBeGreaterThanOrEqual(0);
    expect(offA).toBeLessThanOrEqual(60_000);
    // The scrape lands on the same phase of the interval whenever the loop starts.
    expect((now + offA) % 60_000).toBe((now + 12_345 + scrapeOffsetMs(a, 7, now + 12_345)) % 60_000);
    expect(scrapeOffsetMs(b, 7, now)).not.toBe(offA);
  });
});
