/**
 * otelcol.receiver.prometheus: takes Prometheus samples (export `receiver`,
 * for `forward_to` of prometheus.* components) and sends them on as OTLP
 * metrics (receiver-prometheus/convert.ts has the mapping). Arguments: the
 * `output` block and `debug_metrics` (grafana/alloy
 * internal/component/otelcol/receiver/prometheus/prometheus.go).
 *
 * One appended batch is one scrape, converted on its own as Alloy converts
 * one appender transaction. The append resolves once the output consumers
 * accepted the metrics and rejects when they refused them, so the refusal
 * reaches the scrape as Alloy's Commit error does.
 */
import { describeSchema, optionalBlock, schema, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { metricsReceiver, metricsReceiverType, type MetricMetadata, type SampleBatch } from '../common/metric-samples.js';
import { untilAborted } from '../common/until-aborted.js';
import { DebugMetricsBlock } from './config/unsupported.js';
import { fanOut, outputField, type Output } from './pdata/consumer.js';

const Arguments = schema({ output: outputField, debug_metrics: optionalBlock(DebugMetricsBlock) });
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: { kind: 'attr', type: metricsReceiverType, required: true } });

const NO_METADATA: ReadonlyMap<string, MetricMetadata> = new Map();

export const otelcolReceiverPrometheus = defineComponent({
  name: 'otelcol.receiver.prometheus',
  description: 'Turns Prometheus samples into OpenTelemetry metrics for otelcol components.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { ScrapeTransaction } = await import('./receiver-prometheus/convert.js');
    const { Payload } = await import('./pdata/payload.js');
    const { packageVersion } = await import('../../version.js');
    const version = packageVersion();
    let args = initial;
    const append = async (batch: SampleBatch) => {
      const tx = new ScrapeTransaction(batch.metadata ?? NO_METADATA, version);
      tx.appendBatch(batch);
      for (const why of tx.warnings) ctx.logger.warn('sample left out', { reason: why });
      const data = tx.result();
      if (!data) return;
      ctx.debug(() => `${batch.length} samples as ${data.resourceMetrics!.length} resources`);
      await fanOut((args.output as Output).metrics, Payload.fromData('metrics', data), {});
    };
    ctx.setExports({ receiver: metricsReceiver(append) });
    return {
      update(next: Arguments) {
        args = next;
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Exports, {
  receiver: 'Receiver that Prometheus components send samples to.',
});
