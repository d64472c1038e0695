/**
 * Gauges and counters of a component's WAL, named after Prometheus'
 * tsdb/wlog metrics under the prefix the component passes
 * (`prometheus_tsdb_wal_` for prometheus.remote_write as in Alloy,
 * `loki_write_wal_` for loki.write), sampled when scraped.
 */
import { Counter, Gauge, type Registry } from '../../../runtime/prom-client.js';
import type { Wal } from './wal.js';

export function registerWalMetrics(registry: Registry, prefix: string, wal: () => Wal | undefined): void {
  const registers = [registry];
  const stat = (read: (w: Wal) => number) =>
    function (this: Gauge) {
      const w = wal();
      if (w) this.set(read(w));
    };
  new Gauge({ name: `${prefix}segment_current`, help: 'Index of the WAL segment being written.', registers, collect: stat((w) => w.currentSegment) });
  new Gauge({ name: `${prefix}storage_size_bytes`, help: 'Size of the WAL on disk.', registers, collect: stat((w) => w.stats.bytes) });
  new Gauge({ name: `${prefix}segments`, help: 'WAL segments on disk.', registers, collect: stat((w) => w.stats.segments) });
  new Gauge({ name: `${prefix}disk_full`, help: '1 while the WAL cannot write for lack of disk space.', registers, collect: stat((w) => (w.isFull ? 1 : 0)) });
  const counter = (name: string, help: string, read: (w: Wal) => number) =>
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect(this: Counter) {
        const w = wal();
        if (!w) return;
        this.reset();
        this.inc(read(w));
      },
    });
  counter('corruptions_total', 'WAL segments found corrupt and quarantined.', (w) => w.stats.corruptSegments);
  counter('records_dropped_total', 'WAL records dropped before delivery (disk budget or max keepalive).', (w) => w.stats.droppedRecords);
  counter('torn_bytes_total', 'Bytes of torn records cut off the WAL at start.', (w) => w.stats.tornBytes);
}
