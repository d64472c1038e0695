/**
 * Runs an Alloy config in a Controller with the built-in components plus
 * test-only ones, for component tests:
 *
 *   const h = await Harness.start(`discovery.docker "d" { host = "…" }`);
 *   await eventually(() => h.targets('discovery.docker.d').length > 0);
 *
 * `testing.logs_capture "x" {}` exports a `receiver` that records every entry
 * (see `Harness.entries`); `slow_ms` delays each acknowledgement.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinComponents } from '../../src/components/index.js';
import { LOGS_RECEIVER_TYPE, receiverOf, type LogBatch, type LogsReceiver } from '../../src/components/common/log-entries.js';
import { untilAborted } from '../../src/components/common/until-aborted.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { attr, schema, t } from '../../src/lang/schema.js';
import type { Value } from '../../src/lang/value.js';
import { defineComponent, type ComponentDefinition } from '../../src/runtime/component.js';
import type { Controller } from '../../src/runtime/controller.js';
import { testController, testHost } from './controller.js';
import type { Health } from '../../src/runtime/health.js';
import { Logger, LogSettings } from '../../src/runtime/logger.js';
import type { MemoryBudget } from '../../src/runtime/memory.js';

export interface CapturedEntry {
  readonly labels: Record<string, string>;
  readonly ms: number;
  readonly ns: number;
  readonly line: string;
}

const captured = new Map<string, CapturedEntry[]>();

const logsCapture = defineComponent({
  name: 'testing.logs_capture',
  stability: 'generally-available',
  args: schema({ slow_ms: attr(t.int, 0) }),
  exports: schema({ receiver: { kind: 'attr', type: t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE), required: true } }),
  build(ctx, args) {
    const entries: CapturedEntry[] = [];
    captured.set(ctx.globalId, entries);
    ctx.setExports({
      receiver: receiverOf(async (batch: LogBatch) => {
        if (args.slow_ms > 0) await new Promise((r) => setTimeout(r, args.slow_ms));
        for (let i = 0; i < batch.lines.length; i++) {
          entries.push({ labels: { ...batch.labels }, ms: batch.ms[i]!, ns: batch.ns[i]!, line: batch.lines[i]! });
        }
      }),
    });
    return { update() {}, run: untilAborted };
  },
});

export class Harness {
  private constructor(
    readonly controller: Controller,
    readonly storagePath: string,
    readonly logLines: string[],
  ) {}

  /** Loads `text`; `storagePath` may be reused to simulate an agent restart. */
  static async start(text: string, opts: { storagePath?: string; components?: ComponentDefinition[]; memoryBudget?: MemoryBudget } = {}): Promise<Harness> {
    const storagePath = opts.storagePath ?? mkdtempSync(path.join(tmpdir(), 'alloy-ts-harness-'));
    const logLines: string[] = [];
    const registry = builtinComponents().register(logsCapture, ...(opts.components ?? []));
    const controller = testController(registry, {
      logger: new Logger(LogSettings.defaults((line: string) => void logLines.push(line))),
      storagePath,
      minStability: 'experimental',
      shutdownDeadlineMs: 10_000,
      host: { ...testHost, ...(opts.memoryBudget ? { memoryBudget: opts.memoryBudget } : {}) },
    });
    const h = new Harness(controller, storagePath, logLines);
    await h.apply(text);
    return h;
  }

  async apply(text: string): Promise<void> {
    const source = SourceFile.fromString('main.alloy', text);
    const { file, diagnostics } = parseFile(source);
    if (diagnostics.length) throw new Error(diagnostics.map((d) => d.message).join('\n'));
    await this.controller.apply([{ source, file }]);
  }

  exportOf(id: string, name: string): Value | undefined {
    const e = this.controller.get(id)?.exports;
    return e?.type === 'object' ? e.fields.get(name) : undefined;
  }

  /** A `targets` export as plain maps. */
  targets(id: string, name = 'targets'): Record<string, string>[] {
    const v = this.exportOf(id, name);
    if (v?.type !== 'array') return [];
    return v.elements.map((el) => {
      const out: Record<string, string> = {};
      if (el.type === 'object') for (const [k, x] of el.fields) if (x.type === 'string') out[k] = x.value;
      return out;
    });
  }

  health(id: string): Health | undefined {
    return this.controller.get(id)?.health;
  }

  /** Entries a `testing.logs_capture` component received so far (live array). */
  entries(id: string): CapturedEntry[] {
    return captured.get(id) ?? [];
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }
}

/** Polls `check` until it holds; throws with `what` after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, what = 'condition', ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
