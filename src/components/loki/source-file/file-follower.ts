/**
 * Following one file by path, as Alloy's tailer does (grafana/alloy
 * internal/component/loki/source/file/internal/tail/), by polling:
 * read to the end, then wait (min→max poll frequency) and compare the path
 * with the open file.
 *
 * - The path names another file, or none: the file was rotated or deleted.
 *   The rest of the open file is read first (its partial last line flushed),
 *   then the path is reopened once it exists again.
 * - The file is shorter than what was read: truncated (copytruncate); reopen.
 * - The first bytes changed (the signature): truncated and written again past
 *   the old offset before we looked (say while downstream held us back).
 *   Alloy misses this case; it is checked before every chunk read, which
 *   costs one read of at most 1 KiB per chunk.
 *
 * On reopen the new file's signature decides where to continue: equal to the
 * old one (see `signaturesMatch`) = the same content, continue at
 * min(offset, size); different = a new file, start at 0.
 *
 * Files are opened read-only and read at explicit positions into one buffer
 * that is decoded and split a chunk at a time.
 *
 * Waiting for changes: a tailer at the end of its file sleeps until the
 * directory watch (watch.ts) says the file changed, checking anyway every
 * WATCHED_POLL_MS; where the directory cannot be watched it polls at the
 * file_watch frequencies. While it sleeps its file may be closed to keep the
 * agent's open files under MAX_OPEN_FILES (open-files.ts); it is opened again
 * when it changes. The same inode continues where reading stopped; another
 * file under the path (rotated while closed) is treated as a rotation, minus
 * what the old file got after it was closed, which can no longer be read.
 */
import { open } from 'node:fs/promises';
import { closeFd, fstatFd, openReadOnly, readAt, statPath } from './fd.js';
import { detectBom, LineBuffer, linesEvent, type LineCodec, type LinesEvent } from './line-codec.js';
import { openFiles, type Evictable } from './open-files.js';
import { WATCHED_POLL_MS, watchFile } from './watch.js';

export interface TailerOptions {
  readonly path: string;
  /** Byte offset to start at (a line boundary). */
  readonly offset: number;
  /** The configured encoding; a BOM at the start of the file overrides it. */
  readonly codec: LineCodec;
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly signal: AbortSignal;
  /** Reports rotations and the like (debug level). */
  readonly log?: (msg: string, fields?: Record<string, unknown>) => void;
  readonly chunkBytes?: number;
}

export type TailEvent =
  /** Complete lines; `endOffset` is the file offset just past the last one. */
  | LinesEvent
  /** The path was reopened; reading continues in the new file at `offset`. */
  | { readonly kind: 'reopened'; readonly offset: number; readonly reason: 'rotated' | 'truncated' };

/** The first bytes of a file, which tell a rewritten file from an appended one. */
export const SIGNATURE_BYTES = 1024;

/**
 * Alloy's rule: an empty old signature matches nothing; an incomplete one
 * (shorter than 1 KiB) matches when it is a prefix of the new one; a
 * complete one must be identical.
 */
export function signaturesMatch(old: Buffer, next: Buffer): boolean {
  if (old.length === 0) return false;
  if (old.length < SIGNATURE_BYTES) return old.length <= next.length && old.equals(next.subarray(0, old.length));
  return old.equals(next);
}

/** An open file holding one of the agent's open-file slots. */
class OpenFile implements Evictable {
  /** Closed, by the tailer or to make room (evicted). */
  closed = false;
  evicted = false;
  /**
   * The signature was read when this descriptor was opened and nothing was
   * read since: a file shorter than SIGNATURE_BYTES is all in it, so the
   * first read can take it from there instead of reading the same bytes again.
   */
  signatureUnread = true;

  constructor(
    readonly fd: number,
    readonly ino: number,
    readonly dev: number,
    readonly sizeAtOpen: number,
    public signature: Buffer,
  ) {}

  evict(): void {
    if (this.closed) return;
    this.closed = this.evicted = true;
    // Only an idle file is evicted, so no call on the descriptor is in flight.
    void closeFd(this.fd).catch(() => {});
  }

  /** Closes the file and gives its slot back (unless it was evicted: then both happened already). */
  async close(): Promise<void> {
    openFiles.markBusy(this);
    if (this.closed) return;
    this.closed = true;
    await closeFd(this.fd);
    openFiles.release();
  }
}

