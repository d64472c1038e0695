/**
 * The work of otelcol.processor.attributes (see processor-attributes.ts):
 * matching items and applying actions to copies of their attribute lists.
 * Input data is never changed: changed items and their containers are new
 * objects, unchanged ones are shared.
 */
import { createHash } from 'node:crypto';
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import type { Value } from '../../../lang/value.js';
import type { ClientMetadata } from '../pdata/consumer.js';
import {
  anyValueKind,
  attributeValue,
  int64ToNumber,
  valueAsString,
  type AnyValue,
  type InstrumentationScope,
  type KeyValue,
  type LogsData,
  type MetricsData,
  type TracesData,
} from '../pdata/model.js';
import { Payload } from '../pdata/payload.js';
import type { ActionArgs, AttributesArgs, MatchArgs } from '../processor-attributes.js';

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];

/** An Alloy value as an OTLP AnyValue. */
export function anyValueOf(v: Value): AnyValue {
  switch (v.type) {
    case 'string': return { stringValue: v.value };
    case 'bool': return { boolValue: v.value };
    case 'number': {
      const n = Number(v.value);
      return Number.isInteger(n) ? { intValue: n } : { doubleValue: n };
    }
    case 'array': return { arrayValue: { values: v.elements.map(anyValueOf) } };
    case 'object': return { kvlistValue: { values: [...v.fields].map(([key, x]) => ({ key, value: anyValueOf(x) })) } };
    default: return {};
  }
}

interface CompiledAction {
  readonly args: ActionArgs;
  readonly value?: AnyValue;
  readonly pattern?: Re2Regexp;
}

/** What a matcher sees of an item. */
interface Item {
  readonly service?: string;
  readonly resource: readonly KeyValue[];
  readonly scope: InstrumentationScope;
  readonly attributes: readonly KeyValue[];
  readonly spanName?: string;
  readonly spanKind?: number;
  readonly logBody?: string;
  readonly severityText?: string;
  readonly metricName?: string;
}

type Matcher = (item: Item) => boolean;

function stringMatcher(strict: boolean, patterns: readonly string[]): (s: string | undefined) => boolean {
  const res = strict ? [] : patterns.map((p) => Re2Regexp.compile(p));
  return (s) => s !== undefined && (strict ? patterns.includes(s) : res.some((r) => r.test(s)));
}

function attrsMatcher(strict: boolean, wanted: readonly { key: string; value?: Value | undefined }[]): (attrs: readonly KeyValue[]) => boolean {
  const checks = wanted.map(({ key, value }) => {
    if (value === undefined) return (attrs: readonly KeyValue[]) => attributeValue(attrs, key) !== undefined;
    if (strict) {
      const want = valueAsString(anyValueOf(value));
      return (attrs: readonly KeyValue[]) => {
        const got = attributeValue(attrs, key);
        return got !== undefined && valueAsString(got) === want;
      };
    }
    const re = Re2Regexp.compile(value.type === 'string' ? value.value : valueAsString(anyValueOf(value)));
    return (attrs: readonly KeyValue[]) => {
      const got = attributeValue(attrs, key);
      return got !== undefined && anyValueKind(got) === 'stringValue' && re.test(got.stringValue ?? '');
    };
  });
  return (attrs) => checks.every((c) => c(attrs));
}

function matcherOf(m: MatchArgs): Matcher {
  const strict = m.match_type === 'strict';
  const checks: Matcher[] = [];
  const on = (list: readonly string[], get: (i: Item) => string | undefined) => {
    if (list.length === 0) return;
    const match = stringMatcher(strict, list);
    checks.push((i) => match(get(i)));
  };
  on(m.services, (i) => i.service);
  on(m.span_names, (i) => i.spanName);
  on(m.span_kinds, (i) => (i.spanKind === undefined ? undefined : SPAN_KINDS[i.spanKind]));
  on(m.log_bodies, (i) => i.logBody);
  on(m.log_severity_texts, (i) => i.severityText);
  on(m.metric_names, (i) => i.metricName);
  if (m.attribute.length > 0) {
    const match = attrsMatcher(strict, m.attribute);
    checks.push((i) => match(i.attributes));
  }
  if (m.resource.length > 0) {
    const match = attrsMatcher(strict, m.resource);
    checks.push((i) => match(i.resource));
  }
  if (m.library.length > 0) {
    const libs = m.library.map((l) => ({ name: stringMatcher(strict, [l.name]), version: l.version === undefined ? undefined : stringMatcher(strict, [l.version]) }));
    checks.push((i) => libs.some((l) => l.name(i.scope.name ?? '') && (!l.version || l.version(i.scope.version ?? ''))));
  }
  return (item) => checks.every((c) => c(item));
}

