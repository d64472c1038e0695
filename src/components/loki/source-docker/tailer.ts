/**
 * One container of loki.source.docker (grafana/alloy
 * internal/component/loki/source/docker/tailer.go): reads its log through the
 * Docker API and forwards the lines, remembering in the positions file how
 * far downstream acknowledged them.
 *
 * No duplicates after a restart (of the agent or of the container): Alloy
 * stores the unix second of the last entry and re-reads that whole second.
 * Here the position also says how many lines carried the newest timestamp
 * (`<seconds>.<nanoseconds>:<count>`), and a re-read skips the lines up to
 * it; a plain Alloy value (`<seconds>`) is still understood.
 *
 * Lifecycle, as in Alloy: the log is followed while the container runs; every
 * 5 s the container is inspected and the log re-opened when it runs again or
 * stopped after the last read. A container that no longer exists ends the
 * tailer and its position. A tailer whose target went away first reads what
 * the container wrote up to now (a short-lived container's last lines).
 */
import type { Counter } from 'prom-client';
import type { Logger } from '../../../runtime/logger.js';
import { AckWindow } from '../ack-window.js';
import { dockerStatusCode, type DockerConnection } from '../../docker-api/client.js';
import { openDockerStream, type DockerBody } from '../../docker-api/streaming-response.js';
import { entryCount, fanOut, flushAll, rawLinesBatch, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import type { PositionKey, Positions } from '../positions.js';
import { BufferPool, PooledLines, releaseBatch } from '../pooled-lines.js';
import { isReservedLabel } from '../../common/targets.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { sleep } from '../../common/until-aborted.js';
import { DockerLogParser, STDERR, STDOUT, type StreamIndex } from './log-frames.js';

export const LOG_STREAM_LABEL = '__meta_docker_container_log_stream';
/** How often a tailer checks whether its container runs again. */
export const RESTART_INTERVAL_MS = 5_000;
/** Unacknowledged bytes one tailer may have in flight. */
const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** Lines gathered into one push at most, and how long the first of them waits for more. */
const BATCH_LINES = 2000;
const BATCH_WAIT_MS = 10;
/** Bytes gathered into one push at most (then it goes without waiting for BATCH_LINES). */
const BATCH_BYTES = 1024 * 1024;
/** A pending batch's starting room, and the most it keeps between batches. */
const INITIAL_BATCH_LINES = 256;
/** Room for BATCH_LINES lines of ~120 bytes: the size of the pooled batch buffers. */
const INITIAL_BATCH_BYTES = 256 * 1024;
const MAX_KEPT_BATCH_BYTES = 2 * BATCH_BYTES;
/** Acknowledged batch buffers kept for the next batches (MAX_IN_FLIGHT_BYTES of one tailer, and some). */
const MAX_POOLED_BATCH_BUFFERS = 24;
/** How full a pending batch's buffer must be to go with the batch rather than be copied. */
const HAND_OVER_FILL = 0.75;
/** A follow that ends sooner is re-opened no sooner than this (no busy loop on a broken API). */
const MIN_FOLLOW_MS = 1_000;
/** How long a stopping tailer waits for in-flight pushes. */
const STOP_GRACE_MS = 5_000;

export interface DockerTailerContext {
  readonly connection: DockerConnection;
  readonly positions: Positions;
  readonly relabel: RelabelRules | undefined;
  readonly logger: Logger;
  readonly entries: Counter;
  readonly parsingErrors: Counter;
  /** The current forward_to (read at every push). */
  readonly receivers: () => readonly LogsReceiver[];
}

// ---------------------------------------------------------------------------
// Cursor: how far the log was delivered

/** The newest delivered timestamp and how many delivered lines carry exactly it. */
export interface Cursor {
  readonly ms: number;
  readonly ns: number;
  readonly count: number;
}

export const START: Cursor = { ms: 0, ns: 0, count: 0 };

function compareTime(ms: number, ns: number, c: Cursor): number {
  return ms !== c.ms ? ms - c.ms : ns - c.ns;
}

/** The cursor after one more delivered line. */
export function advance(c: Cursor, ms: number, ns: number): Cursor {
  const cmp = compareTime(ms, ns, c);
  if (cmp > 0) return { ms, ns, count: 1 };
  return cmp === 0 ? { ms, ns, count: c.count + 1 } : c;
}

export function formatCursor(c: Cursor): string {
  const seconds = Math.floor(c.ms / 1000);
  const nanos = (c.ms - seconds * 1000) * 1_000_000 + c.ns;
  return `${seconds}.${String(nanos).padStart(9, '0')}:${c.count}`;
}

/** Reads our format, or Alloy's plain unix seconds (re-read from that second on). */
export function parseCursor(text: string): Cursor | undefined {
  const ours = /^(\d+)\.(\d{9}):(\d+)$/.exec(text);
  if (ours) {
    const nanos = Number(ours[2]);
    return { ms: Number(ours[1]) * 1000 + Math.floor(nanos / 1_000_000), ns: nanos % 1_000_000, count: Number(ours[3]) };
  }
  return /^\d+$/.test(text) ? { ms: Number(text) * 1000, ns: 0, count: 0 } : undefined;
}

/** Skips the lines of a re-read that were delivered before. */
class ReplayFilter {
  private seenAtCursor = 0;

  constructor(private cursor: Cursor | undefined) {}

  accepts(ms: number, ns: number): boolean {
    const c = this.cursor;
    if (!c) return true;
    const cmp = compareTime(ms, ns, c);
    if (cmp < 0) return false;
    if (cmp === 0 && this.seenAtCursor < c.count) {
      this.seenAtCursor++;
      return false;
    }
    if (cmp > 0) this.cursor = undefined; // past the delivered part: the rest is new
    return true;
  }
}

// ---------------------------------------------------------------------------
// Batches

/**
 * Lines of one stream waiting to be pushed, kept as the UTF-8 bytes Docker
 * sent: copied into one growing buffer (the read buffer they arrive in is
 * reused), with their bounds and timestamps in growing typed arrays. take()
 * hands loki.write the bytes (it copies them into the request undecoded);
 * the text is decoded only if a component reads `lines`.
 */
export class PendingBatch {
  private data: Buffer = batchBufferPool.take();
  private used = 0;
  private bounds = new Uint32Array(2 * INITIAL_BATCH_LINES);
  private ms = new Float64Array(INITIAL_BATCH_LINES);
  private ns = new Int32Array(INITIAL_BATCH_LINES);
  /** Lines held. */
  count = 0;

  constructor(readonly labels: Labels) {}

  /** Bytes held: the size of the push, for batching and the in-flight window. */
  get bytes(): number {
    return this.used;
  }

  /** Adds the line `buf[start, end)` (copied). */
  add(ms: number, ns: number, buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.used + length > this.data.length) this.data = grown(this.data, this.used, this.used + length);
    if (this.count === this.ms.length) this.growLines();
    copyBytes(buf, start, end, this.data, this.used);
    this.bounds[2 * this.count] = this.used;
    this.bounds[2 * this.count + 1] = this.used + length;
    this.used += length;
    this.ms[this.count] = ms;
    this.ns[this.count] = ns;
    this.count++;
  }

  /**
   * The held lines as a batch of their own. A mostly full buffer goes with
   * the batch (a copy of a large batch costs more than the lines' parsing)
   * and a new one of its size takes the next lines; a batch of a few lines
   * gets an exact-size copy, so that small batches held downstream do not
   * each pin a large buffer.
   */
  take(): LogBatch {
    let bytes: Buffer;
    if (this.used >= this.data.length * HAND_OVER_FILL) {
      bytes = this.data.subarray(0, this.used);
      this.data = this.data.length === INITIAL_BATCH_BYTES ? batchBufferPool.take() : Buffer.allocUnsafe(Math.min(this.data.length, MAX_KEPT_BATCH_BYTES));
    } else {
      bytes = Buffer.allocUnsafeSlow(this.used);
      this.data.copy(bytes, 0, 0, this.used);
      // A buffer grown for a burst of long lines is not kept for good.
      if (this.data.length > MAX_KEPT_BATCH_BYTES) this.data = batchBufferPool.take();
    }
    const bounds = this.bounds.slice(0, 2 * this.count);
    const raw = new PooledLines(bytes, bounds, batchBufferPool, () => decodeLines(bytes, bounds));
    const batch = rawLinesBatch(this.labels, this.ms.slice(0, this.count), this.ns.slice(0, this.count), raw, () => raw.text());
    this.used = 0;
    this.count = 0;
    return batch;
  }

  private growLines(): void {
    const lines = this.ms.length * 2;
    const bounds = new Uint32Array(2 * lines);
    bounds.set(this.bounds);
    this.bounds = bounds;
    const ms = new Float64Array(lines);
    ms.set(this.ms);
    this.ms = ms;
    const ns = new Int32Array(lines);
    ns.set(this.ns);
    this.ns = ns;
  }
}

