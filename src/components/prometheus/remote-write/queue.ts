/**
 * One prometheus.remote_write endpoint: its own bounded queue, shards and
 * retries, so a slow or dead endpoint never holds back another (as Prometheus'
 * storage/remote/queue_manager.go does per remote).
 *
 * Delivery and acknowledgement
 * - `accept(batch)` resolves once this endpoint sent every sample of the
 *   batch (2xx) or dropped it for good: a non-recoverable status (4xx other
 *   than a retried 429), older than sample_age_limit, or dropped by
 *   write_relabel_config. Recoverable failures (network errors, 5xx, 429 with
 *   retry_on_http_429) are retried for as long as it takes, as Prometheus
 *   does, with backoff from min_backoff doubling to max_backoff, or the
 *   server's Retry-After. It rejects only when the endpoint stops before it
 *   could do either (shutdown past the drain deadline); with the WAL (on by
 *   default) those samples stay in the log and are sent after the next start.
 * - Memory is bounded: samples accepted and not finished are at most
 *   capacity × max_shards (what Prometheus' shards could buffer), or one
 *   batch when the queue is empty. A batch that does not fit waits, in
 *   order, for earlier ones to finish — the backpressure the source feels.
 *   The queue itself is memory only: with the WAL (durable.ts, on by
 *   default) it is fed from the log, which keeps what is queued across a
 *   restart; with ALLOY_TS_WAL=off a restart loses what is queued, and what
 *   was not acknowledged is the source's to resend.
 *
 * Sending follows Prometheus' queue manager: a series always goes to the
 * same shard (its label hash modulo the shard count), so its samples leave
 * in order; each shard fills a request up to max_samples_per_send and sends
 * it when full or batch_send_deadline after its first sample, one request at
 * a time. Every 10 s the shard count is recomputed from the rate of samples
 * in and the rate one shard sends at; a change waits until every shard is
 * idle (open requests are flushed), so no series is ever split across two
 * shards in flight.
 */
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../../../runtime/logger.js';
import { FailureLog, PartsAck, Wakeup, withinDrainDeadline } from '../../common/delivery.js';
import type { HttpClient } from '../../common/http-client.js';
import type { SampleBatch, SeriesLabels } from '../../common/metric-samples.js';
import { EncodeScratch, encodeWriteRequest, REMOTE_WRITE_HEADERS, type EncodedSeries, type FamilyMetadata, type SampleRun } from './request-encoding.js';
import { sleep } from '../../common/until-aborted.js';
import type { EndpointMetrics } from './metrics.js';
import { SeriesPositions } from './series-positions.js';

export interface QueueSettings {
  readonly name: string;
  readonly url: URL;
  readonly remoteTimeoutMs: number;
  /** The endpoint's `headers`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly userAgent: string;
  readonly capacity: number;
  readonly minShards: number;
  readonly maxShards: number;
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly retryOn429: boolean;
  /** 0 = no limit. */
  readonly sampleAgeLimitMs: number;
  readonly drainTimeoutMs: number;
  /** The samples come from the component's WAL: what is not sent by the drain deadline stays there for the next start. */
  readonly walBacked?: boolean;
  readonly metadata: { readonly send: boolean; readonly intervalMs: number; readonly maxPerSend: number };
}

/** A series as this endpoint sends it. */
export interface OutSeries extends EncodedSeries {
  /** Picks the shard. */
  readonly hash: number;
}

/** Maps a series to how the endpoint sends it; undefined drops it (write_relabel_config). */
export type SeriesPreparer = (labels: SeriesLabels) => OutSeries | undefined;

/** Why a promise from accept() rejects. */
export class NotSentError extends Error {}

const RESHARD_INTERVAL_MS = 10_000;
/** Prometheus leaves the shard count alone when the desired one is within 30 %. */
const RESHARD_TOLERANCE = 0.3;

