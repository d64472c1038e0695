/** The building blocks of loki.source.file: line splitting, the file tailer, the acknowledgement window. */
import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../../src/components/loki/ack-window.js';
import { FileTailer, lastLineStart, SIGNATURE_BYTES, signaturesMatch, type TailEvent } from '../../../src/components/loki/source-file/file-follower.js';
import { codecFor, LineBuffer, lineBounds, splitLines, utf8Codec, type TakenLines } from '../../../src/components/loki/source-file/line-codec.js';
import { PooledLines } from '../../../src/components/loki/pooled-lines.js';

/** What taken lines say, as plain data (raw ones decode their lines on reading). */
const asText = (t: TakenLines | undefined) => t && { lines: [...t.lines], count: t.count, bytes: t.bytes };
/** The lines of a raw take, read from its bytes and bounds as loki.write reads them. */
const rawLines = (t: TakenLines | undefined) => {
  const { bytes, bounds } = t!.raw!;
  return Array.from({ length: bounds.length / 2 }, (_, i) => bytes.toString('utf8', bounds[2 * i], bounds[2 * i + 1]));
};

const tempFile = (name = 'f.log') => path.join(mkdtempSync(path.join(tmpdir(), 'alloy-ts-tailer-')), name);

/** Pulls events from a tailer until `want` lines arrived (or fails after a while). */
async function collect(events: AsyncGenerator<TailEvent>, want: number, seen: TailEvent[] = []): Promise<{ lines: string[]; events: TailEvent[] }> {
  const lines = seen.flatMap((e) => (e.kind === 'lines' ? e.lines : []));
  while (lines.length < want) {
    const next = await events.next();
    if (next.done) break;
    seen.push(next.value);
    if (next.value.kind === 'lines') lines.push(...next.value.lines);
  }
  return { lines, events: seen };
}

function tailer(file: string, offset = 0, pollMs = 10) {
  const abort = new AbortController();
  const t = new FileTailer({ path: file, offset, codec: utf8Codec, minPollMs: pollMs, maxPollMs: pollMs, signal: abort.signal, chunkBytes: 64 });
  return { t, events: t.events(), abort };
}