/** Lines up to this long are copied by a loop: cheaper than Buffer#copy's checks and native call for a log line. */
const LOOP_COPY_BYTES = 512;

function copyBytes(from: Buffer, start: number, end: number, to: Buffer, at: number): void {
  if (end - start > LOOP_COPY_BYTES) from.copy(to, at, start, end);
  else for (let i = start; i < end; i++) to[at++] = from[i]!;
}

/** A buffer holding `used` bytes of `data` with room for at least `need`. */
function grown(data: Buffer, used: number, need: number): Buffer {
  let size = data.length * 2;
  while (size < need) size *= 2;
  const next = Buffer.allocUnsafe(size);
  data.copy(next, 0, 0, used);
  return next;
}

/** Acknowledged batch buffers, for the next batches (pooled-lines.ts). */
const batchBufferPool = new BufferPool(INITIAL_BATCH_BYTES, MAX_POOLED_BATCH_BUFFERS);

/** The lines' text, each decoded on its own as the parser used to (same replacement of invalid UTF-8). */
function decodeLines(bytes: Buffer, bounds: Uint32Array): string[] {
  const lines = new Array<string>(bounds.length / 2);
  for (let i = 0; i < lines.length; i++) lines[i] = bytes.toString('utf8', bounds[2 * i], bounds[2 * i + 1]);
  return lines;
}

