/**
 * One loki.write endpoint: its own bounded queue, batches and senders, so a
 * slow or dead endpoint never holds back another.
 *
 * Delivery and acknowledgement
 * - `accept(batch)` returns a promise that resolves once this endpoint has
 *   delivered every entry of the batch (2xx) or definitively dropped it, as
 *   Alloy does: a non-retryable status, the stream limit, or a full queue with
 *   block_on_overflow = false. Unlike Alloy, retryable failures are retried
 *   until delivered, however many retries that takes (see `send`). It rejects only when the
 *   endpoint is stopped before it could do either (shutdown after the drain
 *   deadline) — the entries were not delivered and their source must not
 *   advance past them.
 * - The queue is bounded in bytes (Alloy's entry size: line + structured
 *   metadata): everything accepted and not yet finished — open batches, full
 *   batches waiting, requests in flight and being retried — counts against
 *   queue_config.capacity. A batch that does not fit waits, in order, until
 *   earlier batches finish (backpressure for this endpoint's share only: the
 *   other endpoints have taken their share already), or is dropped with
 *   reason "queue_is_full" when block_on_overflow is false. The pushed batches
 *   are referenced, not copied, so memory stays within capacity per endpoint
 *   plus whatever pushes the sources keep waiting.
 *
 * Batching follows Alloy: entries are routed to shard fingerprint % shards;
 * each shard keeps one open batch per tenant, closes it when the next entry
 * would take it past batch_size, and sends it when it is full or batch_wait
 * old. A shard has one request in flight at a time.
 */
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../../../runtime/logger.js';
import { Backoff, type BackoffConfig } from '../../common/backoff.js';
import { FailureLog, PartsAck, Wakeup, withinDrainDeadline } from '../../common/delivery.js';
import type { HttpClient } from '../../common/http-client.js';
import { encodePushRequest, type EntryRun, type SizedBatch } from './push-request.js';
import type { DropReason, TenantMetrics, WriteMetrics } from './metrics.js';

export interface EndpointSettings {
  readonly url: URL;
  readonly tenantId: string;
  readonly batchWaitMs: number;
  readonly batchSize: number;
  readonly remoteTimeoutMs: number;
  /** The endpoint's `headers`: added unless the request already has them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly backoff: BackoffConfig;
  readonly retryOn429: boolean;
  /** 0 = no limit. */
  readonly maxStreams: number;
  readonly capacity: number;
  readonly shards: number;
  readonly drainTimeoutMs: number;
  /** Batches come from loki.write's WAL: what is not sent by the drain timeout stays there for the next start. */
  readonly walBacked?: boolean;
  readonly blockOnOverflow: boolean;
  readonly userAgent: string;
}

/** Why a promise from accept() rejects. */
export class NotDeliveredError extends Error {}

/** One pushed batch on its way through this endpoint: its runs are the parts acknowledged. */
class Delivery extends PartsAck {
  constructor(
    readonly sized: SizedBatch,
    readonly tenant: string,
    readonly shard: number,
    readonly acceptedAt: number,
  ) {
    super();
  }
}

/** Entries [start, end) of one delivery, inside one batch. */
interface Run extends EntryRun {
  readonly delivery: Delivery;
  /** Sum of the entry sizes, counted against the queue capacity. */
  readonly bytes: number;
}

/** A batch being filled or waiting to be sent: one tenant, streams keyed by label string. */
class PendingBatch {
  readonly streams = new Map<string, Run[]>();
  bytes = 0;
  entries = 0;

  constructor(
    readonly tenant: string,
    readonly createdAt: number,
  ) {}

  hasStream(stream: string): boolean {
    return this.streams.has(stream);
  }

  add(run: Run): void {
    const runs = this.streams.get(run.source.stream);
    if (runs) runs.push(run);
    else this.streams.set(run.source.stream, [run]);
    this.bytes += run.bytes;
    this.entries += run.end - run.start;
    run.delivery.partAdded();
  }

  *runs(): Iterable<Run> {
    for (const runs of this.streams.values()) yield* runs;
  }
}

class Shard {
  /** Tenant → the batch being filled. */
  readonly open = new Map<string, PendingBatch>();
  /** Full batches, oldest first. */
  readonly ready: PendingBatch[] = [];
  readonly wakeup = new Wakeup();
  inFlight: PendingBatch | undefined;

  idle(): boolean {
    return this.open.size === 0 && this.ready.length === 0;
  }
}

