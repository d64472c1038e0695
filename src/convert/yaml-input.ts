/**
 * Reading Promtail/Prometheus YAML the way their Go structs see it: a YAML
 * map is a plain object, a missing key takes the struct's default, and
 * durations parse as Go's time.ParseDuration or Prometheus' model.Duration.
 */
import { parseDocument, isMap, isScalar, LineCounter, type Node as YamlNode } from 'yaml';
import { parseDurationNs } from '../lang/units.js';
import { parsePromDuration } from '../components/prometheus/duration.js';
import { Duration } from './builder.js';

export type YamlMap = Record<string, unknown>;

/** A YAML value that failed to load, with the Go yaml.v2 style message. */
export class YamlLoadError extends Error {}

/**
 * Parses a document; `known` gives, for the top-level map, the keys its Go
 * struct accepts (yaml.UnmarshalStrict) and the struct's type name.
 */
export function loadYaml(text: string, strict?: { keys: readonly string[]; typeName: string }): YamlMap {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, version: '1.1' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? 1;
    const message = goYamlMessage(e.code, e.message);
    // yaml.v2 prints a parser error's problem mark 0-based (a scanner error's 1-based).
    const shown = message === PARSER_KEY_ERROR ? Math.max(1, line - 1) : line;
    throw new YamlLoadError(`yaml: line ${shown}: ${message}`);
  }
  const root = doc.contents;
  if (strict && isMap(root)) {
    const unknown: string[] = [];
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!strict.keys.includes(key)) {
        const line = lineCounter.linePos((pair.key as YamlNode).range?.[0] ?? 0).line;
        unknown.push(`  line ${line}: field ${key} not found in type ${strict.typeName}`);
      }
    }
    if (unknown.length > 0) throw new YamlLoadError(`yaml: unmarshal errors:\n${unknown.join('\n')}`);
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as YamlMap) : {};
}

const PARSER_KEY_ERROR = 'did not find expected key';

function goYamlMessage(code: string, message: string): string {
  // go-yaml's wording for the common parse failures.
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR' || code === 'UNEXPECTED_TOKEN' || code === 'BLOCK_AS_IMPLICIT_KEY') {
    return PARSER_KEY_ERROR;
  }
  return message.split('\n')[0] ?? message;
}

// ---------------------------------------------------------------------------
// Typed reads

export function map(v: unknown): YamlMap | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as YamlMap) : undefined;
}

export function list(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function str(v: unknown, dflt = ''): string {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'string' ? v : String(v);
}

export function optStr(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : str(v);
}

export function bool(v: unknown, dflt = false): boolean {
  if (v === undefined || v === null) return dflt;
  return v === true || v === 'true';
}

export function int(v: unknown, dflt = 0): number {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'number' ? v : Number(v);
}

export function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map((x) => str(x)) : undefined;
}

export function stringMap(v: unknown): Record<string, string> | undefined {
  const m = map(v);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(m)) out[k] = str(val);
  return out;
}

/** A Go time.Duration field (time.ParseDuration; YAML integers are nanoseconds). */
export function goDuration(v: unknown, dflt: Duration = new Duration(0n)): Duration {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return new Duration(BigInt(v));
  return new Duration(parseDurationNs(String(v)));
}

/** A Prometheus model.Duration field ("1d", "5m", "1h30m"). */
export function promDuration(v: unknown, dflt: Duration = new Duration(0n)): Duration {
  if (v === undefined || v === null) return dflt;
  const ms = parsePromDuration(String(v));
  if (ms === undefined) throw new YamlLoadError(`not a valid duration string: ${JSON.stringify(String(v))}`);
  return new Duration(BigInt(ms) * 1_000_000n);
}
