/**
 * prometheus.remote_write's write-ahead log, on by default as in Alloy
 * (grafana/alloy internal/component/prometheus/remotewrite, whose WAL lives
 * under the component's data path): a scraped batch is appended before the
 * scrape is acknowledged, and each endpoint's queue is fed from the log
 * (common/wal/durable-writer.ts; from a copy of the batch just written while
 * the queue keeps up, see MEMO_BYTES), so samples accepted while every endpoint
 * is down survive a restart (kill -9 included) and are sent once an endpoint
 * is back. Every `truncate_frequency`, segments every endpoint acknowledged
 * and older than `min_keepalive_time` are deleted, and segments older than
 * `max_keepalive_time` are deleted even if undelivered (counted in
 * prometheus_tsdb_wal_records_dropped_total), as Alloy drops what it could
 * not send within max_keepalive_time.
 */
import type { ComponentContext } from '../../../runtime/component.js';
import type { SampleBatch, SeriesLabels } from '../../common/metric-samples.js';
import { DurableWriter } from '../../common/wal/durable-writer.js';
import type { BuiltRecord } from '../../common/wal/wal.js';
import type { Arguments } from '../remote-write.js';
import { SampleBatchCodec } from './wal-records.js';

/** Large, so that the series definitions each segment repeats are a small part of it: 128 MiB as Prometheus' tsdb/wlog segments (at 32 MiB, a 100,000-series target scraped every second wrote its ~10 MB of definitions every 12 s). */
const SEGMENT_BYTES = 128 * 1024 * 1024;
/** Records of small scrapes still go 8 at a time (the queue batches them); 100,000-sample scrapes (2 MB) about two. */
const BYTES_IN_FLIGHT = 4 * 1024 * 1024;
/**
 * Copies of batches just written, held for the queues (about 2.4 MB per
 * 100,000 samples): while they keep up, they take the batch from memory
 * rather than reading the record back and decoding it. Further behind, or
 * after a restart, they read the log, as Prometheus' WAL watcher always does.
 */
const MEMO_BYTES = 8 * 1024 * 1024;
/** A copied sample's bytes: value, timestamp and the series reference. */
const MEMO_BYTES_PER_SAMPLE = 24;

export interface DurableRemoteWrite {
  append(batch: SampleBatch): Promise<void>;
  sync(names: readonly string[]): void;
  run(signal: AbortSignal, runSenders: (signal: AbortSignal) => Promise<void>): Promise<void>;
}

export async function openRemoteWriteWal(
  ctx: ComponentContext<unknown>,
  args: Arguments['wal'],
  sendTo: (endpoint: string, batch: SampleBatch) => Promise<void>,
): Promise<DurableRemoteWrite> {
  let codec: SampleBatchCodec | undefined;
  const copies = new BatchCopies();
  const writer = DurableWriter.open(ctx, {
    metricPrefix: 'prometheus_tsdb_wal_',
    deliver: (name, payload, segment) => sendTo(name, codec!.decode(payload, segment)),
    deliverMemo: (name, copy) => copies.deliver(copy as Copy, (batch) => sendTo(name, batch)),
    maxMemoBytes: MEMO_BYTES,
    // Series references are per process: a segment holds one process's records.
    wal: { segmentBytes: SEGMENT_BYTES, minKeepaliveMs: args.min_keepalive_time, maxKeepaliveMs: args.max_keepalive_time, newSegmentAtOpen: true },
    truncateEveryMs: args.truncate_frequency,
    // A record is a whole scrape: a large target's is megabytes, decoded into arrays while in flight.
    maxInFlightBytes: BYTES_IN_FLIGHT,
  });
  codec = new SampleBatchCodec(writer.log, (samples) => ctx.logger.warn('WAL record refers to series whose definition is gone; its samples are skipped', { samples }));
  return {
    append: (batch) => writer.appendBuilt((segment) => copies.withMemo(codec.encode(batch, segment), batch)),
    sync: (names) => writer.sync(names),
    run: (signal, runSenders) => writer.run(signal, runSenders),
  };
}

/**
 * Copies of batches for the queues, made into arrays that are used again
 * once the log let go of a copy and every queue given it settled it (the
 * queue copies samples into its requests when it admits them): a fresh
 * copy per scrape of a large target is a large array in V8's old generation
 * and two typed arrays whose pages are new, every second.
 */
class BatchCopies {
  private readonly spare: Copy[] = [];

  /** The record, with a copy of `batch` as its memo. */
  withMemo(record: BuiltRecord, batch: SampleBatch): BuiltRecord {
    return {
      payload: record.payload,
      ...(record.commit ? { commit: record.commit } : {}),
      memo: () => {
        const copy = this.copyOf(batch);
        return { value: copy, bytes: MEMO_BYTES_PER_SAMPLE * batch.length, release: () => this.letGo(copy) };
      },
    };
  }

  /** Hands a copy to a queue; it is used again only after every such delivery settled. */
  deliver(copy: Copy, send: (batch: SampleBatch) => Promise<void>): Promise<void> {
    copy.users++;
    const settled = (): void => {
      copy.users--;
      this.reuseIfDone(copy);
    };
    const sent = send(copy.batch);
    sent.then(settled, settled);
    return sent;
  }

  private letGo(copy: Copy): void {
    // The log lets go of a memo as a reader takes it, and the reader hands it to its queue after an await:
    // waiting for the event loop's next turn lets that delivery be counted first.
    setImmediate(() => {
      copy.released = true;
      this.reuseIfDone(copy);
    });
  }

  private reuseIfDone(copy: Copy): void {
    if (!copy.released || copy.users > 0 || this.spare.length >= SPARE_COPIES) return;
    copy.batch = EMPTY_BATCH;
    copy.series.fill(undefined as unknown as SeriesLabels); // holds no label set meanwhile
    this.spare.push(copy);
  }

  private copyOf(batch: SampleBatch): Copy {
    const n = batch.length;
    const at = this.spare.findIndex((c) => c.values.length >= n);
    const copy = at >= 0 ? this.spare.splice(at, 1)[0]! : new Copy(n);
    copy.released = false;
    const { series, values, timestamps } = copy;
    for (let i = 0; i < n; i++) series[i] = batch.series[i]!;
    if (series.length > n) series.length = n;
    // Typed-array copies: staleness markers keep their NaN bits.
    values.set(batch.values.subarray(0, n));
    timestamps.set(batch.timestamps.subarray(0, n));
    copy.batch = { length: n, series, values: values.subarray(0, n), timestamps: timestamps.subarray(0, n) };
    return copy;
  }
}

/** Copies kept for reuse: a scrape's own and the one before (a queue settles a batch once it is sent). */
const SPARE_COPIES = 2;
const EMPTY_BATCH: SampleBatch = { length: 0, series: [], values: new Float64Array(0), timestamps: new Float64Array(0) };

class Copy {
  readonly series: SeriesLabels[];
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
  batch: SampleBatch = EMPTY_BATCH;
  /** Deliveries not settled yet. */
  users = 0;
  /** The log let go of it. */
  released = false;

  constructor(capacity: number) {
    this.series = new Array<SeriesLabels>(capacity);
    this.values = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
  }
}