type Outcome = { kind: 'sent' } | { kind: 'dropped'; reason: DropReason } | { kind: 'cancelled' };

export class Endpoint {
  private readonly host: string;
  private readonly shards: Shard[];
  private readonly loops: Promise<void>[];
  /** Sizes of everything accepted and not finished. */
  private queuedBytes = 0;
  /** Deliveries waiting for room, in arrival order. */
  private readonly waiting: Delivery[] = [];
  private draining = false;
  private stopped = false;
  private readonly hardStop = new AbortController();
  private readonly requestHeaders = new Map<string, Record<string, string>>();
  private readonly failures: FailureLog;

  constructor(
    private readonly settings: EndpointSettings,
    private readonly client: HttpClient,
    private readonly metrics: WriteMetrics,
    private readonly logger: Logger,
  ) {
    this.host = settings.url.host;
    this.failures = new FailureLog(logger);
    this.shards = Array.from({ length: Math.max(settings.shards, 1) }, () => new Shard());
    this.loops = this.shards.map((shard) => this.runShard(shard));
  }

  /**
   * Takes a batch. `tenantLabel` is the batch's `__tenant_id__` (overriding
   * tenant_id); `fingerprint` picks the shard.
   */
  accept(sized: SizedBatch, tenantLabel: string | undefined, fingerprint: number): Promise<void> {
    if (this.draining) return Promise.reject(new NotDeliveredError(`endpoint ${this.host} is stopping`));
    const tenant = tenantLabel ?? this.settings.tenantId;
    const delivery = new Delivery(sized, tenant, fingerprint % this.shards.length, performance.now());
    this.metrics.forTenant(this.host, tenant);
    if (this.waiting.length === 0 && this.hasRoom(sized.totalSize)) this.admit(delivery);
    else if (this.settings.blockOnOverflow) this.waiting.push(delivery);
    else this.dropWhole(delivery, 'queue_is_full');
    return delivery.promise;
  }

  /** Sends the batches being filled now instead of at batch_wait (see LogsReceiver.flush). */
  flush(): void {
    for (const shard of this.shards) {
      if (shard.open.size === 0) continue;
      for (const batch of [...shard.open.values()]) this.closeBatch(shard, batch);
      shard.wakeup.notify();
    }
  }

  /**
   * Stops taking batches and sends what is queued for up to drain_timeout
   * (or the agent's drain deadline if that comes first); then cancels what is left (whose promises reject) and closes the client.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.draining = true;
    for (const shard of this.shards) shard.wakeup.notify();
    const drained = Promise.all(this.loops).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinDrainDeadline(this.settings.drainTimeoutMs))));
    const inTime = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (!inTime) {
      if (this.settings.walBacked) this.logger.warn('drain timeout reached, leaving what is left in the WAL for the next start', { host: this.host, pending_bytes: this.queuedBytes });
      else this.logger.warn('drain timeout reached, cancelling what is left', { host: this.host, pending_bytes: this.queuedBytes });
      this.hardStop.abort();
      for (const shard of this.shards) shard.wakeup.notify();
      await Promise.all(this.loops);
      this.cancelLeftovers();
    }
    await this.client.close().catch(() => {});
  }

  debugInfo(): unknown {
    return {
      url: this.settings.url.href,
      queued_bytes: this.queuedBytes,
      waiting_batches: this.waiting.length,
      shards: this.shards.map((s) => ({ open_batches: s.open.size, full_batches: s.ready.length, sending: s.inFlight !== undefined })),
    };
  }

  // -------------------------------------------------------------------------
  // Admission and batching

  private hasRoom(size: number): boolean {
    return this.queuedBytes === 0 || this.queuedBytes + size <= Math.max(this.settings.capacity, this.settings.batchSize);
  }

  private admitWaiting(): void {
    const hadWaiting = this.waiting.length > 0;
    while (this.waiting.length > 0 && this.hasRoom(this.waiting[0]!.sized.totalSize)) this.admit(this.waiting.shift()!);
    // A draining shard that is idle sleeps until nothing waits any more; tell every shard.
    if (hadWaiting && this.waiting.length === 0 && this.draining) for (const shard of this.shards) shard.wakeup.notify();
  }

  /**
   * Cuts the delivery's entries into runs across the shard's batches for its
   * tenant, closing a batch when the next entry would take it past batch_size.
   */
  private admit(d: Delivery): void {
    const shard = this.shards[d.shard]!;
    const { batchSize, maxStreams } = this.settings;
    const sizes = d.sized.entrySizes;
    let end = sizes.length;
    let batch = shard.open.get(d.tenant);
    let start = 0;
    let runBytes = 0;
    for (let i = 0; i < end; i++) {
      const size = sizes[i]!;
      if (!batch) {
        batch = this.openBatch(shard, d.tenant);
      } else if (batch.bytes + runBytes > 0 && batch.bytes + runBytes + size > batchSize) {
        if (i > start) this.addRun(batch, d, start, i, runBytes);
        this.closeBatch(shard, batch);
        batch = this.openBatch(shard, d.tenant);
        start = i;
        runBytes = 0;
      }
      if (i === start && maxStreams > 0 && !batch.hasStream(d.sized.stream) && batch.streams.size >= maxStreams) {
        // Nothing of this delivery can fill the batch any further, so the rest of it is over the limit too.
        this.dropEntries(d, i, end, 'stream_limited');
        end = i;
        break;
      }
      runBytes += size;
    }
    if (batch && end > start) this.addRun(batch, d, start, end, runBytes);
    shard.wakeup.notify();
    d.seal();
  }

