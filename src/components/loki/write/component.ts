/**
 * loki.write's implementation (its arguments are declared in ../write.ts and
 * this module is loaded only when a config builds the component).
 */
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import type { Logger } from '../../../runtime/logger.js';
import { preferYoungGeneration, type BudgetShare, type MemoryBudget } from '../../../runtime/memory.js';
import { HttpClient, userAgent } from '../../common/http-client.js';
import { sizeBatch, streamLabelString, TENANT_LABEL } from './push-request.js';
import { entryCount, receiverOf, type Labels, type LogBatch } from '../../common/log-entries.js';
import { SenderLifecycle } from '../../common/delivery.js';
import { EndpointSet } from '../../common/endpoint-set.js';
import { fnv1a } from '../../common/fnv.js';
import { Endpoint, NotDeliveredError } from './endpoint.js';
import { WriteMetrics } from './metrics.js';
import type { Arguments, EndpointArgs, Exports } from '../write.js';
import { DurableWriter } from '../../common/wal/durable-writer.js';
import { walDisabled } from '../../common/wal/settings.js';
import { decodeLogBatch, encodeLogBatch } from './wal-records.js';

/**
 * Heap bytes a queued entry costs per byte the queue counts (line and metadata
 * bytes): string headers, the batch arrays, label and delivery objects. Under
 * a memory limit, a queue's capacity is its share of the budget over this.
 */
const HEAP_BYTES_PER_QUEUED_BYTE = 2;

export async function buildLokiWrite(ctx: ComponentContext<Exports>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const metrics = new WriteMetrics(ctx.registry);
  // Turning the WAL on or off takes effect at the next start (see update below).
  const walOn = initial.wal.enabled && !walDisabled();
  const clients = await SenderLifecycle.start(initial, (args: Arguments) => Clients.create(args, metrics, ctx, walOn));

  const durable = walOn ? openLokiWal(ctx, initial, clients) : undefined;

  const receiver = receiverOf((batch: LogBatch) => {
    const current = clients.current;
    if (!current) return Promise.reject(new NotDeliveredError(`${ctx.id} is stopped`));
    if (entryCount(batch) === 0) return Promise.resolve();
    // With the WAL, the source's acknowledgement means "on disk"; each endpoint reads the log.
    return durable ? durable.append(encodeLogBatch(batch)) : current.push(batch);
  }, () => clients.current?.flush());
  ctx.setExports({ receiver });

  const instance = clients.instance();
  const run = durable ? (signal: AbortSignal) => durable.run(signal, instance.run) : instance.run;
  return {
    ...instance,
    ...(durable && {
      update: async (args: Arguments) => {
        if (args.wal.enabled !== initial.wal.enabled) ctx.logger.warn('turning the WAL on or off takes effect when the agent restarts');
        await instance.update(args);
        durable.sync(clients.current?.names ?? []);
      },
    }),
    // Batches live until Loki acknowledges them: see HELD_BATCHES_SEMI_SPACE_MIB.
    run: async (signal) => {
      const withdraw = preferYoungGeneration('held-batches');
      try {
        await run(signal);
      } finally {
        withdraw();
      }
    },
  };
}

/**
 * loki.write's WAL (Alloy's `wal` block, experimental there; grafana/alloy
 * internal/component/common/loki/wal): entries are appended before their
 * source is acknowledged, replayed after a restart, and each endpoint reads
 * the log on its own, so a segment is deleted only once every endpoint
 * accepted its entries and one slow endpoint holds back only itself.
 * Segments are closed at max_segment_age (or 8 MiB); readers are woken by
 * every append, so min/max_read_frequency are not needed.
 */
function openLokiWal(ctx: ComponentContext<unknown>, initial: Arguments, clients: SenderLifecycle<Arguments, Clients>): DurableWriter {
  const writer = DurableWriter.open(ctx, {
    metricPrefix: 'loki_write_wal_',
    deliver: (name, payload) => {
      const current = clients.current;
      return current ? current.pushTo(name, decodeLogBatch(payload)) : Promise.reject(new NotDeliveredError(`${ctx.id} is stopped`));
    },
    flush: () => clients.current?.flush(),
    wal: { segmentBytes: 8 * 1024 * 1024, maxSegmentAgeMs: initial.wal.max_segment_age },
    truncateEveryMs: 1000,
  });
  writer.sync(clients.current?.names ?? []);
  return writer;
}

/** What a label set means for every endpoint: its stream string, tenant override and shard fingerprint. */
interface StreamInfo {
  readonly stream: string;
  readonly tenant: string | undefined;
  readonly fingerprint: number;
}

/** The endpoints of one set of arguments, with the per-label-set work they share. */
class Clients {
  /** Sources reuse their label objects, so this saves a sort and quoting per push. */
  private readonly streams = new WeakMap<Labels, StreamInfo>();

