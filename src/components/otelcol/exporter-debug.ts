/**
 * otelcol.exporter.debug: logs a summary of what it receives (`basic`,
 * `normal`) or every record (`detailed`), sampled as the collector's debug
 * exporter samples its log lines: the first `sampling_initial` lines of each
 * second, then every `sampling_thereafter`-th
 * (grafana/alloy internal/component/otelcol/exporter/debug/debug.go).
 * Lines go to the agent's logger, or with use_internal_logger = false to
 * stdout/stderr as listed in output_paths.
 */
import { describeSchema, attr, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { DebugMetricsBlock } from './config/unsupported.js';
import { consumerOf, InputExports } from './pdata/consumer.js';
import type { LogsData, MetricsData, TracesData } from './pdata/model.js';
import type { Payload } from './pdata/payload.js';

const Arguments = schema({
  verbosity: attr(t.oneOf('basic', 'normal', 'detailed'), 'basic'),
  sampling_initial: attr(t.int, 2),
  sampling_thereafter: attr(t.int, 1),
  use_internal_logger: attr(t.bool, true),
  output_paths: attr(t.list(t.checked('string', (p) => {
    if (p !== 'stdout' && p !== 'stderr') throw new Error(`output path ${JSON.stringify(p)} is not supported by alloy-ts (only "stdout" and "stderr")`);
  })), ['stdout']),
  debug_metrics: optionalBlock(DebugMetricsBlock),
});
type Arguments = Infer<typeof Arguments>;

/** zap's sampler: per second, the first `initial` entries, then every `thereafter`-th. */
class Sampler {
  private second = 0;
  private count = 0;

  allow(initial: number, thereafter: number): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.second) {
      this.second = now;
      this.count = 0;
    }
    this.count++;
    if (this.count <= initial) return true;
    return thereafter > 0 && (this.count - initial) % thereafter === 0;
  }
}

function summary(p: Payload): { msg: string; fields: Record<string, number> } {
  if (p.signal === 'traces') return { msg: 'Traces', fields: { 'resource spans': ((p.data as TracesData).resourceSpans ?? []).length, spans: p.items } };
  if (p.signal === 'logs') return { msg: 'Logs', fields: { 'resource logs': ((p.data as LogsData).resourceLogs ?? []).length, 'log records': p.items } };
  const rms = (p.data as MetricsData).resourceMetrics ?? [];
  const metrics = rms.reduce((n, rm) => n + (rm.scopeMetrics ?? []).reduce((k, sm) => k + (sm.metrics ?? []).length, 0), 0);
  return { msg: 'Metrics', fields: { 'resource metrics': rms.length, metrics, 'data points': p.items } };
}

export const otelcolExporterDebug = defineComponent({
  name: 'otelcol.exporter.debug',
  description: 'Writes the telemetry it receives to the console, for debugging.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { encodeJsonRequest } = await import('./pdata/codec.js');
    let args = initial;
    const sampler = new Sampler();
    const write = (msg: string, fields: Record<string, unknown>) => {
      if (args.use_internal_logger) return ctx.logger.info(msg, fields);
      const line = `${new Date().toISOString()}\tinfo\t${msg}\t${JSON.stringify(fields)}\n`;
      for (const out of args.output_paths) (out === 'stderr' ? process.stderr : process.stdout).write(line);
    };
    ctx.setExports({
      input: consumerOf(async (p) => {
        if (!sampler.allow(args.sampling_initial, args.sampling_thereafter)) return;
        const { msg, fields } = summary(p);
        write(msg, args.verbosity === 'detailed' ? { ...fields, data: encodeJsonRequest(p.signal, p.data) } : fields);
      }),
    });
    return {
      update(next: Arguments) {
        args = next;
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  verbosity: 'How much is written: basic, normal or detailed.',
  sampling_initial: 'Messages written each second before sampling starts.',
  sampling_thereafter: 'After that, one message in this many is written.',
  use_internal_logger: 'Write through Alloy\'s logger instead of directly to stderr.',
  output_paths: 'Where output goes when the internal logger is not used.',
});
