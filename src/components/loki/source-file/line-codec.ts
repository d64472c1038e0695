/**
 * Turning bytes into log lines: the newline of a file's encoding, decoding to
 * strings, and a buffer that holds a partial last line until its newline
 * arrives. UTF-8 lines leave as the bytes read (their bounds in the chunk),
 * decoded only if something downstream reads them as text: a file shipped
 * unchanged to loki.write makes no string at all. Other encodings decode a
 * whole chunk of complete lines at once and split the string.
 */
import { createRequire } from 'node:module';
import type { RawLines } from '../../common/log-entries.js';
import { BufferPool, PooledLines } from '../pooled-lines.js';

// iconv-lite (~5 MiB of tables and code) is loaded only when a file is not UTF-8.
const require = createRequire(import.meta.url);
let iconvModule: typeof import('iconv-lite') | undefined;
const iconv = () => (iconvModule ??= require('iconv-lite') as typeof import('iconv-lite'));

/** How a file's bytes become text. */
export interface LineCodec {
  /** Name for messages ("utf-8", "utf-16le", "windows-1252"). */
  readonly name: string;
  /** Index just past the last newline in buf[start, end), or -1. */
  lastLineEnd(buf: Buffer, start: number, end: number): number;
  decode(buf: Buffer, start: number, end: number): string;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 13;

/** UTF-8 (and what Alloy reads without `encoding`). */
export const utf8Codec: LineCodec = {
  name: 'utf-8',
  lastLineEnd(buf, start, end) {
    if (end <= start) return -1;
    const i = buf.lastIndexOf(NEWLINE, end - 1);
    return i >= start ? i + 1 : -1;
  },
  decode: (buf, start, end) => buf.toString('utf8', start, end),
};

/**
 * The codec of an IANA encoding name ("" = UTF-8). Throws for names iconv-lite
 * does not know. ASCII-compatible encodings (single-byte, Shift_JIS, GBK…)
 * never use byte 0x0A inside a character, so splitting stays on bytes; UTF-16
 * and UTF-32 newlines are code units, searched at unit alignment.
 */
export function codecFor(encoding: string): LineCodec {
  const name = normalizeEncoding(encoding);
  if (name === 'utf-8' || name === 'utf8') return utf8Codec;
  if (!iconv().encodingExists(name)) throw new Error(`failed to get IANA encoding ${encoding}: unknown encoding`);
  const newline = iconv().encode('\n', name, { addBOM: false });
  const decode = name === 'utf-16le' ? nativeUtf16le : (buf: Buffer, start: number, end: number) => iconv().decode(buf.subarray(start, end), name, { stripBOM: false });
  if (newline.length === 1) return { name, lastLineEnd: utf8Codec.lastLineEnd, decode };
  return { name, lastLineEnd: alignedLastLineEnd(newline), decode };
}

/** UTF-16 without a byte order is big-endian (RFC 2781), as Go reads "UTF-16". */
function normalizeEncoding(encoding: string): string {
  const name = encoding.trim().toLowerCase();
  if (name === '') return 'utf-8';
  if (name === 'utf-16' || name === 'utf16') return 'utf-16be';
  if (name === 'utf-32' || name === 'utf32') return 'utf-32be';
  return name;
}

function nativeUtf16le(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf16le', start, end);
}

/** For multi-byte newlines: the last occurrence aligned to the unit size, counted from `start`. */
function alignedLastLineEnd(newline: Buffer): LineCodec['lastLineEnd'] {
  const unit = newline.length;
  return (buf, start, end) => {
    let i = buf.lastIndexOf(newline, end - unit);
    while (i >= start && (i - start) % unit !== 0) i = i > 0 ? buf.lastIndexOf(newline, i - 1) : -1;
    return i >= start ? i + unit : -1;
  };
}

/** A byte order mark at the start of a file and what it says. */
export interface Bom {
  readonly length: number;
  /** The codec the BOM selects; undefined keeps the configured one (UTF-32 BOMs, as in Alloy). */
  readonly codec?: LineCodec;
}

let utf16le: LineCodec | undefined;
let utf16be: LineCodec | undefined;

/** Detects a BOM in a file's first bytes (Alloy: UTF-8 and UTF-16 BOMs override the encoding). */
export function detectBom(head: Buffer): Bom | undefined {
  const at = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (at(0xef, 0xbb, 0xbf)) return { length: 3, codec: utf8Codec };
  if (at(0x00, 0x00, 0xfe, 0xff)) return { length: 4 };
  if (at(0xff, 0xfe, 0x00, 0x00)) return { length: 4 };
  if (at(0xfe, 0xff)) return { length: 2, codec: (utf16be ??= codecFor('utf-16be')) };
  if (at(0xff, 0xfe)) return { length: 2, codec: (utf16le ??= codecFor('utf-16le')) };
  return undefined;
}

/** Complete lines taken from a LineBuffer and the bytes they took up. */
export interface TakenLines {
  /** The lines as text (for raw lines, decoded the first time this is read). */
  readonly lines: readonly string[];
  readonly count: number;
  readonly bytes: number;
  /** UTF-8 lines as read. */
  readonly raw?: RawLines;
}

/** What a tailer hands on: taken lines and the file offset just past the last one. */
export interface LinesEvent extends TakenLines {
  readonly kind: 'lines';
  readonly endOffset: number;
}

export function linesEvent(taken: TakenLines, endOffset: number): LinesEvent {
  if (taken.raw === undefined) return { kind: 'lines', lines: taken.lines, count: taken.count, bytes: taken.bytes, endOffset };
  return {
    kind: 'lines',
    count: taken.count,
    bytes: taken.bytes,
    raw: taken.raw,
    endOffset,
    get lines() {
      return taken.lines;
    },
  };
}

/** Splits decoded text on "\n", dropping one trailing "\r" per line; `complete` = text ends with a newline. */
export function splitLines(text: string, complete: boolean): string[] {
  const lines = text.split('\n');
  if (complete) lines.length--; // the empty string after the final newline
  if (text.indexOf('\r') !== -1) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.charCodeAt(line.length - 1) === CARRIAGE_RETURN) lines[i] = line.slice(0, -1);
    }
  }
  return lines;
}

