/**
 * OTLP log records → Loki entries, with the conventions of the collector's
 * Loki translator that Alloy's otelcol.exporter.loki uses
 * (opentelemetry-collector-contrib pkg/translator/loki: logs_to_loki.go,
 * convert.go, encode.go):
 *
 * - labels: `exporter="OTLP"`, `job` from service.namespace/service.name,
 *   `instance` from service.instance.id, `level` from the severity number
 *   (unless a `level` attribute exists), plus the resource/record attributes
 *   named by the hints `loki.resource.labels`, `loki.attribute.labels` and
 *   `loki.tenant`; label names normalized as Prometheus labels;
 * - promoted attributes and the hint attributes leave the line;
 * - the line: JSON (default; `loki.format` may say `logfmt` or `raw`) of
 *   body, trace/span id, severity text, flags, attributes, resource
 *   attributes and the instrumentation scope;
 * - the timestamp: the record's time, else its observed time, else now.
 */
import { quote } from '../../../go/strconv.js';
import { normalizeLabel } from '../pdata/prometheus-names.js';
import {
  anyValueKind,
  hexId,
  isZero,
  nanosToMsNs,
  RawInt,
  valueAsRaw,
  valueAsString,
  type AnyValue,
  type InstrumentationScope,
  type KeyValue,
  type LogRecord,
} from '../pdata/model.js';

const HINT_ATTRIBUTES = 'loki.attribute.labels';
const HINT_RESOURCES = 'loki.resource.labels';
const HINT_TENANT = 'loki.tenant';
const HINT_FORMAT = 'loki.format';
const HINTS = new Set([HINT_ATTRIBUTES, HINT_RESOURCES, HINT_TENANT, HINT_FORMAT]);

const LEVELS = ['UNSPECIFIED', 'TRACE', 'TRACE2', 'TRACE3', 'TRACE4', 'DEBUG', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'INFO', 'INFO2', 'INFO3', 'INFO4', 'WARN', 'WARN2', 'WARN3', 'WARN4', 'ERROR', 'ERROR2', 'ERROR3', 'ERROR4', 'FATAL', 'FATAL2', 'FATAL3', 'FATAL4'];

export interface LokiEntry {
  readonly labels: Record<string, string>;
  readonly ms: number;
  readonly ns: number;
  readonly line: string;
}

type Attrs = Map<string, AnyValue>;

function attrMap(list: readonly KeyValue[] | null | undefined): Attrs {
  const m: Attrs = new Map();
  for (const kv of list ?? []) if (!m.has(kv.key)) m.set(kv.key, kv.value ?? {});
  return m;
}

/** Converts one record; throws (with the reason) when it cannot be encoded. */
export function logToLokiEntry(record: LogRecord, resourceAttrs: readonly KeyValue[] | null | undefined, scope: InstrumentationScope | null | undefined, nowNanos: () => bigint = () => BigInt(Date.now()) * 1_000_000n): LokiEntry {
  const attrs = attrMap(record.attributes);
  const res = attrMap(resourceAttrs);
  addLevel(record, attrs);
  const format = formatHint(attrs, res);
  const labels = mergedLabels(attrs, res);
  for (const m of [attrs, res]) for (const key of [...m.keys()]) if (HINTS.has(key) || labels.has(key)) m.delete(key);
  const line = encodeLine(format, record, attrs, res, scope);
  const out: Record<string, string> = {};
  for (const [name, value] of labels) out[normalizeLabel(name)] = value;
  const [ms, ns] = timestampOf(record, nowNanos);
  return { labels: out, ms, ns, line };
}

function addLevel(record: LogRecord, attrs: Attrs): void {
  const severity = record.severityNumber ?? 0;
  if (severity === 0) return;
  const hint = attrs.get(HINT_ATTRIBUTES);
  const kind = anyValueKind(hint);
  if (kind === 'arrayValue') attrs.set(HINT_ATTRIBUTES, { arrayValue: { values: [...(hint!.arrayValue!.values ?? []), { stringValue: 'level' }] } });
  else if (kind === 'stringValue') attrs.set(HINT_ATTRIBUTES, { stringValue: `${hint!.stringValue},level` });
  else if (!hint) attrs.set(HINT_ATTRIBUTES, { stringValue: 'level' });
  if (!attrs.has('level')) attrs.set('level', { stringValue: LEVELS[severity] ?? String(severity) });
}

