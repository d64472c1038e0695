/** loki.write test helpers on top of the shared component Harness. */
import type { LogBatch, LogsReceiver, StructuredMetadata } from '../../../src/components/common/log-entries.js';
import { parseFile } from '../../../src/lang/parser.js';
import { SourceFile } from '../../../src/lang/position.js';
import { Harness } from '../../support/harness.js';

export interface WriteHarness {
  readonly harness: Harness;
  readonly logs: string[];
  /** Applies a new config text (a reload); throws with the diagnostics of a failed one. */
  reload(text: string): Promise<void>;
  receiver(id?: string): LogsReceiver;
  /** A counter's value, summed over the series whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>, id?: string): Promise<number>;
  debugInfo(id?: string): unknown;
}

/** Runs `text`; throws with the diagnostics when it does not load. */
export async function runConfig(text: string): Promise<WriteHarness> {
  const harness = await Harness.start('');
  try {
    await applyChecked(harness, text);
  } catch (err) {
    await harness.stop();
    throw err;
  }
  return {
    harness,
    logs: harness.logLines,
    reload: (next) => applyChecked(harness, next),
    receiver(id = 'loki.write.default') {
      const value = harness.exportOf(id, 'receiver');
      if (value?.type !== 'capsule') throw new Error(`${id} exports no receiver`);
      return value.payload as LogsReceiver;
    },
    async metric(name, labels = {}, id = 'loki.write.default') {
      const metric = (await harness.controller.get(id)?.registry?.getMetricsAsJSON())?.find((m) => m.name === name);
      let total = 0;
      for (const v of metric?.values ?? []) {
        if (Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)) total += v.value;
      }
      return total;
    },
    debugInfo: (id = 'loki.write.default') => harness.controller.get(id)?.debugInfo,
  };
}

/** Unlike Harness.apply, fails on evaluation diagnostics too (argument validation). */
async function applyChecked(harness: Harness, text: string): Promise<void> {
  const source = SourceFile.fromString('main.alloy', text);
  const { file, diagnostics } = parseFile(source);
  const problems = diagnostics.length > 0 ? diagnostics : await harness.controller.apply([{ source, file }]);
  if (problems.length > 0) throw new Error(problems.map((d) => d.message).join('\n'));
}

/** A batch of `count` entries `prefix-<i>` at 1ms steps from `startMs`, with `ns` extra nanoseconds each. */
export function makeBatch(
  labels: Record<string, string>,
  count: number,
  opts: { prefix?: string; startMs?: number; ns?: number; metadata?: (i: number) => StructuredMetadata | undefined; lineBytes?: number } = {},
): LogBatch {
  const { prefix = 'line', startMs = 1_700_000_000_000, ns = 0, metadata, lineBytes } = opts;
  const lines = Array.from({ length: count }, (_, i) => {
    const line = `${prefix}-${i}`;
    return lineBytes ? line.padEnd(lineBytes, '.') : line;
  });
  return {
    labels,
    ms: Float64Array.from(lines, (_, i) => startMs + i),
    ns: Int32Array.from(lines, () => ns),
    lines,
    ...(metadata ? { metadata: lines.map((_, i) => metadata(i)) } : {}),
  };
}
