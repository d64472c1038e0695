/**
 * OTLP metrics → Prometheus samples, following Alloy's converter
 * (grafana/alloy internal/component/otelcol/exporter/prometheus/internal/
 * convert/convert.go):
 *
 * - names from buildCompliantName (unit and type suffixes unless
 *   add_metric_suffixes = false);
 * - every series gets `job` (service.namespace/service.name or
 *   service.name) and `instance` (service.instance.id), the scope's
 *   otel_scope_name/otel_scope_version (include_scope_labels), then the data
 *   point's attributes as normalized labels (resource attributes too with
 *   resource_to_telemetry_conversion); empty values drop the label;
 * - `target_info` (value 1, now) carries the other resource attributes, once
 *   per resource per request (include_target_info), `otel_scope_info`
 *   likewise (include_scope_info);
 * - gauges; cumulative sums (monotonic → counter, else gauge; delta sums are
 *   dropped); cumulative histograms as _bucket{le} (cumulative counts,
 *   "+Inf" = count), _sum, _count; summaries as {quantile}, _sum, _count;
 * - a data point flagged "no recorded value" becomes a staleness marker; a
 *   sample older than the series' last one is skipped.
 *
 * Series label sets are cached (by their text) so the same object travels
 * with every sample of a series; entries not seen for gc_frequency go.
 * Exponential histograms (native histograms) and exemplars are not converted:
 * prometheus.remote_write here sends neither.
 */
import { formatFloatPlain } from '../../../go/strconv.js';
import { METRIC_NAME_LABEL, SampleBatchBuilder, seriesLabelsOf, type MetricMetadata, type MetricType, type SampleBatch, type SeriesLabels } from '../../common/metric-samples.js';
import {
  AGGREGATION_TEMPORALITY_CUMULATIVE,
  FLAG_NO_RECORDED_VALUE,
  int64ToNumber,
  nanosToNumber,
  valueAsString,
  type InstrumentationScope,
  type KeyValue,
  type Metric,
  type MetricsData,
  type NumberDataPoint,
} from '../pdata/model.js';
import { buildCompliantName, normalizeLabel } from '../pdata/prometheus-names.js';

export interface ConvertOptions {
  readonly includeTargetInfo: boolean;
  readonly includeScopeInfo: boolean;
  readonly includeScopeLabels: boolean;
  readonly addMetricSuffixes: boolean;
  readonly resourceToTelemetryConversion: boolean;
  readonly keepIdentifyingResourceAttributes: boolean;
  readonly honorMetadata: boolean;
}

interface CachedSeries {
  readonly labels: SeriesLabels;
  lastTimestampMs: number;
  seen: boolean;
}

interface ResourceInfo {
  readonly job: string;
  readonly instance: string;
}

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

export class MetricsConverter {
  private readonly series = new Map<string, CachedSeries>();

  constructor(private opts: ConvertOptions) {}

  setOptions(opts: ConvertOptions): void {
    this.opts = opts;
  }

  /** Forgets series not seen since the previous call (gc_frequency). */
  collectGarbage(): void {
    for (const [key, s] of this.series) {
      if (!s.seen) this.series.delete(key);
      else s.seen = false;
    }
  }

  get cachedSeries(): number {
    return this.series.size;
  }

  convert(data: MetricsData, nowMs = Date.now()): SampleBatch {
    const b = new SampleBatchBuilder(64);
    const metadata = new Map<string, MetricMetadata>();
    for (const rm of data.resourceMetrics ?? []) {
      const resAttrs = rm.resource?.attributes ?? [];
      const res = this.resourceInfo(resAttrs);
      if (this.opts.includeTargetInfo) {
        b.add(this.targetInfo(res, resAttrs), 1, nowMs);
        if (this.opts.honorMetadata) metadata.set('target_info', { type: 'gauge', help: 'Target metadata', unit: '' });
      }
      for (const sm of rm.scopeMetrics ?? []) {
        const scope = sm.scope ?? {};
        if (this.opts.includeScopeInfo) b.add(this.scopeInfo(res, scope), 1, nowMs);
        for (const m of sm.metrics ?? []) this.metric(b, metadata, res, scope, m, resAttrs);
      }
    }
    return b.finish(this.opts.honorMetadata ? metadata : undefined);
  }

