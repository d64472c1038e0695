/**
 * Evaluation conformance: `eval/cases.json` (upstream vm tests, decoded into
 * the Go type they name) and `eval/derived.json` (edge cases with the exact
 * results of the reference build). Every case also checks `reference_any`:
 * the untyped result rendered in Alloy syntax, its Go type, or the error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsMessage } from '../../src/lang/diag.js';
import { Scope, evaluate, evaluateInto, type EvalResult } from '../../src/lang/eval.js';
import { parseExpression, parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { renderAlloy } from '../../src/lang/render.js';
import {
  OptionalSecret,
  Secret,
  arrayValue,
  floatValue,
  objectValue,
  fromNative,
  goTypeOfAny,
  optionalSecretValue,
  secretValue,
  type Value,
} from '../../src/lang/value.js';
import type { TypeDesc } from '../../src/lang/value-decode.js';
import { conformanceDir, hasConformance } from '../cli/repo-paths.js';

interface ReferenceAny {
  alloy?: string;
  go_type?: string;
  error?: string;
  parse_error?: string;
  capsule?: unknown;
}
interface EvalCase {
  name?: string;
  expr: string;
  scope?: Record<string, unknown>;
  env?: Record<string, string>;
  decode_into: string;
  expect?: unknown;
  expect_error?: string;
  error_match?: 'exact' | 'contains';
  unordered?: boolean;
  reference_any?: ReferenceAny;
}
interface DerivedCase extends ReferenceAny {
  expr: string;
}

const evalDir = path.join(conformanceDir, 'eval');
const available = hasConformance && existsSync(evalDir);
const load = <T>(file: string): T[] =>
  available ? (JSON.parse(readFileSync(path.join(evalDir, file), 'utf8')) as { cases: T[] }).cases : [];

const counts: Record<string, [number, number]> = {};
function record(group: string, ok: boolean): void {
  const c = (counts[group] ??= [0, 0]);
  c[1]++;
  if (ok) c[0]++;
}
afterAll(() => {
  for (const [group, [ok, total]] of Object.entries(counts)) console.log(`conformance ${group}: ${ok}/${total} passed`);
});

/** Runs `check`, recording whether it passed, and rethrows its failure. */
function recorded(group: string, check: () => void): void {
  try {
    check();
    record(group, true);
  } catch (err) {
    record(group, false);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Test data → values and targets

/** JSON scope values: integers are ints, `$secret` / `$optional_secret` are capsules. */
function scopeValue(x: unknown): Value {
  if (typeof x === 'number') return Number.isInteger(x) ? fromNative(x) : floatValue(x);
  if (Array.isArray(x)) return arrayValue(x.map(scopeValue));
  if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.$secret === 'string') return secretValue(o.$secret);
    const opt = o.$optional_secret as { value: string; is_secret: boolean } | undefined;
    if (opt) return optionalSecretValue(opt.value, opt.is_secret);
    return objectValue(new Map(Object.entries(o).map(([k, v]) => [k, scopeValue(v)])));
  }
  return fromNative(x);
}

/** The descriptor for a Go type named in `decode_into`. */
function target(goType: string): TypeDesc {
  const ints = /^(u?)int(8|16|32|64)?$/.exec(goType);
  if (ints) return { kind: 'number', int: true, unsigned: ints[1] === 'u', bits: Number(ints[2] ?? 64) as 64 };
  if (goType === 'float32') return { kind: 'number', bits: 32 };
  if (goType === 'float64') return { kind: 'number' };
  if (goType.startsWith('[]')) return { kind: 'list', elem: target(goType.slice(2)) };
  if (goType.startsWith('map[string]')) return { kind: 'map', elem: target(goType.slice('map[string]'.length)) };
  if (goType.startsWith('struct{')) return structTarget(goType);
  const simple: Record<string, TypeDesc> = {
    string: { kind: 'string' },
    bool: { kind: 'bool' },
    any: { kind: 'any' },
    secret: { kind: 'secret' },
    optional_secret: { kind: 'optional_secret' },
  };
  const t = simple[goType];
  if (!t) throw new Error(`unknown decode_into ${goType}`);
  return t;
}

/** `struct{name:string(attr); age:int(attr)}` → an object descriptor. */
function structTarget(goType: string): TypeDesc {
  const body = goType.slice('struct{'.length, -1);
  const fields: Record<string, TypeDesc> = {};
  for (const f of body.split(';')) {
    const m = /^\s*(\w+):(\w+)\(/.exec(f)!;
    fields[m[1]!] = target(m[2]!);
  }
  return { kind: 'object', fields };
}

/** Decoded results in the JSON shape the test data uses. */
function toJson(x: unknown): unknown {
  if (x instanceof Secret) return { $secret: x.value };
  if (x instanceof OptionalSecret) return { $optional_secret: { value: x.value, is_secret: x.isSecret } };
  if (Array.isArray(x)) return x.map(toJson);
  if (x !== null && typeof x === 'object' && 'type' in x && typeof (x as Value).type === 'string') return valueToJson(x as Value);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toJson(v)]));
  return x;
}

function valueToJson(v: Value): unknown {
  switch (v.type) {
    case 'null': return null;
    case 'number': return Number(v.value);
    case 'string': case 'bool': return v.value;
    case 'array': return v.elements.map(valueToJson);
    case 'object': return Object.fromEntries([...v.fields].map(([k, f]) => [k, valueToJson(f)]));
    case 'capsule': return toJson(v.payload);
    case 'function': return 'function';
  }
}