describe('line splitting', () => {
  it('splits on \\n and strips one trailing \\r', () => {
    expect(splitLines('a\r\nb\r\r\n\nc\n', true)).toEqual(['a', 'b\r', '', 'c']);
    expect(splitLines('a\npartial', false)).toEqual(['a', 'partial']);
  });

  it('holds partial lines and grows for lines longer than the buffer', () => {
    const buf = new LineBuffer(utf8Codec, 8);
    buf.append(Buffer.from('abc'));
    expect(buf.take()).toBeUndefined();
    buf.append(Buffer.from('defghijklmnop\nq'));
    const taken = buf.take();
    expect(asText(taken)).toEqual({ lines: ['abcdefghijklmnop'], count: 1, bytes: 17 });
    expect(rawLines(taken)).toEqual(['abcdefghijklmnop']);
    expect(buf.pending).toBe(1);
    buf.append(Buffer.from('rs'));
    const rest = buf.flush();
    expect(asText(rest)).toEqual({ lines: ['qrs'], count: 1, bytes: 3 });
    expect(rawLines(rest)).toEqual(['qrs']);
    // The bytes handed out stay as they were while the buffer is reused.
    buf.append(Buffer.from('zzzzzzzzzzzzzzzzzzzz\n'));
    expect(rawLines(taken)).toEqual(['abcdefghijklmnop']);
    expect(rawLines(rest)).toEqual(['qrs']);
  });

  it('cuts a line longer than the maximum into pieces rather than holding it forever', () => {
    const buf = new LineBuffer(utf8Codec, 4, 16);
    buf.append(Buffer.from('x'.repeat(20)));
    expect(asText(buf.take())).toEqual({ lines: ['x'.repeat(20)], count: 1, bytes: 20 });
  });

  it('finds UTF-16 newlines at code-unit boundaries only', () => {
    const be = codecFor('UTF-16BE');
    // U+0A0A ("ਊ") contains 0x0A bytes but is no newline.
    const bytes = Buffer.from([0x0a, 0x0a, 0x00, 0x41, 0x00, 0x0a, 0x00, 0x42]);
    expect(be.lastLineEnd(bytes, 0, bytes.length)).toBe(6);
    expect(be.decode(bytes, 0, 4)).toBe('ਊA');
    const le = codecFor('utf-16le');
    const text = Buffer.from('a\u0a00b\n', 'utf16le');
    expect(le.lastLineEnd(text, 0, text.length)).toBe(text.length);
    expect(le.lastLineEnd(text, 0, text.length - 2)).toBe(-1);
  });

  it('gives UTF-8 lines as bytes with the bounds splitLines gives the decoded text', () => {
    // Random text of newlines, CRs, multi-byte and invalid sequences: the raw bounds must select
    // exactly the lines splitLines makes of the decoded text (loki.write sends the bytes).
    const pieces = ['a', 'bc', '\n', '\r', '\r\n', 'é', '€', '😀', '\n\n', 'x'.repeat(30)];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 500; round++) {
      let text = '';
      for (let i = random(40); i >= 0; i--) text += pieces[random(pieces.length)];
      const bytes = Buffer.from(text);
      for (const complete of [true, false]) {
        const end = complete ? bytes.lastIndexOf(0x0a) + 1 : bytes.length;
        if (complete && end === 0) continue;
        const bounds = lineBounds(bytes, end, complete);
        const fromBytes = Array.from({ length: bounds.length / 2 }, (_, i) => bytes.toString('utf8', bounds[2 * i], bounds[2 * i + 1]));
        expect(fromBytes).toEqual(splitLines(bytes.toString('utf8', 0, end), complete));
      }
    }
  });

  it('copies a short take out of the read buffer instead of handing the buffer on', () => {
    const buf = new LineBuffer(utf8Codec, 1024);
    buf.append(Buffer.alloc(1000, 'p'));
    buf.append(Buffer.from('\nabc\n' + 'q'.repeat(900)));
    const long = buf.take()!;
    expect(long.raw!.bytes.length).toBeGreaterThanOrEqual(1005);
    buf.append(Buffer.from('\nshort\n'));
    const short = buf.take()!;
    expect(rawLines(short)).toEqual(['q'.repeat(900), 'short']);
    buf.append(Buffer.from('tiny\n' + 'r'.repeat(1000)));
    const tiny = buf.take()!;
    expect(rawLines(tiny)).toEqual(['tiny']);
    expect(tiny.raw!.bytes.length).toBe(5);
    expect(rawLines(long)).toEqual(['p'.repeat(1000), 'abc']);
  });

  it('reuses a full chunk once its lines are released, and refuses to decode them after that', () => {
    const chunk = 96 * 1024;
    const buf = new LineBuffer(utf8Codec);
    const line = 'l'.repeat(99) + '\n';
    // As the file follower reads: into readTarget(), then written().
    const fill = () => {
      while (buf.pending < chunk - line.length) {
        const target = buf.readTarget();
        buf.written(Buffer.from(line).copy(target.buffer, target.offset, 0, Math.min(line.length, target.length)));
      }
      return buf.take()!;
    };
    const first = fill();
    expect(first.raw!.bytes.length).toBe(chunk);
    const held = fill();
    (first.raw as PooledLines).release();
    expect(() => first.lines).toThrow(/read after their batch was acknowledged/);
    // The chunk read into next (allocated when `held` was taken) is followed by the released one;
    // lines still held were not touched.
    const third = fill();
    const fourth = fill();
    expect(third.raw!.bytes.buffer).not.toBe(first.raw!.bytes.buffer);
    expect(fourth.raw!.bytes.buffer).toBe(first.raw!.bytes.buffer);
    for (const taken of [held, third, fourth]) expect(taken.lines.every((l) => l === 'l'.repeat(99))).toBe(true);
  });

  it('rejects unknown encodings', () => {
    expect(() => codecFor('klingon-8')).toThrow(/failed to get IANA encoding klingon-8/);
    expect(codecFor('').name).toBe('utf-8');
  });
});

describe('signatures', () => {
  it('follow Alloy’s rule', () => {
    const full = Buffer.alloc(SIGNATURE_BYTES, 'a');
    expect(signaturesMatch(Buffer.alloc(0), Buffer.from('x'))).toBe(false);
    expect(signaturesMatch(Buffer.from('ab'), Buffer.from('abc'))).toBe(true);
    expect(signaturesMatch(Buffer.from('abc'), Buffer.from('ab'))).toBe(false);
    expect(signaturesMatch(full, Buffer.from(full))).toBe(true);
    expect(signaturesMatch(full, Buffer.concat([full.subarray(1), Buffer.from('b')]))).toBe(false);
  });
});