/**
 * One request being filled or waiting to go: parallel arrays plus the acks
 * it carries parts of. Chunks are reused once their request finished (see
 * RemoteWriteQueue.spares).
 */
class Chunk implements SampleRun {
  readonly series: OutSeries[];
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
  count = 0;
  /** Samples taken in (count drops below it when sample_age_limit removes some). */
  admitted = 0;
  readonly acks: PartsAck[] = [];

  constructor(
    size: number,
    public createdAt: number,
  ) {
    this.series = new Array<OutSeries>(size);
    this.values = new Float64Array(size);
    this.timestamps = new Float64Array(size);
  }

  /** Empties a finished chunk for reuse; it holds on to no series or acks meanwhile. */
  release(): void {
    this.series.fill(undefined as unknown as OutSeries, 0, this.count);
    this.count = 0;
    this.admitted = 0;
    this.acks.length = 0;
  }

  add(series: OutSeries, batch: SampleBatch, i: number, ack: PartsAck): void {
    if (this.acks[this.acks.length - 1] !== ack) {
      this.acks.push(ack);
      ack.partAdded();
    }
    this.series[this.count] = series;
    this.values[this.count] = batch.values[i]!; // typed to typed: staleness markers keep their bits
    this.timestamps[this.count++] = batch.timestamps[i]!;
    this.admitted++;
  }

  /** Keeps only samples at or after `minTimestamp`; returns how many were removed. */
  dropOlderThan(minTimestamp: number): number {
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.timestamps[i]! < minTimestamp) continue;
      this.series[kept] = this.series[i]!;
      this.values[kept] = this.values[i]!;
      this.timestamps[kept++] = this.timestamps[i]!;
    }
    const removed = this.count - kept;
    this.series.fill(undefined as unknown as OutSeries, kept, this.count);
    this.count = kept;
    return removed;
  }

  highestTimestamp(): number {
    let max = -Infinity;
    for (let i = 0; i < this.count; i++) if (this.timestamps[i]! > max) max = this.timestamps[i]!;
    return max;
  }
}

class Shard {
  open: Chunk | undefined;
  /** Requests are encoded one at a time per shard, into this. */
  readonly scratch = new EncodeScratch();
  readonly ready: Chunk[] = [];
  readonly wakeup = new Wakeup();
  sending = false;
  /** Retired by a reshard: its loop ends once it is idle. */
  retired = false;

  idle(): boolean {
    return this.open === undefined && this.ready.length === 0 && !this.sending;
  }
}

type Outcome = 'sent' | 'failed' | 'cancelled';

interface Waiting {
  readonly batch: SampleBatch;
  readonly ack: PartsAck;
}

export class RemoteWriteQueue {
  private shards: Shard[];
  private readonly loops = new Set<Promise<void>>();
  private readonly prepared = new WeakMap<SeriesLabels, OutSeries | null>();
  /** The same, by position in each producer's batches: found without a WeakMap lookup per sample. */
  private readonly positions = new SeriesPositions<OutSeries | null>();
  /**
   * Chunks whose request finished, for reuse: a large scrape fills dozens of
   * chunks at once, and new ones would live long enough (waiting for their
   * turn to be sent) to reach V8's old generation and become garbage there,
   * with their arrays. Trimmed to what was needed since the last shard
   * calculation (see trimSpares).
   */
  private readonly spares: Chunk[] = [];
  /** The fewest spare chunks since the last trim: that many went unused. */
  private sparesLow = 0;
  /** Samples accepted and not finished. */
  private pending = 0;
  private readonly waiting: Waiting[] = [];
  private reshardTo: number | undefined;
  private draining = false;
  private stopped = false;
  private readonly hardStop = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly requestHeaders: Record<string, string>;
  private readonly failures: FailureLog;
  /** Rates since the last shard calculation. */
  private samplesInSince = 0;
  private samplesOutSince = 0;
  private sendingMsSince = 0;
  private lastCalculation = performance.now();
  private sendingMetadata = false;

