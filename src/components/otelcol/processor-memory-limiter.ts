/**
 * otelcol.processor.memory_limiter: checks the agent's memory every
 * `check_interval` and, while usage is above the soft limit (limit −
 * spike_limit), refuses data with a retryable error, so receivers answer
 * UNAVAILABLE / 503 and senders back off (go.opentelemetry.io/collector
 * processor/memorylimiterprocessor). The collector measures Go's heap; here
 * the measure is the process' resident set size, which is what `run
 * --memory-limit` bounds. Percentages are of that limit when one is set, else
 * of the machine's memory.
 *
 * Arguments: grafana/alloy
 * internal/component/otelcol/processor/memorylimiter/memorylimiter.go.
 */
import type { Counter } from 'prom-client';
import { totalmem } from 'node:os';
import { describeSchema, attr, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { DebugMetricsBlock } from './config/unsupported.js';
import { ConsumerError, consumerOf, fanOut, InputExports, outputField, type Output } from './pdata/consumer.js';
import { ITEM_NAME, SIGNALS, type Signal } from './pdata/model.js';

const Arguments = schema(
  {
    check_interval: attr(t.duration),
    limit: attr(t.bytes, '0MiB'),
    spike_limit: optional(t.bytes),
    limit_percentage: attr(t.int, 0),
    spike_limit_percentage: attr(t.int, 0),
    output: outputField,
    debug_metrics: optionalBlock(DebugMetricsBlock),
  },
  (a) => {
    if (a.check_interval <= 0) return 'check_interval must be greater than zero';
    if (a.limit > 0 && a.limit_percentage > 0) return 'limit and limit_percentage are mutually exclusive';
    if (a.limit === 0 && a.limit_percentage === 0) return "'limit' or 'limit_percentage' must be greater than zero";
    if (a.limit_percentage > 100 || a.spike_limit_percentage > 100) return 'percentages must not exceed 100';
    if (a.limit > 0 && (a.spike_limit ?? a.limit / 5) >= a.limit) return "'spike_limit' must be smaller than 'limit'";
    if (a.limit_percentage > 0 && a.spike_limit_percentage >= a.limit_percentage) return "'spike_limit_percentage' must be smaller than 'limit_percentage'";
    return undefined;
  },
);
type Arguments = Infer<typeof Arguments>;

/** The hard and soft limits in bytes. */
export function limitsOf(a: Arguments, totalBytes: number): { hard: number; soft: number } {
  if (a.limit > 0) return { hard: a.limit, soft: a.limit - (a.spike_limit ?? Math.floor(a.limit / 5)) };
  const hard = Math.floor((totalBytes * a.limit_percentage) / 100);
  return { hard, soft: hard - Math.floor((totalBytes * a.spike_limit_percentage) / 100) };
}

export const otelcolProcessorMemoryLimiter = defineComponent({
  name: 'otelcol.processor.memory_limiter',
  description: 'Refuses telemetry while the process uses more memory than its limits, so that it does not run out.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    // prom-client loads when the component is built, not with its declaration (validate never needs it).
    const { Counter: PromCounter } = await import('prom-client');
    let args = initial;
    const total = () => ctx.host.memoryBudget?.limitBytes ?? totalmem();
    let refusing = false;
    const refused = Object.fromEntries(
      SIGNALS.map((s) => [s, new PromCounter({ name: `otelcol_processor_refused_${ITEM_NAME[s]}_total`, help: `Number of ${ITEM_NAME[s].replace('_', ' ')} that were rejected by the next component in the pipeline.`, registers: [ctx.registry] })]),
    ) as Record<Signal, Counter>;
    const check = () => {
      const { soft } = limitsOf(args, total());
      const used = process.memoryUsage.rss();
      const next = used >= soft;
      if (next !== refusing) {
        refusing = next;
        if (refusing) ctx.logger.warn('Memory usage is above soft limit. Refusing data.', { cur_mem_mib: Math.round(used / 2 ** 20), soft_limit_mib: Math.round(soft / 2 ** 20) });
        else ctx.logger.info('Memory usage back within limits. Resuming normal operation.', { cur_mem_mib: Math.round(used / 2 ** 20) });
      }
    };
    check();
    let timer = setInterval(check, args.check_interval);
    ctx.setExports({
      input: consumerOf(async (payload, consumeCtx) => {
        if (refusing) {
          refused[payload.signal].inc(payload.items);
          throw new ConsumerError('data refused due to high memory usage', false);
        }
        return fanOut((args.output as Output)[payload.signal], payload, consumeCtx);
      }),
    });
    return {
      update(next: Arguments) {
        if (next.check_interval !== args.check_interval) {
          clearInterval(timer);
          timer = setInterval(check, next.check_interval);
        }
        args = next;
        check();
      },
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        clearInterval(timer);
      },
      debugInfo: () => ({ refusing, rss_bytes: process.memoryUsage.rss(), ...limitsOf(args, total()) }),
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  check_interval: 'How often memory use is measured.',
  limit: 'Memory limit in bytes.',
  spike_limit: 'Headroom below the limit for spikes between checks.',
  limit_percentage: 'Memory limit as a percentage of total memory.',
  spike_limit_percentage: 'Spike headroom as a percentage of total memory.',
});
