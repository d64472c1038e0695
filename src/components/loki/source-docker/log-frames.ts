/**
 * Parsing of a Docker `GET /containers/{id}/logs?timestamps=1` response into
 * log lines (grafana/alloy internal/component/loki/source/docker/tailer.go; the
 * multiplexed stream framing is Docker's pkg/stdcopy).
 *
 * Non-TTY containers answer with a multiplexed stream: frames of an 8-byte
 * header `[stream, 0, 0, 0, length (uint32 BE)]` and a payload. TTY
 * containers answer with the raw byte stream. Either way every log message
 * starts with an RFC3339Nano timestamp and a space.
 *
 * A frame whose payload does not end in "\n" holds only part of a line:
 * Docker splits lines longer than 16 KiB, podman's conmon splits at 8 KiB and
 * sometimes wherever a read from the container's pipe ended. Every part comes
 * with its own timestamp; the parts are joined per stream (podman interleaves
 * frames of the other stream between them), the continuation timestamps are
 * dropped, and the line keeps the first part's timestamp. A part still
 * pending when the response ends (output without a final newline) is emitted
 * as a line then.
 */

export const STDOUT = 0;
export const STDERR = 1;
export type StreamIndex = typeof STDOUT | typeof STDERR;

/** Lines longer than this are skipped (Alloy's scanner limit). */
export const MAX_LINE_BYTES = 1024 * 1024;

const HEADER_BYTES = 8;
const NEWLINE = 0x0a;
const SPACE = 0x20;

export interface LineSink {
  /**
   * A complete line, the UTF-8 bytes `buf[start, end)`; `ms`/`ns` split the
   * timestamp as LogBatch does. `buf` may be the connection's read buffer,
   * reused after the call: a sink that keeps the line copies those bytes.
   */
  line(stream: StreamIndex, ms: number, ns: number, buf: Buffer, start: number, end: number): void;
  /** A line that was skipped (no timestamp, too long) or an error frame. */
  error(reason: string): void;
}

interface Partial {
  ms: number;
  ns: number;
  parts: Buffer[];
  bytes: number;
}

export class DockerLogParser {
  private readonly partials: (Partial | undefined)[] = [undefined, undefined];
  /** Bytes of an incomplete frame header or payload (multiplexed), or of an incomplete line (TTY). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Multiplexed: the current frame's stream and remaining payload length (-1 = reading a header). */
  private frameStream = 0;
  private frameLeft = -1;
  /** TTY: dropping the rest of a line that grew past MAX_LINE_BYTES. */
  private skippingRawLine = false;
  private readonly timestamps = new TimestampParser();

  constructor(
    private readonly tty: boolean,
    private readonly sink: LineSink,
  ) {}

  /** Parses `chunk[start, end)` (the whole chunk by default). */
  push(chunk: Buffer, start = 0, end = chunk.length): void {
    if (this.tty) this.pushRaw(chunk, start, end);
    else this.pushFrames(chunk, start, end);
  }

  /** The response ended: emits lines still pending. */
  end(): void {
    if (this.tty && this.pendingBytes > 0) this.wholeMessage(STDOUT, this.takePending());
    this.pending = [];
    this.pendingBytes = 0;
    this.frameLeft = -1;
    for (const stream of [STDOUT, STDERR] as const) {
      const p = this.partials[stream];
      if (p) this.finishPartial(stream, p);
    }
  }

  // -- multiplexed frames -------------------------------------------------

  private pushFrames(chunk: Buffer, start: number, end: number): void {
    let pos = start;
    while (pos < end) {
      if (this.frameLeft < 0) {
        pos = this.readHeader(chunk, pos, end);
        continue;
      }
      const take = Math.min(this.frameLeft, end - pos);
      this.frameLeft -= take;
      if (this.frameLeft > 0) this.addPending(chunk.subarray(pos, pos + take));
      else if (this.pendingBytes > 0) {
        this.addPending(chunk.subarray(pos, pos + take));
        this.frameLeft = -1;
        const payload = this.takePending();
        this.frame(this.frameStream, payload, 0, payload.length);
      } else {
        this.frameLeft = -1;
        this.frame(this.frameStream, chunk, pos, pos + take);
      }
      pos += take;
    }
  }

