/**
 * Prometheus samples → OTLP metrics, one scrape (one SampleBatch) at a time,
 * as the transaction of Alloy's fork of the contrib prometheusreceiver does
 * (grafana/alloy internal/component/otelcol/receiver/prometheus/internal:
 * transaction.go, metricfamily.go, metadata.go, util.go, prom_to_otlp.go):
 *
 * - job/instance pick the resource: service.name, service.instance.id, the
 *   host and port of the instance (net.host.name / server.address only for a
 *   host that is not loopback or unspecified), net.host.port / server.port;
 *   `target_info` samples add their labels as resource attributes.
 * - otel_scope_name/version/schema_url labels pick the scope (otherwise the
 *   receiver's own, otelcol/prometheusreceiver), `otel_scope_info` gives its
 *   attributes.
 * - Families by their metadata (TYPE): counters become monotonic cumulative
 *   sums, gauges and untyped gauges, classic histograms (`_bucket` with `le`,
 *   `_sum`, `_count`) histograms with the +Inf bucket implied, summaries with
 *   their quantiles; info/stateset non-monotonic sums. `_created` samples are
 *   start timestamps (there is no other start time: Alloy builds the receiver
 *   without the start-time metric adjuster).
 * - A staleness marker becomes a point flagged "no recorded value".
 *
 * Not carried, because a SampleBatch does not: the target's discovered labels
 * (so no http.scheme / url.scheme, no k8s.* attributes), exemplars and native
 * histograms.
 */
import { parseGoFloat } from '../../../go/strconv.js';
import { isStaleAt, METRIC_NAME_LABEL, valueBits, type MetricMetadata, type MetricType, type SampleBatch, type SeriesLabels } from '../../common/metric-samples.js';
import { longFromBigInt } from '../pdata/codec.js';
import {
  AGGREGATION_TEMPORALITY_CUMULATIVE,
  FLAG_NO_RECORDED_VALUE,
  type HistogramDataPoint,
  type KeyValue,
  type Metric,
  type MetricsData,
  type NumberDataPoint,
  type ResourceMetrics,
  type SummaryDataPoint,
} from '../pdata/model.js';
import { goSplitHostPort, isDiscernibleHost } from './host.js';

export const RECEIVER_SCOPE_NAME = 'otelcol/prometheusreceiver';
const TARGET_INFO = 'target_info';
const SCOPE_INFO = 'otel_scope_info';
const SCOPE_NAME = 'otel_scope_name';
const SCOPE_VERSION = 'otel_scope_version';
const SCOPE_SCHEMA_URL = 'otel_scope_schema_url';

/** The OTLP shape a family becomes (pmetric.MetricType; 'empty' ends up a gauge). */
type OtlpType = 'sum' | 'gauge' | 'histogram' | 'summary' | 'empty';

/** Metadata of the scrape's own series (metadata.go internalMetricMetadata). */
const INTERNAL_METADATA: ReadonlyMap<string, MetricMetadata> = new Map([
  ['up', { type: 'gauge', help: 'The scraping was successful', unit: '' }],
  ['scrape_duration_seconds', { type: 'gauge', help: 'Duration of the scrape', unit: 'seconds' }],
  ['scrape_samples_scraped', { type: 'gauge', help: 'The number of samples the target exposed', unit: '' }],
  ['scrape_series_added', { type: 'gauge', help: 'The approximate number of new series in this scrape', unit: '' }],
  ['scrape_samples_post_metric_relabeling', { type: 'gauge', help: 'The number of samples remaining after metric relabeling was applied', unit: '' }],
]);

const TRIMMABLE_SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_info', '_created'];

/** util.go normalizeMetricName: the first trimmable suffix the name has (and is not only) is cut. */
export function normalizeMetricName(name: string): string {
  for (const s of TRIMMABLE_SUFFIXES) if (name.endsWith(s) && name !== s) return name.slice(0, -s.length);
  return name;
}

function otlpTypeOf(type: MetricType): { otlp: OtlpType; monotonic: boolean } {
  switch (type) {
    case 'counter':
      return { otlp: 'sum', monotonic: true };
    case 'gauge':
    case 'unknown':
      return { otlp: 'gauge', monotonic: false };
    case 'histogram':
      return { otlp: 'histogram', monotonic: true };
    case 'summary':
      return { otlp: 'summary', monotonic: true };
    case 'info':
    case 'stateset':
      return { otlp: 'sum', monotonic: false };
    default: // gaugehistogram: no OTLP equivalent upstream either
      return { otlp: 'empty', monotonic: false };
  }
}

