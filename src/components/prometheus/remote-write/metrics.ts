/**
 * prometheus.remote_write's metrics, with the names Alloy exposes (Prometheus
 * storage/remote/queue_manager.go): Prometheus' `prometheus_remote_storage_*` queue metrics, labelled
 * per endpoint with `remote_name` and `url`, and the component's
 * `prometheus_remote_write_wal_*` intake counters — alloy-ts keeps no WAL, so
 * "appended" counts samples taken into the in-memory queues.
 */
import { Counter, Gauge, Histogram, type Registry } from '../../../runtime/prom-client.js';

type CounterChild = { inc(value?: number): void };
type GaugeChild = { set(value: number): void; inc(value?: number): void; dec(value?: number): void };
type HistogramChild = { observe(value: number): void };

export type SampleDropReason = 'too_old' | 'dropped_series';

/** The series of one endpoint. */
export interface EndpointMetrics {
  readonly samplesIn: CounterChild;
  readonly samplesSent: CounterChild;
  readonly samplesFailed: CounterChild;
  readonly samplesRetried: CounterChild;
  readonly samplesPending: GaugeChild;
  readonly bytesSent: CounterChild;
  readonly metadataSent: CounterChild;
  readonly metadataFailed: CounterChild;
  readonly metadataRetried: CounterChild;
  readonly metadataBytes: CounterChild;
  readonly enqueueRetries: CounterChild;
  readonly sendDuration: HistogramChild;
  readonly highestSent: GaugeChild;
  readonly shards: GaugeChild;
  readonly shardsDesired: GaugeChild;
  dropped(reason: SampleDropReason, samples: number): void;
  /** Forgets the endpoint's series (it was removed by an update). */
  remove(): void;
}

const ENDPOINT_LABELS = ['remote_name', 'url'];

export class RemoteWriteMetrics {
  readonly walSamplesAppended: CounterChild;
  readonly highestIn: GaugeChild;
  private readonly counters: Record<string, Counter<string>>;
  private readonly gauges: Record<string, Gauge<string>>;
  private readonly dropped: Counter<string>;
  private readonly sendDuration: Histogram<string>;

  constructor(registry: Registry) {
    const registers = [registry];
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ENDPOINT_LABELS, registers });
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ENDPOINT_LABELS, registers });
    this.counters = {
      samplesIn: counter('prometheus_remote_storage_samples_in_total', 'Samples read into remote storage.'),
      samplesSent: counter('prometheus_remote_storage_samples_total', 'Total number of samples sent to remote storage.'),
      samplesFailed: counter('prometheus_remote_storage_samples_failed_total', 'Total number of samples which failed on send to remote storage, non-recoverable errors.'),
      samplesRetried: counter('prometheus_remote_storage_samples_retries_total', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.'),
      bytesSent: counter('prometheus_remote_storage_bytes_total', 'The total number of bytes of data (not metadata) sent by the queue after compression.'),
      metadataSent: counter('prometheus_remote_storage_metadata_total', 'Total number of metadata entries sent to remote storage.'),
      metadataFailed: counter('prometheus_remote_storage_metadata_failed_total', 'Total number of metadata entries which failed on send to remote storage, non-recoverable errors.'),
      metadataRetried: counter('prometheus_remote_storage_metadata_retried_total', 'Total number of metadata entries which failed on send to remote storage but were retried because the send error was recoverable.'),
      metadataBytes: counter('prometheus_remote_storage_metadata_bytes_total', 'The total number of bytes of metadata sent by the queue after compression.'),
      enqueueRetries: counter('prometheus_remote_storage_enqueue_retries_total', 'Total number of times enqueue has failed because a shards queue was full.'),
    };
    this.gauges = {
      samplesPending: gauge('prometheus_remote_storage_samples_pending', 'The number of samples pending in the queues shards to be sent to the remote storage.'),
      highestSent: gauge('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', 'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.'),
      shards: gauge('prometheus_remote_storage_shards', 'The number of shards used for parallel sending to the remote storage.'),
      shardsDesired: gauge('prometheus_remote_storage_shards_desired', 'The number of shards that the queues shard calculation wants to run based on the rate of samples in vs. samples out.'),
      shardsMin: gauge('prometheus_remote_storage_shards_min', 'The minimum number of shards that the queue is allowed to run.'),
      shardsMax: gauge('prometheus_remote_storage_shards_max', 'The maximum number of shards that the queue is allowed to run.'),
      shardCapacity: gauge('prometheus_remote_storage_shard_capacity', 'The capacity of each shard of the queue used for parallel sending to the remote storage.'),
      maxSamplesPerSend: gauge('prometheus_remote_storage_max_samples_per_send', 'The maximum number of samples to be sent, in a single request, to the remote storage.'),
    };
    this.dropped = new Counter({
      name: 'prometheus_remote_storage_samples_dropped_total',
      help: 'Total number of samples which were dropped after being read from the WAL before being sent via remote write, either via relabelling, due to being too old or unintentionally because of an unknown reference ID.',
      labelNames: [...ENDPOINT_LABELS, 'reason'],
      registers,
    });
    this.sendDuration = new Histogram({
      name: 'prometheus_remote_storage_sent_batch_duration_seconds',
      help: 'Duration of send calls to the remote storage.',
      labelNames: ENDPOINT_LABELS,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300],
      registers,
    });
    this.walSamplesAppended = new Counter({
      name: 'prometheus_remote_write_wal_samples_appended_total',
      help: 'Total number of samples appended to the storage',
      labelNames: ['type'],
      registers,
    }).labels('float');
    this.highestIn = new Gauge({
      name: 'prometheus_remote_storage_highest_timestamp_in_seconds',
      help: 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.',
      registers,
    });
  }

  /** The series of one endpoint, with its fixed settings recorded. */
  forEndpoint(name: string, url: string, fixed: { minShards: number; maxShards: number; capacity: number; maxSamplesPerSend: number }): EndpointMetrics {
    const c = (key: string) => zeroed(this.counters[key]!.labels(name, url));
    const g = (key: string) => this.gauges[key]!.labels(name, url);
    g('shardsMin').set(fixed.minShards);
    g('shardsMax').set(fixed.maxShards);
    g('shardCapacity').set(fixed.capacity);
    g('maxSamplesPerSend').set(fixed.maxSamplesPerSend);
    return {
      samplesIn: c('samplesIn'),
      samplesSent: c('samplesSent'),
      samplesFailed: c('samplesFailed'),
      samplesRetried: c('samplesRetried'),
      bytesSent: c('bytesSent'),
      metadataSent: c('metadataSent'),
      metadataFailed: c('metadataFailed'),
      metadataRetried: c('metadataRetried'),
      metadataBytes: c('metadataBytes'),
      enqueueRetries: c('enqueueRetries'),
      samplesPending: g('samplesPending'),
      highestSent: g('highestSent'),
      shards: g('shards'),
      shardsDesired: g('shardsDesired'),
      sendDuration: this.sendDuration.labels(name, url),
      dropped: (reason, samples) => this.dropped.labels(name, url, reason).inc(samples),
      remove: () => {
        for (const m of [...Object.values(this.counters), ...Object.values(this.gauges), this.sendDuration]) m.remove(name, url);
      },
    };
  }
}

function zeroed<T extends CounterChild>(child: T): T {
  child.inc(0);
  return child;
}