export class AttributesProcessor {
  private readonly actions: CompiledAction[];
  private readonly include?: Matcher;
  private readonly exclude?: Matcher;

  constructor(args: AttributesArgs) {
    this.actions = args.action.map((a) => ({
      args: a,
      ...(a.value !== undefined ? { value: anyValueOf(a.value) } : {}),
      ...(a.pattern ? { pattern: Re2Regexp.compile(a.pattern) } : {}),
    }));
    if (args.include) this.include = matcherOf(args.include);
    if (args.exclude) this.exclude = matcherOf(args.exclude);
  }

  process(payload: Payload, metadata: ClientMetadata | undefined): Payload {
    if (this.actions.length === 0) return payload;
    const apply = (attrs: readonly KeyValue[] | null | undefined) => this.apply(attrs ?? [], metadata);
    if (payload.signal === 'traces') return Payload.fromData('traces', this.traces(payload.data as TracesData, apply));
    if (payload.signal === 'logs') return Payload.fromData('logs', this.logs(payload.data as LogsData, apply));
    return Payload.fromData('metrics', this.metrics(payload.data as MetricsData, apply));
  }

  private selected(item: Item): boolean {
    if (this.include && !this.include(item)) return false;
    return !(this.exclude && this.exclude(item));
  }

  private traces(d: TracesData, apply: (a: readonly KeyValue[] | null | undefined) => KeyValue[]): TracesData {
    return {
      resourceSpans: (d.resourceSpans ?? []).map((rs) => {
        const resource = rs.resource?.attributes ?? [];
        const service = serviceOf(resource);
        return {
          ...rs,
          scopeSpans: (rs.scopeSpans ?? []).map((ss) => ({
            ...ss,
            spans: (ss.spans ?? []).map((span) => {
              const item: Item = { service, resource, scope: ss.scope ?? {}, attributes: span.attributes ?? [], spanName: span.name ?? '', spanKind: span.kind ?? 0 };
              return this.selected(item) ? { ...span, attributes: apply(span.attributes) } : span;
            }),
          })),
        };
      }),
    };
  }

  private logs(d: LogsData, apply: (a: readonly KeyValue[] | null | undefined) => KeyValue[]): LogsData {
    return {
      resourceLogs: (d.resourceLogs ?? []).map((rl) => {
        const resource = rl.resource?.attributes ?? [];
        const service = serviceOf(resource);
        return {
          ...rl,
          scopeLogs: (rl.scopeLogs ?? []).map((sl) => ({
            ...sl,
            logRecords: (sl.logRecords ?? []).map((rec) => {
              const item: Item = { service, resource, scope: sl.scope ?? {}, attributes: rec.attributes ?? [], logBody: valueAsString(rec.body), severityText: rec.severityText ?? '' };
              return this.selected(item) ? { ...rec, attributes: apply(rec.attributes) } : rec;
            }),
          })),
        };
      }),
    };
  }

