/**
 * loki.process's implementation: its arguments are declared in ../process.ts;
 * this module loads only when a config builds the component.
 */
import { isDeepStrictEqual } from 'node:util';
import { Counter } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { fanOut, flushAll, labelsString, receiverOf, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import { Entry } from '../stages/entry.js';
import { buildPipeline } from '../stages/index.js';
import type { Pipeline, StageConfig, StageContext } from '../stages/stage.js';
import type { Arguments, Exports } from '../process.js';

export function buildProcessor(ctx: ComponentContext<Exports>, args: Arguments): ComponentInstance<Arguments> {
  const processor = new Processor(ctx, args);
  ctx.setExports({ receiver: processor.receiver });
  return {
    update: (next: Arguments) => processor.update(next),
    async run(signal: AbortSignal) {
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await processor.flush();
    },
  };
}

/** Splits a batch into pipeline entries (sharing the batch's labels until a stage changes them). */
export function entriesOf(batch: LogBatch): Entry[] {
  const out: Entry[] = new Array(batch.lines.length);
  for (let i = 0; i < batch.lines.length; i++) {
    out[i] = new Entry(batch.labels, batch.ms[i]!, batch.ns[i]!, batch.lines[i]!, batch.metadata?.[i]);
  }
  return out;
}

/**
 * Regroups entries into one batch per label set, each stream's entries in
 * their order. Grouping by set rather than by run matters: with a label that
 * alternates line by line (a level, say) runs are one entry long, and a batch
 * per entry would cost a downstream push per line.
 */
export function batchesOf(entries: readonly Entry[]): LogBatch[] {
  // Stages share label objects between entries (see entry.ts), so identity finds most groups;
  // entries with labels of their own are matched by content.
  const byIdentity = new Map<Labels, Entry[]>();
  const byContent = new Map<string, Entry[]>();
  for (const e of entries) {
    let group = byIdentity.get(e.labels);
    if (!group) {
      const key = labelsString(e.labels);
      group = byContent.get(key);
      if (!group) byContent.set(key, (group = []));
      byIdentity.set(e.labels, group);
    }
    group.push(e);
  }
  return [...byContent.values()].map(batchOf); // in order of first appearance
}

function batchOf(entries: readonly Entry[]): LogBatch {
  const n = entries.length;
  const ms = new Float64Array(n);
  const ns = new Int32Array(n);
  const lines: string[] = new Array(n);
  let metadata: (Record<string, string> | undefined)[] | undefined;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    ms[i] = e.ms;
    ns[i] = e.ns;
    lines[i] = e.line;
    if (e.metadata && Object.keys(e.metadata).length > 0) (metadata ??= new Array(n))[i] = e.metadata;
  }
  const labels = entries[0]!.labels;
  return metadata ? { labels, ms, ns, lines, metadata } : { labels, ms, ns, lines };
}

/** The stage context of one component: drop counters and metric bookkeeping. */
class ComponentStageContext implements StageContext {
  readonly ownedMetrics: string[] = [];

  constructor(
    private readonly ctx: ComponentContext<Exports>,
    /** Component-wide counters, kept across pipeline rebuilds. */
    private readonly counters: Map<string, Counter>,
  ) {}

  get logger() {
    return this.ctx.logger;
  }

  get registry() {
    return this.ctx.registry;
  }

  dropped(reason: string) {
    return this.counter('loki_process_dropped_lines_total', 'A count of all log lines dropped as a result of a pipeline stage', ['reason']).labels(reason);
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name, help, labelNames, registers: [this.ctx.registry] });
      this.counters.set(name, c);
    }
    return c;
  }

  /** Unregisters the metrics a replaced pipeline's stages created, except those its successor registered again. */
  dropOwnedMetrics(successor: ComponentStageContext): void {
    for (const name of this.ownedMetrics.splice(0)) if (!successor.ownedMetrics.includes(name)) this.ctx.registry.removeSingleMetric(name);
  }
}