  constructor(
    private readonly settings: QueueSettings,
    private readonly client: HttpClient,
    private readonly prepare: SeriesPreparer,
    private readonly metrics: EndpointMetrics,
    private readonly logger: Logger,
    private readonly metadataSource: () => FamilyMetadata[],
  ) {
    this.failures = new FailureLog(logger);
    this.requestHeaders = { ...REMOTE_WRITE_HEADERS, 'user-agent': settings.userAgent, ...lowerCased(settings.headers) };
    this.shards = this.startShards(Math.max(settings.minShards, 1));
    this.timers.push(setInterval(() => this.calculateShards(), RESHARD_INTERVAL_MS).unref());
    if (settings.metadata.send) this.timers.push(setInterval(() => void this.sendMetadata(), settings.metadata.intervalMs).unref());
  }

  /** The endpoint's name (its WAL consumer). */
  get name(): string {
    return this.settings.name;
  }

  /** Takes a batch; the promise settles when it was sent or dropped (see the file comment). */
  accept(batch: SampleBatch): Promise<void> {
    if (this.draining) return Promise.reject(new NotSentError(`remote write endpoint ${this.settings.name} is stopping`));
    const ack = new PartsAck();
    if (this.waiting.length === 0 && this.reshardTo === undefined && this.hasRoom(batch.length)) this.admit(batch, ack);
    else {
      this.metrics.enqueueRetries.inc();
      this.waiting.push({ batch, ack });
    }
    return ack.promise;
  }

  /** Stops taking batches, sends what is queued for up to the drain timeout (cut to the agent's drain deadline), then gives up on the rest. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.draining = true;
    for (const t of this.timers) clearInterval(t);
    for (const shard of this.shards) shard.wakeup.notify();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinDrainDeadline(this.settings.drainTimeoutMs))));
    const drained = await Promise.race([this.allLoopsDone().then(() => true), deadline]);
    clearTimeout(timer);
    if (!drained) {
      if (this.settings.walBacked) this.logger.warn('drain deadline reached, leaving what is left in the WAL for the next start', { remote_name: this.settings.name, pending_samples: this.pending });
      else this.logger.warn('drain deadline reached, dropping what is left', { remote_name: this.settings.name, pending_samples: this.pending });
      this.hardStop.abort();
      for (const shard of this.shards) shard.wakeup.notify();
      await this.allLoopsDone();
      this.cancelLeftovers();
    }
    await this.client.close().catch(() => {});
  }

  debugInfo(): unknown {
    return {
      url: this.settings.url.href,
      name: this.settings.name,
      pending_samples: this.pending,
      waiting_batches: this.waiting.length,
      shards: this.shards.length,
    };
  }

  // -------------------------------------------------------------------------
  // Admission

  private hasRoom(samples: number): boolean {
    return this.pending === 0 || this.pending + samples <= this.settings.capacity * this.settings.maxShards;
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.reshardTo === undefined && this.hasRoom(this.waiting[0]!.batch.length)) {
      const { batch, ack } = this.waiting.shift()!;
      this.admit(batch, ack);
    }
    // A draining shard sleeps while batches wait for room; once none waits, let them finish.
    if (this.draining && this.waiting.length === 0) for (const shard of this.shards) shard.wakeup.notify();
  }

  /** Spreads the batch's samples over the shards' requests. */
  private admit(batch: SampleBatch, ack: PartsAck): void {
    const { shards } = this;
    const max = this.settings.maxSamplesPerSend;
    const now = performance.now();
    let admitted = 0;
    let dropped = 0;
    const run = batch.length > 0 ? this.positions.runFor(batch.series) : undefined;
    for (let i = 0; i < batch.length; i++) {
      const labels = batch.series[i]!;
      let series = run!.at(i, labels);
      if (series === undefined) run!.set(i, labels, (series = this.outSeries(labels) ?? null));
      if (!series) {
        dropped++;
        continue;
      }
      const shard = shards[series.hash % shards.length]!;
      const chunk = (shard.open ??= this.openChunk(shard, now));
      chunk.add(series, batch, i, ack);
      admitted++;
      if (chunk.count === max) this.closeChunk(shard);
    }
    this.pending += admitted;
    this.samplesInSince += batch.length;
    this.metrics.samplesIn.inc(batch.length);
    this.metrics.samplesPending.set(this.pending);
    if (dropped > 0) this.metrics.dropped('dropped_series', dropped);
    ack.seal();
  }