/** Entry labels of one stream: target labels, the stream, relabel rules, then no `__` labels. */
export function streamLabels(target: Labels, stream: 'stdout' | 'stderr', rules: RelabelRules | undefined): Labels {
  const withStream: Labels = { ...target, [LOG_STREAM_LABEL]: stream };
  // As in Alloy, a label set dropped by the rules still sends its entries, with no labels.
  const relabeled: Labels = rules ? rules.process(withStream, 'legacy') ?? {} : withStream;
  const out: Record<string, string> = {};
  for (const name of Object.keys(relabeled)) if (!isReservedLabel(name)) out[name] = relabeled[name]!;
  return out;
}

// ---------------------------------------------------------------------------
// Tailer

interface ContainerState {
  readonly tty: boolean;
  readonly running: boolean;
  /** When the container last stopped (ms since the epoch; 0 if never). */
  readonly finishedMs: number;
}

export class DockerTailer {
  private readonly abort = new AbortController();
  /** Aborts the current read only (retire). */
  private readAbort = new AbortController();
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;
  private retiring = false;
  private reading = false;
  private lastError = '';
  /** Acknowledged position, ahead of or equal to the stored one (read from the positions at start). */
  private delivered: Cursor = START;
  private readonly logger: Logger;
  private readonly labels: [Labels, Labels];

  constructor(
    readonly containerId: string,
    /** The target's labels (with the component's `labels`); `key.labels` is their string. */
    target: Labels,
    readonly key: PositionKey,
    private readonly ctx: DockerTailerContext,
  ) {
    this.logger = ctx.logger.child({ component: 'tailer', container: containerId });
    this.labels = [streamLabels(target, 'stdout', ctx.relabel), streamLabels(target, 'stderr', ctx.relabel)];
  }

