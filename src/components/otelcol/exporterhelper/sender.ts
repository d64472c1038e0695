/**
 * The delivery path of otelcol exporters, after the collector's exporterhelper
 * (go.opentelemetry.io/collector/exporter/exporterhelper): a bounded in-memory
 * sending queue read by `num_consumers` workers, and retries with
 * exponential backoff for retryable failures.
 *
 * - Queue full: refused with a retryable error ("sending queue is full"),
 *   counted in otelcol_exporter_enqueue_failed_*, or, with
 *   `block_on_overflow`, the caller waits for room.
 * - `wait_for_result = false` (Alloy's default): accepted once queued;
 *   otherwise once delivered (or refused with the delivery's error).
 * - Retries: interval starts at initial_interval, grows by multiplier up to
 *   max_interval, each wait randomized by ±randomization_factor
 *   (cenkalti/backoff ExponentialBackOff); a server's Retry-After (HTTP) or
 *   RetryInfo is waited at least; after max_elapsed_time (0: never) the data
 *   is dropped and counted in otelcol_exporter_send_failed_*. Permanent
 *   errors drop at once.
 * - Stop: no new data; what is queued gets one more attempt each for up to
 *   DRAIN_MS, the rest is dropped and counted.
 */
import type { Logger } from '../../../runtime/logger.js';
import { sleep } from '../../common/until-aborted.js';
import { ConsumerError, type ClientMetadata } from '../pdata/consumer.js';
import type { Signal } from '../pdata/model.js';
import type { Payload } from '../pdata/payload.js';
import type { ExporterMetrics } from './metrics.js';
import type { QueueSettings, RetrySettings } from './settings.js';

export interface ExportRequest {
  readonly signal: Signal;
  readonly payload: Payload;
  readonly items: number;
  readonly metadata?: ClientMetadata;
}

/** A failed send, classified as OTLP classifies it. */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The server's requested delay (Retry-After / RetryInfo), if any. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export type SendFn = (req: ExportRequest) => Promise<void>;

const DRAIN_MS = 5000;

interface Entry {
  readonly req: ExportRequest;
  readonly size: number;
  readonly done?: { resolve(): void; reject(err: Error): void };
}

export class QueuedSender {
  private readonly entries: Entry[] = [];
  private used = 0;
  private readonly spaceWaiters: (() => void)[] = [];
  private readonly workWaiters: (() => void)[] = [];
  private readonly stopping = new AbortController();
  private drainDeadline = Infinity;
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly queue: QueueSettings,
    private readonly retry: RetrySettings,
    private readonly send: SendFn,
    private readonly metrics: ExporterMetrics,
    private readonly logger: Logger,
  ) {
    if (queue.enabled) {
      metrics.setQueueCapacity(queue.queue_size);
      for (let i = 0; i < queue.num_consumers; i++) this.workers.push(this.work());
    }
  }

  /** Accepts data for delivery; see the file comment for when this resolves. */
  async offer(req: ExportRequest): Promise<void> {
    if (this.stopping.signal.aborted) throw new ConsumerError('exporter is shutting down', false);
    if (!this.queue.enabled) return this.deliverOrThrow(req);
    const size = this.queue.sizer === 'items' ? Math.max(req.items, 1) : 1;
    while (this.used + size > this.queue.queue_size && this.used > 0) {
      if (!this.queue.block_on_overflow) {
        this.metrics.enqueueFailed(req.signal, req.items);
        throw new ConsumerError('sending queue is full', false);
      }
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (this.stopping.signal.aborted) throw new ConsumerError('exporter is shutting down', false);
    }
    if (!this.queue.wait_for_result) {
      this.enqueue({ req, size });
      return;
    }
    return new Promise<void>((resolve, reject) => this.enqueue({ req, size, done: { resolve, reject } }));
  }

  get queuedSize(): number {
    return this.used;
  }

  async stop(): Promise<void> {
    this.drainDeadline = Date.now() + DRAIN_MS;
    this.stopping.abort();
    for (const w of this.workWaiters.splice(0)) w();
    for (const w of this.spaceWaiters.splice(0)) w();
    await Promise.all(this.workers);
  }

  private enqueue(entry: Entry): void {
    this.entries.push(entry);
    this.used += entry.size;
    this.metrics.setQueueSize(this.used);
    this.workWaiters.shift()?.();
  }

  private async work(): Promise<void> {
    for (;;) {
      const entry = this.entries.shift();
      if (!entry) {
        if (this.stopping.signal.aborted) return;
        await new Promise<void>((resolve) => this.workWaiters.push(resolve));
        continue;
      }
      if (Date.now() > this.drainDeadline) this.drop(entry.req, 'the exporter stopped before it could be sent');
      else await this.deliver(entry.req).then((err) => (err ? entry.done?.reject(err) : entry.done?.resolve()));
      this.used -= entry.size;
      this.metrics.setQueueSize(this.used);
      this.spaceWaiters.shift()?.();
    }
  }

  private async deliverOrThrow(req: ExportRequest): Promise<void> {
    const err = await this.deliver(req);
    if (err) throw err;
  }

  /** Sends with retries; returns the error the data was dropped with, if it was. */
  private async deliver(req: ExportRequest): Promise<ConsumerError | undefined> {
    const started = Date.now();
    let interval = this.retry.initial_interval;
    for (;;) {
      try {
        await this.send(req);
        this.metrics.sent(req.signal, req.items);
        return undefined;
      } catch (err) {
        const e = err instanceof ExportError ? err : new ExportError(err instanceof Error ? err.message : String(err), true);
        const delay = this.retryDelay(e, interval, started);
        if (delay === undefined) return this.drop(req, e.message, !e.retryable);
        this.logger.warn('Exporting failed. Will retry the request after interval.', { error: e.message, interval: `${(delay / 1000).toFixed(3)}s` });
        await sleep(delay, this.stopping.signal);
        interval = Math.min(interval * this.retry.multiplier, this.retry.max_interval);
      }
    }
  }

  /** How long to wait before the next attempt, or undefined to give up. */
  private retryDelay(e: ExportError, interval: number, started: number): number | undefined {
    if (!e.retryable || !this.retry.enabled || this.stopping.signal.aborted) return undefined;
    const r = this.retry.randomization_factor;
    let delay = interval * (1 - r + Math.random() * 2 * r);
    if (e.retryAfterMs !== undefined) delay = Math.max(delay, e.retryAfterMs);
    if (this.retry.max_elapsed_time > 0 && Date.now() - started + delay > this.retry.max_elapsed_time) return undefined;
    return delay;
  }

  private drop(req: ExportRequest, reason: string, permanent = false): ConsumerError {
    this.metrics.sendFailed(req.signal, req.items);
    this.logger.error('Exporting failed. Dropping data.', { error: reason, dropped_items: req.items });
    return new ConsumerError(reason, permanent);
  }
}
