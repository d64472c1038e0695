/**
 * The stage model of loki.process. A stage transforms a list of entries at a
 * time (one incoming batch, or part of it): it may change entries in place,
 * drop them (by leaving them out of the returned list), hold them back
 * (multiline, CRI partial lines) or wait (limit without drop).
 *
 * Stages that emit later on their own (a multiline block flushed when idle)
 * get an `emit` callback that runs the entries through the stages after
 * them; a pipeline nested in stage.match hands what leaves it to the match
 * stage's own `emit`.
 */
import type { Counter, Registry } from 'prom-client';
import type { BlockSchema } from '../../../lang/schema.js';
import type { Logger } from '../../../runtime/logger.js';
import type { Entry } from './entry.js';

export type Emit = (entries: Entry[]) => void;

export interface Stage {
  /** Processes entries; returns those that go on (the input array may be reused). */
  process(entries: Entry[]): Entry[] | Promise<Entry[]>;
  /** Called once before the first entries: `emit` forwards entries produced later by the stage itself. */
  start?(emit: Emit): void;
  /** Shutdown or rebuild: hands back entries the stage still holds, and stops its timers. */
  flush?(): Entry[] | Promise<Entry[]>;
}

/** What stages get from the component. */
export interface StageContext {
  readonly logger: Logger;
  /** The component's registry (stage.metrics registers its metrics here). */
  readonly registry: Registry;
  /** `loki_process_dropped_lines_total{reason}`. */
  dropped(reason: string): { inc(value?: number): void };
  /** Metrics registered by this pipeline's stages, removed when it is rebuilt. */
  readonly ownedMetrics: string[];
  /** Lazily registered component metrics shared across rebuilds (CRI, limit by label). */
  counter(name: string, help: string, labelNames?: string[]): Counter;
}

/** A stage kind: its block name, argument schema and constructor. */
export interface StageDef<C = unknown> {
  readonly name: string;
  readonly schema: BlockSchema<C>;
  build(config: C, ctx: StageContext): Stage;
}

/** Defines a stage kind, keeping the config type of its schema. */
export function defineStage<C>(def: StageDef<C>): StageDef<C> {
  return def;
}

/** A decoded `stage.*` block. */
export interface StageConfig {
  readonly name: string;
  readonly value: unknown;
}

/** A stage that changes each entry in place and never drops or holds one. */
export function eachEntry(f: (e: Entry) => void): Stage {
  return {
    process(entries) {
      for (const e of entries) f(e);
      return entries;
    },
  };
}

/** A stage that keeps the entries for which `keep` returns true. */
export function filterEntries(keep: (e: Entry) => boolean): Stage {
  return {
    process(entries) {
      let n = 0;
      for (const e of entries) if (keep(e)) entries[n++] = e;
      entries.length = n;
      return entries;
    },
  };
}

/** Stages in order, run list by list. */
export class Pipeline {
  private onLater: Emit = () => {};

  constructor(
    private readonly stages: readonly Stage[],
    /** Nested pipelines re-copy the current labels into the extracted map first. */
    private readonly nested: boolean,
    private readonly logger: Logger,
  ) {}

  /** Starts stateful stages; `onLater` receives entries that leave the pipeline on their own time. */
  start(onLater: Emit): void {
    this.onLater = onLater;
    this.stages.forEach((s, i) => s.start?.((entries) => this.resume(i + 1, entries)));
  }

  process(entries: Entry[]): Entry[] | Promise<Entry[]> {
    if (this.nested) for (const e of entries) e.copyLabelsToExtracted();
    return this.runFrom(0, entries);
  }

  private runFrom(first: number, entries: Entry[]): Entry[] | Promise<Entry[]> {
    let current = entries;
    for (let i = first; i < this.stages.length && current.length > 0; i++) {
      const out = this.stages[i]!.process(current);
      if (out instanceof Promise) return out.then((next) => this.runFrom(i + 1, next));
      current = out;
    }
    return current;
  }

  /** Entries a stage emitted by itself continue after that stage. */
  private resume(from: number, entries: Entry[]): void {
    const out = this.runFrom(from, entries);
    if (out instanceof Promise) {
      out.then((e) => e.length > 0 && this.onLater(e), (err) => this.logger.error('failed to process entries', { err: String(err) }));
    } else if (out.length > 0) this.onLater(out);
  }

  /** Flushes held entries stage by stage, each through the stages after it. */
  async flush(): Promise<Entry[]> {
    const out: Entry[] = [];
    for (let i = 0; i < this.stages.length; i++) {
      const held = (await this.stages[i]!.flush?.()) ?? [];
      if (held.length > 0) out.push(...(await this.runFrom(i + 1, held)));
    }
    return out;
  }
}