const NOT_USEFUL_OTHER = new Set([METRIC_NAME_LABEL, 'instance', '__scheme__', '__metrics_path__', 'job', SCOPE_NAME, SCOPE_VERSION, SCOPE_SCHEMA_URL]);
const NOT_USEFUL_HISTOGRAM = new Set([...NOT_USEFUL_OTHER, 'le']);
const NOT_USEFUL_SUMMARY = new Set([...NOT_USEFUL_OTHER, 'quantile']);

function notUseful(type: OtlpType): ReadonlySet<string> {
  return type === 'histogram' ? NOT_USEFUL_HISTOGRAM : type === 'summary' ? NOT_USEFUL_SUMMARY : NOT_USEFUL_OTHER;
}

const WORD_TO_UCUM: Readonly<Record<string, string>> = {
  days: 'd', hours: 'h', minutes: 'min', seconds: 's', milliseconds: 'ms', microseconds: 'us', nanoseconds: 'ns',
  bytes: 'By', kibibytes: 'KiBy', mebibytes: 'MiBy', gibibytes: 'GiBy', tibibytes: 'TiBy',
  kilobytes: 'KBy', megabytes: 'MBy', gigabytes: 'GBy', terabytes: 'TBy',
  meters: 'm', volts: 'V', amperes: 'A', joules: 'J', watts: 'W', grams: 'g',
  celsius: 'Cel', hertz: 'Hz', ratio: '1', percent: '%',
};
const PER_WORD_TO_UCUM: Readonly<Record<string, string>> = { second: 's', minute: 'm', hour: 'h', day: 'd', week: 'w', month: 'mo', year: 'y' };

/** contrib pkg/translator/prometheus UnitWordToUCUM: "bytes_per_second" → "By/s", unknown words kept. */
export function unitWordToUcum(unit: string): string {
  const at = unit.indexOf('_per_');
  const main = at < 0 ? unit : unit.slice(0, at);
  const per = at < 0 ? '' : unit.slice(at + 5);
  let out = WORD_TO_UCUM[main] ?? main;
  if (per !== '') out += `/${PER_WORD_TO_UCUM[per] ?? per}`;
  return out;
}

interface Bound {
  readonly boundary: number;
  readonly value: number;
  readonly stale: boolean;
}

/** One data point in the making: a series, or a histogram's/summary's series that differ only in le/quantile. */
interface Group {
  readonly labels: SeriesLabels;
  ts: number;
  value: number;
  stale: boolean;
  count: number;
  hasCount: boolean;
  sum: number;
  hasSum: boolean;
  /** Whether `_sum` or `_count` was a staleness marker. */
  pointStale: boolean;
  createdSeconds: number;
  readonly bounds: Bound[];
}

class Family {
  readonly otlp: OtlpType;
  readonly monotonic: boolean;
  readonly groups = new Map<string, Group>();

  constructor(
    readonly name: string,
    /** The name its metadata was found under (MetricFamily). */
    readonly familyName: string,
    readonly metadata: MetricMetadata,
  ) {
    ({ otlp: this.otlp, monotonic: this.monotonic } = otlpTypeOf(metadata.type));
  }

  includes(metricName: string): boolean {
    return this.otlp !== 'gauge' ? normalizeMetricName(metricName) === this.name : metricName === this.name;
  }

