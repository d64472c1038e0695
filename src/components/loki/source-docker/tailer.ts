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
import { fanOut, flushAll, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import type { PositionKey, Positions } from '../positions.js';
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

/** Lines of one stream waiting to be pushed. */
class PendingBatch {
  ms: number[] = [];
  ns: number[] = [];
  lines: string[] = [];
  bytes = 0;

  constructor(readonly labels: Labels) {}

  add(ms: number, ns: number, line: string): void {
    this.ms.push(ms);
    this.ns.push(ns);
    this.lines.push(line);
    this.bytes += line.length;
  }

  take(): LogBatch {
    const batch = { labels: this.labels, ms: Float64Array.from(this.ms), ns: Int32Array.from(this.ns), lines: this.lines };
    this.ms = [];
    this.ns = [];
    this.lines = [];
    this.bytes = 0;
    return batch;
  }
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
   * batches per stream, pushed once BATCH_LINES lines gathered or the first
   * of them waited BATCH_WAIT_MS: Docker writes a line per write, so reads
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
      const ready = batches.filter((b) => b.lines.length > 0).map((b) => ({ bytes: b.bytes, batch: b.take() }));
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
      line: (stream: StreamIndex, ms: number, ns: number, text: string) => {
        if (text === '' || !filter.accepts(ms, ns)) return;
        batches[stream]!.add(ms, ns, text);
        cursor = advance(cursor, ms, ns);
        if (batches[0]!.lines.length + batches[1]!.lines.length >= BATCH_LINES) flush();
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
      this.ctx.entries.inc(batch.lines.length);
      const position = i === ready.length - 1 ? cursor : undefined;
      if (!(await window.send(bytes, position, () => fanOut(this.ctx.receivers(), batch), signal)) || window.failure) return false;
    }
    return true;
  }

  private commit(cursor: Cursor): void {
    this.delivered = cursor;
    this.ctx.positions.put(this.key, formatCursor(cursor));
  }
}
