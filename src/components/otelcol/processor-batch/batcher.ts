/**
 * The batchers of otelcol.processor.batch (see processor-batch.ts for the
 * behaviour). Each pending batch remembers which callers contributed items
 * to it, in order, so that a caller is acknowledged once all batches holding
 * its items were accepted downstream.
 */
import { Counter, Gauge, Histogram, type Registry } from '../../../runtime/prom-client.js';
import type { ComponentContext } from '../../../runtime/component.js';
import { PartsAck } from '../../common/delivery.js';
import { ConsumerError, fanOut, type ClientMetadata, type ConsumeContext, type Output } from '../pdata/consumer.js';
import type { Signal } from '../pdata/model.js';
import type { Payload } from '../pdata/payload.js';
import { itemQueue, type ItemQueue } from '../pdata/split.js';
import type { BatchArgs } from '../processor-batch.js';

export class BatchMetrics {
  readonly sendSize: Histogram;
  readonly sizeTrigger: Counter;
  readonly timeoutTrigger: Counter;
  readonly cardinality: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sendSize = new Histogram({
      name: 'otelcol_processor_batch_batch_send_size',
      help: 'Number of units in the batch',
      buckets: [10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000],
      registers,
    });
    this.sizeTrigger = new Counter({ name: 'otelcol_processor_batch_batch_size_trigger_send_total', help: 'Number of times the batch was sent due to a size trigger', registers });
    this.timeoutTrigger = new Counter({ name: 'otelcol_processor_batch_timeout_trigger_send_total', help: 'Number of times the batch was sent due to a timeout trigger', registers });
    this.cardinality = new Gauge({ name: 'otelcol_processor_batch_metadata_cardinality', help: 'Number of distinct metadata value combinations being processed', registers });
  }
}

/** A caller waiting for its items: `left` of them not yet in a sent batch. */
interface Contribution {
  left: number;
  readonly ack: PartsAck;
}

class Batcher {
  private readonly queue: ItemQueue;
  private readonly contributions: Contribution[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly signal: Signal,
    private readonly args: BatchArgs,
    private readonly output: () => Output,
    private readonly metadata: ClientMetadata | undefined,
    private readonly metrics: BatchMetrics,
  ) {
    this.queue = itemQueue(signal);
  }

  add(payload: Payload): Promise<void> {
    const items = payload.items;
    if (items === 0) return Promise.resolve();
    const ack = new PartsAck();
    this.queue.push(payload);
    this.contributions.push({ left: items, ack });
    if (this.args.timeout === 0) this.flush(false);
    else {
      while (this.queue.count >= this.args.send_batch_size && this.args.send_batch_size > 0) this.send(this.batchLimit(), true);
      if (this.queue.count > 0 && !this.timer) this.timer = setTimeout(() => this.onTimeout(), this.args.timeout);
    }
    return ack.promise;
  }

  /** Sends everything pending (in batches no larger than send_batch_max_size). */
  flush(byTimeout: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.count > 0) this.send(this.batchLimit(), !byTimeout);
  }

  settled(): Promise<void> {
    return Promise.allSettled([...this.inFlight]).then(() => undefined);
  }

  get pending(): number {
    return this.queue.count;
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.queue.count > 0) this.flush(true);
  }

  private batchLimit(): number {
    return this.args.send_batch_max_size > 0 ? this.args.send_batch_max_size : 0;
  }

  private send(limit: number, bySize: boolean): void {
    const payload = this.queue.take(limit);
    const items = payload.items;
    if (items === 0) return;
    const acks = this.assign(items);
    (bySize ? this.metrics.sizeTrigger : this.metrics.timeoutTrigger).inc();
    this.metrics.sendSize.observe(items);
    const ctx: ConsumeContext = this.metadata ? { metadata: this.metadata } : {};
    const p = fanOut(this.output()[this.signal], payload, ctx).then(
      () => acks.forEach((a) => a.partFinished()),
      (err: unknown) => acks.forEach((a) => a.fail(err instanceof Error ? err : new ConsumerError(String(err), false))),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** The callers whose items (the next `items` in order) are in a batch being sent. */
  private assign(items: number): PartsAck[] {
    const acks: PartsAck[] = [];
    let left = items;
    while (left > 0 && this.contributions.length > 0) {
      const c = this.contributions[0]!;
      const taken = Math.min(c.left, left);
      c.left -= taken;
      left -= taken;
      c.ack.partAdded();
      acks.push(c.ack);
      if (c.left === 0) {
        this.contributions.shift();
        c.ack.seal();
      }
    }
    return acks;
  }
}

export class Batching {
  private readonly batchers = new Map<string, Batcher>();

  constructor(
    private readonly args: BatchArgs,
    private readonly output: () => Output,
    private readonly ctx: ComponentContext<unknown>,
    private readonly metrics: BatchMetrics,
  ) {}

  consume(payload: Payload, consumeCtx: ConsumeContext): Promise<void> {
    const signal = payload.signal;
    const { key, metadata } = this.metadataKey(consumeCtx.metadata);
    const id = `${signal}\u0000${key}`;
    let batcher = this.batchers.get(id);
    if (!batcher) {
      if (this.combinations() >= this.args.metadata_cardinality_limit && !this.hasCombination(key)) {
        return Promise.reject(new ConsumerError('too many batcher metadata-value combinations', false));
      }
      batcher = new Batcher(signal, this.args, this.output, metadata, this.metrics);
      this.batchers.set(id, batcher);
      this.metrics.cardinality.set(this.combinations());
    }
    this.ctx.debug(() => `${signal}: ${payload.items} items into a batch`);
    return batcher.add(payload);
  }

  flushAll(): void {
    for (const b of this.batchers.values()) b.flush(false);
  }

  settled(): Promise<void> {
    return Promise.all([...this.batchers.values()].map((b) => b.settled())).then(() => undefined);
  }

  debugInfo(): unknown {
    return { pending: Object.fromEntries([...this.batchers].map(([id, b]) => [id.replace('\u0000', ' '), b.pending])) };
  }

  private combinations(): number {
    return new Set([...this.batchers.keys()].map((id) => id.slice(id.indexOf('\u0000') + 1))).size;
  }

  private hasCombination(key: string): boolean {
    for (const id of this.batchers.keys()) if (id.endsWith(`\u0000${key}`)) return true;
    return false;
  }

  /** The values of metadata_keys in this request, as a key and as the metadata the batch carries on. */
  private metadataKey(md: ClientMetadata | undefined): { key: string; metadata?: ClientMetadata } {
    if (this.args.metadata_keys.length === 0) return { key: '' };
    const picked = new Map<string, string[]>();
    for (const name of this.args.metadata_keys) {
      const values = md?.get(name.toLowerCase());
      if (values && values.length > 0) picked.set(name.toLowerCase(), [...values]);
    }
    return { key: JSON.stringify([...picked]), metadata: picked };
  }
}
