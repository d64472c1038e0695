import { describe, expect, it } from 'vitest';
import { DockerLogParser, MAX_LINE_BYTES, TimestampParser, type StreamIndex } from '../../../../src/components/loki/source-docker/log-frames.js';

function frame(stream: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

function parse(tty: boolean, chunks: Buffer[]) {
  const lines: { stream: StreamIndex; ms: number; ns: number; text: string }[] = [];
  const errors: string[] = [];
  const parser = new DockerLogParser(tty, { line: (stream, ms, ns, buf, start, end) => lines.push({ stream, ms, ns, text: buf.toString('utf8', start, end) }), error: (e) => errors.push(e) });
  for (const c of chunks) parser.push(c);
  parser.end();
  return { lines, errors };
}

/** Splits a buffer into pieces of `size` bytes, to cut frames and lines anywhere. */
function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

const T1 = '2024-05-06T07:08:09.123456789Z';
const T1_MS = Date.UTC(2024, 4, 6, 7, 8, 9, 123);

describe('DockerLogParser', () => {
  it('demultiplexes stdout and stderr whatever the chunk boundaries', () => {
    const stream = Buffer.concat([frame(1, `${T1} out one\n`), frame(2, `${T1} err one\n`), frame(1, '2024-05-06T07:08:10Z out two\n')]);
    for (const size of [1, 3, 7, 8, 9, 1000]) {
      const { lines, errors } = parse(false, pieces(stream, size));
      expect(errors).toEqual([]);
      expect(lines).toEqual([
        { stream: 0, ms: T1_MS, ns: 456789, text: 'out one' },
        { stream: 1, ms: T1_MS, ns: 456789, text: 'err one' },
        { stream: 0, ms: T1_MS - 123 + 1000, ns: 0, text: 'out two' },
      ]);
    }
  });

  it('joins partial frames per stream, dropping continuation timestamps (podman interleaves stderr)', () => {
    const a = 'a'.repeat(8187);
    const b = 'b'.repeat(8187);
    const stream = Buffer.concat([
      frame(1, `2024-05-06T07:08:09Z ${a}`),
      frame(2, '2024-05-06T07:08:09Z oops\n'),
      frame(1, `2024-05-06T07:08:10Z ${b}`),
      frame(1, '2024-05-06T07:08:10Z end\n'),
    ]);
    const { lines } = parse(false, pieces(stream, 4096));
    expect(lines.map((l) => [l.stream, l.text.length])).toEqual([[1, 4], [0, a.length + b.length + 3]]);
    expect(lines[1]!.text).toBe(`${a}${b}end`);
    expect(lines[1]!.ms).toBe(Date.UTC(2024, 4, 6, 7, 8, 9));
  });

  it("joins Docker's 16 KiB partial messages", () => {
    const part = 'x'.repeat(16384);
    const { lines } = parse(false, [frame(1, `${T1} ${part}`), frame(1, `${T1} ${part}`), frame(1, `${T1} tail\n`)]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toBe(`${part}${part}tail`);
  });

  it('emits a final line without newline when the response ends', () => {
    const { lines } = parse(false, [frame(1, `${T1} last words`)]);
    expect(lines.map((l) => l.text)).toEqual(['last words']);
  });

  it('skips lines without a timestamp and reports error frames', () => {
    const { lines, errors } = parse(false, [frame(1, 'no timestamp here\n'), frame(3, 'boom'), frame(1, `${T1} ok\n`)]);
    expect(lines.map((l) => l.text)).toEqual(['ok']);
    expect(errors).toEqual(['could not extract timestamp, skipping line', 'docker reported an error: boom']);
  });

  it('skips lines over 1 MiB', () => {
    const big = 'y'.repeat(MAX_LINE_BYTES + 1);
    const { lines, errors } = parse(false, [...pieces(Buffer.concat([frame(1, `${T1} ${big.slice(0, 600_000)}`), frame(1, `${T1} ${big.slice(600_000)}\n`), frame(1, `${T1} next\n`)]), 65536)]);
    expect(lines.map((l) => l.text)).toEqual(['next']);
    expect(errors).toEqual(['line too long, skipping']);
  });

  it('reads TTY streams as raw lines on stdout', () => {
    const raw = Buffer.from(`${T1} one\r\n2024-05-06T07:08:10+02:00 two\r\n${T1} three`);
    const { lines } = parse(true, pieces(raw, 5));
    expect(lines.map((l) => [l.stream, l.text])).toEqual([[0, 'one\r'], [0, 'two\r'], [0, 'three']]);
    expect(lines[1]!.ms).toBe(Date.UTC(2024, 4, 6, 5, 8, 10));
  });

  it('keeps multi-byte characters split across parts intact', () => {
    const text = Buffer.from('é€😀');
    const { lines } = parse(false, [frame(1, Buffer.concat([Buffer.from(`${T1} `), text.subarray(0, 3)])), frame(1, Buffer.concat([Buffer.from(`${T1} `), text.subarray(3), Buffer.from('\n')]))]);
    expect(lines[0]!.text).toBe('é€😀');
  });
});

const b = (s: string) => Buffer.from(s);

describe('TimestampParser', () => {
  it('parses RFC3339Nano like Go', () => {
    const p = new TimestampParser();
    expect(p.parse(b('2024-05-06T07:08:09Z'))).toEqual({ ms: Date.UTC(2024, 4, 6, 7, 8, 9), ns: 0 });
    expect(p.parse(b('2024-05-06T07:08:09.5Z'))).toEqual({ ms: Date.UTC(2024, 4, 6, 7, 8, 9, 500), ns: 0 });
    expect(p.parse(b('2024-05-06T07:08:09.000000001-01:30'))).toEqual({ ms: Date.UTC(2024, 4, 6, 8, 38, 9), ns: 1 });
    expect(p.parse(b('2024-05-06 07:08:09Z'))).toBeUndefined();
    expect(p.parse(b('2024-05-06T07:08:09.Z'))).toBeUndefined();
    expect(p.parse(b('2024-05-06T07:08:09'))).toBeUndefined();
  });
});
