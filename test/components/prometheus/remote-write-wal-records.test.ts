import { describe, expect, it } from 'vitest';
import { batchOf, isStaleAt, seriesLabelsOf, valueBits } from '../../../src/components/common/metric-samples.js';
import { SampleBatchCodec } from '../../../src/components/prometheus/remote-write/wal-records.js';

describe('remote_write WAL records', () => {
  it('replay a batch exactly: series, values, staleness markers, timestamps, shared label objects', () => {
    const a = seriesLabelsOf([['__name__', 'up'], ['job', 'x']]);
    const b = seriesLabelsOf([['__name__', 'temp'], ['room', 'ünïcode "quoted"']]);
    const batch = batchOf([
      { labels: a, value: 1, timestampMs: 1000 },
      { labels: b, value: -0.5, timestampMs: 1001 },
      { labels: a, value: 0, timestampMs: 2000, stale: true },
      { labels: b, value: Number.MAX_VALUE, timestampMs: 2001 },
    ]);
    const codec = new SampleBatchCodec();
    const decoded = codec.decode(codec.encode(batch));
    expect(decoded.length).toBe(4);
    expect(decoded.series).toEqual([a, b, a, b]);
    expect(decoded.series[0]).toBe(decoded.series[2]);
    expect(Array.from(decoded.timestamps)).toEqual([1000, 1001, 2000, 2001]);
    expect([decoded.values[0], decoded.values[1], decoded.values[3]]).toEqual([1, -0.5, Number.MAX_VALUE]);
    expect(isStaleAt(valueBits(decoded.values), 2)).toBe(true);
    expect(isStaleAt(valueBits(decoded.values), 0)).toBe(false);
    // A second record of the same series decodes to the same label objects (the queues cache by identity).
    expect(codec.decode(codec.encode(batch)).series[1]).toBe(decoded.series[1]);
  });
});