  private outSeries(labels: SeriesLabels): OutSeries | undefined {
    let series = this.prepared.get(labels);
    if (series === undefined) {
      series = this.prepare(labels) ?? null;
      this.prepared.set(labels, series);
    }
    return series ?? undefined;
  }

  private openChunk(shard: Shard, now: number): Chunk {
    shard.wakeup.notify(); // its deadline starts now
    const spare = this.spares.pop();
    if (!spare) return new Chunk(this.settings.maxSamplesPerSend, now);
    this.sparesLow = Math.min(this.sparesLow, this.spares.length);
    spare.createdAt = now;
    return spare;
  }

  /** Drops the spare chunks that went unused since the last call. */
  private trimSpares(): void {
    this.spares.length -= Math.min(this.sparesLow, this.spares.length);
    this.sparesLow = this.spares.length;
  }

  private closeChunk(shard: Shard): void {
    shard.ready.push(shard.open!);
    shard.open = undefined;
    shard.wakeup.notify();
  }

  // -------------------------------------------------------------------------
  // Shards

  private startShards(count: number): Shard[] {
    const shards = Array.from({ length: count }, () => new Shard());
    for (const shard of shards) {
      const loop = this.runShard(shard).finally(() => this.loops.delete(loop));
      this.loops.add(loop);
    }
    this.metrics.shards.set(count);
    return shards;
  }

  private async allLoopsDone(): Promise<void> {
    while (this.loops.size > 0) await Promise.all([...this.loops]);
  }

  private async runShard(shard: Shard): Promise<void> {
    while (!this.hardStop.signal.aborted) {
      const chunk = this.nextChunk(shard);
      if (chunk) {
        shard.sending = true;
        const started = performance.now();
        const outcome = await this.sendChunk(chunk, shard.scratch);
        this.sendingMsSince += performance.now() - started;
        shard.sending = false;
        this.finish(chunk, outcome);
        continue;
      }
      if (shard.retired || (this.draining && this.waiting.length === 0)) return;
      await shard.wakeup.wait(this.msUntilDue(shard));
    }
  }

  /** A full request, else the open one once its deadline passed (at once when draining or resharding). */
  private nextChunk(shard: Shard): Chunk | undefined {
    const full = shard.ready.shift();
    if (full) return full;
    const open = shard.open;
    if (!open) return undefined;
    const flushNow = this.draining || this.reshardTo !== undefined || shard.retired;
    if (!flushNow && performance.now() - open.createdAt < this.settings.batchSendDeadlineMs) return undefined;
    shard.open = undefined;
    return open;
  }

  private msUntilDue(shard: Shard): number {
    return shard.open ? shard.open.createdAt + this.settings.batchSendDeadlineMs - performance.now() : Number.POSITIVE_INFINITY;
  }

  /** Releases the request's room and settles its acks' parts. */
  private finish(chunk: Chunk, outcome: Outcome): void {
    this.pending -= chunk.admitted;
    this.metrics.samplesPending.set(this.pending);
    for (const ack of chunk.acks) {
      if (outcome === 'cancelled') ack.fail(new NotSentError(`remote write endpoint ${this.settings.name} stopped before sending`));
      else ack.partFinished();
    }
    chunk.release();
    this.spares.push(chunk);
    this.completeReshardIfIdle();
    this.admitWaiting();
  }

