/**
 * A writer's WAL with one consumer per endpoint (prometheus.remote_write,
 * loki.write): payloads are appended before the source is acknowledged, and
 * each endpoint reads the log on its own — as Prometheus' per-queue WAL
 * watchers do — so a dead endpoint holds back only its own consumer, and a
 * segment goes once every endpoint acknowledged it.
 */
import path from 'node:path';
import type { ComponentContext } from '../../../runtime/component.js';
import { redactUrlPasswords } from '../../../go/url.js';
import { health } from '../../../runtime/health.js';
import { registerWalMetrics } from './metrics.js';
import { pumpWal } from './pump.js';
import { walDiskBudget } from './settings.js';
import { Wal, type BuiltRecord, type WalOptions } from './wal.js';

/** Records read from the log and handed to an endpoint at once (its queue applies its own bounds). */
const MAX_IN_FLIGHT = 8;
/** How long an append waits for disk space before the source is told it failed. */
const FULL_WAIT_MS = 5_000;
const RESTART_DELAY_MS = 100;

export interface DurableWriterOptions {
  metricPrefix: string;
  /** Hands a payload (read from segment `segment`) to the named endpoint; resolves once it is delivered or dropped for good. */
  deliver(endpoint: string, payload: Buffer, segment: number): Promise<void>;
  /** Hands a record's in-memory form (BuiltRecord.memo) to the named endpoint instead; needed by writers that append records with memos. */
  deliverMemo?(endpoint: string, memo: unknown): Promise<void>;
  /** Memory the memos of records not yet read may hold (see WalOptions.maxMemoBytes). */
  maxMemoBytes?: number;
  /** Asks the endpoints to send their partial batches now (see LogsReceiver.flush). */
  flush?(): void;
  wal: Pick<WalOptions, 'segmentBytes' | 'maxSegmentAgeMs' | 'minKeepaliveMs' | 'maxKeepaliveMs' | 'newSegmentAtOpen'>;
  /** How often acknowledged segments are deleted. */
  truncateEveryMs: number;
  /** Payload bytes handed to an endpoint at once, besides the 8 records (one record always goes). */
  maxInFlightBytes?: number;
}

export class DurableWriter {
  private readonly pumps = new Map<string, { stop: AbortController; done: Promise<void> }>();
  private stopped = false;

  private constructor(
    private readonly wal: Wal,
    private readonly ctx: ComponentContext<unknown>,
    private readonly opts: DurableWriterOptions,
  ) {}

  static open(ctx: ComponentContext<unknown>, opts: DurableWriterOptions): DurableWriter {
    const wal = Wal.open({
      dir: path.join(ctx.dataPath, 'wal'),
      logger: ctx.logger,
      maxBytes: walDiskBudget(),
      fullWaitMs: FULL_WAIT_MS,
      ...(opts.maxMemoBytes && opts.deliverMemo ? { maxMemoBytes: opts.maxMemoBytes } : {}),
      ...opts.wal,
      onFull: (full, err) =>
        ctx.setHealth(full ? health('unhealthy', `WAL disk full, new data is refused: ${err?.message ?? ''}`) : health('healthy', 'WAL writable again')),
    });
    registerWalMetrics(ctx.registry, opts.metricPrefix, () => wal);
    return new DurableWriter(wal, ctx, opts);
  }

  append(payload: Uint8Array): Promise<void> {
    return this.wal.append(payload);
  }

  /** Appends a record built for the segment it lands in (see Wal.appendBuilt). */
  appendBuilt(build: (segment: number) => BuiltRecord): Promise<void> {
    return this.wal.appendBuilt(build);
  }

  /** The log itself, for codecs whose records refer to earlier ones (segment indexes, records of a segment). */
  get log(): Pick<Wal, 'firstOwnSegment' | 'recordsOf' | 'firstSegment'> {
    return this.wal;
  }

  /** Starts a consumer per endpoint now configured and forgets those of endpoints gone. */
  sync(names: readonly string[]): void {
    for (const [name, pump] of this.pumps) {
      if (names.includes(name)) continue;
      pump.stop.abort();
      this.pumps.delete(name);
      this.wal.removeReader(name);
    }
    for (const name of names) if (!this.pumps.has(name)) this.startPump(name);
  }

  /** Runs until `signal` aborts: stops reading, lets `runSenders` drain the endpoints, then closes the log. */
  async run(signal: AbortSignal, runSenders: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const truncation = setInterval(() => this.wal.truncate(), this.opts.truncateEveryMs);
    signal.addEventListener(
      'abort',
      () => {
        this.stopped = true;
        for (const pump of this.pumps.values()) pump.stop.abort();
      },
      { once: true },
    );
    try {
      // Draining settles the records in flight; the rest stays in the log for the next start.
      await runSenders(signal);
      await Promise.all([...this.pumps.values()].map((p) => p.done));
    } finally {
      clearInterval(truncation);
      this.reportUndelivered();
      this.wal.close();
    }
  }

  /** Says what stays in the log at shutdown (nothing is dropped: the next start delivers it). */
  private reportUndelivered(): void {
    for (const name of this.pumps.keys()) {
      const records = this.wal.unacknowledged(name);
      if (records > 0) this.ctx.logger.warn('WAL: records not yet delivered are left in the WAL for the next start', { endpoint: redactUrlPasswords(name), records });
    }
  }

  private startPump(name: string): void {
    const stop = new AbortController();
    const done = pumpWal(this.wal.reader(name), { maxInFlight: MAX_IN_FLIGHT, ...(this.opts.maxInFlightBytes ? { maxInFlightBytes: this.opts.maxInFlightBytes } : {}), deliver: (p, end, memo) => (memo ? this.opts.deliverMemo!(name, memo.value) : this.opts.deliver(name, p, end.segment)), flush: () => this.opts.flush?.() }, stop.signal).then(
      () => this.restartIfFailed(name, stop),
      (err: unknown) => this.ctx.logger.error('WAL reader failed', { endpoint: name, err: String(err) }),
    );
    this.pumps.set(name, { stop, done });
  }

  /** A delivery refused while endpoints were swapped (update) ends the pump: read again from the last acknowledgement. */
  private restartIfFailed(name: string, stop: AbortController): void {
    if (this.stopped || stop.signal.aborted || this.pumps.get(name)?.stop !== stop) return;
    setTimeout(() => {
      if (!this.stopped && this.pumps.get(name)?.stop === stop) this.startPump(name);
    }, RESTART_DELAY_MS);
  }
}