  private metrics(d: MetricsData, apply: (a: readonly KeyValue[] | null | undefined) => KeyValue[]): MetricsData {
    const points = <P extends { attributes?: KeyValue[] | null }>(list: P[] | null | undefined): P[] => (list ?? []).map((p) => ({ ...p, attributes: apply(p.attributes) }));
    return {
      resourceMetrics: (d.resourceMetrics ?? []).map((rm) => {
        const resource = rm.resource?.attributes ?? [];
        const service = serviceOf(resource);
        return {
          ...rm,
          scopeMetrics: (rm.scopeMetrics ?? []).map((sm) => ({
            ...sm,
            metrics: (sm.metrics ?? []).map((m) => {
              if (!this.selected({ service, resource, scope: sm.scope ?? {}, attributes: [], metricName: m.name ?? '' })) return m;
              const out = { ...m };
              if (m.gauge) out.gauge = { ...m.gauge, dataPoints: points(m.gauge.dataPoints) };
              if (m.sum) out.sum = { ...m.sum, dataPoints: points(m.sum.dataPoints) };
              if (m.histogram) out.histogram = { ...m.histogram, dataPoints: points(m.histogram.dataPoints) };
              if (m.exponentialHistogram) out.exponentialHistogram = { ...m.exponentialHistogram, dataPoints: points(m.exponentialHistogram.dataPoints) };
              if (m.summary) out.summary = { ...m.summary, dataPoints: points(m.summary.dataPoints) };
              return out;
            }),
          })),
        };
      }),
    };
  }

  /** The actions, in order, on a copy of one attribute list. */
  private apply(input: readonly KeyValue[], metadata: ClientMetadata | undefined): KeyValue[] {
    let attrs = [...input];
    for (const { args, value, pattern } of this.actions) {
      const at = attrs.findIndex((kv) => kv.key === args.key);
      const source = (): AnyValue | undefined => {
        if (value) return value;
        if (args.from_attribute) return attributeValue(attrs, args.from_attribute);
        const fromContext = metadata?.get(args.from_context.toLowerCase())?.[0];
        return fromContext === undefined ? undefined : { stringValue: fromContext };
      };
      const set = (v: AnyValue | undefined) => {
        if (v === undefined) return;
        if (at >= 0) attrs[at] = { key: args.key, value: v };
        else attrs.push({ key: args.key, value: v });
      };
      switch (args.action) {
        case 'insert': if (at < 0) set(source()); break;
        case 'update': if (at >= 0) set(source()); break;
        case 'upsert': set(source()); break;
        case 'delete':
          attrs = attrs.filter((kv) => kv.key !== args.key && !(pattern && pattern.test(kv.key)));
          break;
        case 'hash':
          if (at >= 0) set({ stringValue: createHash('sha1').update(valueAsString(attrs[at]!.value)).digest('hex') });
          break;
        case 'extract':
          if (at >= 0 && anyValueKind(attrs[at]!.value) === 'stringValue') attrs = extract(attrs, pattern!, attrs[at]!.value!.stringValue ?? '');
          break;
        case 'convert':
          if (at >= 0) set(converted(attrs[at]!.value, args.converted_type));
          break;
      }
    }
    return attrs;
  }
}

/** Upserts the named groups of `re` matched against `text`. */
function extract(attrs: KeyValue[], re: Re2Regexp, text: string): KeyValue[] {
  const m = re.exec(text);
  if (!m) return attrs;
  const out = [...attrs];
  re.names.forEach((name, i) => {
    if (!name || m[i] === undefined) return;
    const at = out.findIndex((kv) => kv.key === name);
    const kv = { key: name, value: { stringValue: m[i] } };
    if (at >= 0) out[at] = kv;
    else out.push(kv);
  });
  return out;
}

/** attraction's convert: unconvertible values stay as they are. */
function converted(v: AnyValue | null | undefined, type: string): AnyValue | undefined {
  const kind = anyValueKind(v);
  if (type === 'string') return { stringValue: valueAsString(v) };
  const num = kind === 'intValue' ? int64ToNumber(v!.intValue) : kind === 'doubleValue' ? v!.doubleValue! : kind === 'boolValue' ? (v!.boolValue ? 1 : 0) : kind === 'stringValue' ? Number((v!.stringValue ?? '').trim() || NaN) : NaN;
  if (Number.isNaN(num)) return undefined;
  if (type === 'int') return { intValue: Math.trunc(num) };
  return { doubleValue: num };
}

function serviceOf(resource: readonly KeyValue[]): string | undefined {
  const v = attributeValue(resource, 'service.name');
  return v === undefined ? undefined : valueAsString(v);
}
