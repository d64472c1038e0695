import { afterEach, describe, expect, it, vi } from 'vitest';
import { entryCount, type LogBatch } from '../../../../src/components/common/log-entries.js';
import { DockerLogParser, STDERR, STDOUT } from '../../../../src/components/loki/source-docker/log-frames.js';
import { PendingBatch } from '../../../../src/components/loki/source-docker/tailer.js';
import { releaseBatch } from '../../../../src/components/loki/pooled-lines.js';
import { encodePushRequest, encodePushRequestProtobuf, sizeBatch } from '../../../../src/components/loki/write/push-request.js';
import { decodePush } from '../../../support/loki-receiver.js';

function frame(stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A message as Docker frames it: its timestamp, a space, the content (split into partial frames of at most `split` bytes). */
function frames(stream: number, seconds: number, content: Buffer, split: number): Buffer[] {
  const out: Buffer[] = [];
  const ts = `${new Date(Date.UTC(2024, 0, 1) + seconds * 1000).toISOString().slice(0, 19)}.000000123Z `;
  for (let at = 0; ; at += split) {
    const last = at + split >= content.length;
    const part = content.subarray(at, last ? content.length : at + split);
    out.push(frame(stream, Buffer.concat([Buffer.from(ts), part, Buffer.from(last ? '\n' : '')])));
    if (last) return out;
  }
}

/**
 * Feeds `stream` to the parser as the Docker client does: each read lands in
 * one read buffer that is overwritten by the next read (streaming-response.ts).
 */
function feed(parser: DockerLogParser, stream: Buffer, readSize: number): void {
  const readBuffer = Buffer.alloc(readSize);
  for (let at = 0; at < stream.length; at += readSize) {
    const n = stream.copy(readBuffer, 0, at, Math.min(stream.length, at + readSize));
    parser.push(readBuffer, 0, n);
    readBuffer.fill(0x23); // the connection reuses its buffer
  }
  parser.end();
}

function runs(batch: LogBatch) {
  return new Map([['{job="x"}', [{ source: sizeBatch(batch, '{job="x"}'), start: 0, end: entryCount(batch) }]]]);
}

/** The protobuf loki.write sends (before snappy). */
function encode(batch: LogBatch): Buffer {
  return encodePushRequestProtobuf(runs(batch));
}

afterEach(() => vi.restoreAllMocks());

describe('PendingBatch (loki.source.docker lines as bytes)', () => {
  it('keeps the lines the parser hands over from a reused read buffer, and loki.write encodes them to the same push as their text without decoding them', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const words = ['', 'a', 'ü€𝄞', 'x'.repeat(119), 'y'.repeat(9000), '日本語 ', 'nul \u0000 here', 'tab\tand "quotes"'];
    for (let round = 0; round < 40; round++) {
      const expected: [string[], string[]] = [[], []];
      const times: [number[], number[]] = [[], []];
      const pieces: Buffer[] = [];
      const count = 1 + Math.floor(rnd() * 300);
      for (let i = 0; i < count; i++) {
        const stream = rnd() < 0.8 ? STDOUT : STDERR;
        const text = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => words[Math.floor(rnd() * words.length)]!).join('');
        // Empty lines are not forwarded (as in Alloy); give them content.
        const line = text === '' ? 'e' : text;
        // podman splits at 8 KiB (on byte boundaries, possibly inside a character).
        pieces.push(...frames(stream + 1, i, Buffer.from(line), 8192));
        expected[stream].push(line);
        times[stream].push(Date.UTC(2024, 0, 1) + i * 1000);
      }
      const batches = [new PendingBatch({ job: 'x' }), new PendingBatch({ job: 'x' })] as const;
      const parser = new DockerLogParser(false, {
        line: (stream, ms, ns, buf, start, end) => batches[stream].add(ms, ns, buf, start, end),
        error: (reason) => expect.fail(reason),
      });
      feed(parser, Buffer.concat(pieces), 1 + Math.floor(rnd() * 20000));

      for (const stream of [STDOUT, STDERR] as const) {
        const pending = batches[stream];
        expect(pending.count).toBe(expected[stream].length);
        expect(pending.bytes).toBe(expected[stream].reduce((sum, l) => sum + Buffer.byteLength(l), 0));
        const batch = pending.take();
        expect(pending.count).toBe(0);
        expect(pending.bytes).toBe(0);
        expect(batch.raw, 'a raw batch').toBeDefined();
        expect(entryCount(batch)).toBe(expected[stream].length);
        expect([...batch.ms]).toEqual(times[stream]);
        expect([...batch.ns]).toEqual(expected[stream].map(() => 123));

        // loki.write's sizing and encoding read the bytes, never the text.
        const decodes = vi.spyOn(Buffer.prototype, 'toString');
        const fromRaw = encode(batch);
        const decodedRaw = decodes.mock.contexts.filter((ctx) => ctx === batch.raw!.bytes).length;
        decodes.mockRestore();
        expect(decodedRaw, 'raw lines decoded while encoding').toBe(0);

        const asText: LogBatch = { labels: { job: 'x' }, ms: batch.ms, ns: batch.ns, lines: expected[stream] };
        expect(fromRaw.equals(encode(asText)), `round ${round} stream ${stream}`).toBe(true);
        // Text consumers see the same lines as before.
        expect(batch.lines).toEqual(expected[stream]);
        if (expected[stream].length > 0) {
          const entries = decodePush({ 'content-type': 'application/x-protobuf' }, encodePushRequest(runs(batch))).streams[0]!.entries;
          expect(entries.map((e) => e.line)).toEqual(expected[stream]);
        }
      }
    }
  });

  it('the decode spy sees a text read (so the check above can fail)', () => {
    const pending = new PendingBatch({});
    const line = Buffer.from('hello');
    pending.add(1, 0, line, 0, line.length);
    const batch = pending.take();
    const decodes = vi.spyOn(Buffer.prototype, 'toString');
    expect(batch.lines).toEqual(['hello']);
    expect(decodes.mock.contexts.filter((ctx) => ctx === batch.raw!.bytes).length).toBe(1);
  });

  it('a taken batch owns its bytes (copied when small, the buffer itself when full): later lines do not change it', () => {
    const pending = new PendingBatch({});
    const buf = Buffer.from('first line');
    pending.add(1, 0, buf, 0, buf.length);
    const first = pending.take();
    buf.fill(0x21);
    const lines = (tag: string) => Array.from({ length: 5000 }, (_, i) => `${tag} ${i} ${'z'.repeat(i % 300)}`);
    const addAll = (texts: string[]) => texts.forEach((t, i) => pending.add(2, i, Buffer.from(t), 0, Buffer.byteLength(t)));
    addAll(lines('second'));
    const second = pending.take();
    addAll(lines('third'));
    const third = pending.take();
    pending.add(3, 0, buf, 0, buf.length);
    // Read (decoded) only now, after the pending batch took more lines.
    expect(first.lines).toEqual(['first line']);
    expect(second.lines).toEqual(lines('second'));
    expect(third.lines).toEqual(lines('third'));
    expect(second.ns[4999]).toBe(4999);
    expect(pending.take().lines).toEqual(['!'.repeat(10)]);
  });

  it('an acknowledged (released) full batch gives its buffer to a later batch, and its lines can no longer be read', () => {
    const pending = new PendingBatch({});
    const fill = (tag: string) => {
      for (let i = 0; i < 2000; i++) {
        const line = Buffer.from(`${tag} ${String(i).padStart(4, '0')} ${'q'.repeat(100)}`);
        pending.add(1, i, line, 0, line.length);
      }
      return pending.take();
    };
    const first = fill('aaa');
    expect(first.lines[1999]).toBe(`aaa 1999 ${'q'.repeat(100)}`);
    const kept = fill('bbb'); // not released: its bytes stay its own
    releaseBatch(first);
    releaseBatch(first); // twice is harmless
    expect(() => first.lines.length).not.toThrow(); // decoded before the release: the text stays
    const second = fill('ccc');
    const unread = fill('ddd');
    releaseBatch(unread);
    expect(() => unread.lines).toThrow(/acknowledged/);
    expect(second.raw!.bytes.buffer === first.raw!.bytes.buffer || unread.raw!.bytes.buffer === first.raw!.bytes.buffer).toBe(true);
    expect(kept.lines[0]).toBe(`bbb 0000 ${'q'.repeat(100)}`);
    expect(second.lines[0]).toBe(`ccc 0000 ${'q'.repeat(100)}`);
  });
});