  private resourceInfo(attrs: readonly KeyValue[]): ResourceInfo {
    const get = (k: string) => attrs.find((kv) => kv.key === k);
    const name = get('service.name');
    const ns = get('service.namespace');
    const job = name ? (ns ? `${valueAsString(ns.value)}/${valueAsString(name.value)}` : valueAsString(name.value)) : '';
    const instanceAttr = get('service.instance.id');
    return { job, instance: instanceAttr ? valueAsString(instanceAttr.value) : '' };
  }

  private targetInfo(res: ResourceInfo, attrs: readonly KeyValue[]): SeriesLabels {
    const pairs: [string, string][] = [[METRIC_NAME_LABEL, 'target_info'], ['job', res.job], ['instance', res.instance]];
    for (const kv of attrs) {
      if (!this.opts.keepIdentifyingResourceAttributes && IDENTIFYING.has(kv.key)) continue;
      setLabel(pairs, normalizeLabel(kv.key), valueAsString(kv.value));
    }
    return this.cached(pairs).labels;
  }

  private scopeInfo(res: ResourceInfo, scope: InstrumentationScope): SeriesLabels {
    const pairs: [string, string][] = [
      [METRIC_NAME_LABEL, 'otel_scope_info'], ['job', res.job], ['instance', res.instance],
      ['otel_scope_name', scope.name ?? ''], ['otel_scope_version', scope.version ?? ''],
    ];
    for (const kv of scope.attributes ?? []) setLabel(pairs, normalizeLabel(kv.key), valueAsString(kv.value));
    return this.cached(pairs).labels;
  }

  private seriesFor(res: ResourceInfo, scope: InstrumentationScope, name: string, attrs: readonly KeyValue[], extra?: [string, string]): CachedSeries {
    const pairs: [string, string][] = [[METRIC_NAME_LABEL, name], ['job', res.job], ['instance', res.instance]];
    if (extra) setLabel(pairs, extra[0], extra[1]);
    if (this.opts.includeScopeLabels) {
      setLabel(pairs, 'otel_scope_name', scope.name ?? '');
      setLabel(pairs, 'otel_scope_version', scope.version ?? '');
    }
    for (const kv of attrs) setLabel(pairs, normalizeLabel(kv.key), valueAsString(kv.value));
    return this.cached(pairs);
  }

