/**
 * A write-ahead log shared by the writers that keep what they accepted on
 * disk (prometheus.remote_write, loki.write). Records go to numbered segment
 * files in one directory, each framed as
 *
 *   uint32 LE payload length | uint32 LE CRC-32 of the payload | payload
 *
 * so that a record torn by a crash mid-write (kill -9, power loss) is found
 * by its length or checksum and cut off: opening the log truncates the last
 * segment after its last complete record. A segment that is corrupt before
 * its end (not a torn tail) is renamed `<name>.corrupt` with one error log
 * line and skipped — never a crash loop. The framing follows the idea of
 * Prometheus' tsdb/wlog (length + CRC per record), not its page format.
 *
 * Consumers (one per destination) read records in order and acknowledge
 * positions; acknowledgements are persisted to `consumers.json` (written to a
 * temporary file and renamed) on every ack, so a restart re-reads at most the
 * records in flight when the process died (at-least-once). A segment is
 * deleted once every consumer acknowledged past it and it is older than
 * `minKeepaliveMs`; one older than `maxKeepaliveMs` is deleted even if not
 * acknowledged (its unread records counted as dropped), as is the oldest one
 * while the log exceeds `maxBytes` (the disk budget).
 *
 * fsync policy: records are written with write(2) before append() resolves,
 * so they survive the process being killed (they are in the page cache); a
 * segment is fsynced when it is closed (rotation, shutdown), as Prometheus'
 * WAL does. `fsync: 'always'` fsyncs every append (survives power loss, at a
 * large cost per record). A full disk (ENOSPC/EDQUOT) undoes the partial
 * write, marks the log full (`onFull`) and append() rejects with
 * WalFullError after retrying for `fullWaitMs`: the caller does not
 * acknowledge its source, which keeps the data (backpressure), instead of
 * the log losing it.
 */
import * as nodeFs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../runtime/logger.js';
import { crc32 } from './crc32.js';

/** The synchronous file calls the log makes; tests inject failures (ENOSPC) through it. */
export type WalFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'readSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'ftruncateSync'
  | 'fstatSync'
  | 'readdirSync'
  | 'mkdirSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'readFileSync'
  | 'writeFileSync'
  | 'statSync'
>;

export interface WalOptions {
  dir: string;
  logger: Logger;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
  /** ... or past this age (loki.write's max_segment_age). */
  maxSegmentAgeMs?: number;
  /** The disk budget: past it, the oldest segments are dropped (0: none). */
  maxBytes?: number;
  minKeepaliveMs?: number;
  maxKeepaliveMs?: number;
  fsync?: 'segment' | 'always';
  /** How long append() retries on a full disk before rejecting. */
  fullWaitMs?: number;
  /**
   * Start a new segment at open instead of appending to the last one, so
   * that no segment holds records of two processes (records that refer to
   * per-process state, as remote_write's series references, need this).
   */
  newSegmentAtOpen?: boolean;
  fs?: WalFs;
  /** Called when the disk fills up (true) and when appends succeed again (false). */
  onFull?: (full: boolean, err?: Error) => void;
  /**
   * In-memory forms of records just written (BuiltRecord.memo) kept for the
   * readers, at most this many bytes (0: none); see WalRecord.memo.
   */
  maxMemoBytes?: number;
}

export interface WalPosition {
  readonly segment: number;
  readonly offset: number;
}

export interface WalRecord {
  /** The record as written; empty when it is handed over as its `memo`. */
  readonly payload: Buffer;
  /** The position just past this record: what to acknowledge once it is delivered. */
  readonly end: WalPosition;
  /**
   * The in-memory form the writer gave with the record (BuiltRecord.memo),
   * when the reader reached the record while it was still held: the same
   * content without reading the log back and decoding it. A record read
   * after a restart, or once its memo was let go (the reader fell behind
   * by more than maxMemoBytes), comes from the file.
   */
  readonly memo?: RecordMemo;
}

export interface RecordMemo {
  readonly value: unknown;
  /** Memory it holds (bounds what is kept, and what is in flight). */
  readonly bytes: number;
  /** Called once the log lets go of it (every reader took it or passed it, over the budget, segment dropped, log closed). */
  release?(): void;
}

/** A record built for the segment it lands in; `commit` runs only once it is written. */
export interface BuiltRecord {
  readonly payload: Uint8Array;
  commit?(): void;
  /** The record's in-memory form for the readers, made once it is written (kept only with maxMemoBytes). */
  memo?(): RecordMemo;
}