  /** Consumes header bytes from `chunk` at `pos`; returns the new position. */
  private readHeader(chunk: Buffer, pos: number, end: number): number {
    const need = HEADER_BYTES - this.pendingBytes;
    if (end - pos < need) {
      this.addPending(chunk.subarray(pos, end));
      return end;
    }
    let header = chunk;
    let at = pos;
    if (this.pendingBytes > 0) {
      header = Buffer.concat([...this.pending, chunk.subarray(pos, pos + need)]);
      at = 0;
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.frameStream = header[at]!;
    this.frameLeft = header.readUInt32BE(at + 4);
    if (this.frameLeft === 0) this.frameLeft = -1; // an empty frame carries nothing
    return pos + need;
  }

  private frame(streamType: number, buf: Buffer, start: number, end: number): void {
    if (start === end) return; // an empty frame carries nothing
    if (streamType === 1 || streamType === 2) this.message(streamType === 1 ? STDOUT : STDERR, buf, start, end);
    else if (streamType === 3) this.sink.error(`docker reported an error: ${buf.toString('utf8', start, end).trim()}`);
    // stream 0 (stdin) never carries logs
  }

  // -- raw (TTY) stream ---------------------------------------------------

  private pushRaw(chunk: Buffer, start: number, end: number): void {
    // Bounded, so that searches for a newline stop at `end` (chunk may be a larger read buffer).
    if (end < chunk.length) chunk = chunk.subarray(0, end);
    let pos = start;
    if (this.skippingRawLine) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0 || nl >= end) return;
      this.skippingRawLine = false;
      pos = nl + 1;
    }
    for (let nl = chunk.indexOf(NEWLINE, pos); nl >= 0 && nl < end; nl = chunk.indexOf(NEWLINE, pos)) {
      if (this.pendingBytes > 0) {
        this.addPending(chunk.subarray(pos, nl + 1));
        this.wholeMessage(STDOUT, this.takePending());
      } else this.message(STDOUT, chunk, pos, nl + 1);
      pos = nl + 1;
    }
    if (pos < end) this.addPending(chunk.subarray(pos, end));
    if (this.pendingBytes > MAX_LINE_BYTES + 64) {
      this.sink.error('line too long, skipping');
      this.pending = [];
      this.pendingBytes = 0;
      this.skippingRawLine = true;
    }
  }

  // -- messages ------------------------------------------------------------

  private wholeMessage(stream: StreamIndex, payload: Buffer): void {
    this.message(stream, payload, 0, payload.length);
  }

  /** One message `buf[start, end)`: `<timestamp> <content>` with or without a final newline. */
  private message(stream: StreamIndex, buf: Buffer, start: number, end: number): void {
    const complete = end > start && buf[end - 1] === NEWLINE;
    const contentEnd = complete ? end - 1 : end;
    const partial = this.partials[stream];
    if (partial) {
      this.appendPart(partial, buf, this.afterTimestamp(buf, start, contentEnd), contentEnd);
      if (complete) this.finishPartial(stream, partial);
      return;
    }
    const space = buf.indexOf(SPACE, start);
    const ts = space > start && space < end ? this.timestamps.parse(buf, start, space) : undefined;
    if (!ts) {
      this.sink.error('could not extract timestamp, skipping line');
      return;
    }
    if (!complete) {
      // Copied: the part outlives the chunk it came in (which the caller may reuse).
      const content = Buffer.from(buf.subarray(space + 1, contentEnd));
      this.partials[stream] = { ms: ts.ms, ns: ts.ns, parts: [content], bytes: content.length };
    } else if (contentEnd - space - 1 > MAX_LINE_BYTES) this.sink.error('line too long, skipping');
    else this.sink.line(stream, ts.ms, ts.ns, buf, space + 1, contentEnd);
  }

  /** Where a continuation part's content starts: after its own timestamp when it has one. */
  private afterTimestamp(buf: Buffer, start: number, end: number): number {
    const space = buf.indexOf(SPACE, start);
    return space > start && space < end && this.timestamps.parse(buf, start, space) ? space + 1 : start;
  }

  private appendPart(partial: Partial, buf: Buffer, start: number, end: number): void {
    partial.bytes += end - start;
    if (partial.bytes <= MAX_LINE_BYTES) partial.parts.push(Buffer.from(buf.subarray(start, end)));
  }

  private finishPartial(stream: StreamIndex, partial: Partial): void {
    this.partials[stream] = undefined;
    if (partial.bytes > MAX_LINE_BYTES) this.sink.error('line too long, skipping');
    else {
      const joined = partial.parts.length === 1 ? partial.parts[0]! : Buffer.concat(partial.parts, partial.bytes);
      this.sink.line(stream, partial.ms, partial.ns, joined, 0, partial.bytes);
    }
  }

  // -- pending bytes -------------------------------------------------------

  private addPending(piece: Buffer): void {
    this.pending.push(Buffer.from(piece)); // copied, as partial parts are
    this.pendingBytes += piece.length;
  }

  private takePending(): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return all;
  }
}