function formatHint(attrs: Attrs, res: Attrs): string {
  const v = res.get(HINT_FORMAT) ?? attrs.get(HINT_FORMAT);
  return v ? valueAsString(v) : 'json';
}

function mergedLabels(attrs: Attrs, res: Attrs): Map<string, string> {
  const out = new Map<string, string>([['exporter', 'OTLP']]);
  const name = res.get('service.name');
  if (name) {
    const ns = res.get('service.namespace');
    out.set('job', ns ? `${valueAsString(ns)}/${valueAsString(name)}` : valueAsString(name));
  }
  const instance = res.get('service.instance.id');
  if (instance) out.set('instance', valueAsString(instance));
  const merge = (from: Attrs, hint: AnyValue | undefined) => {
    if (hint) for (const [k, v] of selected(from, hint)) out.set(k, v);
  };
  merge(res, res.get(HINT_RESOURCES));
  merge(res, attrs.get(HINT_RESOURCES));
  merge(attrs, attrs.get(HINT_ATTRIBUTES));
  if (res.has(HINT_TENANT)) merge(res, res.get(HINT_TENANT));
  else merge(attrs, attrs.get(HINT_TENANT));
  return out;
}

/** The attributes a hint names ("a,b" or a list), looked up directly or as a nested path "a.b". */
function selected(from: Attrs, hint: AnyValue): [string, string][] {
  const kind = anyValueKind(hint);
  const names = kind === 'arrayValue' ? (hint.arrayValue!.values ?? []).map((v) => valueAsString(v)) : kind === 'stringValue' ? hint.stringValue!.split(',') : [valueAsString(hint)];
  const out: [string, string][] = [];
  for (const raw of names) {
    const name = raw.trim();
    const v = from.get(name) ?? nested(name, from);
    if (v) out.push([name, valueAsString(v)]);
  }
  return out;
}

function nested(path: string, from: Attrs): AnyValue | undefined {
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  const v = from.get(head);
  if (!v || dot < 0) return v;
  return nested(path.slice(dot + 1), attrMap(anyValueKind(v) === 'kvlistValue' ? v.kvlistValue!.values : []));
}

function timestampOf(record: LogRecord, nowNanos: () => bigint): [number, number] {
  if (!isZero(record.timeUnixNano)) return nanosToMsNs(record.timeUnixNano);
  if (!isZero(record.observedTimeUnixNano)) return nanosToMsNs(record.observedTimeUnixNano);
  const now = nowNanos();
  return [Number(now / 1_000_000n), Number(now % 1_000_000n)];
}

function encodeLine(format: string, record: LogRecord, attrs: Attrs, res: Attrs, scope: InstrumentationScope | null | undefined): string {
  if (format === 'json') return jsonLine(record, attrs, res, scope);
  if (format === 'logfmt') return logfmtLine(record, attrs, res, scope);
  if (format === 'raw') return valueAsString(record.body);
  throw new Error(`invalid format ${format}. Expected one of: json, logfmt, raw`);
}

// ---------------------------------------------------------------------------
// JSON (encode.go's lokiEntry, marshalled by encoding/json)

function rawOf(m: Attrs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of m) out[k] = valueAsRaw(v);
  return out;
}

function isEmptyBody(v: AnyValue | null | undefined): boolean {
  return anyValueKind(v) === undefined;
}

function jsonLine(record: LogRecord, attrs: Attrs, res: Attrs, scope: InstrumentationScope | null | undefined): string {
  const fields: string[] = [];
  if (!isEmptyBody(record.body)) fields.push(`"body":${goJSON(valueAsRaw(record.body))}`);
  const traceId = hexId(record.traceId);
  if (traceId) fields.push(`"traceid":${goJSON(traceId)}`);
  const spanId = hexId(record.spanId);
  if (spanId) fields.push(`"spanid":${goJSON(spanId)}`);
  if (record.severityText) fields.push(`"severity":${goJSON(record.severityText)}`);
  if (record.flags) fields.push(`"flags":${record.flags >>> 0}`);
  if (attrs.size > 0) fields.push(`"attributes":${goJSON(rawOf(attrs))}`);
  if (res.size > 0) fields.push(`"resources":${goJSON(rawOf(res))}`);
  if (scope?.name) fields.push(`"instrumentation_scope":${goJSON(scope.version ? { name: scope.name, version: scope.version } : { name: scope.name })}`);
  return `{${fields.join(',')}}`;
}