/** Line bounds of lineBounds() before they are copied out at their count. */
let boundsScratch = new Uint32Array(4096);

/**
 * The bounds of the lines in buf[0, end) as RawLines keeps them: split on
 * "\n", one trailing "\r" dropped per line, and (`complete`) nothing after the
 * final newline — the same lines splitLines() gives for the decoded text.
 */
export function lineBounds(buf: Buffer, end: number, complete: boolean): Uint32Array {
  let n = 0;
  let start = 0;
  for (;;) {
    let stop = buf.indexOf(NEWLINE, start);
    if (stop === -1 || stop >= end) stop = end;
    if (n + 2 > boundsScratch.length) {
      const grown = new Uint32Array(boundsScratch.length * 2);
      grown.set(boundsScratch);
      boundsScratch = grown;
    }
    boundsScratch[n++] = start;
    boundsScratch[n++] = stop > start && buf[stop - 1] === CARRIAGE_RETURN ? stop - 1 : stop;
    if (stop === end) break;
    start = stop + 1;
  }
  // The empty "line" after the final newline.
  if (complete) n -= 2;
  return boundsScratch.slice(0, n);
}

/**
 * Bytes read at a time. Under V8's 128 KiB large-object size, so the string a
 * chunk decodes to is an ordinary young object (in the benchmark, 256 KiB
 * chunks raised the agent's peak RSS by ~20 MiB at the same CPU).
 */
const DEFAULT_CHUNK_BYTES = 96 * 1024;
/** Full chunks whose lines were acknowledged (pooled-lines.ts): 64 cover one fast file's 4 MiB in flight, and some. */
const chunkPool = new BufferPool(DEFAULT_CHUNK_BYTES, 64);

function newChunk(size: number): Buffer {
  return size === DEFAULT_CHUNK_BYTES ? chunkPool.take() : Buffer.allocUnsafe(size);
}
/**
 * The first reads of a file are this small: most of thousands of tailed
 * files hold a few lines, and a 96 KiB buffer each cost more in allocation
 * and GC than the reading. A read that fills it switches to full chunks.
 */
const FIRST_CHUNK_BYTES = 4 * 1024;
const EMPTY = Buffer.alloc(0);
/** The smallest first buffer (it is one byte more than expected, so that a read that fills it means more is there). */
const MIN_FIRST_CHUNK_BYTES = 256;
/** A line longer than this is cut into pieces rather than held without bound. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Bytes read but not yet handed out: reads go straight into it (or chunks are
 * appended), complete lines are taken out, and a partial last line stays.
 */
export class LineBuffer {
  private buf: Buffer;
  private len = 0;

  constructor(
    private codec: LineCodec,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    // Allocated by the first readTarget(), at the size it is told to expect.
    this.buf = EMPTY;
  }