  /** Each endpoint's WAL consumer name: its `name`, else its URL (and position when URLs repeat). */
  readonly names: readonly string[];

  private constructor(
    private readonly endpoints: EndpointSet<Endpoint>,
    private readonly externalLabels: Labels,
    /** The endpoints' shares of the memory budget, given back once they stopped. */
    private readonly shares: readonly BudgetShare[],
    args: readonly EndpointArgs[],
  ) {
    this.names = args.map((e, i) => e.name ?? (args.findIndex((o) => o.url === e.url) === i ? e.url : `${e.url}#${i}`));
  }

  static async create(args: Arguments, metrics: WriteMetrics, ctx: ComponentContext<unknown>, walBacked: boolean): Promise<Clients> {
    const shares: BudgetShare[] = [];
    const endpoints = await EndpointSet.start(args.endpoint, (e) => {
      const share = queueShare(e, ctx.host.memoryBudget);
      if (share) shares.push(share);
      return createEndpoint(e, args.max_streams, metrics, ctx.logger, share, walBacked);
    }).catch((err: unknown) => {
      for (const share of shares) share.release();
      throw err;
    });
    return new Clients(endpoints, args.external_labels, shares, args.endpoint);
  }

  push(batch: LogBatch): Promise<void> {
    if (entryCount(batch) === 0 || this.endpoints.size === 0) return Promise.resolve();
    const info = this.streamInfo(batch.labels);
    const sized = sizeBatch(batch, info.stream);
    return this.endpoints.each((e) => e.accept(sized, info.tenant, info.fingerprint));
  }

  /** Hands a batch to one endpoint (its WAL consumer). */
  pushTo(name: string, batch: LogBatch): Promise<void> {
    const at = this.names.indexOf(name);
    const endpoint = this.endpoints.endpoints[at];
    if (!endpoint) return Promise.reject(new NotDeliveredError(`endpoint ${name} is not configured`));
    if (entryCount(batch) === 0) return Promise.resolve();
    const info = this.streamInfo(batch.labels);
    return endpoint.accept(sizeBatch(batch, info.stream), info.tenant, info.fingerprint);
  }

  flush(): void {
    for (const e of this.endpoints.endpoints) e.flush();
  }

  stop(): Promise<void> {
    return this.endpoints.stop().then(() => {
      for (const share of this.shares) share.release();
    });
  }

  debugInfo(): unknown {
    return this.endpoints.debugInfo();
  }

  private streamInfo(labels: Labels): StreamInfo {
    let info = this.streams.get(labels);
    if (!info) {
      const merged = Object.keys(this.externalLabels).length > 0 ? { ...this.externalLabels, ...labels } : labels;
      const stream = streamLabelString(merged);
      const tenant = merged[TENANT_LABEL];
      info = { stream, tenant, fingerprint: fnv1a(`${stream}${tenant ?? ''}`) };
      this.streams.set(labels, info);
    }
    return info;
  }
}

/** Under a memory limit, the part of the budget an endpoint's queue may fill (at most its configured capacity). */
function queueShare(e: EndpointArgs, budget: MemoryBudget | undefined): BudgetShare | undefined {
  return budget?.share(e.queue_config.capacity * HEAP_BYTES_PER_QUEUED_BYTE);
}

async function createEndpoint(e: EndpointArgs, maxStreams: number, metrics: WriteMetrics, logger: Logger, share: BudgetShare | undefined, walBacked: boolean): Promise<Endpoint> {
  const agent = userAgent();
  // Alloy's Loki client never uses HTTP/2.
  const client = await HttpClient.create(e, { userAgent: agent, disableHttp2: true });
  const url = new URL(e.url);
  const q = e.queue_config;
  return new Endpoint(
    {
      // Read on every admission, so the queue follows its share as endpoints come and go.
      get capacity() {
        return share ? Math.floor(share.bytes / HEAP_BYTES_PER_QUEUED_BYTE) : q.capacity;
      },
      url,
      tenantId: e.tenant_id,
      batchWaitMs: e.batch_wait,
      batchSize: e.batch_size,
      remoteTimeoutMs: e.remote_timeout,
      headers: e.headers ?? {},
      backoff: { minMs: e.min_backoff_period, maxMs: e.max_backoff_period, maxRetries: e.max_backoff_retries },
      retryOn429: e.retry_on_http_429,
      maxStreams,
      shards: q.min_shards,
      drainTimeoutMs: q.drain_timeout,
      walBacked,
      blockOnOverflow: q.block_on_overflow,
      userAgent: agent,
    },
    client,
    metrics,
    logger.child({ component: 'endpoint', host: url.host, ...(e.name ? { name: e.name } : {}) }),
  );
}