/** encoding/json: map keys sorted, <, >, & and U+2028/9 escaped; non-finite numbers are an error. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof RawInt) return v.text;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${goJSON(k)}:${goJSON(rec[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------------------
// logfmt (encode.go's EncodeLogfmt, written as go-logfmt writes keyvals)

type KV = [string, unknown];

function logfmtLine(record: LogRecord, attrs: Attrs, res: Attrs, scope: InstrumentationScope | null | undefined): string {
  const kvs = bodyKeyvals(record.body);
  const replaceOrAppend = (k: string, v: unknown) => {
    const at = kvs.findIndex(([key]) => key === k);
    if (at >= 0) kvs[at] = [k, v];
    else kvs.push([k, v]);
  };
  const traceId = hexId(record.traceId);
  if (traceId) replaceOrAppend('traceID', traceId);
  const spanId = hexId(record.spanId);
  if (spanId) replaceOrAppend('spanID', spanId);
  if (record.severityText) replaceOrAppend('severity', record.severityText);
  if (record.flags) replaceOrAppend('flags', record.flags >>> 0);
  for (const [k, v] of attrs) kvs.push(...valueKeyvals(`attribute_${k}`, v));
  for (const [k, v] of res) kvs.push(...valueKeyvals(`resource_${k}`, v));
  if (scope?.name) {
    kvs.push(['instrumentation_scope_name', scope.name]);
    if (scope.version) kvs.push(['instrumentation_scope_version', scope.version]);
  }
  return kvs
    .filter(([k]) => validLogfmtKey(k))
    .map(([k, v]) => `${k}=${logfmtValue(v)}`)
    .join(' ');
}

function bodyKeyvals(body: AnyValue | null | undefined): KV[] {
  const kind = anyValueKind(body);
  if (kind === undefined) return [];
  if (kind === 'stringValue') return parseLogfmtPairs(body!.stringValue!) ?? [['msg', body!.stringValue]];
  if (kind === 'kvlistValue') return valueKeyvals('', body!);
  if (kind === 'arrayValue') return valueKeyvals('body', body!);
  return [['msg', valueAsRaw(body)]];
}

function valueKeyvals(key: string, v: AnyValue): KV[] {
  const kind = anyValueKind(v);
  if (kind === 'kvlistValue') {
    const prefix = key ? `${key}_` : '';
    return (v.kvlistValue!.values ?? []).flatMap((kv) => valueKeyvals(prefix + kv.key, kv.value ?? {}));
  }
  if (kind === 'arrayValue') {
    const prefix = key ? `${key}_` : '';
    return (v.arrayValue!.values ?? []).flatMap((el, i) => valueKeyvals(`${prefix}${i}`, el));
  }
  if (isEmptyBody(v)) return [];
  return [[key, valueAsRaw(v)]];
}

/** go-logfmt's decoder over a whole line; undefined on a syntax error. */
function parseLogfmtPairs(text: string): KV[] | undefined {
  const out: KV[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) <= 0x20) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text.charCodeAt(i) > 0x20 && text[i] !== '=' && text[i] !== '"') i++;
    if (i === start) return undefined;
    const key = text.slice(start, i);
    if (text[i] === '"') return undefined;
    if (text[i] !== '=') {
      out.push([key, null]);
      continue;
    }
    i++;
    if (text[i] === '"') {
      let j = i + 1;
      let value = '';
      for (; j < n && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < n) j++;
        value += text[j];
      }
      if (j >= n) return undefined;
      out.push([key, value]);
      i = j + 1;
      continue;
    }
    const vs = i;
    while (i < n && text.charCodeAt(i) > 0x20) {
      if (text[i] === '=' || text[i] === '"') return undefined;
      i++;
    }
    out.push([key, text.slice(vs, i)]);
  }
  return out;
}

function validLogfmtKey(k: string): boolean {
  if (k === '') return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c <= 0x20 || k[i] === '=' || k[i] === '"') return false;
  }
  return true;
}

function logfmtValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof RawInt ? v.text : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (s === 'null' && typeof v === 'string') return '"null"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || s[i] === '=' || s[i] === '"' || c === 0xfffd) return quote(s);
  }
  return s;
}