  /** Starts tailing, once `after` (a previous tailer of the container) is done. */
  start(after: Promise<void> = Promise.resolve()): void {
    this.done ??= after
      .then(() => {
        this.delivered = this.storedCursor();
        return this.run(this.abort.signal);
      })
      .catch((err: Error) => this.logger.error('tailer failed', { err: err.message }));
  }

  /** Component shutdown: stops now and keeps the position. */
  stop(): Promise<void> {
    this.abort.abort();
    return this.done ?? Promise.resolve();
  }

  /**
   * The target went away: reads what the container wrote up to now, then
   * stops. The position stays while the container exists (a restarted
   * container is picked up where it was); the component drops it once the
   * container is removed.
   */
  retire(): Promise<void> {
    this.retiring = true;
    this.readAbort.abort();
    this.wake?.();
    return this.done ?? Promise.resolve();
  }

  debugInfo(): { id: string; last_error: string; labels: string; is_running: boolean; read_offset: string } {
    return { id: this.containerId, last_error: this.lastError, labels: this.key.labels, is_running: this.reading, read_offset: this.ctx.positions.get(this.key) ?? '' };
  }

  private storedCursor(): Cursor {
    const text = this.ctx.positions.get(this.key) ?? this.otherPosition();
    return (text !== undefined ? parseCursor(text) : undefined) ?? START;
  }

  /** The position of this container under other labels (the target's labels changed): taken over. */
  private otherPosition(): string | undefined {
    const other = this.ctx.positions.list().find((e) => e.key.path === this.key.path && e.key.labels !== this.key.labels);
    if (!other) return undefined;
    this.ctx.positions.remove(other.key);
    this.ctx.positions.put(this.key, other.value);
    return other.value;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let openedAt = -Infinity;
    while (!signal.aborted) {
      const state = await this.inspect(signal);
      if (state === 'gone') {
        this.ctx.positions.remove(this.key);
        this.logger.info('container removed, stopped tailing');
        return;
      }
      if (this.retiring) {
        if (state) await this.readLog(state.tty, false, signal);
        return;
      }
      if (state && (state.running || state.finishedMs >= openedAt)) {
        openedAt = Date.now();
        // Only a running container's log is followed: podman ends a follow of a stopped
        // container's log early, and cuts the end of a run's log when it stops.
        const ok = await this.readLog(state.tty, state.running, signal);
        if (state.running && ok) {
          // The follow ended: the container stopped (read the rest now) or the stream broke.
          if (Date.now() - openedAt < MIN_FOLLOW_MS) await sleep(MIN_FOLLOW_MS, signal);
          continue;
        }
      }
      if (!this.retiring) await this.pause(signal);
    }
  }

  private async inspect(signal: AbortSignal): Promise<ContainerState | 'gone' | undefined> {
    try {
      const info = await this.ctx.connection.client.inspectContainer(this.containerId, signal);
      const finished = Date.parse(info.State.FinishedAt);
      return { tty: info.Config.Tty, running: info.State.Running, finishedMs: Number.isNaN(finished) ? 0 : finished };
    } catch (err) {
      if (dockerStatusCode(err) === 404) return 'gone';
      if (!signal.aborted) this.failed('could not inspect container', err);
      return undefined;
    }
  }

  private pause(signal: AbortSignal): Promise<void> {
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    return Promise.race([sleep(RESTART_INTERVAL_MS, signal), woken]);
  }

  private failed(msg: string, err: unknown): void {
    this.lastError = (err as Error).message ?? String(err);
    this.logger.error(msg, { err: this.lastError });
  }

