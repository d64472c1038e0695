/**
 * OTLP as typed data inside the agent: the shapes of the OTLP export requests
 * (resource → scope → items), exactly as the protobuf codec produces them
 * (protobufjs field names, lowerCamelCase), so data decoded by a receiver
 * travels through processors to an exporter without being re-encoded on the
 * way. 64-bit integers are protobufjs `Long`s (nanosecond timestamps need all
 * 64 bits); ids are byte arrays.
 *
 * Components treat what they receive as read-only: a processor that changes
 * data builds new containers (fan-out hands the same object to every
 * consumer). Layout: open-telemetry/opentelemetry-proto, opentelemetry/proto.
 */

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** A protobufjs Long (what the codec decodes 64-bit fields into); its toString is exact. */
export interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
  toString(radix?: number): string;
}

export type Int64 = LongLike | number;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

export interface Resource {
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

export interface InstrumentationScope {
  name?: string | null;
  version?: string | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
}

// --- traces

export interface Span {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  traceState?: string | null;
  parentSpanId?: Uint8Array | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64 | null;
  endTimeUnixNano?: Int64 | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  events?: unknown[] | null;
  droppedEventsCount?: number | null;
  links?: unknown[] | null;
  droppedLinksCount?: number | null;
  status?: { message?: string | null; code?: number | null } | null;
}

export interface ScopeSpans {
  scope?: InstrumentationScope | null;
  spans?: Span[] | null;
  schemaUrl?: string | null;
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans?: ScopeSpans[] | null;
  schemaUrl?: string | null;
}

export interface TracesData {
  resourceSpans?: ResourceSpans[] | null;
}

// --- metrics

export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  asDouble?: number | null;
  asInt?: Int64 | null;
  exemplars?: unknown[] | null;
  flags?: number | null;
}

export interface HistogramDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  count?: Int64 | null;
  sum?: number | null;
  bucketCounts?: Int64[] | null;
  explicitBounds?: number[] | null;
  exemplars?: unknown[] | null;
  flags?: number | null;
  min?: number | null;
  max?: number | null;
}

export interface SummaryDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  count?: Int64 | null;
  sum?: number | null;
  quantileValues?: { quantile?: number | null; value?: number | null }[] | null;
  flags?: number | null;
}

/** Data points of an exponential histogram are passed through as decoded. */
export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[] | null;
  timeUnixNano?: Int64 | null;
  [field: string]: unknown;
}

export const AGGREGATION_TEMPORALITY_DELTA = 1;
export const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface Metric {
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: { dataPoints?: NumberDataPoint[] | null; aggregationTemporality?: number | null; isMonotonic?: boolean | null } | null;
  histogram?: { dataPoints?: HistogramDataPoint[] | null; aggregationTemporality?: number | null } | null;
  exponentialHistogram?: { dataPoints?: ExponentialHistogramDataPoint[] | null; aggregationTemporality?: number | null } | null;
  summary?: { dataPoints?: SummaryDataPoint[] | null } | null;
  metadata?: KeyValue[] | null;
}

export interface ScopeMetrics {
  scope?: InstrumentationScope | null;
  metrics?: Metric[] | null;
  schemaUrl?: string | null;
}

export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics?: ScopeMetrics[] | null;
  schemaUrl?: string | null;
}

export interface MetricsData {
  resourceMetrics?: ResourceMetrics[] | null;
}

// --- logs

export interface LogRecord {
  timeUnixNano?: Int64 | null;
  observedTimeUnixNano?: Int64 | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  eventName?: string | null;
}

export interface ScopeLogs {
  scope?: InstrumentationScope | null;
  logRecords?: LogRecord[] | null;
  schemaUrl?: string | null;
}

export interface ResourceLogs {
  resource?: Resource | null;
  scopeLogs?: ScopeLogs[] | null;
  schemaUrl?: string | null;
}

export interface LogsData {
  resourceLogs?: ResourceLogs[] | null;
}

export interface SignalData {
  traces: TracesData;
  metrics: MetricsData;
  logs: LogsData;
}

export type AnySignalData = TracesData | MetricsData | LogsData;

// ---------------------------------------------------------------------------
// Counting (what the collector's metrics count: spans, data points, log records)

