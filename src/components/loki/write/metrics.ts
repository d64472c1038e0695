/**
 * loki.write's metrics, with Alloy's names, labels and buckets (grafana/alloy
 * internal/component/common/loki/client/metrics.go).
 * Series are per endpoint host and tenant; a tenant's series (and its drop
 * reasons) start at zero when the tenant is first seen, as Alloy does.
 */
import { Counter, Histogram, type Registry } from '../../../runtime/prom-client.js';

export type DropReason = 'ingester_error' | 'rate_limited' | 'stream_limited' | 'line_too_long' | 'queue_is_full';

const DROP_REASONS: readonly DropReason[] = ['ingester_error', 'rate_limited', 'stream_limited', 'line_too_long', 'queue_is_full'];

const KiB = 1024;
const MiB = 1024 * KiB;

type Child = { inc(value?: number): void };
type HistogramChild = { observe(value: number): void };

/** The series of one (host, tenant). */
export interface TenantMetrics {
  readonly encodedBytes: Child;
  readonly sentBytes: Child;
  readonly sentEntries: Child;
  readonly batchRetries: Child;
  readonly requestSize: HistogramChild;
  readonly propagationLatency: HistogramChild;
  requestDuration(status: number): HistogramChild;
  dropped(reason: DropReason, entries: number, bytes: number): void;
}

export class WriteMetrics {
  private readonly encodedBytes: Counter<string>;
  private readonly sentBytes: Counter<string>;
  private readonly sentEntries: Counter<string>;
  private readonly droppedBytes: Counter<string>;
  private readonly droppedEntries: Counter<string>;
  private readonly batchRetries: Counter<string>;
  private readonly requestSize: Histogram<string>;
  private readonly requestDuration: Histogram<string>;
  private readonly propagationLatency: Histogram<string>;
  private readonly tenants = new Map<string, TenantMetrics>();

  constructor(registry: Registry) {
    const registers = [registry];
    const hostTenant = ['host', 'tenant'];
    const counter = (name: string, help: string, labelNames = hostTenant) => new Counter({ name, help, labelNames, registers });
    this.encodedBytes = counter('loki_write_encoded_bytes_total', 'Number of bytes encoded and ready to send.');
    this.sentBytes = counter('loki_write_sent_bytes_total', 'Number of bytes sent.');
    this.sentEntries = counter('loki_write_sent_entries_total', 'Number of log entries sent to the ingester.');
    this.droppedBytes = counter(
      'loki_write_dropped_bytes_total',
      'Number of bytes dropped because failed to be sent to the ingester after all retries.',
      [...hostTenant, 'reason'],
    );
    this.droppedEntries = counter(
      'loki_write_dropped_entries_total',
      'Number of log entries dropped because failed to be sent to the ingester after all retries.',
      [...hostTenant, 'reason'],
    );
    this.batchRetries = counter('loki_write_batch_retries_total', 'Number of times batches has had to be retried.');
    this.requestSize = new Histogram({
      name: 'loki_write_request_size_bytes',
      help: 'Number of bytes for encoded requests.',
      labelNames: hostTenant,
      buckets: [1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 512 * KiB, 1 * MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB, 20 * MiB],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'loki_write_request_duration_seconds',
      help: 'Duration of send requests.',
      labelNames: ['status_code', ...hostTenant],
      registers,
    });
    this.propagationLatency = new Histogram({
      name: 'loki_write_entry_propagation_latency_seconds',
      help: "Time in seconds from entry creation until it's either successfully sent or dropped.",
      labelNames: hostTenant,
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
  }

  /** The series of (host, tenant), created (at zero) on first use. */
  forTenant(host: string, tenant: string): TenantMetrics {
    const key = `${host}\u0000${tenant}`;
    let m = this.tenants.get(key);
    if (!m) {
      m = this.createTenant(host, tenant);
      this.tenants.set(key, m);
    }
    return m;
  }

  private createTenant(host: string, tenant: string): TenantMetrics {
    const dropped = new Map<DropReason, { entries: Child; bytes: Child }>();
    for (const reason of DROP_REASONS) {
      const pair = { entries: this.droppedEntries.labels(host, tenant, reason), bytes: this.droppedBytes.labels(host, tenant, reason) };
      pair.entries.inc(0);
      pair.bytes.inc(0);
      dropped.set(reason, pair);
    }
    const durations = new Map<number, HistogramChild>();
    const m: TenantMetrics = {
      encodedBytes: this.encodedBytes.labels(host, tenant),
      sentBytes: this.sentBytes.labels(host, tenant),
      sentEntries: this.sentEntries.labels(host, tenant),
      batchRetries: this.batchRetries.labels(host, tenant),
      requestSize: this.requestSize.labels(host, tenant),
      propagationLatency: this.propagationLatency.labels(host, tenant),
      requestDuration: (status) => {
        let child = durations.get(status);
        if (!child) durations.set(status, (child = this.requestDuration.labels(String(status), host, tenant)));
        return child;
      },
      dropped: (reason, entries, bytes) => {
        const pair = dropped.get(reason)!;
        pair.entries.inc(entries);
        pair.bytes.inc(bytes);
      },
    };
    for (const c of [m.encodedBytes, m.sentBytes, m.sentEntries, m.batchRetries]) c.inc(0);
    return m;
  }
}