  /**
   * Gives back the read buffer while nothing is held (an idle file): with
   * thousands of files tailed, the buffers of idle ones would otherwise
   * keep megabytes each reachable. The next read allocates a small one again.
   */
  release(): void {
    if (this.len === 0) this.buf = EMPTY;
  }

  /** Bytes held (the partial last line). */
  get pending(): number {
    return this.len;
  }

  /** Drops what is held and switches codec (a reopened file). */
  reset(codec: LineCodec = this.codec): void {
    this.codec = codec;
    this.len = 0;
  }

  /**
   * Where the next read goes; grows the buffer when a partial line fills it.
   * `expected` (the bytes known to be left, when known) sizes a new buffer:
   * a one-line file then gets a small one from Node's shared pool instead of
   * a 4 KiB allocation of its own, which with 10,000 files is felt in GC.
   */
  readTarget(expected = 0): { buffer: Buffer; offset: number; length: number } {
    if (this.buf.length === 0) this.buf = Buffer.allocUnsafe(Math.min(this.chunkBytes, FIRST_CHUNK_BYTES, expected > 0 ? Math.max(expected + 1, MIN_FIRST_CHUNK_BYTES) : Infinity));
    // take() hands out a line that reached maxLineBytes, so len < maxLineBytes here.
    else if (this.len === this.buf.length) this.resize(Math.min(this.len * 2, this.maxLineBytes));
    return { buffer: this.buf, offset: this.len, length: this.buf.length - this.len };
  }

  /** `n` bytes were read into readTarget(). */
  written(n: number): void {
    // A read that filled a small buffer means there is more to read: read full chunks from now on.
    if (this.len + n === this.buf.length && this.buf.length < this.chunkBytes) this.resize(this.chunkBytes, this.len + n);
    this.len += n;
  }

  append(chunk: Buffer): void {
    if (this.len + chunk.length > this.buf.length) this.resize(Math.max(this.buf.length * 2, this.len + chunk.length));
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  /** The complete lines held, or undefined when there is none. */
  take(): TakenLines | undefined {
    const end = this.codec.lastLineEnd(this.buf, 0, this.len);
    if (end < 0) return this.len >= this.maxLineBytes ? this.flush() : undefined;
    return this.takeLines(end, true);
  }

  /** Everything held, a partial last line included (end of a compressed file, a rotated file drained). */
  flush(): TakenLines | undefined {
    if (this.len === 0) return undefined;
    return this.takeLines(this.len, false);
  }

  /** The lines in the first `end` bytes; `complete` = they end with a newline. */
  private takeLines(end: number, complete: boolean): TakenLines {
    if (this.codec !== utf8Codec) {
      const lines = splitLines(this.codec.decode(this.buf, 0, end), complete);
      this.consume(end);
      return { lines, count: lines.length, bytes: end };
    }
    const bytes = this.handOver(end);
    const raw = new PooledLines(bytes, lineBounds(bytes, end, complete), chunkPool, () => splitLines(bytes.toString('utf8', 0, end), complete));
    let lines: readonly string[] | undefined;
    return {
      count: raw.bounds.length >>> 1,
      bytes: end,
      raw,
      get lines() {
        return (lines ??= raw.text());
      },
    };
  }

  /**
   * A buffer whose first `end` bytes are the ones held, for the lines to keep
   * until they are acknowledged. When they fill most of the read buffer, it is
   * that buffer (what follows them moves to a new one); otherwise a copy, so
   * that a short read of a growing file never keeps a whole chunk alive.
   */
  private handOver(end: number): Buffer {
    if (end < this.buf.length >>> 1) {
      const copy = Buffer.allocUnsafe(end);
      this.buf.copy(copy, 0, 0, end);
      this.consume(end);
      return copy;
    }
    const taken = this.buf;
    const rest = this.len - end;
    // A full chunk was read: the file is being read in chunks, so the next read gets one too.
    const nextSize = taken.length >= this.chunkBytes ? this.chunkBytes : 0;
    this.buf = nextSize > 0 || rest > 0 ? newChunk(Math.max(nextSize, rest * 2, MIN_FIRST_CHUNK_BYTES)) : EMPTY;
    taken.copy(this.buf, 0, end, this.len);
    this.len = rest;
    return taken;
  }

  private consume(n: number): void {
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    // Give back the memory a very long line needed.
    if (this.buf.length > this.chunkBytes && this.len < this.chunkBytes) this.resize(this.chunkBytes);
  }

  private resize(size: number, keep = this.len): void {
    const next = newChunk(size);
    this.buf.copy(next, 0, 0, keep);
    this.buf = next;
  }
}