export function spanCount(d: TracesData): number {
  let n = 0;
  for (const rs of d.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

export function dataPointCount(d: MetricsData): number {
  let n = 0;
  for (const rm of d.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) n += metricPoints(m);
  return n;
}

export function metricPoints(m: Metric): number {
  return (
    (m.gauge?.dataPoints?.length ?? 0) +
    (m.sum?.dataPoints?.length ?? 0) +
    (m.histogram?.dataPoints?.length ?? 0) +
    (m.exponentialHistogram?.dataPoints?.length ?? 0) +
    (m.summary?.dataPoints?.length ?? 0)
  );
}

export function logRecordCount(d: LogsData): number {
  let n = 0;
  for (const rl of d.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  return n;
}

export function itemCount(signal: Signal, d: AnySignalData): number {
  if (signal === 'traces') return spanCount(d as TracesData);
  if (signal === 'metrics') return dataPointCount(d as MetricsData);
  return logRecordCount(d as LogsData);
}

/** The collector's word for a signal's items in metric names ("spans", "metric_points", "log_records"). */
export const ITEM_NAME: Readonly<Record<Signal, string>> = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' };

// ---------------------------------------------------------------------------
// Values

/** Nanoseconds since the epoch as a JS number (exact to 256 ns at today's dates: enough for ms). */
export function nanosToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return (v.unsigned ? v.high >>> 0 : v.high) * 4294967296 + (v.low >>> 0);
}

export function int64ToNumber(v: Int64 | null | undefined): number {
  return nanosToNumber(v);
}

/** An attribute list as a lookup (last one wins, as pdata's Map.Get finds the first: lists have unique keys). */
export function attributeValue(attrs: readonly KeyValue[] | null | undefined, key: string): AnyValue | undefined {
  if (!attrs) return undefined;
  for (const kv of attrs) if (kv.key === key) return kv.value ?? {};
  return undefined;
}

export type AnyValueKind = 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';

const ANY_VALUE_KINDS: readonly AnyValueKind[] = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'];

/**
 * Which member of AnyValue's `value` oneof is set. Decoded messages say so
 * in their `value` property (protobufjs' oneof accessor; their prototypes
 * carry defaults for every member); plain objects by the own field present.
 */
export function anyValueKind(v: AnyValue | null | undefined): AnyValueKind | undefined {
  if (!v) return undefined;
  const set = (v as { value?: unknown }).value;
  if (typeof set === 'string') return set as AnyValueKind;
  for (const k of ANY_VALUE_KINDS) if (Object.hasOwn(v, k) && v[k] !== null && v[k] !== undefined) return k;
  return undefined;
}

/** pcommon.Value.AsString: strings as they are, others in their JSON form. */
export function valueAsString(v: AnyValue | null | undefined): string {
  switch (anyValueKind(v)) {
    case 'stringValue': return v!.stringValue ?? '';
    case 'boolValue': return v!.boolValue ? 'true' : 'false';
    case 'intValue': return v!.intValue!.toString();
    case 'doubleValue': return doubleAsString(v!.doubleValue ?? 0);
    case 'bytesValue': return Buffer.from(v!.bytesValue!).toString('base64');
    case 'arrayValue': case 'kvlistValue': return JSON.stringify(valueAsRaw(v));
    default: return '';
  }
}

/** pcommon.Value.AsRaw: the plain JS value (maps as objects, lists as arrays, bytes as base64). */
export function valueAsRaw(v: AnyValue | null | undefined): unknown {
  switch (anyValueKind(v)) {
    case 'stringValue': return v!.stringValue ?? '';
    case 'boolValue': return !!v!.boolValue;
    case 'intValue': return typeof v!.intValue === 'number' ? v!.intValue : RawInt.of(v!.intValue!);
    case 'doubleValue': return v!.doubleValue ?? 0;
    case 'bytesValue': return Buffer.from(v!.bytesValue!).toString('base64');
    case 'arrayValue': return (v!.arrayValue!.values ?? []).map(valueAsRaw);
    case 'kvlistValue': return attributesAsRaw(v!.kvlistValue!.values);
    default: return null;
  }
}

export function attributesAsRaw(attrs: readonly KeyValue[] | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of attrs ?? []) out[kv.key] = valueAsRaw(kv.value);
  return out;
}

/** A 64-bit integer that must print exactly in JSON (beyond 2^53). */
export class RawInt {
  private constructor(readonly text: string) {}
  static of(v: LongLike): number | RawInt {
    const n = int64ToNumber(v);
    return Number.isSafeInteger(n) ? n : new RawInt(v.toString());
  }
  toJSON(): number {
    return Number(this.text);
  }
}

/**
 * pcommon's float64AsString: as ES6 converts numbers to strings (what Go's
 * JSON encoder does too), so JavaScript's own conversion is exact here.
 */
export function doubleAsString(f: number): string {
  if (Number.isFinite(f)) return String(f);
  return `json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`;
}

/** Splits nanoseconds since the epoch into whole milliseconds and the nanoseconds within (exact). */
export function nanosToMsNs(v: Int64 | null | undefined): [number, number] {
  if (v === null || v === undefined) return [0, 0];
  const big = typeof v === 'number' ? BigInt(Math.trunc(v)) : (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return [Number(big / 1_000_000n), Number(big % 1_000_000n)];
}

/** Whether a 64-bit value is zero. */
export function isZero(v: Int64 | null | undefined): boolean {
  if (v === null || v === undefined) return true;
  return typeof v === 'number' ? v === 0 : v.low === 0 && v.high === 0;
}

export function hexId(id: Uint8Array | null | undefined): string {
  if (!id || id.length === 0) return '';
  let allZero = true;
  for (const b of id) if (b !== 0) allZero = false;
  return allZero ? '' : Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}