  /** Adds a sample; a string says why it was not added (the scrape goes on, as upstream). */
  add(metricName: string, labels: SeriesLabels, ts: number, value: number, stale: boolean): string | undefined {
    const key = groupKey(labels, notUseful(this.otlp));
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { labels, ts, value: 0, stale: false, count: 0, hasCount: false, sum: 0, hasSum: false, pointStale: false, createdSeconds: 0, bounds: [] }));
    if (g.ts !== ts) return `inconsistent timestamps on metric points for metric ${metricName}`;
    const created = metricName === `${this.familyName}_created`;
    if (this.otlp === 'histogram' || this.otlp === 'summary') {
      if (metricName.endsWith('_sum')) {
        g.sum = value;
        g.hasSum = true;
        g.pointStale ||= stale;
      } else if (metricName.endsWith('_count')) {
        g.count = value;
        g.hasCount = true;
        g.pointStale ||= stale;
      } else if (created) g.createdSeconds = value;
      else {
        const name = this.otlp === 'histogram' ? 'le' : 'quantile';
        const text = labels[name] ?? '';
        if (text === '') return `'${name}' label on ${this.otlp} metric is missing or empty`;
        const parsed = parseGoFloat(text);
        if (!parsed.ok) return parsed.message;
        g.bounds.push({ boundary: parsed.value, value, stale });
      }
    } else if (this.otlp === 'sum' && created) g.createdSeconds = value;
    else {
      g.value = value;
      g.stale = stale;
    }
    return undefined;
  }

  toMetric(): Metric | undefined {
    const metric: Metric = {
      name: this.name,
      description: this.metadata.help,
      unit: unitWordToUcum(this.metadata.unit),
      metadata: [{ key: 'prometheus.type', value: { stringValue: this.metadata.type } }],
    };
    const groups = [...this.groups.values()];
    let points = 0;
    if (this.otlp === 'histogram') {
      const dataPoints = groups.flatMap((g) => histogramPoint(g) ?? []);
      metric.histogram = { dataPoints, aggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE };
      points = dataPoints.length;
    } else if (this.otlp === 'summary') {
      const dataPoints = groups.flatMap((g) => summaryPoint(g) ?? []);
      metric.summary = { dataPoints };
      points = dataPoints.length;
    } else if (this.otlp === 'sum') {
      const dataPoints = groups.map((g) => numberPoint(g, true));
      metric.sum = { dataPoints, aggregationTemporality: AGGREGATION_TEMPORALITY_CUMULATIVE, isMonotonic: this.monotonic };
      points = dataPoints.length;
    } else {
      const dataPoints = groups.map((g) => numberPoint(g, false));
      metric.gauge = { dataPoints };
      points = dataPoints.length;
    }
    return points > 0 ? metric : undefined;
  }
}

/** The labels that tell a family's data points apart (HashWithoutLabels), as a string key. */
function groupKey(labels: SeriesLabels, without: ReadonlySet<string>): string {
  let key = '';
  for (const name in labels) if (!without.has(name)) key += `${name}\xff${labels[name]}\xff`;
  return key;
}

function nanosFromMs(ms: number): ReturnType<typeof longFromBigInt> {
  return longFromBigInt(BigInt(Math.trunc(ms)) * 1_000_000n);
}

/** util.go timestampFromFloat64: whole seconds and the truncated nanoseconds of the fraction. */
function nanosFromSeconds(seconds: number): ReturnType<typeof longFromBigInt> {
  const whole = Math.trunc(seconds);
  return longFromBigInt(BigInt(whole) * 1_000_000_000n + BigInt(Math.trunc((seconds - whole) * 1e9)));
}

/** Go's uint64(float64) for the counts a scrape exposes (non-negative integers in practice). */
function toCount(v: number): number {
  return v > 0 && Number.isFinite(v) ? Math.trunc(v) : 0;
}

function attributesOf(labels: SeriesLabels, without: ReadonlySet<string>): KeyValue[] {
  const out: KeyValue[] = [];
  for (const name in labels) {
    const value = labels[name]!;
    if (!without.has(name) && value !== '') out.push({ key: name, value: { stringValue: value } });
  }
  return out;
}

function numberPoint(g: Group, sum: boolean): NumberDataPoint {
  const p: NumberDataPoint = {};
  if (sum && g.createdSeconds !== 0) p.startTimeUnixNano = nanosFromSeconds(g.createdSeconds);
  p.timeUnixNano = nanosFromMs(g.ts);
  if (g.stale) p.flags = FLAG_NO_RECORDED_VALUE;
  else p.asDouble = g.value;
  p.attributes = attributesOf(g.labels, NOT_USEFUL_OTHER);
  return p;
}

