/**
 * prometheus.remote_write's implementation: its arguments are declared in
 * ../remote-write.ts; this module loads only when a config builds the component.
 */
import { createHash } from 'node:crypto';
import { compareStrings } from '../../../lang/value.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { HttpClient, userAgent } from '../../common/http-client.js';
import {
  METRIC_NAME_LABEL,
  metricsReceiver,
  seriesHash,
  type MetricMetadata,
  type SampleBatch,
  type SeriesLabels,
} from '../../common/metric-samples.js';
import { RelabelRules } from '../../relabel/rules.js';
import { encodeLabels, type FamilyMetadata } from './request-encoding.js';
import { SenderLifecycle } from '../../common/delivery.js';
import { EndpointSet } from '../../common/endpoint-set.js';
import { RemoteWriteMetrics } from './metrics.js';
import { NotSentError, RemoteWriteQueue, type OutSeries, type SeriesPreparer } from './queue.js';
import type { Arguments, EndpointArgs, Exports } from '../remote-write.js';
import { walDisabled } from '../../common/wal/settings.js';
import { openRemoteWriteWal } from './durable.js';

/** Prometheus flushes its queues for up to a minute on shutdown. */
const DRAIN_TIMEOUT_MS = 60_000;

export async function buildRemoteWrite(ctx: ComponentContext<Exports>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const metrics = new RemoteWriteMetrics(ctx.registry);
  const families = new FamilyMetadataStore();
  const walOn = !walDisabled();
  const endpoints = await SenderLifecycle.start(initial, (args: Arguments) => startQueues(args, metrics, families, ctx, walOn));
  const send = (batch: SampleBatch): Promise<void> => {
    const current = endpoints.current;
    if (!current) return Promise.reject(new NotSentError(`${ctx.id} is stopped`));
    return current.each((queue) => queue.accept(batch));
  };
  const sendTo = (name: string, batch: SampleBatch): Promise<void> => {
    const queue = endpoints.current?.endpoints.find((q) => q.name === name);
    return queue ? queue.accept(batch) : Promise.reject(new NotSentError(`${ctx.id}: endpoint ${name} is stopped`));
  };
  const durable = walOn ? await openRemoteWriteWal(ctx, initial.wal, sendTo) : undefined;
  const endpointNames = (): string[] => endpoints.current?.endpoints.map((q) => q.name) ?? [];
  durable?.sync(endpointNames());

  const receiver = metricsReceiver((batch: SampleBatch) => {
    if (!endpoints.current) return Promise.reject(new NotSentError(`${ctx.id} is stopped`));
    if (batch.length === 0) return Promise.resolve();
    metrics.walSamplesAppended.inc(batch.length);
    metrics.highestIn.set(highestTimestamp(batch) / 1000);
    families.record(batch.metadata);
    // With the WAL, the source's acknowledgement means "on disk"; delivery follows from the log.
    return durable ? durable.append(batch) : send(batch);
  });
  ctx.setExports({ receiver });

  const instance = endpoints.instance();
  if (!durable) return instance;
  return {
    ...instance,
    update: async (args) => {
      await instance.update(args);
      durable.sync(endpointNames());
    },
    run: (signal) => durable.run(signal, instance.run),
  };
}

/** The latest metadata of every metric family seen, for metadata_config. */
class FamilyMetadataStore {
  private readonly families = new Map<string, MetricMetadata>();
  private last: ReadonlyMap<string, MetricMetadata> | undefined;

  record(metadata: ReadonlyMap<string, MetricMetadata> | undefined): void {
    // Scrapes share one map per target until its metadata changes.
    if (!metadata || metadata === this.last) return;
    this.last = metadata;
    for (const [family, m] of metadata) this.families.set(family, m);
  }

  list(): FamilyMetadata[] {
    return [...this.families].map(([family, m]) => ({ family, ...m }));
  }
}

