/**
 * Rendering values as text: `renderAlloy` matches Alloy's token builder
 * (token/builder) as used by `reference_any` and diagnostics: objects break
 * into one field per line with sorted keys (insertion order for ordered
 * objects), TAB indentation, trailing commas and `=` aligned the way the
 * printer's tabwriter aligns consecutive single-line fields; arrays stay on
 * one line; secrets print as `(secret)`.
 */
import { isValidIdentifier } from './identifier.js';
import { formatFloat, quote } from '../go/strconv.js';
import { compareStrings, type ObjectValue, type Value } from './value.js';
import { numberToString } from './value-decode.js';

/** Renders a value in Alloy syntax. `indent` is the nesting depth of the surrounding object. */
export function renderAlloy(v: Value, indent = 0): string {
  switch (v.type) {
    case 'null': return 'null';
    case 'number': return numberToString(v);
    case 'string': return quote(v.value);
    case 'bool': return v.value ? 'true' : 'false';
    case 'array': return `[${v.elements.map((e) => renderAlloy(e, indent)).join(', ')}]`;
    case 'object': return renderObject(v, indent);
    case 'function': return 'function';
    case 'capsule': return v.payload.alloyText?.() ?? capsuleFallback(v.payload.capsuleType, v);
  }
}

/** Capsules without their own text: optional secrets show their string, others their type. */
function capsuleFallback(capsuleType: string, v: Value & { type: 'capsule' }): string {
  const p = v.payload as { value?: unknown };
  if (capsuleType === 'alloytypes.OptionalSecret' && typeof p.value === 'string') return quote(p.value);
  return `capsule(${JSON.stringify(capsuleType)})`;
}

/** Object keys in render order: sorted (Go map) unless the object is ordered. */
export function renderKeys(o: ObjectValue): string[] {
  const keys = [...o.fields.keys()];
  return o.ordered ? keys : keys.sort(compareStrings);
}

function renderObject(o: ObjectValue, indent: number): string {
  const keys = renderKeys(o);
  if (keys.length === 0) return '{}';
  const inner = '\t'.repeat(indent + 1);
  const fields = keys.map((k) => ({ key: renderKey(k), value: renderAlloy(o.fields.get(k)!, indent + 1) }));
  const lines: string[] = [];
  for (const run of alignmentRuns(fields)) {
    const width = Math.max(...run.map((f) => runeCount(f.key)));
    for (const f of run) lines.push(`${inner}${f.key}${' '.repeat(width - runeCount(f.key) + 1)}= ${f.value},`);
  }
  return `{\n${lines.join('\n')}\n${'\t'.repeat(indent)}}`;
}

/**
 * Splits fields into runs whose `=` signs align: a multi-line value ends its
 * run (the printer emits a formfeed after it, flushing the tabwriter).
 */
function alignmentRuns<F extends { value: string }>(fields: F[]): F[][] {
  const runs: F[][] = [[]];
  for (const f of fields) {
    runs[runs.length - 1]!.push(f);
    if (f.value.includes('\n')) runs.push([]);
  }
  return runs.filter((r) => r.length > 0);
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function renderKey(k: string): string {
  return isValidIdentifier(k) ? k : quote(k);
}

// ---------------------------------------------------------------------------
// JSON

/**
 * Renders a value as JSON (for `eval --format=json`): objects with sorted
 * keys (or their own order), exact integers, floats in Go encoding/json
 * form, secrets as "(secret)", functions as "function", other capsules by type.
 */
export function renderJson(v: Value, indent = '  '): string {
  return jsonText(v, indent, '');
}

function jsonText(v: Value, indent: string, prefix: string): string {
  switch (v.type) {
    case 'null': return 'null';
    case 'number': return v.kind === 'float' ? goJsonFloat(v.value) : v.value.toString();
    case 'string': return JSON.stringify(v.value);
    case 'bool': return String(v.value);
    case 'array': return jsonList(v.elements.map((e) => jsonText(e, indent, prefix + indent)), '[', ']', indent, prefix);
    case 'object': {
      const sep = indent === '' ? ':' : ': ';
      const items = renderKeys(v).map((k) => `${JSON.stringify(k)}${sep}${jsonText(v.fields.get(k)!, indent, prefix + indent)}`);
      return jsonList(items, '{', '}', indent, prefix);
    }
    case 'function': return '"function"';
    case 'capsule': {
      const text = v.payload.alloyText?.() ?? capsuleFallback(v.payload.capsuleType, v);
      return text.startsWith('"') ? text : JSON.stringify(text);
    }
  }
}

function jsonList(items: string[], open: string, close: string, indent: string, prefix: string): string {
  if (items.length === 0) return open + close;
  if (indent === '') return open + items.join(',') + close;
  const inner = prefix + indent;
  return `${open}\n${items.map((i) => inner + i).join(',\n')}\n${prefix}${close}`;
}

/**
 * Go encoding/json float output: shortest digits, 'f' form unless the
 * exponent is < -6 or ≥ 21, and "e-07" shortened to "e-7".
 */
export function goJsonFloat(f: number): string {
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return formatFloat(f, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(f, 'f', -1);
}
