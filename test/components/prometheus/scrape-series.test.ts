import { describe, expect, it } from 'vitest';
import { batchOf, isStaleAt, SampleBatchBuilder, valueBits, type SampleBatch } from '../../../src/components/common/metric-samples.js';
import { TargetSeries, withTargetLabels } from '../../../src/components/prometheus/scrape/series.js';

const TARGET = Object.freeze({ instance: 'h:1', job: 'j' });
const OPTIONS = { honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, sampleLimit: 0, validation: 'legacy' as const };

function scrape(series: TargetSeries, text: string, ts: number): SampleBatch {
  const out = new SampleBatchBuilder();
  const appender = series.begin('prometheus', ts, out);
  appender.write(Buffer.from(text));
  appender.end();
  return out.finish(series.familyMetadata);
}

function names(batch: SampleBatch): string[] {
  const bits = valueBits(batch.values);
  return batch.series.map((s, i) => `${s['__name__']}${s['i'] ? `/${s['i']}` : ''}${isStaleAt(bits, i) ? ' stale' : ''}`);
}

describe('samples model', () => {
  it('keeps staleness markers bit-exact through copies, and ordinary NaN apart', () => {
    const l = Object.freeze({ __name__: 'x' });
    const src = batchOf([
      { labels: l, value: Number.NaN, timestampMs: 1 },
      { labels: l, value: 0, timestampMs: 2, stale: true },
    ]);
    const out = new SampleBatchBuilder(1);
    for (let i = 0; i < 2; i++) out.copy(src, i, l);
    const copied = out.finish();
    const bits = valueBits(copied.values);
    expect([isStaleAt(bits, 0), isStaleAt(bits, 1)]).toEqual([false, true]);
    expect(Array.from(copied.timestamps)).toEqual([1, 2]);
  });
});

describe('batch builder', () => {
  it('refills an acknowledged batch\'s arrays when they are large enough', () => {
    const l = Object.freeze({ __name__: 'x' });
    const first = batchOf(Array.from({ length: 40 }, (_, i) => ({ labels: l, value: i, timestampMs: i })));
    const again = new SampleBatchBuilder(30, first);
    again.add(l, 7, 8);
    again.addStale(l, 9);
    const second = again.finish();
    expect(second.values.buffer).toBe(first.values.buffer);
    expect(second.series).toBe(first.series);
    expect(second.length).toBe(2);
    expect(second.series).toEqual([l, l]);
    expect([second.values[0], isStaleAt(valueBits(second.values), 1), ...second.timestamps]).toEqual([7, true, 8, 9]);
    const tooSmall = new SampleBatchBuilder(100, second).finish();
    expect(tooSmall.values.buffer).not.toBe(first.values.buffer);
  });
});