/** The queues of one set of arguments. */
function startQueues(args: Arguments, metrics: RemoteWriteMetrics, families: FamilyMetadataStore, ctx: ComponentContext<unknown>, walBacked: boolean): Promise<EndpointSet<RemoteWriteQueue>> {
  return EndpointSet.start(args.endpoint, (e) => createQueue(e, args.external_labels ?? {}, metrics, families, ctx, walBacked));
}

async function createQueue(
  e: EndpointArgs,
  externalLabels: Readonly<Record<string, string>>,
  metrics: RemoteWriteMetrics,
  families: FamilyMetadataStore,
  ctx: ComponentContext<unknown>,
  walBacked: boolean,
): Promise<RemoteWriteQueue> {
  const agent = userAgent();
  const client = await HttpClient.create(e, { userAgent: agent });
  const q = e.queue_config;
  const md = e.metadata_config;
  const name = e.name ?? endpointHash(e);
  const rules = e.write_relabel_config.length > 0 ? new RelabelRules(e.write_relabel_config) : undefined;
  return new RemoteWriteQueue(
    {
      name,
      url: new URL(e.url),
      remoteTimeoutMs: e.remote_timeout,
      headers: e.headers ?? {},
      userAgent: agent,
      capacity: q.capacity,
      minShards: q.min_shards,
      maxShards: q.max_shards,
      maxSamplesPerSend: q.max_samples_per_send,
      batchSendDeadlineMs: q.batch_send_deadline,
      minBackoffMs: q.min_backoff,
      maxBackoffMs: q.max_backoff,
      retryOn429: q.retry_on_http_429,
      sampleAgeLimitMs: q.sample_age_limit,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      walBacked,
      metadata: { send: md.send, intervalMs: md.send_interval, maxPerSend: md.max_samples_per_send },
    },
    client,
    seriesPreparer(externalLabels, rules),
    metrics.forEndpoint(name, e.url, { minShards: q.min_shards, maxShards: q.max_shards, capacity: q.capacity, maxSamplesPerSend: q.max_samples_per_send }),
    ctx.logger.child({ remote_name: name, url: e.url }),
    () => families.list(),
  );
}

/** An unnamed endpoint is named by the first 6 hex digits of a hash of its configuration, as Prometheus does. */
function endpointHash(e: EndpointArgs): string {
  return createHash('sha256').update(JSON.stringify({ url: e.url, headers: e.headers ?? {}, queue: e.queue_config, relabel: e.write_relabel_config.length })).digest('hex').slice(0, 6);
}

/** External labels under the series' own, write relabeling, then `__*` labels removed and the rest encoded. */
export function seriesPreparer(externalLabels: Readonly<Record<string, string>>, rules: RelabelRules | undefined): SeriesPreparer {
  const external = Object.entries(externalLabels);
  return (labels: SeriesLabels): OutSeries | undefined => {
    let merged: Record<string, string> = labels;
    if (external.length > 0) {
      merged = { ...labels };
      for (const [name, value] of external) if (merged[name] === undefined) merged[name] = value;
    }
    if (rules) {
      const relabeled = rules.process(merged, 'legacy');
      if (!relabeled || Object.keys(relabeled).length === 0) return undefined;
      merged = relabeled;
    }
    const encoded = encodeLabels(sentNames(merged), merged);
    return { labels: encoded, hash: seriesHash(encoded) };
  };
}

/** The names of the labels sent (`__*` other than `__name__` are not), sorted; without allocating more than the list. */
function sentNames(labels: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(labels);
  let kept = 0;
  let sorted = true;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name !== METRIC_NAME_LABEL && name.startsWith('__')) continue;
    if (kept > 0 && compareStrings(names[kept - 1]!, name) > 0) sorted = false;
    names[kept++] = name;
  }
  names.length = kept;
  // Series labels come sorted (SeriesLabels); external labels and relabeling may add others.
  return sorted ? names : names.sort(compareStrings);
}

function highestTimestamp(batch: SampleBatch): number {
  let max = 0;
  for (let i = 0; i < batch.length; i++) if (batch.timestamps[i]! > max) max = batch.timestamps[i]!;
  return max;
}