  /** Prometheus' calculation in short: shards needed = samples in per second / samples one shard sends per second. */
  private calculateShards(): void {
    this.trimSpares();
    const now = performance.now();
    const elapsedS = (now - this.lastCalculation) / 1000;
    const inRate = this.samplesInSince / elapsedS;
    const perShardRate = this.sendingMsSince > 0 ? this.samplesOutSince / (this.sendingMsSince / 1000) : 0;
    [this.samplesInSince, this.samplesOutSince, this.sendingMsSince, this.lastCalculation] = [0, 0, 0, now];
    if (perShardRate === 0 || this.draining) return;
    const { minShards, maxShards } = this.settings;
    const desired = Math.min(Math.max(Math.ceil(inRate / perShardRate), minShards, 1), maxShards);
    this.metrics.shardsDesired.set(desired);
    const current = this.shards.length;
    if (desired === current || Math.abs(desired - current) <= current * RESHARD_TOLERANCE) return;
    this.logger.info('remote storage resharding', { remote_name: this.settings.name, from: current, to: desired });
    this.reshardTo = desired;
    for (const shard of this.shards) shard.wakeup.notify();
    this.completeReshardIfIdle();
  }

  private completeReshardIfIdle(): void {
    if (this.reshardTo === undefined || !this.shards.every((s) => s.idle())) return;
    for (const shard of this.shards) {
      shard.retired = true;
      shard.wakeup.notify();
    }
    this.shards = this.startShards(this.reshardTo);
    this.reshardTo = undefined;
  }

  /** After a hard stop: everything still queued or waiting is not sent. */
  private cancelLeftovers(): void {
    const err = new NotSentError(`remote write endpoint ${this.settings.name} stopped before sending`);
    for (const shard of this.shards) {
      for (const chunk of [...shard.ready, ...(shard.open ? [shard.open] : [])]) for (const ack of chunk.acks) ack.fail(err);
      shard.ready.length = 0;
      shard.open = undefined;
    }
    for (const w of this.waiting.splice(0)) w.ack.fail(err);
    this.pending = 0;
    this.metrics.samplesPending.set(0);
  }

  // -------------------------------------------------------------------------
  // Sending

  private async sendChunk(chunk: Chunk, scratch: EncodeScratch): Promise<Outcome> {
    const m = this.metrics;
    let body: Buffer | undefined;
    let encodedCount = -1;
    // Re-encoded only when sample_age_limit removed samples since the last attempt.
    const bodyFor = () => {
      if (!this.dropTooOld(chunk)) return undefined;
      if (chunk.count !== encodedCount) [body, encodedCount] = [encodeWriteRequest(chunk, [], scratch), chunk.count];
      return body;
    };
    const { outcome, bytes } = await this.sendWithRetries(bodyFor, chunk.count, () => m.samplesRetried.inc(chunk.count));
    if (outcome === 'sent' && chunk.count > 0) {
      m.samplesSent.inc(chunk.count);
      m.bytesSent.inc(bytes);
      m.highestSent.set(Math.max(chunk.highestTimestamp() / 1000, 0));
      this.samplesOutSince += chunk.count;
    } else if (outcome === 'failed') m.samplesFailed.inc(chunk.count);
    return outcome;
  }

  /** Applies sample_age_limit; false when nothing is left to send. */
  private dropTooOld(chunk: Chunk): boolean {
    if (this.settings.sampleAgeLimitMs > 0) {
      const removed = chunk.dropOlderThan(Date.now() - this.settings.sampleAgeLimitMs);
      if (removed > 0) this.metrics.dropped('too_old', removed);
    }
    return chunk.count > 0;
  }

