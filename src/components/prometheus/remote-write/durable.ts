/**
 * prometheus.remote_write's write-ahead log, on by default as in Alloy
 * (grafana/alloy internal/component/prometheus/remotewrite, whose WAL lives
 * under the component's data path): a scraped batch is appended before the
 * scrape is acknowledged, and each endpoint's queue is fed from the log
 * (common/wal/durable-writer.ts), so samples accepted while every endpoint
 * is down survive a restart (kill -9 included) and are sent once an endpoint
 * is back. Every `truncate_frequency`, segments every endpoint acknowledged
 * and older than `min_keepalive_time` are deleted, and segments older than
 * `max_keepalive_time` are deleted even if undelivered (counted in
 * prometheus_tsdb_wal_records_dropped_total), as Alloy drops what it could
 * not send within max_keepalive_time.
 */
import type { ComponentContext } from '../../../runtime/component.js';
import type { SampleBatch } from '../../common/metric-samples.js';
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
  const writer = DurableWriter.open(ctx, {
    metricPrefix: 'prometheus_tsdb_wal_',
    deliver: (name, payload, segment) => sendTo(name, codec!.decode(payload, segment)),
    deliverMemo: (name, batch) => sendTo(name, batch as SampleBatch),
    maxMemoBytes: MEMO_BYTES,
    // Series references are per process: a segment holds one process's records.
    wal: { segmentBytes: SEGMENT_BYTES, minKeepaliveMs: args.min_keepalive_time, maxKeepaliveMs: args.max_keepalive_time, newSegmentAtOpen: true },
    truncateEveryMs: args.truncate_frequency,
    // A record is a whole scrape: a large target's is megabytes, decoded into arrays while in flight.
    maxInFlightBytes: BYTES_IN_FLIGHT,
  });
  codec = new SampleBatchCodec(writer.log, (samples) => ctx.logger.warn('WAL record refers to series whose definition is gone; its samples are skipped', { samples }));
  return {
    append: (batch) => writer.appendBuilt((segment) => withMemo(codec.encode(batch, segment), batch)),
    sync: (names) => writer.sync(names),
    run: (signal, runSenders) => writer.run(signal, runSenders),
  };
}

/**
 * The record, with a copy of its batch as what the queues are given while
 * they keep up: the same series, values and timestamps that decoding the
 * record gives. A copy, because the producer refills its batch's arrays once
 * the append is acknowledged (common/metric-samples.ts).
 */
function withMemo(record: BuiltRecord, batch: SampleBatch): BuiltRecord {
  return {
    payload: record.payload,
    ...(record.commit ? { commit: record.commit } : {}),
    memo: () => ({ value: copyOf(batch), bytes: MEMO_BYTES_PER_SAMPLE * batch.length }),
  };
}

function copyOf(batch: SampleBatch): SampleBatch {
  const n = batch.length;
  // Typed-array copies: staleness markers keep their NaN bits.
  return { length: n, series: batch.series.slice(0, n), values: batch.values.slice(0, n), timestamps: batch.timestamps.slice(0, n) };
}
