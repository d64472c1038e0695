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
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { sleep } from '../../common/until-aborted.js';
import { detectBom, LineBuffer, type LineCodec } from './line-codec.js';

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
  | { readonly kind: 'lines'; readonly lines: string[]; readonly endOffset: number }
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

interface OpenFile {
  readonly handle: FileHandle;
  readonly ino: number;
  readonly dev: number;
  signature: Buffer;
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
    let file = await this.openAt(this.opts.offset);
    try {
      while (!this.opts.signal.aborted) {
        // Between two pulls the consumer may have waited long (backpressure):
        // the file may have been truncated and written past our offset meanwhile.
        const step = (await this.rewritten(file)) ? 'truncated' : await this.readOrDetect(file);
        if (typeof step === 'object') {
          this.pollMs = this.opts.minPollMs;
          yield step;
        } else if (step === 'none') await this.idle();
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
      await file.handle.close();
    }
  }

  /** Reads until complete lines are available (undefined at end of file). */
  private async readLines(file: OpenFile): Promise<TailEvent | undefined> {
    for (;;) {
      const target = this.lines.readTarget();
      const { bytesRead } = await file.handle.read(target.buffer, target.offset, target.length, this.readPos);
      if (bytesRead === 0) return undefined;
      this.lines.written(bytesRead);
      this.readPos += bytesRead;
      if (file.signature.length < SIGNATURE_BYTES && this.readPos > file.signature.length) file.signature = await readSignature(file.handle);
      const taken = this.lines.take();
      if (taken) {
        this.lineEnd += taken.bytes;
        return { kind: 'lines', lines: taken.lines, endOffset: this.lineEnd };
      }
    }
  }

  /** Complete lines, or at the end of the file what happened to it. */
  private async readOrDetect(file: OpenFile): Promise<TailEvent | Change> {
    return (await this.readLines(file)) ?? this.detectChange(file);
  }

  /** Whether the first bytes read so far changed: the file was truncated and written again. */
  private async rewritten(file: OpenFile): Promise<boolean> {
    const length = file.signature.length;
    if (length === 0) return false;
    const { bytesRead } = await file.handle.read(this.scratch, 0, length, 0);
    return bytesRead < length || !file.signature.equals(this.scratch.subarray(0, length));
  }

  /** What happened to the file while we were at its end. */
  private async detectChange(file: OpenFile): Promise<Change> {
    let current;
    try {
      current = await stat(this.opts.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'rotated';
      throw err;
    }
    if (current.ino !== file.ino || current.dev !== file.dev) return 'rotated';
    this.size = current.size;
    if (current.size < this.readPos) return 'truncated';
    return current.size > this.readPos ? 'grown' : 'none';
  }

  /** Reads what is left of a rotated file, its partial last line included. */
  private async *drain(file: OpenFile): AsyncGenerator<TailEvent, void, undefined> {
    for (let taken = await this.readLines(file); taken; taken = await this.readLines(file)) yield taken;
    const rest = this.lines.flush();
    if (rest) {
      this.lineEnd += rest.bytes;
      yield { kind: 'lines', lines: rest.lines, endOffset: this.lineEnd };
    }
  }

  /**
   * Opens the path again: at once after a truncation, after waiting for it to
   * exist after a rotation. Returns `old` when the path names the old file.
   */
  private async reopen(old: OpenFile, reason: 'rotated' | 'truncated'): Promise<OpenFile> {
    const next = await this.openWhenPresent();
    if (reason === 'rotated' && next.ino === old.ino && next.dev === old.dev) {
      await next.handle.close();
      return old;
    }
    const size = (await next.handle.stat()).size;
    const offset = signaturesMatch(old.signature, next.signature) ? Math.min(this.lineEnd, size) : 0;
    this.opts.log?.(`file ${reason}, reopened`, { path: this.opts.path, offset });
    await old.handle.close();
    this.lines.reset();
    await this.startAt(next, offset);
    return next;
  }

  private async openWhenPresent(): Promise<OpenFile> {
    for (;;) {
      try {
        return await openFile(this.opts.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || this.opts.signal.aborted) throw err;
        this.opts.log?.(`waiting for ${this.opts.path} to appear...`);
        await this.idle();
      }
    }
  }

  private async openAt(offset: number): Promise<OpenFile> {
    const file = await openFile(this.opts.path);
    try {
      await this.startAt(file, offset);
    } catch (err) {
      await file.handle.close();
      throw err;
    }
    return file;
  }

  /** Positions reading at `offset`, skipping a BOM and taking the encoding it names. */
  private async startAt(file: OpenFile, offset: number): Promise<void> {
    const bom = detectBom(file.signature);
    this.lines.reset(bom?.codec ?? this.opts.codec);
    this.lineEnd = this.readPos = Math.max(offset, bom?.length ?? 0);
    this.size = (await file.handle.stat()).size;
  }

  private async idle(): Promise<void> {
    await sleep(this.pollMs, this.opts.signal);
    this.pollMs = Math.min(this.pollMs * 2, this.opts.maxPollMs);
  }
}

async function openFile(path: string): Promise<OpenFile> {
  const handle = await open(path, 'r');
  try {
    const { ino, dev } = await handle.stat();
    return { handle, ino, dev, signature: await readSignature(handle) };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

async function readSignature(handle: FileHandle, length = SIGNATURE_BYTES): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * Where the last line of a file starts: just past its last newline (0 when
 * there is none) — `tail_from_end`'s starting point.
 */
export async function lastLineStart(path: string, codec: LineCodec): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    codec = detectBom(await readSignature(handle, 4))?.codec ?? codec;
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