function histogramPoint(g: Group): HistogramDataPoint | undefined {
  if (!g.hasCount) return undefined;
  const sorted = [...g.bounds].sort((a, b) => a.boundary - b.boundary);
  const stale = g.pointStale;
  let n = sorted.length + 1;
  if (n > 1 && sorted[n - 2]!.boundary === Infinity) n--; // the +Inf bucket is the count
  const explicitBounds: number[] = [];
  const bucketCounts: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    explicitBounds.push(sorted[i]!.boundary);
    bucketCounts.push(stale ? 0 : toCount(i === 0 ? sorted[i]!.value : sorted[i]!.value - sorted[i - 1]!.value));
  }
  bucketCounts.push(stale ? 0 : toCount(n > 1 ? g.count - sorted[n - 2]!.value : g.count));
  const p: HistogramDataPoint = {};
  if (stale) p.flags = FLAG_NO_RECORDED_VALUE;
  else {
    p.count = toCount(g.count);
    if (g.hasSum) p.sum = g.sum;
  }
  p.explicitBounds = explicitBounds;
  p.bucketCounts = bucketCounts;
  if (g.createdSeconds !== 0) p.startTimeUnixNano = nanosFromSeconds(g.createdSeconds);
  p.timeUnixNano = nanosFromMs(g.ts);
  p.attributes = attributesOf(g.labels, NOT_USEFUL_HISTOGRAM);
  return p;
}

function summaryPoint(g: Group): SummaryDataPoint | undefined {
  if (!g.hasCount) return undefined;
  const sorted = [...g.bounds].sort((a, b) => a.boundary - b.boundary);
  const stale = g.pointStale;
  const p: SummaryDataPoint = {};
  if (stale) p.flags = FLAG_NO_RECORDED_VALUE;
  else {
    if (g.hasSum) p.sum = g.sum;
    p.count = toCount(g.count);
  }
  p.quantileValues = sorted.map((b) => (stale ? { quantile: b.boundary } : { quantile: b.boundary, value: b.value }));
  p.timeUnixNano = nanosFromMs(g.ts);
  if (g.createdSeconds !== 0) p.startTimeUnixNano = nanosFromSeconds(g.createdSeconds);
  p.attributes = attributesOf(g.labels, NOT_USEFUL_SUMMARY);
  return p;
}

interface Scope {
  readonly name: string;
  readonly version: string;
  readonly schemaUrl: string;
  /** Family key → family. */
  readonly families: Map<string, Family>;
}

interface ResourceState {
  readonly attributes: KeyValue[];
  readonly scopes: Map<string, Scope>;
  /** Scope key → attributes from otel_scope_info. */
  readonly scopeAttributes: Map<string, KeyValue[]>;
}

function putString(attrs: KeyValue[], key: string, value: string): void {
  const existing = attrs.find((kv) => kv.key === key);
  if (existing) existing.value = { stringValue: value };
  else attrs.push({ key, value: { stringValue: value } });
}

/** prom_to_otlp.go CreateResource, without the discovered labels (see the file comment). */
export function resourceAttributes(job: string, instance: string): KeyValue[] {
  const split = goSplitHostPort(instance);
  const host = split?.host ?? instance;
  const port = split?.port ?? '';
  const attrs: KeyValue[] = [];
  putString(attrs, 'service.name', job);
  if (isDiscernibleHost(host)) {
    putString(attrs, 'net.host.name', host);
    putString(attrs, 'server.address', host);
  }
  putString(attrs, 'service.instance.id', instance);
  putString(attrs, 'net.host.port', port);
  putString(attrs, 'server.port', port);
  return attrs;
}

function scopeKeyOf(name: string, version: string, schemaUrl: string): string {
  return `${name}\xff${version}\xff${schemaUrl}`;
}

/** One scrape's conversion (upstream's transaction). */
export class ScrapeTransaction {
  private readonly resources = new Map<string, ResourceState>();
  /** Why samples were left out (logged by the caller). */
  readonly warnings: string[] = [];

  constructor(
    private readonly metadata: ReadonlyMap<string, MetricMetadata>,
    private readonly buildVersion: string,
  ) {}

  appendBatch(batch: SampleBatch): void {
    const bits = valueBits(batch.values);
    for (let i = 0; i < batch.length; i++) this.append(batch.series[i]!, batch.timestamps[i]!, batch.values[i]!, isStaleAt(bits, i));
  }