/**
 * RFC3339 timestamps with optional fraction and a `Z` or `±hh:mm` zone, as
 * Go's time.RFC3339Nano parses them, read from bytes. The date-time up to the
 * seconds is cached: consecutive lines usually share it.
 */
export class TimestampParser {
  private readonly cachedPrefix = Buffer.alloc(19);
  private cachedMs = NaN;

  /** Parses `buf[start, end)`; undefined when it is no such timestamp. */
  parse(buf: Buffer, start = 0, end = buf.length): { ms: number; ns: number } | undefined {
    if (end - start < 20 || buf[start + 10] !== 0x54 /* T */) return undefined;
    let i = start + 19;
    let fraction = 0; // nanoseconds
    if (buf[i] === 0x2e /* . */) {
      let digits = 0;
      for (i++; i < end; i++) {
        const d = buf[i]! - 48;
        if (d < 0 || d > 9) break;
        if (digits < 9) fraction = fraction * 10 + d;
        digits++;
      }
      if (digits === 0) return undefined;
      for (let k = digits; k < 9; k++) fraction *= 10;
    }
    const offsetMs = zoneOffsetMs(buf, i, end);
    if (offsetMs === undefined) return undefined;
    const base = this.secondsMs(buf, start);
    if (base === undefined) return undefined;
    return { ms: base - offsetMs + Math.floor(fraction / 1_000_000), ns: fraction % 1_000_000 };
  }

  private secondsMs(buf: Buffer, start: number): number | undefined {
    if (!Number.isNaN(this.cachedMs) && this.samePrefix(buf, start)) return this.cachedMs;
    const prefix = buf.toString('latin1', start, start + 19);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(prefix)) return undefined;
    const ms = Date.parse(`${prefix}Z`);
    if (Number.isNaN(ms)) return undefined;
    buf.copy(this.cachedPrefix, 0, start, start + 19);
    this.cachedMs = ms;
    return ms;
  }

  /** Whether `buf` holds the cached date-time at `start`; a loop, cheaper than Buffer#compare's call for 19 bytes. */
  private samePrefix(buf: Buffer, start: number): boolean {
    const cached = this.cachedPrefix;
    for (let i = 18; i >= 0; i--) if (buf[start + i] !== cached[i]) return false; // seconds first: they differ first
    return true;
  }
}

function zoneOffsetMs(buf: Buffer, i: number, end: number): number | undefined {
  if (end - i === 1 && buf[i] === 0x5a /* Z */) return 0;
  if (end - i !== 6 || buf[i + 3] !== 0x3a /* : */) return undefined;
  const sign = buf[i] === 0x2d ? -1 : buf[i] === 0x2b ? 1 : 0;
  const digit = (k: number) => buf[i + k]! - 48;
  const digits = [digit(1), digit(2), digit(4), digit(5)];
  if (sign === 0 || digits.some((d) => d < 0 || d > 9)) return undefined;
  return sign * ((digits[0]! * 10 + digits[1]!) * 60 + digits[2]! * 10 + digits[3]!) * 60_000;
}
