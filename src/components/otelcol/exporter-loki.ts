/**
 * otelcol.exporter.loki: converts OTLP logs to Loki entries
 * (exporter-loki/convert.ts) and sends them to `forward_to`. The consumer's
 * promise resolves once every receiver acknowledged the entries, so an
 * OTLP sender learns about a refusal downstream.
 *
 * Arguments and metrics: grafana/alloy
 * internal/component/otelcol/exporter/loki/loki.go, internal/convert/metrics.go.
 */
import { describeSchema, attr, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { consumerFor, InputExports } from './pdata/consumer.js';
import type { LogsData } from './pdata/model.js';

const Arguments = schema({
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
});
export type LokiExporterArgs = Infer<typeof Arguments>;

export const otelcolExporterLoki = defineComponent({
  name: 'otelcol.exporter.loki',
  description: 'Turns OpenTelemetry logs into Loki log entries and forwards them to Loki receivers.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { LokiConverter } = await import('./exporter-loki/converter.js');
    let args = initial;
    const converter = new LokiConverter(ctx);
    ctx.setExports({ input: consumerFor(['logs'], ctx.id, (payload) => converter.consume(payload.data as LogsData, args.forward_to)) });
    return {
      update(next: LokiExporterArgs) {
        args = next;
      },
      run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Loki receivers the entries are sent to.',
});
