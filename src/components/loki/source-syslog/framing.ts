/**
 * Syslog frames on a byte stream (RFC 6587), as Alloy's ParseStream picks
 * them (grafana/alloy internal/component/loki/source/syslog/internal/
 * syslogtarget/syslogparser): the first byte of a connection decides —
 * `<` means non-transparent framing (each message ends at the delimiter, LF,
 * or at the end of the stream), a digit means octet counting (`LEN SP MSG`).
 * The raw format decides per message.
 *
 * Memory is bounded by `maxMessageLength`: a longer message is reported and
 * skipped without being kept (up to the next delimiter, or by its declared
 * length); a stream that cannot be re-synchronised (no digit where an octet
 * count must start) is reported and the rest of it ignored.
 */

export type FramingMode = 'detect' | 'per-message';

export interface FramerOptions {
  readonly maxMessageLength: number;
  /** LF, or NUL for the raw format's use_null_terminator_delimiter. */
  readonly delimiter: number;
  /** 'detect': the first byte decides for the whole stream; 'per-message': each message (raw format). */
  readonly mode: FramingMode;
  /** Called with each message's bytes; they may be a view of the caller's chunk, valid only during the call. */
  readonly onFrame: (frame: Buffer) => void;
  readonly onError: (message: string) => void;
}

const SP = 0x20;
/** An octet count longer than this many digits is not a count. */
const MAX_COUNT_DIGITS = 10;

type State =
  | { kind: 'start' }
  | { kind: 'delimited' }
  | { kind: 'count'; digits: string }
  | { kind: 'octets'; left: number; keep: boolean }
  | { kind: 'skip-to-delimiter' }
  | { kind: 'broken' };