  /**
   * Reads the log from the delivered position: to the end of the container's
   * run (follow) or to now. False when the read failed.
   */
  private async readLog(tty: boolean, follow: boolean, signal: AbortSignal): Promise<boolean> {
    this.readAbort = new AbortController();
    if (this.retiring && follow) this.readAbort.abort(); // retired just before this read
    const readSignal = AbortSignal.any([signal, this.readAbort.signal]);
    const window = new AckWindow<Cursor | undefined>({
      maxBytes: MAX_IN_FLIGHT_BYTES,
      onAck: (c) => c && this.commit(c),
      onBlocked: () => flushAll(this.ctx.receivers()),
    });
    this.reading = true;
    try {
      await this.consume(await this.openLog(follow, readSignal), tty, window, readSignal);
      this.lastError = '';
    } catch (err) {
      if (!readSignal.aborted) this.failed('could not read container logs', err);
      return false;
    } finally {
      await window.drain({ timeoutMs: STOP_GRACE_MS });
      this.reading = false;
    }
    if (window.failure) this.failed('a receiver did not take lines; re-reading from the last acknowledged position', window.failure.error);
    return !window.failure;
  }

  private openLog(follow: boolean, signal: AbortSignal): Promise<DockerBody> {
    const since = Math.floor(this.delivered.ms / 1000);
    const query = `stdout=1&stderr=1&timestamps=1&follow=${follow ? 1 : 0}&since=${since}`;
    return openDockerStream(this.ctx.connection, `/containers/${encodeURIComponent(this.containerId)}/logs?${query}`, signal);
  }

  /**
   * Parses the body as it arrives (synchronously, per socket read) into
   * batches per stream, pushed once BATCH_LINES lines or BATCH_BYTES bytes
   * gathered or the first of them waited BATCH_WAIT_MS: Docker writes a line per write, so reads
   * are small. The socket pauses while a push waits for room.
   */
  private async consume(body: DockerBody, tty: boolean, window: AckWindow<Cursor | undefined>, signal: AbortSignal): Promise<void> {
    const batches = [new PendingBatch(this.labels[STDOUT]), new PendingBatch(this.labels[STDERR])];
    const filter = new ReplayFilter(this.delivered.ms > 0 ? this.delivered : undefined);
    let cursor = this.delivered;
    let timer: NodeJS.Timeout | undefined;
    let sending = Promise.resolve(true);
    let queued = 0;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      const ready = batches.filter((b) => b.count > 0).map((b) => ({ bytes: b.bytes, batch: b.take() }));
      if (ready.length === 0) return;
      const at = cursor;
      queued++;
      body.pause();
      sending = sending.then(async (ok) => {
        const sent = ok && (await this.send(ready, at, window, signal));
        if (--queued === 0 && sent) body.resume();
        if (!sent) body.close();
        return sent;
      });
    };
    const parser = new DockerLogParser(tty, {
      line: (stream: StreamIndex, ms: number, ns: number, buf: Buffer, start: number, end: number) => {
        if (start === end || !filter.accepts(ms, ns)) return;
        batches[stream]!.add(ms, ns, buf, start, end);
        cursor = advance(cursor, ms, ns);
        const [out, err] = batches as [PendingBatch, PendingBatch];
        if (out.count + err.count >= BATCH_LINES || out.bytes + err.bytes >= BATCH_BYTES) flush();
        else timer ??= setTimeout(flush, BATCH_WAIT_MS);
      },
      error: (reason) => {
        this.ctx.parsingErrors.inc();
        this.logger.warn(reason);
      },
    });
    try {
      await body.pipe((buf, start, end) => parser.push(buf, start, end));
      parser.end();
      flush();
      await sending;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Pushes taken batches; the last push carries the cursor to record once everything is acknowledged. */
  private async send(ready: readonly { bytes: number; batch: LogBatch }[], cursor: Cursor, window: AckWindow<Cursor | undefined>, signal: AbortSignal): Promise<boolean> {
    for (let i = 0; i < ready.length; i++) {
      const { bytes, batch } = ready[i]!;
      this.ctx.entries.inc(entryCount(batch));
      const position = i === ready.length - 1 ? cursor : undefined;
      if (!(await window.send(bytes, position, () => fanOut(this.ctx.receivers(), batch).then(() => releaseBatch(batch)), signal)) || window.failure) return false;
    }
    return true;
  }

  private commit(cursor: Cursor): void {
    this.delivered = cursor;
    this.ctx.positions.put(this.key, formatCursor(cursor));
  }
}