class Processor {
  readonly receiver: LogsReceiver;
  private forwardTo: readonly LogsReceiver[];
  private stages: readonly StageConfig[];
  private stageCtx: ComponentStageContext;
  private pipeline: Pipeline;
  private readonly counters = new Map<string, Counter>();
  /** Pushes still in the pipeline; a flush request is passed on once they have been forwarded. */
  private processing = 0;
  private flushRequested = false;

  constructor(
    private readonly ctx: ComponentContext<Exports>,
    args: Arguments,
  ) {
    this.forwardTo = args.forward_to;
    this.stages = args.stages;
    this.stageCtx = new ComponentStageContext(ctx, this.counters);
    this.pipeline = this.startPipeline(this.stages, this.stageCtx);
    this.receiver = receiverOf(
      (batch) => this.handle(batch),
      () => this.requestFlush(),
    );
  }

  private startPipeline(stages: readonly StageConfig[], stageCtx: ComponentStageContext): Pipeline {
    const p = buildPipeline(stages, stageCtx);
    p.start((entries) => this.sendLater(entries));
    return p;
  }

  /**
   * Runs a batch through the pipeline and forwards the result, resolving once
   * it is delivered. Not an async function on purpose: the entries must not
   * stay reachable while delivery is awaited (up to batch_wait), or every
   * entry with its extracted map would outlive V8's young generation.
   */
  private handle(batch: LogBatch): Promise<void> {
    this.processing++;
    let out: Entry[] | Promise<Entry[]>;
    try {
      out = this.pipeline.process(entriesOf(batch));
    } catch (err) {
      this.processed();
      return Promise.reject(err);
    }
    if (!(out instanceof Promise)) return this.forwardProcessed(out);
    return out.then(
      (entries) => this.forwardProcessed(entries),
      (err: unknown) => {
        this.processed();
        throw err;
      },
    );
  }

  private forwardProcessed(entries: Entry[]): Promise<void> {
    try {
      return entries.length > 0 ? this.send(entries) : Promise.resolve();
    } finally {
      this.processed();
    }
  }

  /** A push left the pipeline: a flush request waiting for that is passed on. */
  private processed(): void {
    if (--this.processing === 0 && this.flushRequested) this.requestFlush();
  }

  private requestFlush(): void {
    this.flushRequested = this.processing > 0;
    if (!this.flushRequested) flushAll(this.forwardTo);
  }

  /** Forwards every stream's batch at once: awaiting each in turn would serialise their deliveries. */
  private send(entries: readonly Entry[]): Promise<void> {
    const batches = batchesOf(entries);
    for (const batch of batches) this.ctx.debug(() => `${labelsString(batch.labels)} ${batch.lines.map((l) => JSON.stringify(l)).join(' ')}`);
    return Promise.all(batches.map((batch) => fanOut(this.forwardTo, batch))).then(() => {});
  }

  /** Entries a stage emitted on its own (idle multiline blocks). */
  private sendLater(entries: Entry[]): void {
    this.send(entries).catch((err: unknown) => this.ctx.logger.error('failed to forward entries', { err: String(err) }));
  }

  async update(args: Arguments): Promise<void> {
    this.forwardTo = args.forward_to;
    if (isDeepStrictEqual(args.stages, this.stages)) return;
    const old = this.pipeline;
    const stageCtx = new ComponentStageContext(this.ctx, this.counters);
    this.pipeline = this.startPipeline(args.stages, stageCtx); // throws on a bad stage: the old pipeline stays
    this.stageCtx.dropOwnedMetrics(stageCtx);
    this.stages = args.stages;
    this.stageCtx = stageCtx;
    await this.flush(old);
  }

  /** Sends what a pipeline still holds (multiline blocks, partial CRI lines). */
  async flush(p: Pipeline = this.pipeline): Promise<void> {
    const held = await p.flush();
    if (held.length > 0) await this.send(held);
  }
}