describe('FileTailer', () => {
  it('reads from an offset and follows appends', async () => {
    const file = tempFile();
    writeFileSync(file, 'one\ntwo\n');
    const { events, abort } = tailer(file, 4);
    const first = await collect(events, 1);
    expect(first.lines).toEqual(['two']);
    appendFileSync(file, 'three\nfour\n');
    const more = await collect(events, 3, first.events);
    expect(more.lines).toEqual(['two', 'three', 'four']);
    const last = more.events.at(-1)!;
    expect(last.kind === 'lines' && { lines: last.lines, count: last.count, endOffset: last.endOffset }).toEqual({ lines: ['three', 'four'], count: 2, endOffset: 19 });
    abort.abort();
    await events.return();
  });

  it('detects a truncation that grew back past the old offset before the poll (signature changed)', async () => {
    const file = tempFile();
    writeFileSync(file, 'old line 1\nold line 2\n');
    const { events, abort } = tailer(file, 0, 200);
    const first = await collect(events, 2);
    // Truncate and write more than before, all between two polls.
    truncateSync(file, 0);
    appendFileSync(file, 'new line 1\nnew line 2\nnew line 3\n');
    const after = await collect(events, 5, first.events);
    expect(after.lines).toEqual(['old line 1', 'old line 2', 'new line 1', 'new line 2', 'new line 3']);
    expect(after.events.find((e) => e.kind === 'reopened')).toEqual({ kind: 'reopened', offset: 0, reason: 'truncated' });
    abort.abort();
    await events.return();
  });

  it('drains a rotated file, flushing its partial last line, then reads the new one from 0', async () => {
    const file = tempFile();
    writeFileSync(file, 'a\n');
    const { events, abort } = tailer(file);
    const first = await collect(events, 1);
    appendFileSync(file, 'b\nunfinished');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'c\n');
    const after = await collect(events, 4, first.events);
    expect(after.lines).toEqual(['a', 'b', 'unfinished', 'c']);
    expect(after.events.filter((e) => e.kind === 'reopened')).toEqual([{ kind: 'reopened', offset: 0, reason: 'rotated' }]);
    abort.abort();
    await events.return();
  });

  it('waits for a deleted file to come back', async () => {
    const file = tempFile();
    writeFileSync(file, 'a\n');
    const { events, abort } = tailer(file);
    const first = await collect(events, 1);
    renameSync(file, `${file}.gone`);
    const pending = collect(events, 2, first.events);
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(file, 'b\n');
    expect((await pending).lines).toEqual(['a', 'b']);
    abort.abort();
    await events.return();
  });

  it('finds where the last line starts (tail_from_end)', async () => {
    const file = tempFile();
    writeFileSync(file, 'a\nbb\nccc');
    expect(await lastLineStart(file, utf8Codec)).toBe(5);
    writeFileSync(file, 'a\nbb\n');
    expect(await lastLineStart(file, utf8Codec)).toBe(5);
    writeFileSync(file, 'x'.repeat(100_000));
    expect(await lastLineStart(file, utf8Codec)).toBe(0);
    writeFileSync(file, 'y\n' + 'x'.repeat(100_000));
    expect(await lastLineStart(file, utf8Codec)).toBe(2);
  });
});

describe('AckWindow', () => {
  it('acknowledges positions in order, bounds bytes in flight, and freezes on a rejection', async () => {
    const acked: number[] = [];
    const window = new AckWindow<number>({ maxBytes: 10, onAck: (p) => acked.push(p) });
    const resolvers: (() => void)[] = [];
    const rejecters: ((e: Error) => void)[] = [];
    const push = () => new Promise<void>((resolve, reject) => (resolvers.push(resolve), rejecters.push(reject)));
    expect(await window.send(5, 1, push)).toBe(true);
    expect(await window.send(5, 2, push)).toBe(true);
    let third = false;
    const sending = window.send(5, 3, push).then((r) => (third = r));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false); // full: waits for room
    resolvers[1]!(); // the second settles first: nothing is acknowledged yet
    await sending;
    expect(third).toBe(true);
    expect(acked).toEqual([]);
    resolvers[0]!();
    await new Promise((r) => setTimeout(r, 0));
    expect(acked).toEqual([2]);
    rejecters[2]!(new Error('stopped'));
    await window.drain();
    expect(window.failure?.error).toBeInstanceOf(Error);
    expect(await window.send(1, 4, push)).toBe(false);
    expect(acked).toEqual([2]);
  });
});
