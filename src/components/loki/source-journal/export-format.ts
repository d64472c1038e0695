/**
 * The journal export format (systemd's "Journal Export Format", what
 * `journalctl --output=export` writes): entries separated by an empty line;
 * each field is `NAME=value\n`, or, for values that are binary or contain a
 * newline, `NAME\n` + the value's length as 64-bit little endian + the value +
 * `\n`. Fields starting with `__` are metadata (`__CURSOR`,
 * `__REALTIME_TIMESTAMP` in µs, `__MONOTONIC_TIMESTAMP`, `__SEQNUM`…), not
 * entry data.
 *
 * Parsed incrementally from a byte stream with bounded memory: an entry
 * larger than `maxEntryBytes` is skipped (its bytes are not kept) and
 * reported with its cursor, so the position still moves past it.
 */

export interface JournalEntry {
  /** Data fields in order (no `__` metadata). */
  readonly fields: [string, string][];
  readonly cursor: string;
  /** __REALTIME_TIMESTAMP in microseconds, if present. */
  readonly realtimeUs: number | undefined;
  /** Bytes the entry took in the stream. */
  readonly bytes: number;
  /** Set when the entry was larger than allowed: fields are then empty. */
  readonly oversized?: boolean;
}

type State = { kind: 'line' } | { kind: 'length'; name: string } | { kind: 'binary'; name: string; length: number } | { kind: 'skip'; left: number; thenLine: boolean } | { kind: 'skip-line' };

const decoder = new TextDecoder('utf-8');

export class ExportParser {
  private buffer: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'line' };
  private fields: [string, string][] = [];
  private cursor = '';
  private realtimeUs: number | undefined;
  private entryBytes = 0;
  private oversized = false;

  constructor(private readonly maxEntryBytes: number) {}

  /** Parses `chunk` (with what was left of earlier ones); returns the entries completed. */
  push(chunk: Buffer): JournalEntry[] {
    const out: JournalEntry[] = [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    for (;;) {
      const next = this.step(pos, out);
      if (next === undefined) break;
      pos = next;
    }
    this.buffer = this.buffer.subarray(pos);
    return out;
  }

  /** Bytes received and not yet part of a completed entry. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /** One parsing step from `pos`; the new position, or undefined when more input is needed. */
  private step(pos: number, out: JournalEntry[]): number | undefined {
    const buf = this.buffer;
    const s = this.state;
    switch (s.kind) {
      case 'line': {
        const end = buf.indexOf(0x0a, pos);
        if (end < 0) {
          if (buf.length - pos > this.maxEntryBytes) return this.startSkipLine(buf.length);
          return undefined;
        }
        this.entryBytes += end + 1 - pos;
        if (end === pos) {
          this.finishEntry(out);
          return end + 1;
        }
        const eq = buf.indexOf(0x3d, pos);
        if (eq >= 0 && eq < end) this.field(buf.toString('utf8', pos, eq), buf, eq + 1, end);
        else this.state = { kind: 'length', name: buf.toString('utf8', pos, end) };
        if (this.entryBytes > this.maxEntryBytes) this.oversize();
        return end + 1;
      }
      case 'length': {
        if (buf.length - pos < 8) return undefined;
        const length = Number(buf.readBigUInt64LE(pos));
        this.entryBytes += 8;
        if (this.entryBytes + length + 1 > this.maxEntryBytes) {
          this.oversize();
          this.state = { kind: 'skip', left: length + 1, thenLine: true };
        } else this.state = { kind: 'binary', name: s.name, length };
        return pos + 8;
      }
      case 'binary': {
        if (buf.length - pos < s.length + 1) return undefined;
        this.entryBytes += s.length + 1;
        this.field(s.name, buf, pos, pos + s.length);
        this.state = { kind: 'line' };
        return pos + s.length + 1;
      }
      case 'skip': {
        const take = Math.min(s.left, buf.length - pos);
        if (take === 0) return undefined;
        s.left -= take;
        this.entryBytes += take;
        if (s.left === 0) this.state = { kind: 'line' };
        return pos + take;
      }
      case 'skip-line': {
        const end = buf.indexOf(0x0a, pos);
        this.entryBytes += (end < 0 ? buf.length : end + 1) - pos;
        if (end < 0) return buf.length === pos ? undefined : buf.length;
        this.state = { kind: 'line' };
        return end + 1;
      }
    }
  }

  private startSkipLine(to: number): number {
    this.oversize();
    this.state = { kind: 'skip-line' };
    return to;
  }

  private oversize(): void {
    this.oversized = true;
    this.fields = [];
  }

  private field(name: string, buf: Buffer, start: number, end: number): void {
    if (name.startsWith('__')) {
      if (name === '__CURSOR') this.cursor = buf.toString('utf8', start, end);
      else if (name === '__REALTIME_TIMESTAMP') this.realtimeUs = Number(buf.toString('latin1', start, end));
      return;
    }
    if (!this.oversized) this.fields.push([name, decoder.decode(buf.subarray(start, end))]);
  }

  private finishEntry(out: JournalEntry[]): void {
    if (this.cursor || this.fields.length > 0 || this.oversized) {
      out.push({ fields: this.fields, cursor: this.cursor, realtimeUs: this.realtimeUs, bytes: this.entryBytes, ...(this.oversized ? { oversized: true } : {}) });
    }
    this.fields = [];
    this.cursor = '';
    this.realtimeUs = undefined;
    this.entryBytes = 0;
    this.oversized = false;
  }
}
