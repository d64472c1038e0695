import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/components/common/backoff.js';
import { encodePushRequest, sizeBatch, streamLabelString, type EntryRun } from '../../../src/components/loki/write/push-request.js';
import type { LogBatch } from '../../../src/components/common/log-entries.js';
import { decodePush } from '../../support/loki-receiver.js';

function decode(body: Buffer) {
  return decodePush({ 'content-type': 'application/x-protobuf' }, body).streams;
}

describe('push request encoding', () => {
  it('writes timestamps (also before 1970), empty lines, metadata and unicode that an independent decoder reads back', () => {
    const batch: LogBatch = {
      labels: { job: 'x' },
      ms: Float64Array.of(0, -1500, 1_700_000_000_123, 1_700_000_000_124),
      ns: Int32Array.of(0, 7, 999_999, 0),
      lines: ['', 'before epoch', 'ünïcödé ✓ 𝄞', 'md'],
      metadata: [undefined, undefined, { '': 'no name', k: '' }, { trace_id: 'abc', span: 'ü' }],
    };
    const sized = sizeBatch(batch, '{job="x"}');
    const runs: EntryRun[] = [{ source: sized, start: 0, end: 2 }, { source: sized, start: 2, end: 4 }];
    const streams = decode(encodePushRequest(new Map([['{job="x"}', runs]])));
    expect(streams).toHaveLength(1);
    expect(streams[0]!.labels).toBe('{job="x"}');
    expect(streams[0]!.entries.map((e) => [e.timestampNs, e.line, e.metadata])).toEqual([
      [0n, '', {}],
      [-1_500_000_000n + 7n, 'before epoch', {}],
      [1_700_000_000_123_999_999n, 'ünïcödé ✓ 𝄞', { '': 'no name', k: '' }],
      [1_700_000_000_124_000_000n, 'md', { trace_id: 'abc', span: 'ü' }],
    ]);
  });

  it('keeps several streams and run order', () => {
    const a = sizeBatch({ labels: {}, ms: Float64Array.of(1000, 2000), ns: new Int32Array(2), lines: ['a1', 'a2'] }, '{s="a"}');
    const b = sizeBatch({ labels: {}, ms: Float64Array.of(3000), ns: new Int32Array(1), lines: ['b1'] }, '{s="b"}');
    const streams = decode(
      encodePushRequest(
        new Map([
          ['{s="a"}', [{ source: a, start: 1, end: 2 }, { source: a, start: 0, end: 1 }]],
          ['{s="b"}', [{ source: b, start: 0, end: 1 }]],
        ]),
      ),
    );
    expect(streams.map((s) => [s.labels, s.entries.map((e) => e.line)])).toEqual([
      ['{s="a"}', ['a2', 'a1']],
      ['{s="b"}', ['b1']],
    ]);
  });

  it('counts entry sizes as Alloy does: line bytes plus the protobuf size of each metadata pair', () => {
    const sized = sizeBatch(
      { labels: {}, ms: new Float64Array(2), ns: new Int32Array(2), lines: ['héllo', 'x'], metadata: [undefined, { trace_id: 'abc' }] },
      '{}',
    );
    // trace_id pair: (1 + 1 + 8) + (1 + 1 + 3) = 15
    expect([...sized.entrySizes]).toEqual([6, 16]);
    expect(sized.totalSize).toBe(22);
  });
});

describe('stream label string', () => {
  it('sorts names, leaves out __ labels and quotes values like Go', () => {
    expect(streamLabelString({ z: '1', a: 'x"y\\z', __tenant_id__: 't', __path__: '/p', m: 'tab\there\x01\u00a0é' })).toBe(
      '{a="x\\"y\\\\z", m="tab\\there\\x01\\u00a0é", z="1"}',
    );
    expect(streamLabelString({})).toBe('{}');
  });
});

describe('Backoff', () => {
  it('draws delays from a doubling window capped at max, and stops after maxRetries', () => {
    const b = new Backoff({ minMs: 500, maxMs: 3000, maxRetries: 5 }, undefined, () => 0.999999);
    const delays: number[] = [];
    while (b.ongoing()) delays.push(b.nextDelay());
    // windows: [500,1000) [1000,2000) [2000,3000), then the window stops growing once its top reached max
    expect(delays).toEqual([999, 1999, 2999, 2999, 2999]);
    expect(b.retries).toBe(5);
  });

  it('retries forever with maxRetries 0, and stops when its signal aborts', () => {
    const abort = new AbortController();
    const b = new Backoff({ minMs: 10, maxMs: 10, maxRetries: 0 }, abort.signal);
    for (let i = 0; i < 100; i++) expect(b.nextDelay()).toBe(10);
    expect(b.ongoing()).toBe(true);
    abort.abort();
    expect(b.ongoing()).toBe(false);
  });
});
