/**
 * One target of loki.source.file: tails (or decompresses) one file and sends
 * its lines as batches, keeping the position in the positions file.
 *
 * Delivery is at least once: a batch's end offset becomes the stored
 * position only when every receiver acknowledged it and every earlier batch
 * (AckWindow). A rejected push (the receiver stopped) restarts tailing from
 * the last acknowledged offset.
 */
import type { Logger } from '../../../runtime/logger.js';
import { AckWindow } from '../ack-window.js';
import { Backoff } from '../../common/backoff.js';
import { sourceGraceMs } from '../../common/delivery.js';
import { fanOut, flushAll, rawLinesBatch, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import type { PositionKey, Positions } from '../positions.js';
import { statPath } from './fd.js';
import { FileTailer, lastLineStart, type TailEvent } from './file-follower.js';
import type { LineCodec, LinesEvent } from './line-codec.js';
import { releaseBatch } from '../pooled-lines.js';
import { readCompressed, type CompressionFormat } from './decompress.js';
import type { FileMetrics } from './metrics.js';

export type OnPositionsFileError = 'skip' | 'restart_from_end' | 'restart_from_beginning';

/** What a tailer is created with; later argument changes do not affect a running tailer (as in Alloy). */
export interface TailerSettings {
  readonly codec: LineCodec;
  readonly tailFromEnd: boolean;
  readonly onPositionsFileError: OnPositionsFileError;
  readonly legacyPositionsUsed: boolean;
  readonly minPollMs: number;
  readonly maxPollMs: number;
  readonly decompression?: { readonly format: CompressionFormat; readonly initialDelayMs: number };
}

export interface TailerContext {
  readonly positions: Positions;
  readonly metrics: FileMetrics;
  readonly logger: Logger;
  /** The current forward_to (read at every push). */
  readonly receivers: () => readonly LogsReceiver[];
}

/** Unacknowledged bytes one tailer may have in flight. */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** How long a stopping tailer waits for in-flight pushes before it gives up on them (the agent's drain deadline instead when it is stopping). */
const STOP_GRACE_MS = 5_000;
/** Alloy's retry of failed tailers. */
const RETRY = { minMs: 1_000, maxMs: 10_000, maxRetries: 0 };

export class FileSourceTailer {
  private readonly abort = new AbortController();
  private running = false;
  /** The target is gone: stop recording positions (its entry was removed). */
  private detached = false;
  private done: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly clock = new LineClock();

  constructor(
    readonly key: PositionKey,
    /** Entry labels: the target's public labels plus `filename`; one object reused for every batch. */
    readonly labels: Labels,
    private readonly settings: TailerSettings,
    private readonly ctx: TailerContext,
  ) {
    this.logger = ctx.logger.child({ component: 'tailer', path: key.path });
  }

  start(): void {
    if (this.done) return;
    const unfollow = this.ctx.positions.follow(this.key);
    this.done = this.runWithRetry(this.abort.signal).finally(unfollow);
  }

  /**
   * Stops tailing; resolves when stopped. `removed` = the target disappeared:
   * its position entry is dropped (unless it is a compressed file, whose
   * position Alloy keeps).
   */
  stop(removed: boolean): Promise<void> {
    if (removed && !this.settings.decompression) {
      this.detached = true;
      this.ctx.positions.remove(this.key);
    }
    this.abort.abort();
    return this.done ?? Promise.resolve();
  }

  debugInfo(): { path: string; labels: string; is_running: boolean; read_offset: number } {
    let offset = 0;
    try {
      offset = this.ctx.positions.getOffset(this.key) ?? 0;
    } catch {
      // An unparseable position shows as 0, as in Alloy.
    }
    return { path: this.key.path, labels: this.key.labels, is_running: this.running, read_offset: offset };
  }

  private async runWithRetry(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(RETRY, signal);
    let reported = false;
    while (!signal.aborted) {
      try {
        const finished = await this.tailOnce(signal);
        if (finished) return;
        backoff.reset();
      } catch (err) {
        if (signal.aborted) return;
        // Retries repeat the same failure; say it once.
        if (!reported) this.logger.error('failed to run tailer', { err: (err as Error).message });
        reported = true;
      }
      await backoff.wait();
    }
  }

  /** Tails from the stored position until stopped; true when a compressed file was read to its end. */
  private async tailOnce(signal: AbortSignal): Promise<boolean> {
    const offset = await this.startOffset();
    // A refused push must end reading at once: waiting for the next line to notice it would leave
    // the refused lines unsent until the file grows again (e.g. a full WAL disk that got space back).
    // One listener instead of AbortSignal.any, whose signals cost ~4 KB of garbage each (10,000 tailers start together).
    const reading = new AbortController();
    const stopReading = (): void => reading.abort();
    if (signal.aborted) stopReading();
    else signal.addEventListener('abort', stopReading, { once: true });
    const events = this.events(offset, reading.signal);
    const window = new AckWindow<number>({
      maxBytes: MAX_IN_FLIGHT_BYTES,
      onAck: (position) => this.commit(position),
      onBlocked: () => flushAll(this.ctx.receivers()),
    });
    const refuse = (err: unknown): never => {
      stopReading();
      throw err;
    };
    let sent = offset;
    this.running = true;
    this.ctx.metrics.filesActive.inc();
    this.logger.info('start tailing file', { offset });
    try {
      for await (const event of events.iterator) {
        if (event.kind === 'reopened') {
          // Positions of the old file must land before the new file's.
          if (!(await window.drain({ signal })) || window.failure) break;
          this.commit(event.offset);
          sent = event.offset;
          continue;
        }
        const batch = this.batch(event);
        this.ctx.metrics.readLines.inc({ path: this.key.path }, event.count);
        const started = await window.send(event.endOffset - sent, event.endOffset, () => fanOut(this.ctx.receivers(), batch).then(() => releaseBatch(batch), refuse), signal);
        if (!started) break;
        sent = event.endOffset;
        const size = events.size();
        if (size !== undefined) this.ctx.metrics.fileBytes.set({ path: this.key.path }, size);
      }
      // A compressed file is done once all of it is acknowledged.
      const finished = !signal.aborted && this.settings.decompression !== undefined && (await window.drain({ signal }));
      if (window.failure) throw new Error(`a receiver did not take lines, restarting from the last acknowledged position: ${errorText(window.failure.error)}`);
      return finished;
    } finally {
      signal.removeEventListener('abort', stopReading);
      // Fewer lines are sent again after a restart when what is in flight still gets acknowledged.
      await window.drain({ timeoutMs: sourceGraceMs(STOP_GRACE_MS) });
      this.running = false;
      this.ctx.metrics.filesActive.dec();
      this.ctx.metrics.forget(this.key.path);
      this.logger.info('stopped tailing file');
    }
  }

  /** The lines from `offset` on, and the file's size as last seen (none for compressed files). */
  private events(offset: number, signal: AbortSignal): { iterator: AsyncGenerator<TailEvent, void, undefined>; size: () => number | undefined } {
    const s = this.settings;
    if (s.decompression) {
      const iterator = readCompressed({ path: this.key.path, format: s.decompression.format, offset, codec: s.codec, initialDelayMs: s.decompression.initialDelayMs, signal });
      return { iterator, size: () => undefined };
    }
    const tailer = new FileTailer({
      path: this.key.path,
      offset,
      codec: s.codec,
      minPollMs: Math.min(s.minPollMs, s.maxPollMs),
      maxPollMs: s.maxPollMs,
      signal,
      log: (msg, fields) => this.logger.debug(msg, fields),
    });
    return { iterator: tailer.events(), size: () => tailer.size };
  }

  /**
   * Where to start (grafana/alloy internal/component/loki/source/file/tailer.go): the stored offset; on an unparseable one, what
   * on_positions_file_error says; the legacy `{}` entry; the last line with
   * tail_from_end when nothing is stored. A stored offset past the end of the
   * file means the file was replaced while we were away: start at 0 (Alloy
   * would skip to the end, losing the new file's lines).
   */
  private async startOffset(): Promise<number> {
    let offset = await this.storedOffset();
    if (!offset && this.settings.legacyPositionsUsed) offset = this.ctx.positions.getOffset({ path: this.key.path, labels: '{}' });
    if (this.settings.decompression) return offset ?? 0;
    // Only a stored offset needs the size (a first start, the common case with thousands of new files, saves a stat).
    if (offset && (await statPath(this.key.path)).size < offset) {
      this.ctx.positions.remove(this.key);
      return 0;
    }
    if (!offset && this.settings.tailFromEnd) {
      offset = await lastLineStart(this.key.path, this.settings.codec);
      this.ctx.positions.put(this.key, offset);
      this.logger.info('retrieved and stored the position of the last line', { offset });
    }
    return offset ?? 0;
  }

  private async storedOffset(): Promise<number | undefined> {
    try {
      return this.ctx.positions.getOffset(this.key);
    } catch (err) {
      switch (this.settings.onPositionsFileError) {
        case 'skip':
          throw new Error(`failed to get file position: ${(err as Error).message}`);
        case 'restart_from_end':
          this.logger.info('retrieved the position of the last line after positions error');
          return lastLineStart(this.key.path, this.settings.codec);
        default:
          this.logger.info('reset position to start of file after positions error');
          return 0;
      }
    }
  }

  private commit(offset: number): void {
    if (this.detached) return;
    this.ctx.positions.put(this.key, offset);
    this.ctx.metrics.readBytes.set({ path: this.key.path }, offset);
  }

  private batch(event: LinesEvent): LogBatch {
    const ms = new Float64Array(event.count);
    const ns = new Int32Array(event.count);
    this.clock.stamp(ms, ns);
    if (event.raw) return rawLinesBatch(this.labels, ms, ns, event.raw, () => event.lines);
    return { labels: this.labels, ms, ns, lines: event.lines };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Entry timestamps: the time a chunk was read, with nanoseconds counting up so
 * that every entry of a stream has its own, increasing timestamp — Loki drops
 * an entry whose timestamp and line equal an earlier one's, and two equal
 * lines read together must both arrive.
 */
class LineClock {
  private lastMs = 0;
  private lastNs = -1;

  stamp(ms: Float64Array, ns: Int32Array): void {
    const now = Date.now();
    let m = now > this.lastMs ? now : this.lastMs;
    let n = now > this.lastMs ? 0 : this.lastNs + 1;
    for (let i = 0; i < ms.length; i++, n++) {
      if (n > 999_999) {
        m++;
        n = 0;
      }
      ms[i] = m;
      ns[i] = n;
    }
    this.lastMs = m;
    this.lastNs = n - 1;
  }
}
