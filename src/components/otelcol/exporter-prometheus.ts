/**
 * otelcol.exporter.prometheus: converts OTLP metrics to Prometheus samples
 * (exporter-prometheus/convert.ts) and appends them to `forward_to`; the
 * consumer's promise resolves once the receivers acknowledged them.
 *
 * Arguments and defaults: grafana/alloy
 * internal/component/otelcol/exporter/prometheus/prometheus.go.
 */
import { describeSchema, attr, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { fanOutSamples, metricsReceiverType } from '../common/metric-samples.js';
import { DebugMetricsBlock } from './config/unsupported.js';
import { ConsumerError, consumerFor, InputExports } from './pdata/consumer.js';
import type { MetricsData } from './pdata/model.js';
import type { ConvertOptions } from './exporter-prometheus/convert.js';

const Arguments = schema(
  {
    forward_to: attr(t.list(metricsReceiverType)),
    include_target_info: attr(t.bool, true),
    include_scope_info: attr(t.bool, false),
    include_scope_labels: attr(t.bool, true),
    add_metric_suffixes: attr(t.bool, true),
    gc_frequency: attr(t.duration, '5m'),
    resource_to_telemetry_conversion: attr(t.bool, false),
    keep_identifying_resource_attributes: attr(t.bool, false),
    honor_metadata: attr(t.bool, false),
    convert_classic_histograms_to_nhcb: attr(t.bool, false),
    start_timestamp_zero_ingestion: attr(t.bool, false),
    debug_metrics: optionalBlock(DebugMetricsBlock),
  },
  (a) => {
    if (a.gc_frequency <= 0) return 'gc_frequency must be greater than 0';
    if (a.convert_classic_histograms_to_nhcb) return 'convert_classic_histograms_to_nhcb = true is not supported by alloy-ts (prometheus.remote_write sends no native histograms)';
    if (a.start_timestamp_zero_ingestion) return 'start_timestamp_zero_ingestion = true is not supported by alloy-ts';
    return undefined;
  },
);
export type PrometheusExporterArgs = Infer<typeof Arguments>;

function optionsOf(a: PrometheusExporterArgs): ConvertOptions {
  return {
    includeTargetInfo: a.include_target_info,
    includeScopeInfo: a.include_scope_info,
    includeScopeLabels: a.include_scope_labels,
    addMetricSuffixes: a.add_metric_suffixes,
    resourceToTelemetryConversion: a.resource_to_telemetry_conversion,
    keepIdentifyingResourceAttributes: a.keep_identifying_resource_attributes,
    honorMetadata: a.honor_metadata,
  };
}

export const otelcolExporterPrometheus = defineComponent({
  name: 'otelcol.exporter.prometheus',
  description: 'Turns OpenTelemetry metrics into Prometheus samples and forwards them to Prometheus receivers.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { MetricsConverter } = await import('./exporter-prometheus/convert.js');
    let args = initial;
    const converter = new MetricsConverter(optionsOf(args));
    let gc = setInterval(() => converter.collectGarbage(), args.gc_frequency);
    ctx.setExports({
      input: consumerFor(['metrics'], ctx.id, async (payload) => {
        const batch = converter.convert(payload.data as MetricsData);
        ctx.debug(() => `${batch.length} samples`);
        try {
          await fanOutSamples(args.forward_to, batch);
        } catch (err) {
          throw new ConsumerError(err instanceof Error ? err.message : String(err), false);
        }
      }),
    });
    return {
      update(next: PrometheusExporterArgs) {
        if (next.gc_frequency !== args.gc_frequency) {
          clearInterval(gc);
          gc = setInterval(() => converter.collectGarbage(), next.gc_frequency);
        }
        args = next;
        converter.setOptions(optionsOf(args));
      },
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        clearInterval(gc);
      },
      debugInfo: () => ({ cached_series: converter.cachedSeries }),
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Prometheus receivers the samples are sent to.',
  include_target_info: 'Add a target_info series with the resource attributes.',
  include_scope_info: 'Add an otel_scope_info series per instrumentation scope.',
  include_scope_labels: 'Add otel_scope_name and otel_scope_version labels.',
  add_metric_suffixes: 'Add unit and type suffixes (_total, _seconds) to metric names.',
  gc_frequency: 'How often stale series are forgotten.',
  resource_to_telemetry_conversion: 'Turn all resource attributes into labels.',
  keep_identifying_resource_attributes: 'Also keep service.name, service.namespace and service.instance.id in target_info.',
  honor_metadata: 'Forward metric metadata with the samples.',
  convert_classic_histograms_to_nhcb: 'Turn classic histograms into native histograms with custom buckets.',
  start_timestamp_zero_ingestion: 'Add zero samples at the start timestamps of cumulative series.',
});