/** JSON text with object keys sorted. */
function stableJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stableJson).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const entries = Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

/** Sorts arrays of groups so unordered results compare as multisets. */
function canonical(x: unknown): unknown {
  return Array.isArray(x) ? x.map(stableJson).sort() : x;
}

// ---------------------------------------------------------------------------
// Evaluation helpers

function withEnv<T>(env: Record<string, string> | undefined, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env ?? {})) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  delete process.env.NON_DEFINED;
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

type Parsed = { ok: true; file: SourceFile; expr: NonNullable<ReturnType<typeof parseExpression>['expr']> } | { ok: false; message: string };

function parse(expr: string): Parsed {
  const file = SourceFile.fromString('', expr);
  const { expr: ast, diagnostics } = parseExpression(file);
  if (!ast) return { ok: false, message: diagnosticsMessage(diagnostics) };
  return { ok: true, file, expr: ast };
}

function makeScope(scope: Record<string, unknown> | undefined): Scope {
  return new Scope(new Map(Object.entries(scope ?? {}).map(([k, v]) => [k, scopeValue(v)])));
}

/** Checks an untyped evaluation against reference data. */
function checkReference(ref: ReferenceAny, expr: string, scope: Scope, unordered = false): void {
  const parsed = parse(expr);
  if (ref.parse_error !== undefined) {
    expect(parsed.ok ? 'parsed' : parsed.message).toBe(ref.parse_error);
    return;
  }
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.message}`);
  const result = evaluate(parsed.expr, scope, parsed.file);
  if (ref.error !== undefined) {
    expect(result.ok ? renderAlloy(result.value) : result.error.message).toBe(ref.error);
    return;
  }
  if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`);
  if (ref.capsule !== undefined) expect(valueToJson(result.value)).toEqual(ref.capsule);
  else if (ref.alloy !== undefined && !unordered) expect(renderAlloy(result.value)).toBe(ref.alloy);
  if (ref.go_type !== undefined) expect(goTypeOfAny(result.value)).toBe(ref.go_type);
}

function checkDecoded(c: EvalCase, result: EvalResult<unknown>): void {
  if (c.expect_error !== undefined) {
    const message = result.ok ? `no error (got ${JSON.stringify(toJson(result.value))})` : result.error.message;
    if (c.error_match === 'exact') expect(message).toBe(c.expect_error);
    else expect(message).toContain(c.expect_error);
    return;
  }
  if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`);
  let want = c.expect;
  if (c.decode_into === 'float32' && typeof want === 'number') want = Math.fround(want);
  const got = toJson(result.value);
  if (c.unordered) expect(canonical(got)).toEqual(canonical(want));
  else expect(got).toEqual(want);
}

// ---------------------------------------------------------------------------

describe.skipIf(!available)('eval/cases.json', () => {
  load<EvalCase>('cases.json').forEach((c, i) => {
    it(`${i}: ${c.name ?? c.expr}`, () => {
      recorded('eval/cases', () =>
        withEnv(c.env, () => {
          const parsed = parse(c.expr);
          if (!parsed.ok) throw new Error(`parse failed: ${parsed.message}`);
          checkDecoded(c, evaluateInto(parsed.expr, makeScope(c.scope), parsed.file, target(c.decode_into)));
          if (c.reference_any) checkReference(c.reference_any, c.expr, makeScope(c.scope), c.unordered);
        }),
      );
    });
  });
});

describe.skipIf(!available)('eval/derived.json', () => {
  load<DerivedCase>('derived.json').forEach((c, i) => {
    it(`${i}: ${c.expr}`, () => {
      recorded('eval/derived', () => checkReference(c, c.expr, new Scope()));
    });
  });
});

interface SchemaField {
  kind: 'attr';
  type: string | { object: Record<string, SchemaField> };
}
interface DecodeErrorCase {
  name: string;
  input: string;
  schema: Record<string, SchemaField>;
  scope?: Record<string, unknown>;
  expected_error: string;
}

/** decode_errors.json schema types → descriptors. */
function schemaTarget(type: SchemaField['type']): TypeDesc {
  if (typeof type !== 'string') {
    return { kind: 'object', fields: Object.fromEntries(Object.entries(type.object).map(([k, f]) => [k, schemaTarget(f.type)])) };
  }
  if (type === 'list(number as Go int)') return { kind: 'list', elem: { kind: 'number', int: true } };
  return target(type);
}

describe.skipIf(!available)('eval/decode_errors.json', () => {
  load<DecodeErrorCase>('decode_errors.json').forEach((c) => {
    it(c.name, () => {
      recorded('eval/decode_errors', () => {
        const { file, diagnostics } = parseFile(SourceFile.fromString('test', c.input));
        expect(diagnostics).toEqual([]);
        const errors: string[] = [];
        for (const stmt of file.body) {
          if (stmt.kind !== 'Attribute') continue;
          const result = evaluateInto(stmt.value, makeScope(c.scope), file.source, schemaTarget(c.schema[stmt.name.name]!.type));
          if (!result.ok) errors.push(result.error.message);
        }
        expect(errors[0]).toBe(c.expected_error);
      });
    });
  });
});

if (!available) it.skip('eval conformance skipped: ../shared/conformance/eval not found', () => {});