interface HeldMemo {
  readonly start: WalPosition;
  readonly end: WalPosition;
  readonly memo: RecordMemo;
}

const NO_PAYLOAD = Buffer.alloc(0);
/** Memos held at most, whatever their size (readers look them up by position). */
const MAX_MEMOS = 64;

export class WalFullError extends Error {}
export class WalClosedError extends Error {}

const HEADER_BYTES = 8;
const MAX_RECORD_BYTES = 256 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{8})$/;
const CONSUMERS_FILE = 'consumers.json';

interface Segment {
  readonly index: number;
  size: number;
  /** End offset of every record, in order (to count what a dropped segment held). */
  readonly ends: number[];
  readonly createdAt: number;
}

export interface WalStats {
  segments: number;
  bytes: number;
  /** Records dropped unread: disk budget or max keepalive. */
  droppedRecords: number;
  /** Records and bytes cut off as torn at open. */
  tornBytes: number;
  corruptSegments: number;
}

export class Wal {
  private readonly fs: WalFs;
  private readonly segments: Segment[] = [];
  private headFd = -1;
  private readonly consumers = new Map<string, WalReader>();
  private readonly savedAcks: Record<string, WalPosition>;
  private closed = false;
  private full = false;
  private ownFrom = 0;
  /** Open steps a full disk refused (creating the directory, the new segment): done before the next append, whose disk-full handling retries them. */
  private pendingDir = false;
  private pendingRotate = false;
  private waiters: (() => void)[] = [];
  /** Memos of the latest records, oldest first, until every reader is past them or maxMemoBytes is reached. */
  private memos: HeldMemo[] = [];
  private memoBytes = 0;
  readonly stats: WalStats = { segments: 0, bytes: 0, droppedRecords: 0, tornBytes: 0, corruptSegments: 0 };

  private constructor(private readonly opts: Required<Omit<WalOptions, 'onFull' | 'maxMemoBytes'>> & Pick<WalOptions, 'onFull' | 'maxMemoBytes'>) {
    this.fs = opts.fs;
    this.savedAcks = this.loadAcks();
  }

  static open(options: WalOptions): Wal {
    const wal = new Wal({
      segmentBytes: 8 * 1024 * 1024,
      maxSegmentAgeMs: Number.POSITIVE_INFINITY,
      maxBytes: 0,
      minKeepaliveMs: 0,
      maxKeepaliveMs: Number.POSITIVE_INFINITY,
      fsync: 'segment',
      fullWaitMs: 0,
      newSegmentAtOpen: false,
      fs: nodeFs,
      ...options,
    });
    wal.recover();
    return wal;
  }

  /** Appends one record; resolves once it is written (see the fsync policy above). */
  append(payload: Uint8Array): Promise<void> {
    return this.appendBuilt(() => ({ payload }));
  }

  /**
   * Appends the record `build` makes for the index of the segment it will
   * land in (built again if that changes); its `commit` runs once written.
   */
  async appendBuilt(build: (segment: number) => BuiltRecord): Promise<void> {
    const deadline = performance.now() + this.opts.fullWaitMs;
    for (;;) {
      if (this.closed) throw new WalClosedError('the WAL is closed');
      try {
        this.appendNow(build);
        if (this.full) this.setFull(false);
        return;
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        if (!this.full) this.setFull(true, err as Error);
        // Old acknowledged segments may free space.
        this.truncate();
        if (performance.now() >= deadline) throw new WalFullError(`WAL ${this.opts.dir}: disk full (${(err as Error).message})`);
        await sleep(Math.min(250, Math.max(1, deadline - performance.now())));
      }
    }
  }

  get currentSegment(): number {
    return this.segments.at(-1)?.index ?? 0;
  }

  /** The first segment this process writes (with newSegmentAtOpen, every earlier one was written before the open). */
  get firstOwnSegment(): number {
    return this.ownFrom;
  }