  private addRun(batch: PendingBatch, delivery: Delivery, start: number, end: number, bytes: number): void {
    batch.add({ source: delivery.sized, start, end, bytes, delivery });
    this.queuedBytes += bytes;
  }

  private openBatch(shard: Shard, tenant: string): PendingBatch {
    const batch = new PendingBatch(tenant, performance.now());
    shard.open.set(tenant, batch);
    return batch;
  }

  private closeBatch(shard: Shard, batch: PendingBatch): void {
    shard.open.delete(batch.tenant);
    shard.ready.push(batch);
  }

  private dropWhole(d: Delivery, reason: DropReason): void {
    this.dropEntries(d, 0, d.sized.entrySizes.length, reason);
    d.seal();
  }

  private dropEntries(d: Delivery, start: number, end: number, reason: DropReason): void {
    let bytes = 0;
    for (let i = start; i < end; i++) bytes += d.sized.entrySizes[i]!;
    this.metrics.forTenant(this.host, d.tenant).dropped(reason, end - start, bytes);
    this.logger.debug('dropping entries', { host: this.host, tenant: d.tenant, reason, entries: end - start });
  }

  // -------------------------------------------------------------------------
  // Sending

  private async runShard(shard: Shard): Promise<void> {
    while (!this.hardStop.signal.aborted) {
      const batch = this.nextBatch(shard);
      if (batch) {
        shard.inFlight = batch;
        this.finish(batch, await this.send(batch));
        shard.inFlight = undefined;
        continue;
      }
      if (this.draining && shard.idle() && this.waiting.length === 0) return;
      await shard.wakeup.wait(this.msUntilDue(shard));
    }
  }

  /** A full batch, else an open one that is batch_wait old (any open one while draining). */
  private nextBatch(shard: Shard): PendingBatch | undefined {
    const full = shard.ready.shift();
    if (full) return full;
    const now = performance.now();
    for (const batch of shard.open.values()) {
      if (this.draining || now - batch.createdAt >= this.settings.batchWaitMs) {
        shard.open.delete(batch.tenant);
        return batch;
      }
    }
    return undefined;
  }

  private msUntilDue(shard: Shard): number {
    let due = Number.POSITIVE_INFINITY;
    for (const batch of shard.open.values()) due = Math.min(due, batch.createdAt + this.settings.batchWaitMs);
    return due - performance.now();
  }

