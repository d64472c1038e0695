import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/components/common/backoff.js';
import { encodePushRequest, encodePushRequestProtobuf, sizeBatch, streamLabelString, type EntryRun, type StreamRuns } from '../../../src/components/loki/write/push-request.js';
import { rawLinesBatch, withLabels, type LogBatch } from '../../../src/components/common/log-entries.js';
import { lineBounds } from '../../../src/components/loki/source-file/line-codec.js';
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

  it('random requests: an independent decoder reads back every entry, and the bytes equal protobufjs\'s Writer', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    // Lines across the varint length boundaries (127/128, 16383/16384 bytes), unicode, NUL; times before 1970 and past 2^32 s.
    const texts = ['', 'a', 'ü€𝄞', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(16_384), 'nul \u0000 here', 'é'.repeat(70), '日本語'];
    const times = [0, 1, 999, 1000, -1, -1500, -3_155_760_000_000, 2 ** 52, 4_102_444_800_000, 1e15];
    for (let r = 0; r < 300; r++) {
      const streams = new Map<string, EntryRun[]>();
      const expected: [string, [bigint, string, Record<string, string>][]][] = [];
      for (let s = 0, n = 1 + Math.floor(rnd() * 3); s < n; s++) {
        const count = 1 + Math.floor(rnd() * 20);
        const withMetadata = rnd() < 0.5;
        const batch: LogBatch = {
          labels: {},
          ms: Float64Array.from({ length: count }, () => (rnd() < 0.3 ? pick(times) : Math.floor(rnd() * 4e12) - 1e11)),
          ns: Int32Array.from({ length: count }, () => (rnd() < 0.5 ? 0 : Math.floor(rnd() * 1e6))),
          lines: Array.from({ length: count }, (_, i) => pick(texts) + (rnd() < 0.5 ? String(i) : '')),
          ...(withMetadata ? { metadata: Array.from({ length: count }, () => (rnd() < 0.6 ? { trace_id: pick(texts).slice(0, 50), [pick(['a', 'é', ''])]: pick(texts).slice(0, 9) } : undefined)) } : {}),
        };
        const label = `{job="j${s}"}`;
        const start = Math.floor(rnd() * count);
        streams.set(label, [{ source: sizeBatch(batch, label), start, end: count }]);
        const entries: [bigint, string, Record<string, string>][] = [];
        for (let i = start; i < count; i++) entries.push([BigInt(batch.ms[i]!) * 1_000_000n + BigInt(batch.ns[i]!), batch.lines[i]!, { ...batch.metadata?.[i] }]);
        expected.push([label, entries]);
      }
      const body = encodePushRequestProtobuf(streams);
      expect(Buffer.from(body).equals(Buffer.from(protobufjsEncoding(streams))), `request ${r}`).toBe(true);
      const decoded = decode(encodePushRequest(streams));
      expect(decoded.map((st) => [st.labels, st.entries.map((e) => [e.timestampNs, e.line, e.metadata])])).toEqual(expected);
    }
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

  it('raw lines (bytes and bounds, as loki.source.file reads UTF-8) encode to the same bytes as their text, without being decoded', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const texts = ['', 'a', 'ü€𝄞', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(16_384), 'crlf\r', 'nul \u0000 here', '日本語'];
    for (let r = 0; r < 200; r++) {
      const count = 1 + Math.floor(rnd() * 30);
      const text = Array.from({ length: count }, () => texts[Math.floor(rnd() * texts.length)]!).join('\n') + '\n';
      const bytes = Buffer.from(text);
      const bounds = lineBounds(bytes, bytes.length, true);
      const ms = Float64Array.from({ length: count }, () => Math.floor(rnd() * 4e12));
      const ns = Int32Array.from({ length: count }, () => Math.floor(rnd() * 1e6));
      const asText: LogBatch = { labels: {}, ms, ns, lines: text.split('\n').slice(0, -1).map((l) => l.replace(/\r$/, '')) };
      const raw = withLabels(
        rawLinesBatch({ job: 'x' }, ms, ns, { bytes, bounds }, () => {
          throw new Error('raw lines were decoded');
        }),
        {},
      );
      const start = Math.floor(rnd() * count);
      const encode = (batch: LogBatch) => {
        const sized = sizeBatch(batch, '{job="x"}');
        return { totalSize: sized.totalSize, body: encodePushRequestProtobuf(new Map([['{job="x"}', [{ source: sized, start, end: count }]]])) };
      };
      const fromRaw = encode(raw);
      const fromText = encode(asText);
      expect(fromRaw.totalSize).toBe(fromText.totalSize);
      expect(fromRaw.body.equals(fromText.body), `request ${r}`).toBe(true);
    }
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

/** The same request written with protobufjs's Writer (the encoder loki.write used before), to show the bytes did not change. */
function protobufjsEncoding(streams: StreamRuns): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [labels, runs] of streams) {
    w.uint32(0x0a).fork().uint32(0x0a).string(labels);
    for (const { source, start, end } of runs) {
      const { ms, ns, lines, metadata } = source.batch;
      for (let i = start; i < end; i++) {
        const seconds = Math.floor(ms[i]! / 1000);
        const nanos = (ms[i]! - seconds * 1000) * 1_000_000 + ns[i]!;
        w.uint32(0x12).fork().uint32(0x0a).fork();
        if (seconds !== 0) w.uint32(0x08).int64(seconds);
        if (nanos !== 0) w.uint32(0x10).int32(nanos);
        w.ldelim();
        if (lines[i] !== '') w.uint32(0x12).string(lines[i]!);
        const md = metadata?.[i];
        for (const name in md) {
          w.uint32(0x1a).fork();
          if (name !== '') w.uint32(0x0a).string(name);
          if (md[name] !== '') w.uint32(0x12).string(md[name]!);
          w.ldelim();
        }
        w.ldelim();
      }
    }
    w.ldelim();
  }
  return w.finish();
}