type Change = 'none' | 'grown' | 'truncated' | 'rotated';

export class FileTailer {
  /** The file's size when last looked at. */
  size = 0;
  /** Offset just past the last complete line handed out. */
  private lineEnd: number;
  /** Offset of the next byte to read (lineEnd + the partial line held). */
  private readPos: number;
  private readonly lines: LineBuffer;
  private pollMs: number;
  /** Reused for the signature check before every read. */
  private readonly scratch = Buffer.allocUnsafe(SIGNATURE_BYTES);
  /** The file was (re)opened since the last read: its signature is fresh, no need to check it. */
  private justOpened = true;
  /** A change was reported since the tailer last looked. */
  private changed = false;
  /** The last read returned less than it asked for: the file ended there (so the next look is a stat, not a read). */
  private atEnd = false;
  /**
   * The file was opened after its watch started and neither a change was
   * reported nor a wait happened since: the path still names it at the size
   * fstat gave at open, no stat needed to know that.
   */
  private unchangedSinceOpen = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: TailerOptions) {
    this.lineEnd = this.readPos = opts.offset;
    this.lines = new LineBuffer(opts.codec, opts.chunkBytes);
    this.pollMs = opts.minPollMs;
  }

  /**
   * Lines as they are written, until the signal aborts. Opening the file
   * happens on the first pull and throws when it fails (e.g. it is missing).
   * The consumer's pace is the backpressure: nothing is read between pulls.
   */
  async *events(): AsyncGenerator<TailEvent, void, undefined> {
    const unwatch = watchFile(this.opts.path, () => this.onChange());
    this.watched = unwatch !== undefined;
    let file: OpenFile | undefined;
    try {
      file = await this.openAt(this.opts.offset);
      while (!this.opts.signal.aborted) {
        if (file.evicted) {
          // A periodic check of a closed file: reopen it only when it looks different.
          if (!this.wokenByChange && (await this.looksUnchanged(file))) {
            await this.idle();
            continue;
          }
          const resumed = await this.resume(file);
          file = resumed.file;
          yield* resumed.events;
          continue;
        }
        const step = await this.readOrDetect(file);
        this.justOpened = false;
        if (typeof step === 'object') {
          this.pollMs = this.opts.minPollMs;
          yield step;
        } else if (step === 'none') await this.idle(file);
        else if (step === 'truncated') {
          file = await this.reopen(file, 'truncated');
          yield { kind: 'reopened', offset: this.lineEnd, reason: 'truncated' };
        } else if (step === 'rotated') {
          yield* this.drain(file);
          const next = await this.reopen(file, 'rotated');
          if (next === file) continue; // the same file came back under the path
          file = next;
          yield { kind: 'reopened', offset: this.lineEnd, reason: 'rotated' };
        }
      }
    } finally {
      unwatch?.();
      await file?.close();
    }
  }

  private watched = false;
  /** Whether the last idle() ended because a change was reported (not by its timer). */
  private wokenByChange = false;

  /** The path still names the closed file, at the size it was read to. */
  private async looksUnchanged(file: OpenFile): Promise<boolean> {
    try {
      const now = await statPath(this.opts.path);
      return now.ino === file.ino && now.dev === file.dev && now.size === this.readPos;
    } catch {
      return false;
    }
  }

  private onChange(): void {
    this.changed = true;
    this.unchangedSinceOpen = false;
    this.wake?.();
  }

  /**
   * The file was closed while idle: open the path again. The same file goes
   * on where it was; another one is a rotation (the partial line of the old
   * one is flushed first, as when a rotated file is drained).
   */
  private async resume(old: OpenFile): Promise<{ file: OpenFile; events: TailEvent[] }> {
    const next = await this.openWhenPresent();
    if (next.ino === old.ino && next.dev === old.dev) {
      // Keep the signature read before: a rewrite while closed must still be noticed.
      next.signature = old.signature;
      next.signatureUnread = false;
      return { file: next, events: [] };
    }
    const events: TailEvent[] = [];
    const rest = this.lines.flush();
    if (rest) {
      this.lineEnd += rest.bytes;
      events.push(linesEvent(rest, this.lineEnd));
    }
    const offset = signaturesMatch(old.signature, next.signature) ? Math.min(this.lineEnd, next.sizeAtOpen) : 0;
    this.opts.log?.('file replaced while closed, reopened', { path: this.opts.path, offset });
    this.lines.reset();
    await this.startAt(next, offset);
    events.push({ kind: 'reopened', offset: this.lineEnd, reason: 'rotated' });
    return { file: next, events };
  }

  /**
   * Reads until complete lines are available (undefined at end of file).
   * With `verify`, the first bytes of the file are compared with its
   * signature once the first read returned something: between two pulls the
   * consumer may have waited long (backpressure), and the file may have been
   * truncated and written past our offset meanwhile ('truncated'; what was
   * read is dropped with the reopen).
   */
  private async readLines(file: OpenFile, verify = false): Promise<TailEvent | 'truncated' | undefined> {
    for (;;) {
      const target = this.lines.readTarget(this.size - this.readPos);
      const fromSignature = this.takeFromSignature(file, target);
      const bytesRead = fromSignature ?? (await readAt(file.fd, target.buffer, target.offset, target.length, this.readPos));
      this.atEnd = fromSignature !== undefined ? this.readPos + bytesRead === file.signature.length : bytesRead < target.length;
      if (bytesRead === 0) return undefined;
      if (verify) {
        verify = false;
        if (await this.rewritten(file)) return 'truncated';
      }
      this.lines.written(bytesRead);
      this.readPos += bytesRead;
      if (file.signature.length < SIGNATURE_BYTES && this.readPos > file.signature.length) file.signature = await readSignature(file.fd);
      const taken = this.lines.take();
      if (taken) {
        this.lineEnd += taken.bytes;
        return linesEvent(taken, this.lineEnd);
      }
    }
  }

  /**
   * The first read after opening a file shorter than SIGNATURE_BYTES: its
   * bytes are those of the signature just read (copied into `target`).
   */
  private takeFromSignature(file: OpenFile, target: { buffer: Buffer; offset: number; length: number }): number | undefined {
    if (!file.signatureUnread) return undefined;
    file.signatureUnread = false;
    const signature = file.signature;
    if (signature.length >= SIGNATURE_BYTES || this.readPos >= signature.length) return undefined;
    return signature.copy(target.buffer, target.offset, this.readPos, Math.min(signature.length, this.readPos + target.length));
  }

  /**
   * Complete lines, or at the end of the file what happened to it. A read
   * that ended short already said where the end is: then only a stat tells
   * whether the file changed since (and none is needed when the watch
   * reported nothing since the file was opened).
   */
  private async readOrDetect(file: OpenFile): Promise<TailEvent | Change> {
    if (!this.atEnd) {
      const read = await this.readLines(file, !this.justOpened);
      if (read !== undefined) return read;
    }
    if (this.unchangedSinceOpen && this.readPos === file.sizeAtOpen) return 'none';
    return this.detectChange(file);
  }

  /** Whether the first bytes read so far changed: the file was truncated and written again. */
  private async rewritten(file: OpenFile): Promise<boolean> {
    const length = file.signature.length;
    if (length === 0) return false;
    const bytesRead = await readAt(file.fd, this.scratch, 0, length, 0);
    return bytesRead < length || !file.signature.equals(this.scratch.subarray(0, length));
  }

  /** What happened to the file while we were at its end. */
  private async detectChange(file: OpenFile): Promise<Change> {
    let current;
    try {
      current = await statPath(this.opts.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'rotated';
      throw err;
    }
    if (current.ino !== file.ino || current.dev !== file.dev) return 'rotated';
    this.size = current.size;
    if (current.size < this.readPos) return 'truncated';
    if (current.size === this.readPos) return 'none';
    this.atEnd = false;
    return 'grown';
  }

  /** Reads what is left of a rotated file, its partial last line included. */
  private async *drain(file: OpenFile): AsyncGenerator<TailEvent, void, undefined> {
    for (let taken = await this.readLines(file); taken && taken !== 'truncated'; taken = await this.readLines(file)) yield taken;
    const rest = this.lines.flush();
    if (rest) {
      this.lineEnd += rest.bytes;
      yield linesEvent(rest, this.lineEnd);
    }
  }

  /**
   * Opens the path again: at once after a truncation, after waiting for it to
   * exist after a rotation. Returns `old` when the path names the old file.
   */
  private async reopen(old: OpenFile, reason: 'rotated' | 'truncated'): Promise<OpenFile> {
    const next = await this.openWhenPresent();
    if (reason === 'rotated' && next.ino === old.ino && next.dev === old.dev) {
      await next.close();
      return old;
    }
    const offset = signaturesMatch(old.signature, next.signature) ? Math.min(this.lineEnd, next.sizeAtOpen) : 0;
    this.opts.log?.(`file ${reason}, reopened`, { path: this.opts.path, offset });
    await old.close();
    this.lines.reset();
    await this.startAt(next, offset);
    return next;
  }

  private async openWhenPresent(): Promise<OpenFile> {
    for (;;) {
      try {
        return await openFile(this.opts.path, this.opts.signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || this.opts.signal.aborted) throw err;
        this.opts.log?.(`waiting for ${this.opts.path} to appear...`);
        await this.idle();
      }
    }
  }

  private async openAt(offset: number): Promise<OpenFile> {
    const file = await openFile(this.opts.path, this.opts.signal);
    try {
      await this.startAt(file, offset);
    } catch (err) {
      await file.close();
      throw err;
    }
    return file;
  }

  /** Positions reading at `offset`, skipping a BOM and taking the encoding it names. */
  private async startAt(file: OpenFile, offset: number): Promise<void> {
    const bom = detectBom(file.signature);
    this.lines.reset(bom?.codec ?? this.opts.codec);
    this.lineEnd = this.readPos = Math.max(offset, bom?.length ?? 0);
    this.size = file.sizeAtOpen;
    this.justOpened = true;
    this.atEnd = false;
    this.unchangedSinceOpen = this.watched && !this.changed;
  }

  /**
   * Waits for a change: until the watch reports one (or WATCHED_POLL_MS
   * passed), else for the poll interval. An open `file` may be closed
   * meanwhile to make room for others.
   */
  private async idle(file?: OpenFile): Promise<void> {
    if (this.changed) {
      this.changed = false;
      this.wokenByChange = true;
      return;
    }
    this.unchangedSinceOpen = false;
    const ms = this.watched ? Math.max(WATCHED_POLL_MS, this.opts.maxPollMs) : this.pollMs;
    if (this.watched) this.lines.release();
    if (file) openFiles.markIdle(file);
    const signal = this.opts.signal;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    if (file) openFiles.markBusy(file);
    this.wokenByChange = this.changed;
    this.changed = false;
    if (!this.watched) this.pollMs = Math.min(this.pollMs * 2, this.opts.maxPollMs);
  }
}