  /** Every complete record of a segment from its start (to rebuild what earlier records defined); none if it is gone. */
  recordsOf(index: number): Buffer[] {
    const seg = this.segmentAt(index);
    if (!seg) return [];
    const out: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const record = this.readRecordAt(seg, offset);
      if (!record || record === 'corrupt') return out;
      out.push(record.payload);
      offset = record.end.offset;
    }
  }

  get isFull(): boolean {
    return this.full;
  }

  /** The reader of a named consumer, resuming after its last acknowledged position. */
  reader(name: string): WalReader {
    let r = this.consumers.get(name);
    if (!r) {
      const saved = this.savedAcks[name];
      const first = this.segments[0]?.index ?? 0;
      const start = saved && saved.segment >= first ? saved : { segment: first, offset: 0 };
      r = new WalReader(this, name, start);
      this.consumers.set(name, r);
    }
    return r;
  }

  /**
   * Deletes segments every consumer acknowledged (older than the minimum
   * keepalive), those older than the maximum keepalive, and the oldest ones
   * past the disk budget. Called by the owner periodically and after acks.
   */
  truncate(now = Date.now()): void {
    try {
      this.rotateIfHeadFullyAcked();
    } catch (err) {
      // No room for a new segment: the head stays, and the next truncation tries again.
      if (!isDiskFull(err)) throw err;
    }
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const age = now - oldest.createdAt;
      if (this.ackedPast(oldest) && age >= this.opts.minKeepaliveMs) this.dropOldest(false);
      else if (age >= this.opts.maxKeepaliveMs) this.dropOldest(true);
      else break;
    }
    this.enforceBudget();
  }

  /** Fsyncs and closes the head segment and saves acknowledgements; pending readers end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropMemos();
    this.closeHead();
    this.saveAcks();
    this.wake();
  }

  // ---- reading (for WalReader)

  /** @internal */ segmentAfter(index: number): Segment | undefined {
    return this.segments.find((s) => s.index > index);
  }

  /** @internal */ segmentAt(index: number): Segment | undefined {
    return this.segments.find((s) => s.index === index);
  }

  /** @internal */ firstSegment(): number {
    return this.segments[0]?.index ?? 0;
  }

  /** @internal */ get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */ waitForAppend(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Records the named consumer has not acknowledged: what it reads again after a restart. */
  unacknowledged(name: string): number {
    const r = this.consumers.get(name);
    if (!r) return 0;
    return this.segments.reduce((n, seg) => n + unreadIn(seg, r.acked), 0);
  }

  /** Forgets a consumer that is gone (an endpoint removed from the configuration). */
  removeReader(name: string): void {
    if (!this.consumers.delete(name)) return;
    delete this.savedAcks[name];
    this.saveAcks();
  }

  /** @internal */ readRecordAt(seg: Segment, offset: number): WalRecord | 'corrupt' | undefined {
    if (offset + HEADER_BYTES > seg.size) return undefined;
    const fd = this.fs.openSync(this.segmentPath(seg.index), 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      this.readFully(fd, header, offset);
      const length = header.readUInt32LE(0);
      if (offset + HEADER_BYTES + length > seg.size) return 'corrupt';
      const payload = Buffer.allocUnsafe(length);
      this.readFully(fd, payload, offset + HEADER_BYTES);
      if (crc32(payload) !== header.readUInt32LE(4)) return 'corrupt';
      return { payload, end: { segment: seg.index, offset: offset + HEADER_BYTES + length } };
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /** @internal The memo of the record starting at `pos`, if still held. */
  memoAt(pos: WalPosition): HeldMemo | undefined {
    for (const held of this.memos) if (held.start.segment === pos.segment && held.start.offset === pos.offset) return held;
    return undefined;
  }

  /** @internal Lets go of the memos every reader is past. */
  releaseMemos(): void {
    while (this.memos.length > 0) {
      const oldest = this.memos[0]!;
      for (const r of this.consumers.values()) if (comparePositions(r.position, oldest.end) < 0) return;
      this.letGoOldestMemo();
    }
  }

  /** @internal */ quarantine(seg: Segment, reason: string): void {
    const at = this.segments.indexOf(seg);
    if (at < 0) return;
    if (at === this.segments.length - 1) this.closeHead();
    this.segments.splice(at, 1);
    const from = this.segmentPath(seg.index);
    this.fs.renameSync(from, `${from}.corrupt`);
    this.stats.corruptSegments++;
    this.opts.logger.error('WAL segment is corrupt: renamed it and skipped its records', { segment: `${from}.corrupt`, reason });
    this.refreshStats();
  }

  /** @internal */ persistAck(): void {
    this.saveAcks();
  }

  // ---- internals

  private appendNow(build: (segment: number) => BuiltRecord): void {
    this.finishOpen();
    let built = build(this.currentSegment);
    if (this.rotateIfDue(built.payload.length)) built = build(this.currentSegment);
    const payload = built.payload;
    if (payload.length > MAX_RECORD_BYTES) throw new Error(`WAL record of ${payload.length} bytes is larger than ${MAX_RECORD_BYTES}`);
    const head = this.head();
    const start = head.size;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    try {
      // Header and payload written apart: no copy of a large record (a scrape can be megabytes).
      this.writeFully(header, head.size);
      this.writeFully(payload, head.size + HEADER_BYTES);
      if (this.opts.fsync === 'always') this.fs.fsyncSync(this.headFd);
    } catch (err) {
      // Undo a partial write so the segment ends with a complete record.
      try {
        this.fs.ftruncateSync(this.headFd, head.size);
      } catch {
        // Recovery at the next open cuts the torn tail.
      }
      throw err;
    }
    head.size += HEADER_BYTES + payload.length;
    head.ends.push(head.size);
    built.commit?.();
    if (built.memo && (this.opts.maxMemoBytes ?? 0) > 0 && this.consumers.size > 0) this.holdMemo({ segment: head.index, offset: start }, { segment: head.index, offset: head.size }, built.memo());
    this.refreshStats();
    this.enforceBudget();
    this.wake();
  }

  /** Keeps a record's memo for the readers; the oldest go past the byte budget (those readers read the file). */
  private holdMemo(start: WalPosition, end: WalPosition, memo: RecordMemo): void {
    this.memos.push({ start, end, memo });
    this.memoBytes += memo.bytes;
    while ((this.memoBytes > this.opts.maxMemoBytes! || this.memos.length > MAX_MEMOS) && this.memos.length > 0) this.letGoOldestMemo();
  }

  private dropMemos(): void {
    while (this.memos.length > 0) this.letGoOldestMemo();
  }

  private letGoOldestMemo(): void {
    const { memo } = this.memos.shift()!;
    this.memoBytes -= memo.bytes;
    memo.release?.();
  }

  private writeFully(data: Uint8Array, position: number): void {
    let written = 0;
    while (written < data.length) written += this.fs.writeSync(this.headFd, data, written, data.length - written, position + written);
  }

  private head(): Segment {
    if (this.headFd < 0) {
      const last = this.segments.at(-1);
      const seg = last ?? this.newSegment(0);
      this.headFd = this.fs.openSync(this.segmentPath(seg.index), 'a+');
      return seg;
    }
    return this.segments.at(-1)!;
  }

  /** True when it started a new segment. */
  private rotateIfDue(nextBytes: number): boolean {
    const last = this.segments.at(-1);
    if (!last || last.size === 0) return false;
    const tooBig = last.size + HEADER_BYTES + nextBytes > this.opts.segmentBytes;
    const tooOld = Date.now() - last.createdAt >= this.opts.maxSegmentAgeMs;
    if (tooBig || tooOld) this.rotate();
    return tooBig || tooOld;
  }

  private rotate(): void {
    const last = this.segments.at(-1);
    this.closeHead();
    this.newSegment(last ? last.index + 1 : 0);
    this.pendingRotate = false;
  }

  /** Does what a full disk kept open() from doing; throws ENOSPC again while there is still no room. */
  private finishOpen(): void {
    if (this.pendingDir) {
      this.fs.mkdirSync(this.opts.dir, { recursive: true });
      this.pendingDir = false;
    }
    if (this.pendingRotate) this.rotate();
  }

  private newSegment(index: number): Segment {
    const seg: Segment = { index, size: 0, ends: [], createdAt: Date.now() };
    this.fs.writeFileSync(this.segmentPath(index), '');
    this.segments.push(seg);
    this.refreshStats();
    return seg;
  }

  private closeHead(): void {
    if (this.headFd < 0) return;
    try {
      this.fs.fsyncSync(this.headFd);
    } finally {
      this.fs.closeSync(this.headFd);
      this.headFd = -1;
    }
  }

  private rotateIfHeadFullyAcked(): void {
    const last = this.segments.at(-1);
    if (last && last.size > 0 && this.consumers.size > 0 && this.ackedPast(last)) this.rotate();
  }

  /** True when every consumer acknowledged every record of `seg`. */
  private ackedPast(seg: Segment): boolean {
    if (this.consumers.size === 0) return false;
    for (const r of this.consumers.values()) {
      const a = r.acked;
      if (a.segment < seg.index || (a.segment === seg.index && a.offset < seg.size)) return false;
    }
    return true;
  }

  private enforceBudget(): void {
    if (this.opts.maxBytes <= 0) return;
    while (this.stats.bytes > this.opts.maxBytes && this.segments.length > 1) this.dropOldest(true);
    const last = this.segments.at(-1);
    // A head segment alone above the budget is closed so that it can go next time.
    if (last && this.segments.length === 1 && last.size > this.opts.maxBytes) {
      try {
        this.rotate();
      } catch (err) {
        // Runs after a record is written: failing here would have append() write it again. The next append or truncation retries.
        if (!isDiskFull(err)) throw err;
      }
    }
  }

  private dropOldest(countUnread: boolean): void {
    const seg = this.segments.shift()!;
    if (countUnread) {
      // Records some consumer had not acknowledged are lost: count the worst case.
      let unread = 0;
      for (const r of this.consumers.values()) unread = Math.max(unread, unreadIn(seg, r.acked));
      if (this.consumers.size === 0) unread = seg.ends.length;
      this.stats.droppedRecords += unread;
      if (unread > 0) this.opts.logger.warn('WAL dropped the oldest segment before it was delivered', { segment: this.segmentPath(seg.index), records: unread });
    }
    this.fs.unlinkSync(this.segmentPath(seg.index));
    while (this.memos.length > 0 && this.memos[0]!.start.segment <= seg.index) this.letGoOldestMemo();
    const next = this.segments[0];
    for (const r of this.consumers.values()) if (next) r.skipTo({ segment: next.index, offset: 0 });
    this.refreshStats();
  }

  private recover(): void {
    // A full disk at start must not fail the component: the log opens, and its first append reports the disk full and retries.
    if (!this.deferIfDiskFull(() => this.fs.mkdirSync(this.opts.dir, { recursive: true }))) {
      this.pendingDir = true;
      return;
    }
    const indexes = this.fs
      .readdirSync(this.opts.dir)
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    indexes.forEach((index, i) => this.recoverSegment(index, i === indexes.length - 1));
    const last = this.segments.at(-1);
    if (this.opts.newSegmentAtOpen && last && last.size > 0 && !this.deferIfDiskFull(() => this.rotate())) this.pendingRotate = true;
    this.ownFrom = this.pendingRotate ? this.currentSegment + 1 : this.currentSegment;
    this.refreshStats();
  }

  /** Scans a segment: a bad tail of the last one is torn (cut off); a bad record elsewhere quarantines the segment. */
  private recoverSegment(index: number, last: boolean): void {
    const file = this.segmentPath(index);
    const data = this.fs.readFileSync(file);
    const seg: Segment = { index, size: 0, ends: [], createdAt: this.fs.statSync(file).mtimeMs };
    let offset = 0;
    while (offset + HEADER_BYTES <= data.length) {
      const length = data.readUInt32LE(offset);
      const end = offset + HEADER_BYTES + length;
      if (end > data.length || crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32LE(offset + 4)) break;
      offset = end;
      seg.ends.push(end);
    }
    seg.size = offset;
    if (offset < data.length) {
      if (!last) {
        this.segments.push(seg);
        this.quarantine(seg, `bad record at offset ${offset} of ${data.length} bytes`);
        return;
      }
      this.stats.tornBytes += data.length - offset;
      this.opts.logger.warn('WAL: cut off a torn record at the end of the last segment', { segment: file, offset, bytes: data.length - offset });
      const fd = this.fs.openSync(file, 'r+');
      try {
        this.fs.ftruncateSync(fd, offset);
        this.fs.fsyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
    }
    this.segments.push(seg);
  }

  private loadAcks(): Record<string, WalPosition> {
    try {
      const parsed = JSON.parse(this.fs.readFileSync(path.join(this.opts.dir, CONSUMERS_FILE), 'utf8')) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, WalPosition>) : {};
    } catch {
      return {};
    }
  }

  private saveAcks(): void {
    const acks: Record<string, WalPosition> = { ...this.savedAcks };
    for (const [name, r] of this.consumers) acks[name] = r.acked;
    const file = path.join(this.opts.dir, CONSUMERS_FILE);
    try {
      this.fs.writeFileSync(`${file}.tmp`, JSON.stringify(acks));
      this.fs.renameSync(`${file}.tmp`, file);
    } catch (err) {
      // A lost acknowledgement means re-delivery after a restart, not loss.
      this.opts.logger.warn('WAL: could not save acknowledged positions', { err: (err as Error).message });
    }
  }

  /** Runs a step of open(); false when the disk is full (the step is then left for the first append). */
  private deferIfDiskFull(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.opts.logger.warn('WAL: disk full at open, the log is finished opening once there is room', { dir: this.opts.dir, err: (err as Error).message });
      return false;
    }
  }

  private setFull(full: boolean, err?: Error): void {
    this.full = full;
    if (full) this.opts.logger.error('WAL: disk full, refusing new data until space is freed', { dir: this.opts.dir, err: err?.message });
    else this.opts.logger.info('WAL: disk space available again', { dir: this.opts.dir });
    this.opts.onFull?.(full, err);
  }

  private refreshStats(): void {
    this.stats.segments = this.segments.length;
    this.stats.bytes = this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private readFully(fd: number, into: Buffer, position: number): void {
    let read = 0;
    while (read < into.length) {
      const n = this.fs.readSync(fd, into, read, into.length - read, position + read);
      if (n === 0) throw new Error('WAL segment ended early');
      read += n;
    }
  }

  private segmentPath(index: number): string {
    return path.join(this.opts.dir, String(index).padStart(8, '0'));
  }
}

/** One consumer's view of the log: records in order from its last acknowledgement. */
export class WalReader {
  private cursor: WalPosition;
  private ackedAt: WalPosition;

  constructor(
    private readonly wal: Wal,
    readonly name: string,
    start: WalPosition,
  ) {
    this.cursor = start;
    this.ackedAt = start;
  }

  get acked(): WalPosition {
    return this.ackedAt;
  }

  /** Where the next record is read. */
  get position(): WalPosition {
    return this.cursor;
  }

  /** The next record, waiting for one to be appended; undefined once the log is closed or `signal` aborted. */
  async next(signal?: AbortSignal): Promise<WalRecord | undefined> {
    for (;;) {
      if (this.wal.isClosed || signal?.aborted) return undefined;
      const record = this.poll();
      if (record) return record;
      await this.wal.waitForAppend(signal);
    }
  }

  /** Reads again from the last acknowledgement (records read but not delivered). */
  rewind(): void {
    this.cursor = this.ackedAt;
  }

  /** Marks every record up to `pos` delivered (persisted at once). */
  ack(pos: WalPosition): void {
    if (comparePositions(pos, this.ackedAt) <= 0) return;
    this.ackedAt = pos;
    this.wal.persistAck();
  }

  /** @internal The segment under the cursor was dropped. */
  skipTo(pos: WalPosition): void {
    if (comparePositions(this.cursor, pos) < 0) this.cursor = pos;
    if (comparePositions(this.ackedAt, pos) < 0) this.ackedAt = pos;
  }

  /** The next record if one is there now, without waiting. */
  poll(): WalRecord | undefined {
    for (;;) {
      let seg = this.wal.segmentAt(this.cursor.segment);
      if (!seg) {
        const after = this.wal.segmentAfter(this.cursor.segment - 1);
        if (!after) return undefined;
        this.cursor = { segment: after.index, offset: 0 };
        seg = after;
      }
      const held = this.wal.memoAt(this.cursor);
      if (held) {
        this.cursor = held.end;
        this.wal.releaseMemos();
        return { payload: NO_PAYLOAD, end: held.end, memo: held.memo };
      }
      const record = this.wal.readRecordAt(seg, this.cursor.offset);
      if (record === 'corrupt') {
        this.wal.quarantine(seg, `bad record at offset ${this.cursor.offset}`);
        continue;
      }
      if (record) {
        this.cursor = record.end;
        return record;
      }
      const after = this.wal.segmentAfter(seg.index);
      if (!after) return undefined;
      this.cursor = { segment: after.index, offset: 0 };
    }
  }
}

export function comparePositions(a: WalPosition, b: WalPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}

function unreadIn(seg: Segment, acked: WalPosition): number {
  if (acked.segment > seg.index) return 0;
  if (acked.segment < seg.index) return seg.ends.length;
  return seg.ends.filter((end) => end > acked.offset).length;
}

function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
