/**
 * Test helpers for loki.process stages: decoding `stage.*` blocks written as
 * Alloy text, building their pipeline with a test stage context, and running
 * entries through it.
 */
import { Counter, Registry } from 'prom-client';
import { Logger, LogSettings } from '../../../../src/runtime/logger.js';
import { Arguments } from '../../../../src/components/loki/process.js';
import { Entry } from '../../../../src/components/loki/stages/entry.js';
import { buildPipeline } from '../../../../src/components/loki/stages/index.js';
import type { Pipeline, StageConfig, StageContext } from '../../../../src/components/loki/stages/stage.js';
import { decodeFirstBlock } from '../../../support/decode-block.js';

/** Decodes the `stage.*` blocks of `body`; returns the error as `line:col: message` when decoding fails. */
export function decodeStages(body: string): { stages: StageConfig[]; error?: undefined } | { stages?: undefined; error: string } {
  const text = `loki.process "t" {\n  forward_to = []\n${body}\n}\n`;
  const r = decodeFirstBlock(Arguments, text);
  if (r.diagnostic) return { error: `${r.diagnostic.start.line - 2}:${r.diagnostic.start.column}: ${r.diagnostic.message}` };
  return { stages: r.value!.stages as StageConfig[] };
}

export class TestStageContext implements StageContext {
  readonly registry = new Registry();
  readonly ownedMetrics: string[] = [];
  readonly logger = new Logger(LogSettings.defaults(() => {}));
  private readonly counters = new Map<string, Counter>();

  dropped(reason: string) {
    return this.counter('loki_process_dropped_lines_total', 'dropped', ['reason']).labels(reason);
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = new Counter({ name, help, labelNames, registers: [this.registry] })));
    return c;
  }

  /** Value of a counter series (0 when absent). */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const m = await this.registry.getSingleMetric(name)?.get();
    const v = m?.values.find((s) => Object.entries(labels).every(([k, x]) => s.labels[k] === x));
    return v?.value ?? 0;
  }
}

/** Decodes and builds a pipeline (throws on decode errors). */
export function pipelineOf(body: string, ctx = new TestStageContext()): { pipeline: Pipeline; ctx: TestStageContext } {
  const d = decodeStages(body);
  if (d.error !== undefined) throw new Error(d.error);
  const pipeline = buildPipeline(d.stages, ctx);
  return { pipeline, ctx };
}

export const T0 = 1_700_000_000_000;

/** A pipeline entry with labels (default none) at T0. */
export function entry(line: string, labels: Record<string, string> = {}, ms = T0, ns = 0): Entry {
  return new Entry(labels, ms, ns, line, undefined);
}

/** Runs lines (all with `labels`) through the stages of `body`. */
export async function run(body: string, lines: string[], labels: Record<string, string> = {}): Promise<Entry[]> {
  const { pipeline } = pipelineOf(body);
  return pipeline.process(lines.map((l) => entry(l, labels)));
}

/** Runs one line and returns the resulting entry (throws when it was dropped). */
export async function runOne(body: string, line: string, labels: Record<string, string> = {}): Promise<Entry> {
  const [e] = await run(body, [line], labels);
  if (!e) throw new Error('entry was dropped');
  return e;
}

/** The extracted map as a plain object. */
export function extractedOf(e: Entry): Record<string, unknown> {
  return Object.fromEntries(e.extracted);
}
