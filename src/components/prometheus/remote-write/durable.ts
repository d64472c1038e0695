/**
 * prometheus.remote_write's write-ahead log, on by default as in Alloy
 * (grafana/alloy internal/component/prometheus/remotewrite, whose WAL lives
 * under the component's data path): a scraped batch is appended before the
 * scrape is acknowledged, and the queues are fed from the log, so samples
 * accepted while every endpoint is down survive a restart (kill -9 included)
 * and are sent once an endpoint is back. A record is acknowledged in the log
 * once every endpoint sent or definitively dropped it; every
 * `truncate_frequency`, segments acknowledged and older than
 * `min_keepalive_time` are deleted, and segments older than
 * `max_keepalive_time` are deleted even if undelivered (counted in
 * prometheus_tsdb_wal_records_dropped_total), as Alloy drops what it could not
 * send within max_keepalive_time.
 */
import path from 'node:path';
import type { ComponentContext } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import type { SampleBatch } from '../../common/metric-samples.js';
import { registerWalMetrics } from '../../common/wal/metrics.js';
import { pumpWal } from '../../common/wal/pump.js';
import { walDiskBudget } from '../../common/wal/settings.js';
import { Wal } from '../../common/wal/wal.js';
import type { Arguments } from '../remote-write.js';
import { SampleBatchCodec } from './wal-records.js';

/** Batches read from the log and handed to the queues at once (the queues apply their own bounds). */
const MAX_IN_FLIGHT = 8;
const SEGMENT_BYTES = 8 * 1024 * 1024;
/** How long an append waits for disk space before the scrape is told it failed. */
const FULL_WAIT_MS = 5_000;
const RESTART_DELAY_MS = 100;

export interface DurableRemoteWrite {
  append(batch: SampleBatch): Promise<void>;
  /** Starts a consumer per endpoint name now configured and stops those of endpoints gone. */
  sync(names: readonly string[]): void;
  run(signal: AbortSignal, runSenders: (signal: AbortSignal) => Promise<void>): Promise<void>;
}

/**
 * Each endpoint reads the log on its own (as Prometheus' per-queue WAL
 * watchers do): a dead endpoint holds back only its own consumer, and a
 * segment goes once every endpoint acknowledged it.
 */
export async function openRemoteWriteWal(
  ctx: ComponentContext<unknown>,
  args: Arguments['wal'],
  sendTo: (endpoint: string, batch: SampleBatch) => Promise<void>,
): Promise<DurableRemoteWrite> {
  const codec = new SampleBatchCodec();
  const wal = Wal.open({
    dir: path.join(ctx.dataPath, 'wal'),
    logger: ctx.logger,
    segmentBytes: SEGMENT_BYTES,
    maxBytes: walDiskBudget(),
    minKeepaliveMs: args.min_keepalive_time,
    maxKeepaliveMs: args.max_keepalive_time,
    fullWaitMs: FULL_WAIT_MS,
    onFull: (full, err) =>
      ctx.setHealth(full ? health('unhealthy', `WAL disk full, scrapes are refused: ${err?.message ?? ''}`) : health('healthy', 'WAL writable again')),
  });
  registerWalMetrics(ctx.registry, 'prometheus_tsdb_wal_', () => wal);
  const pumps = new Map<string, { stop: AbortController; done: Promise<void> }>();
  let stopped = false;

  const startPump = (name: string): void => {
    const stop = new AbortController();
    const done = pumpWal(wal.reader(name), { maxInFlight: MAX_IN_FLIGHT, deliver: (p) => sendTo(name, codec.decode(p)) }, stop.signal).then(
      () => restartIfFailed(name, stop),
      (err: unknown) => ctx.logger.error('WAL reader failed', { remote_name: name, err: String(err) }),
    );
    pumps.set(name, { stop, done });
  };
  // A delivery refused while queues were swapped (update) ends the pump: read again from the last acknowledgement.
  const restartIfFailed = (name: string, stop: AbortController): void => {
    if (stopped || stop.signal.aborted || pumps.get(name)?.stop !== stop) return;
    setTimeout(() => {
      if (!stopped && pumps.get(name)?.stop === stop) startPump(name);
    }, RESTART_DELAY_MS);
  };

  return {
    append: (batch) => wal.append(codec.encode(batch)),
    sync(names) {
      for (const [name, pump] of pumps) {
        if (names.includes(name)) continue;
        pump.stop.abort();
        pumps.delete(name);
        wal.removeReader(name);
      }
      for (const name of names) if (!pumps.has(name)) startPump(name);
    },
    async run(signal, runSenders) {
      const truncation = setInterval(() => wal.truncate(), args.truncate_frequency);
      signal.addEventListener(
        'abort',
        () => {
          stopped = true;
          for (const pump of pumps.values()) pump.stop.abort();
        },
        { once: true },
      );
      try {
        // Draining the queues settles the batches in flight; the rest stays in the log for the next start.
        await runSenders(signal);
        await Promise.all([...pumps.values()].map((p) => p.done));
      } finally {
        clearInterval(truncation);
        wal.close();
      }
    },
  };
}