  /**
   * Posts the body until it is accepted, rejected for good, or the endpoint
   * is hard-stopped. `bodyFor` gives the body for each attempt, or undefined
   * when nothing is left worth sending.
   */
  private async sendWithRetries(bodyFor: () => Buffer | undefined, count: number, onRetry: () => void): Promise<{ outcome: Outcome; bytes: number }> {
    let backoff = this.settings.minBackoffMs;
    for (let attempt = 0; ; attempt++) {
      let body: Buffer | undefined;
      try {
        body = bodyFor();
      } catch (err) {
        this.logger.error('error encoding a request, dropping it', { remote_name: this.settings.name, err: err as Error });
        return { outcome: 'failed', bytes: 0 };
      }
      if (!body) return { outcome: 'sent', bytes: 0 };
      const started = performance.now();
      const result = await this.post(body, attempt);
      this.metrics.sendDuration.observe((performance.now() - started) / 1000);
      if (result.status >= 200 && result.status < 300) return { outcome: 'sent', bytes: body.length };
      if (this.hardStop.signal.aborted) return { outcome: 'cancelled', bytes: 0 };
      if (!this.recoverable(result.status)) {
        this.logger.error('non-recoverable error sending to remote storage, dropping the request', { remote_name: this.settings.name, count, err: result.error });
        return { outcome: 'failed', bytes: 0 };
      }
      this.failures.record('failed to send batch, retrying', { remote_name: this.settings.name, err: result.error });
      onRetry();
      await sleep(result.retryAfterMs ?? backoff, this.hardStop.signal);
      if (this.hardStop.signal.aborted) return { outcome: 'cancelled', bytes: 0 };
      backoff = Math.min(backoff * 2, this.settings.maxBackoffMs);
    }
  }

  private recoverable(status: number): boolean {
    return status < 0 || (status >= 500 && status < 600) || (status === 429 && this.settings.retryOn429);
  }

  /** One POST; status -1 for transport errors and timeouts. */
  private async post(body: Buffer, attempt: number): Promise<{ status: number; error?: string; retryAfterMs?: number }> {
    const signal = AbortSignal.any([this.hardStop.signal, AbortSignal.timeout(this.settings.remoteTimeoutMs)]);
    const headers = attempt > 0 ? { ...this.requestHeaders, 'retry-attempt': String(attempt) } : this.requestHeaders;
    try {
      const res = await this.client.request(this.settings.url, { method: 'POST', headers, body, signal });
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        await res.body.dump();
        return { status };
      }
      const firstLine = (await res.body.text()).slice(0, 1024).split('\n', 1)[0];
      const retryAfterMs = retryAfter(res.headers['retry-after']);
      const error = `server returned HTTP status ${status} ${STATUS_CODES[status] ?? ''}: ${firstLine}`;
      return retryAfterMs === undefined ? { status, error } : { status, error, retryAfterMs };
    } catch (err) {
      return { status: -1, error: (err as Error).message };
    }
  }

  // -------------------------------------------------------------------------
  // Metadata

  /** Sends the families' metadata in requests of metadata_config.max_samples_per_send; one round at a time. */
  private async sendMetadata(): Promise<void> {
    if (this.sendingMetadata) return;
    this.sendingMetadata = true;
    try {
      await this.sendMetadataRound();
    } finally {
      this.sendingMetadata = false;
    }
  }

  private async sendMetadataRound(): Promise<void> {
    const families = this.metadataSource();
    const per = Math.max(this.settings.metadata.maxPerSend, 1);
    for (let i = 0; i < families.length && !this.draining; i += per) {
      const part = families.slice(i, i + per);
      const body = encodeWriteRequest(undefined, part);
      const m = this.metrics;
      const { outcome, bytes } = await this.sendWithRetries(() => (this.draining ? undefined : body), part.length, () => m.metadataRetried.inc(part.length));
      if (outcome === 'sent' && bytes > 0) {
        m.metadataSent.inc(part.length);
        m.metadataBytes.inc(bytes);
      } else if (outcome === 'failed') m.metadataFailed.inc(part.length);
    }
  }
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** Retry-After as seconds or an HTTP date, in ms. */
function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(at - Date.now(), 0);
}