export class SyslogFramer {
  private state: State = { kind: 'start' };
  /** Framing chosen for the stream (detect mode), once known. */
  private framing: 'delimited' | 'octets' | undefined;
  /** Bytes of the message being assembled. */
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(private readonly opts: FramerOptions) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      const s = this.state;
      switch (s.kind) {
        case 'start':
          i = this.begin(chunk, i);
          break;
        case 'delimited':
          i = this.readDelimited(chunk, i);
          break;
        case 'count':
          i = this.readCount(chunk, i, s);
          break;
        case 'octets':
          i = this.readOctets(chunk, i, s);
          break;
        case 'skip-to-delimiter': {
          const end = chunk.indexOf(this.opts.delimiter, i);
          if (end < 0) return;
          i = end + 1;
          this.state = { kind: 'start' };
          break;
        }
        case 'broken':
          return;
      }
    }
  }

  /** The stream ended: a delimited message without its delimiter still counts; a cut octet frame is an error. */
  end(): void {
    const s = this.state;
    if (s.kind === 'delimited' && this.partBytes > 0) this.emit();
    else if (s.kind === 'octets' || (s.kind === 'count' && s.digits !== '')) this.opts.onError('connection closed in the middle of an octet-counted frame');
    this.parts = [];
    this.partBytes = 0;
    this.state = { kind: 'broken' };
  }

  private begin(chunk: Buffer, i: number): number {
    const b = chunk[i]!;
    const perMessage = this.opts.mode === 'per-message';
    // In the raw format, blank lines between messages are skipped.
    const blank = b === this.opts.delimiter || b === 0x0a || b === 0x0d || b === SP;
    // Blank lines between raw messages, and line ends some senders add after octet-counted frames, are skipped.
    if (blank && (perMessage || this.framing === 'octets')) return i + 1;
    const framing = this.framing ?? (b >= 0x30 && b <= 0x39 ? 'octets' : b === 0x3c || perMessage ? 'delimited' : undefined);
    if (framing === undefined) {
      this.opts.onError(`invalid or unsupported framing. first byte: '${String.fromCharCode(b)}'`);
      this.state = { kind: 'broken' };
      return chunk.length;
    }
    if (!perMessage) this.framing = framing;
    this.state = framing === 'octets' ? { kind: 'count', digits: '' } : { kind: 'delimited' };
    return i;
  }

  private readDelimited(chunk: Buffer, i: number): number {
    const end = chunk.indexOf(this.opts.delimiter, i);
    const stop = end < 0 ? chunk.length : end;
    if (this.partBytes + (stop - i) > this.opts.maxMessageLength) {
      this.opts.onError(`message too long: more than the maximum of ${this.opts.maxMessageLength} bytes`);
      this.parts = [];
      this.partBytes = 0;
      this.state = end < 0 ? { kind: 'skip-to-delimiter' } : { kind: 'start' };
      return end < 0 ? chunk.length : end + 1;
    }
    if (end >= 0 && this.partBytes === 0) {
      if (stop > i) this.emitView(chunk.subarray(i, stop), false);
    } else {
      if (stop > i) this.append(chunk.subarray(i, stop));
      if (end < 0) return chunk.length;
      this.emit();
    }
    this.state = this.opts.mode === 'per-message' ? { kind: 'start' } : { kind: 'delimited' };
    return end + 1;
  }

  private readCount(chunk: Buffer, i: number, s: { digits: string }): number {
    while (i < chunk.length) {
      const b = chunk[i]!;
      if (b >= 0x30 && b <= 0x39 && s.digits.length < MAX_COUNT_DIGITS) {
        s.digits += String.fromCharCode(b);
        i++;
        continue;
      }
      if (b !== SP || s.digits === '' || (s.digits.length > 1 && s.digits[0] === '0')) {
        this.opts.onError(`expecting a message length followed by a space, got ${JSON.stringify(s.digits + String.fromCharCode(b))}`);
        this.state = { kind: 'broken' };
        return chunk.length;
      }
      const length = Number(s.digits);
      const keep = length <= this.opts.maxMessageLength;
      if (!keep) this.opts.onError(`message too long: ${length} bytes, more than the maximum of ${this.opts.maxMessageLength}`);
      this.state = length === 0 ? { kind: 'start' } : { kind: 'octets', left: length, keep };
      return i + 1;
    }
    return i;
  }

  private readOctets(chunk: Buffer, i: number, s: { left: number; keep: boolean }): number {
    const take = Math.min(s.left, chunk.length - i);
    // A whole frame inside this chunk goes out without a copy (the handler decodes it before returning).
    if (take === s.left && s.keep && this.partBytes === 0) {
      this.state = { kind: 'start' };
      this.emitView(chunk.subarray(i, i + take));
      return i + take;
    }
    if (s.keep) this.append(chunk.subarray(i, i + take));
    s.left -= take;
    if (s.left === 0) {
      // rsyslog's omfwd counts a trailing LF into the frame; it ends the message rather than belonging to it.
      if (s.keep) this.emit(true);
      this.state = { kind: 'start' };
    }
    return i + take;
  }

  private append(part: Buffer): void {
    // Copied: the chunk's memory is reused by the socket's next read.
    this.parts.push(Buffer.from(part));
    this.partBytes += part.length;
  }

  /** A frame that lies within the current chunk: handed on as a view, valid only during the call. */
  private emitView(frame: Buffer, trimLineEnd = true): void {
    if (frame.length === 0) return;
    if (trimLineEnd && frame[frame.length - 1] === 0x0a) frame = frame.subarray(0, frame[frame.length - 2] === 0x0d ? -2 : -1);
    this.opts.onFrame(frame);
  }

  private emit(trimLineEnd = false): void {
    if (this.partBytes === 0) return; // an empty line is no message
    let frame = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
    if (trimLineEnd && frame[frame.length - 1] === 0x0a) frame = frame.subarray(0, frame[frame.length - 2] === 0x0d ? -2 : -1);
    this.parts = [];
    this.partBytes = 0;
    this.opts.onFrame(frame);
  }
}