  append(labels: SeriesLabels, ts: number, value: number, stale: boolean): void {
    const metricName = labels[METRIC_NAME_LABEL] ?? '';
    if (metricName === '') return this.warn('metricName not found from labels');
    const job = labels['job'] ?? '';
    const instance = labels['instance'] ?? '';
    if (job === '' || instance === '') return this.warn(`job or instance cannot be found from labels of ${metricName}`);
    const resource = this.resourceOf(job, instance);
    if (metricName === TARGET_INFO) {
      for (const name in labels) if (name !== 'job' && name !== 'instance' && name !== METRIC_NAME_LABEL) putString(resource.attributes, name, labels[name]!);
      return;
    }
    if (metricName === SCOPE_INFO) return this.addScopeInfo(resource, labels);
    const family = this.familyOf(this.scopeOf(resource, labels), metricName);
    const why = family.add(metricName, labels, ts, value, stale);
    if (why !== undefined) this.warn(`failed to add datapoint: ${why}`);
  }

  /** The OTLP metrics of the scrape; undefined when it has no data point. */
  result(): MetricsData | undefined {
    const resourceMetrics: ResourceMetrics[] = [];
    for (const resource of this.resources.values()) {
      const scopeMetrics = [];
      for (const [key, scope] of resource.scopes) {
        const metrics = [...scope.families.values()].flatMap((f) => f.toMetric() ?? []);
        if (metrics.length === 0) continue;
        const own = scope.name === '' && scope.version === '' && scope.schemaUrl === '';
        scopeMetrics.push({
          scope: own ? { name: RECEIVER_SCOPE_NAME, version: this.buildVersion } : { name: scope.name, version: scope.version, attributes: resource.scopeAttributes.get(key) ?? [] },
          metrics,
          ...(!own && scope.schemaUrl !== '' ? { schemaUrl: scope.schemaUrl } : {}),
        });
      }
      if (scopeMetrics.length > 0) resourceMetrics.push({ resource: { attributes: resource.attributes }, scopeMetrics });
    }
    return resourceMetrics.length > 0 ? { resourceMetrics } : undefined;
  }

  private warn(why: string): void {
    if (this.warnings.length < 10) this.warnings.push(why);
  }

  private resourceOf(job: string, instance: string): ResourceState {
    const key = `${job}\xff${instance}`;
    let r = this.resources.get(key);
    if (!r) this.resources.set(key, (r = { attributes: resourceAttributes(job, instance), scopes: new Map(), scopeAttributes: new Map() }));
    return r;
  }

  private scopeOf(resource: ResourceState, labels: SeriesLabels): Scope {
    const name = labels[SCOPE_NAME] ?? '';
    const version = labels[SCOPE_VERSION] ?? '';
    const schemaUrl = labels[SCOPE_SCHEMA_URL] ?? '';
    const key = scopeKeyOf(name, version, schemaUrl);
    let s = resource.scopes.get(key);
    if (!s) resource.scopes.set(key, (s = { name, version, schemaUrl, families: new Map() }));
    return s;
  }

  private addScopeInfo(resource: ResourceState, labels: SeriesLabels): void {
    const attrs: KeyValue[] = [];
    for (const name in labels) {
      if (name === 'job' || name === 'instance' || name === METRIC_NAME_LABEL || name === SCOPE_NAME || name === SCOPE_VERSION || name === SCOPE_SCHEMA_URL) continue;
      putString(attrs, name, labels[name]!);
    }
    resource.scopeAttributes.set(scopeKeyOf(labels[SCOPE_NAME] ?? '', labels[SCOPE_VERSION] ?? '', labels[SCOPE_SCHEMA_URL] ?? ''), attrs);
  }

  /** transaction.go getOrCreateMetricFamily: a sample joins the family of its name or of its name without a suffix. */
  private familyOf(scope: Scope, metricName: string): Family {
    const existing = scope.families.get(metricName);
    if (existing) return existing;
    const familyName = this.metadata.has(metricName) ? metricName : normalizeMetricName(metricName);
    const merged = scope.families.get(familyName);
    if (merged && merged.includes(metricName)) return merged;
    const family = this.newFamily(metricName);
    scope.families.set(family.name, family);
    return family;
  }

  /** metadata.go metadataForMetric. */
  private newFamily(metricName: string): Family {
    const internal = INTERNAL_METADATA.get(metricName);
    if (internal) return new Family(metricName, metricName, internal);
    const own = this.metadata.get(metricName);
    if (own) return new Family(metricName, metricName, own);
    const normalized = normalizeMetricName(metricName);
    const merged = this.metadata.get(normalized);
    if (merged) return new Family(merged.type === 'counter' ? metricName : normalized, normalized, merged);
    return new Family(metricName, metricName, { type: 'unknown', help: '', unit: '' });
  }
}