describe('target series cache', () => {
  it('reuses one label object per series across scrapes and marks vanished series stale', () => {
    const series = new TargetSeries(TARGET, OPTIONS);
    const first = scrape(series, 'a 1\nb{i="1"} 2\nb{i="2"} 3\n', 1000);
    const second = scrape(series, 'a 1\nb{i="2"} 4\n', 2000);
    expect(names(first)).toEqual(['a', 'b/1', 'b/2']);
    expect(names(second)).toEqual(['a', 'b/2', 'b/1 stale']);
    expect(second.series[0]).toBe(first.series[0]);
    expect(second.series[2]).toBe(first.series[1]);
    expect(first.series[0]).toEqual({ __name__: 'a', instance: 'h:1', job: 'j' });
    expect(Array.from(second.timestamps)).toEqual([2000, 2000, 2000]);
  });

  it('keeps only the first of duplicated series, and forgets series gone for a scrape', () => {
    const series = new TargetSeries(TARGET, OPTIONS);
    expect(names(scrape(series, 'a 1\na 2\n', 1))).toEqual(['a']);
    const many = Array.from({ length: 5000 }, (_, i) => `m{i="${i}"} ${i}`).join('\n');
    const b1 = scrape(series, many, 2);
    expect(b1.length).toBe(5001); // 5000 samples + a stale
    const b2 = scrape(series, 'a 1\n', 3);
    expect(b2.length).toBe(5001); // a + 5000 markers
    const b3 = scrape(series, many, 4);
    expect(b3.series[0]).not.toBe(b1.series[0]); // the cache had dropped them
    expect(b3.series[0]).toEqual(b1.series[0]);
  });

  it('keeps each series\' label object and staleness right through growth and churn of many series', () => {
    const series = new TargetSeries(TARGET, OPTIONS);
    const body = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `m{i="${from + k}"} ${from + k}`).join('\n');
    const first = scrape(series, body(0, 20_000), 1);
    const byIndex = new Map(first.series.map((s) => [s['i'], s]));
    // Half the series go away (markers), others arrive; the kept ones are renumbered.
    const second = scrape(series, body(10_000, 30_000), 2);
    expect(second.length).toBe(30_000);
    const bits = valueBits(second.values);
    const stale = second.series.filter((_, k) => isStaleAt(bits, k)).map((s) => Number(s['i']));
    expect(stale.sort((a, b) => a - b)).toEqual(Array.from({ length: 10_000 }, (_, k) => k));
    for (let k = 0; k < 10_000; k++) expect(second.series[k]).toBe(byIndex.get(String(10_000 + k)));
    // After the compaction, a series that vanishes is still marked with its own labels.
    const third = scrape(series, body(10_000, 29_999), 3);
    expect(names(third).slice(-1)).toEqual(['m/29999 stale']);
    expect(third.series[0]).toBe(second.series[0]);
    const failed = series.begin('prometheus', 4, new SampleBatchBuilder());
    failed.write(Buffer.from(body(0, 5)));
    failed.abandon();
    const all = new SampleBatchBuilder();
    series.markAllStale(5, all);
    expect(all.finish().series.map((s) => s['i'])).toEqual(third.series.slice(0, 19_999).map((s) => s['i']));
  });

  it('leaves series with their own timestamps out of staleness tracking', () => {
    const series = new TargetSeries(TARGET, OPTIONS);
    scrape(series, 'own 1 500\nplain 1\n', 1000);
    expect(names(scrape(series, '', 2000))).toEqual(['plain stale']);
  });

  it('parses a body arriving in chunks as the whole body, and a failed scrape changes no staleness state', () => {
    const text = '# TYPE a counter\na{i="1"} 1\na{i="2"} 2\nb 3\n';
    const whole = scrape(new TargetSeries(TARGET, OPTIONS), text, 1);
    const series = new TargetSeries(TARGET, OPTIONS);
    const out = new SampleBatchBuilder();
    const appender = series.begin('prometheus', 1, out);
    for (let at = 0; at < text.length; at += 5) appender.write(Buffer.from(text.slice(at, at + 5)));
    expect(appender.end()).toEqual({ scraped: 3, appended: 3, added: 3 });
    const streamed = out.finish(series.familyMetadata);
    expect(names(streamed)).toEqual(names(whole));
    expect(streamed.metadata).toEqual(whole.metadata);

    const failed = series.begin('prometheus', 2, new SampleBatchBuilder());
    failed.write(Buffer.from('a{i="1"} 5\nb 6\nc '));
    failed.abandon(); // e.g. the connection broke
    expect(series.lastSize).toBe(3);
    expect(names(scrape(series, 'a{i="1"} 7\n', 3))).toEqual(['a/1', 'a/2 stale', 'b stale']);
  });

  it('rejects invalid names under legacy validation, and collects metadata once per change', () => {
    const series = new TargetSeries(TARGET, OPTIONS);
    expect(() => scrape(series, '{"a.b"} 1\n', 1)).toThrow(/invalid metric name or label names/);
    const m1 = scrape(series, '# TYPE c counter\n# HELP c Count.\nc 1\n', 1).metadata;
    const m2 = scrape(series, '# HELP c Count.\n# TYPE c counter\nc 2\n', 2).metadata;
    expect(m1?.get('c')).toEqual({ type: 'counter', help: 'Count.', unit: '' });
    expect(m2).toBe(m1);
  });
});

describe('target labels', () => {
  it('moves conflicting scraped labels to exported_*, shortest names first', () => {
    const merged = withTargetLabels([['__name__', 'm'], ['job', 'scraped'], ['exported_job', 'taken'], ['instance', 'i']], { job: 'j', instance: 'h:1' }, false);
    expect(Object.fromEntries(merged)).toEqual({ __name__: 'm', job: 'j', instance: 'h:1', exported_instance: 'i', exported_job: 'taken', exported_exported_job: 'scraped' });
    const honored = withTargetLabels([['__name__', 'm'], ['job', 'scraped']], { job: 'j', instance: 'h:1' }, true);
    expect(Object.fromEntries(honored)).toEqual({ __name__: 'm', job: 'scraped', instance: 'h:1' });
  });
});