  private cached(pairs: [string, string][]): CachedSeries {
    const labels = seriesLabelsOf(pairs);
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, lastTimestampMs: -Infinity, seen: true }));
    s.seen = true;
    return s;
  }

  /** Data point attributes, with the resource's joined in (they win) when resource_to_telemetry_conversion. */
  private pointAttrs(attrs: readonly KeyValue[] | null | undefined, resAttrs: readonly KeyValue[]): readonly KeyValue[] {
    const own = attrs ?? [];
    if (!this.opts.resourceToTelemetryConversion || resAttrs.length === 0) return own;
    const out = own.map((kv) => resAttrs.find((r) => r.key === kv.key) ?? kv);
    for (const r of resAttrs) if (!own.some((kv) => kv.key === r.key)) out.push(r);
    return out;
  }

  private metric(b: SampleBatchBuilder, metadata: Map<string, MetricMetadata>, res: ResourceInfo, scope: InstrumentationScope, m: Metric, resAttrs: readonly KeyValue[]): void {
    const name = buildCompliantName(m, this.opts.addMetricSuffixes);
    const meta = (type: MetricType) => {
      if (this.opts.honorMetadata) metadata.set(name, { type, help: m.description ?? '', unit: m.unit ?? '' });
    };
    const write = (s: CachedSeries, value: number, timeNanos: unknown, flags: number | null | undefined) => {
      const ms = Math.floor(nanosToNumber(timeNanos as number) / 1e6);
      if (ms < s.lastTimestampMs) return;
      s.lastTimestampMs = ms;
      if ((flags ?? 0) & FLAG_NO_RECORDED_VALUE) b.addStale(s.labels, ms);
      else b.add(s.labels, value, ms);
    };
    if (m.gauge) {
      meta('gauge');
      for (const dp of m.gauge.dataPoints ?? []) write(this.seriesFor(res, scope, name, this.pointAttrs(dp.attributes, resAttrs)), numberValue(dp), dp.timeUnixNano, dp.flags);
    } else if (m.sum) {
      if (m.sum.aggregationTemporality !== AGGREGATION_TEMPORALITY_CUMULATIVE) return;
      meta(m.sum.isMonotonic ? 'counter' : 'gauge');
      for (const dp of m.sum.dataPoints ?? []) write(this.seriesFor(res, scope, name, this.pointAttrs(dp.attributes, resAttrs)), numberValue(dp), dp.timeUnixNano, dp.flags);
    } else if (m.histogram) {
      if (m.histogram.aggregationTemporality !== AGGREGATION_TEMPORALITY_CUMULATIVE) return;
      meta('histogram');
      for (const dp of m.histogram.dataPoints ?? []) {
        const attrs = this.pointAttrs(dp.attributes, resAttrs);
        if (dp.sum !== null && dp.sum !== undefined) write(this.seriesFor(res, scope, `${name}_sum`, attrs), dp.sum, dp.timeUnixNano, dp.flags);
        write(this.seriesFor(res, scope, `${name}_count`, attrs), int64ToNumber(dp.count), dp.timeUnixNano, dp.flags);
        const bounds = dp.explicitBounds ?? [];
        const counts = dp.bucketCounts ?? [];
        const n = Math.min(bounds.length, counts.length);
        const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => bounds[x]! - bounds[y]!);
        let cumulative = 0;
        const cumulativeAt = new Map<number, number>();
        for (const i of order) cumulativeAt.set(bounds[i]!, (cumulative += int64ToNumber(counts[i])));
        for (let i = 0; i < n; i++) {
          write(this.seriesFor(res, scope, `${name}_bucket`, attrs, ['le', formatFloatPlain(bounds[i]!)]), cumulativeAt.get(bounds[i]!)!, dp.timeUnixNano, dp.flags);
        }
        write(this.seriesFor(res, scope, `${name}_bucket`, attrs, ['le', '+Inf']), int64ToNumber(dp.count), dp.timeUnixNano, dp.flags);
      }
    } else if (m.summary) {
      meta('summary');
      for (const dp of m.summary.dataPoints ?? []) {
        const attrs = this.pointAttrs(dp.attributes, resAttrs);
        write(this.seriesFor(res, scope, `${name}_sum`, attrs), dp.sum ?? 0, dp.timeUnixNano, dp.flags);
        write(this.seriesFor(res, scope, `${name}_count`, attrs), int64ToNumber(dp.count), dp.timeUnixNano, dp.flags);
        for (const q of dp.quantileValues ?? []) {
          write(this.seriesFor(res, scope, name, attrs, ['quantile', formatFloatPlain(q.quantile ?? 0)]), q.value ?? 0, dp.timeUnixNano, dp.flags);
        }
      }
    }
  }
}

/** labels.Builder.Set: replaces a label of the same name; an empty value deletes it (seriesLabelsOf drops empties). */
function setLabel(pairs: [string, string][], name: string, value: string): void {
  const at = pairs.findIndex(([n]) => n === name);
  if (at >= 0) pairs[at] = [name, value];
  else pairs.push([name, value]);
}

/** The value of a NumberDataPoint's `value` oneof. */
export function numberValue(dp: NumberDataPoint & { value?: string }): number {
  if (dp.value === 'asInt') return int64ToNumber(dp.asInt);
  if (dp.value === 'asDouble') return dp.asDouble ?? 0;
  if (Object.hasOwn(dp, 'asInt') && dp.asInt !== null && dp.asInt !== undefined) return int64ToNumber(dp.asInt);
  return dp.asDouble ?? 0;
}