/** Opens `path` read-only once a slot among the agent's open files is free. */
async function openFile(path: string, signal?: AbortSignal): Promise<OpenFile> {
  await openFiles.acquire(signal);
  let fd: number;
  try {
    fd = await openReadOnly(path);
  } catch (err) {
    openFiles.release();
    throw err;
  }
  try {
    const { ino, dev, size } = await fstatFd(fd);
    return new OpenFile(fd, ino, dev, size, size === 0 ? EMPTY_SIGNATURE : await readSignature(fd));
  } catch (err) {
    await closeFd(fd).catch(() => {});
    openFiles.release();
    throw err;
  }
}

const EMPTY_SIGNATURE = Buffer.alloc(0);

/** The first bytes of the file, in a buffer of their size (10,000 files keep 10,000 of them). */
async function readSignature(fd: number, length = SIGNATURE_BYTES): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const bytesRead = await readAt(fd, buf, 0, length, 0);
  return Buffer.from(buf.subarray(0, bytesRead));
}

/**
 * Where the last line of a file starts: just past its last newline (0 when
 * there is none) — `tail_from_end`'s starting point.
 */
export async function lastLineStart(path: string, codec: LineCodec): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const bom = Buffer.alloc(4);
    codec = detectBom(bom.subarray(0, (await handle.read(bom, 0, 4, 0)).bytesRead))?.codec ?? codec;
    const step = 64 * 1024;
    const chunk = Buffer.allocUnsafe(step + 4);
    for (let end = size; end > 0; ) {
      // Chunks start at multiples of 4 so UTF-16/32 newlines stay aligned.
      let start = Math.max(0, end - step);
      start -= start % 4;
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const found = codec.lastLineEnd(chunk, 0, bytesRead);
      if (found >= 0) return start + found;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