  /**
   * Encodes the batch once and posts it until delivered or rejected for good.
   *
   * Retryable failures (network errors, timeouts, 5xx, 429 unless
   * retry_on_http_429 = false) are retried until the endpoint is hard-stopped,
   * never dropped: Alloy drops the batch after max_backoff_retries, losing
   * lines a file or Docker source still has on disk. Holding the batch keeps
   * its entries unacknowledged, so the queue fills, sources wait (memory stays
   * within queue capacity plus the sources' windows) and their positions stay
   * before the undelivered lines. After max_backoff_retries the retries go on
   * at the widest backoff window.
   */
  private async send(batch: PendingBatch): Promise<Outcome> {
    const m = this.metrics.forTenant(this.host, batch.tenant);
    let body: Buffer;
    try {
      body = encodePushRequest(batch.streams);
    } catch (err) {
      this.logger.error('error encoding batch', { host: this.host, err: err as Error });
      return { kind: 'dropped', reason: 'ingester_error' };
    }
    m.encodedBytes.inc(body.length);
    m.requestSize.observe(body.length);
    const backoff = new Backoff({ ...this.settings.backoff, maxRetries: 0 }, this.hardStop.signal);
    for (;;) {
      const started = performance.now();
      const { status, error } = await this.post(body, batch.tenant);
      m.requestDuration(status).observe((performance.now() - started) / 1000);
      if (status === 429 && !this.settings.retryOn429) {
        this.logger.warn('dropping batch due to rate limiting applied at ingester', { host: this.host, tenant: batch.tenant });
        return this.dropped(m, batch, body, 'rate_limited');
      }
      if (error === undefined) {
        m.sentBytes.inc(body.length);
        m.sentEntries.inc(batch.entries);
        return { kind: 'sent' };
      }
      if (this.hardStop.signal.aborted) return { kind: 'cancelled' };
      if (!isRetryable(status)) {
        this.logger.error('final error sending batch, non-retryable status, dropping data', { host: this.host, status, tenant: batch.tenant, err: error });
        return this.dropped(m, batch, body, 'ingester_error');
      }
      this.failures.record('error sending batch, will retry', { host: this.host, status, tenant: batch.tenant, retries: backoff.retries, err: error });
      m.batchRetries.inc();
      await backoff.wait();
      if (this.hardStop.signal.aborted) return { kind: 'cancelled' };
    }
  }

  private dropped(m: TenantMetrics, batch: PendingBatch, body: Buffer, reason: DropReason): Outcome {
    m.dropped(reason, batch.entries, body.length);
    return { kind: 'dropped', reason };
  }

  /** One POST; status -1 for transport errors and timeouts. */
  private async post(body: Buffer, tenant: string): Promise<{ status: number; error?: string }> {
    const signal = AbortSignal.any([this.hardStop.signal, AbortSignal.timeout(this.settings.remoteTimeoutMs)]);
    try {
      const res = await this.client.request(this.settings.url, { method: 'POST', headers: this.headersFor(tenant), body, signal });
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        await res.body.dump();
        return { status };
      }
      const firstLine = (await res.body.text()).slice(0, 1024).split('\n', 1)[0];
      return { status, error: `server returned HTTP status ${status} ${STATUS_CODES[status] ?? ''} (${status}): ${firstLine}` };
    } catch (err) {
      return { status: -1, error: (err as Error).message };
    }
  }

  /** Content type, encoding, user agent, tenant, then the endpoint's headers where not already set. */
  private headersFor(tenant: string): Record<string, string> {
    let headers = this.requestHeaders.get(tenant);
    if (headers) return headers;
    headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'user-agent': this.settings.userAgent };
    if (tenant !== '') headers['x-scope-orgid'] = tenant;
    for (const [name, value] of Object.entries(this.settings.headers)) {
      const key = name.toLowerCase();
      if (headers[key] === undefined) headers[key] = value;
      else this.logger.warn('custom header key already exists, skipping', { host: this.host, key: name });
    }
    this.requestHeaders.set(tenant, headers);
    return headers;
  }

  /** Releases the batch's room and settles its deliveries' share. */
  private finish(batch: PendingBatch, outcome: Outcome): void {
    const m = this.metrics.forTenant(this.host, batch.tenant);
    const now = performance.now();
    for (const run of batch.runs()) {
      this.queuedBytes -= run.bytes;
      // One observation per run rather than per entry (all entries of a run share the latency): prom-client
      // spends ~0.2 µs per observation, a fifth of the whole per-line budget.
      m.propagationLatency.observe((now - run.delivery.acceptedAt) / 1000);
      if (outcome.kind === 'cancelled') run.delivery.fail(new NotDeliveredError(`endpoint ${this.host} stopped before delivering`));
      else run.delivery.partFinished();
    }
    this.admitWaiting();
  }

  /** After a hard stop: everything still queued or waiting is not delivered. */
  private cancelLeftovers(): void {
    const err = new NotDeliveredError(`endpoint ${this.host} stopped before delivering`);
    for (const shard of this.shards) {
      for (const batch of [...shard.ready, ...shard.open.values()]) for (const run of batch.runs()) run.delivery.fail(err);
      shard.ready.length = 0;
      shard.open.clear();
    }
    for (const d of this.waiting.splice(0)) d.fail(err);
    this.queuedBytes = 0;
  }
}

/** Network errors, 5xx and 429 are worth another try; any other status is final. */
function isRetryable(status: number): boolean {
  return status < 0 || status === 429 || (status >= 500 && status < 600);
}
