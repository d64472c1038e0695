/**
 * Alloy's JSON encoding of values and block bodies, as the web API returns
 * arguments, exports and debug info. Secrets are always redacted, and so are
 * URL passwords inside strings (`http://bob:xxxxx@host`, as Go's
 * URL.Redacted shows them): Alloy shows such a string as it is, alloy-ts
 * does not put a password in the API or the UI.
 */
import type { BlockSchema, Field } from '../../lang/schema.js';
import { fromNative, OptionalSecret, Secret, type Value } from '../../lang/value.js';
import { renderKeys } from '../../lang/render.js';
import { redactUrlPasswords } from '../../go/url.js';

export type JsonValue =
  | { type: 'null'; value: null }
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'array'; value: JsonValue[] }
  | { type: 'object'; value: { key: string; value: JsonValue }[] }
  | { type: 'function'; value: string }
  | { type: 'capsule'; value: string };

export type JsonStmt =
  | { name: string; type: 'attr'; value: JsonValue }
  | { name: string; type: 'block'; label?: string; body: JsonStmt[] };

export function valueToJson(v: Value): JsonValue {
  switch (v.type) {
    case 'null': return { type: 'null', value: null };
    case 'number': return { type: 'number', value: Number(v.value) };
    case 'string': return { type: 'string', value: redactUrlPasswords(v.value) };
    case 'bool': return { type: 'bool', value: v.value };
    case 'array': return { type: 'array', value: v.elements.map(valueToJson) };
    case 'object': return { type: 'object', value: renderKeys(v).map((key) => ({ key, value: valueToJson(v.fields.get(key)!) })) };
    case 'function': return { type: 'function', value: v.name };
    case 'capsule': {
      const p = v.payload;
      if (p instanceof Secret || (p instanceof OptionalSecret && p.isSecret)) return { type: 'capsule', value: '(secret)' };
      if (p instanceof OptionalSecret) return { type: 'string', value: redactUrlPasswords(p.value) };
      return { type: 'capsule', value: redactUrlPasswords(p.alloyText?.() ?? `capsule("${p.capsuleType}")`) };
    }
  }
}

/** Encodes decoded arguments as a block body, following the schema. */
export function bodyToJson(schema: BlockSchema, value: unknown): JsonStmt[] {
  const out: JsonStmt[] = [];
  const record = (value ?? {}) as Record<string, unknown>;
  for (const [name, field] of Object.entries(schema.fields)) fieldToJson(name, field, record[name], out);
  return out;
}

function fieldToJson(name: string, field: Field, x: unknown, out: JsonStmt[]): void {
  if (field.kind === 'attr') {
    if (x === undefined) return;
    out.push({ name, type: 'attr', value: valueToJson((field.type.to as (y: unknown) => Value)(x)) });
  } else if (field.kind === 'block') {
    const items = field.multiplicity === 'many' ? (x as unknown[]) : x === undefined ? [] : [x];
    for (const item of items) out.push({ name, type: 'block', body: bodyToJson(field.schema, item) });
  } else {
    for (const b of (x ?? []) as { name: string; value: unknown }[]) {
      out.push({ name: b.name, type: 'block', body: bodyToJson(field.variants[b.name]!, b.value) });
    }
  }
}

/** Exports (an object value) as a body of attributes. */
export function exportsToJson(exports: Value): JsonStmt[] {
  if (exports.type !== 'object') return [];
  return [...exports.fields].map(([name, v]) => ({ name, type: 'attr' as const, value: valueToJson(v) }));
}

/** Free-form debug info as a body of attributes. */
export function debugInfoToJson(info: unknown): JsonStmt[] {
  if (info === undefined || info === null) return [];
  return exportsToJson(fromNative(info));
}
