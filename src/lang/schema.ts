/**
 * Block schemas: the one declaration of a component's (or config block's)
 * arguments and exports. From it come decoding with defaults and Alloy's
 * decode messages, `validate` diagnostics, the API's argument/export JSON and
 * the UI's forms.
 *
 *   const Arguments = schema({
 *     filename: attr(t.string),                    // required
 *     detector: attr(t.oneOf('fsnotify', 'poll'), 'fsnotify'),
 *     poll_frequency: attr(t.duration, '1m'),      // defaults are Alloy values as written
 *     endpoint: blocks(Endpoint),                  // repeated block → array
 *   });
 *   type Arguments = Infer<typeof Arguments>;
 *
 * Decoded objects keep Alloy's attribute names as keys (`args.poll_frequency`).
 */
import type { AttributeStmt, BlockStmt, Body, Expr } from './ast.js';
import { endPos, startPos } from './ast.js';
import type { Diagnostic } from './diag.js';
import { SourceFile } from './position.js';
import { decode, type TypeDesc } from './value-decode.js';
import {
  arrayValue,
  boolValue,
  capsuleValue,
  floatValue,
  fromNative,
  intValue,
  NULL,
  objectValue,
  OptionalSecret,
  Secret,
  stringValue,
  type CapsulePayload,
  type Value,
} from './value.js';
import { formatBytes, formatDurationMs, parseBytes, parseDurationMs } from './units.js';

// ---------------------------------------------------------------------------
// Argument types

/** How one attribute's Alloy value becomes a JS value, and back. */
export interface ArgType<T> {
  /** Name shown in docs and the UI ("duration", "list(map(string))"). */
  readonly name: string;
  /** How the Alloy value is decoded (with Alloy's conversions). */
  readonly desc: TypeDesc;
  /** Turns the decoded value into T; throws an Error whose message becomes the diagnostic. */
  readonly from: (decoded: never) => T;
  /** Encodes T as an Alloy value (exports, API, UI). */
  readonly to: (value: T) => Value;
}

function argType<T, D = T>(name: string, desc: TypeDesc, from: (d: D) => T, to: (v: T) => Value): ArgType<T> {
  return { name, desc, from: from as (d: never) => T, to };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const identity = (v: any) => v;

/** A capsule that carries a host object (receivers, relabel rules). */
export interface Capsule extends CapsulePayload {}

export const t = {
  any: argType<Value>('any', { kind: 'any' }, identity, identity),
  string: argType<string>('string', { kind: 'string' }, identity, stringValue),
  bool: argType<boolean>('bool', { kind: 'bool' }, identity, boolValue),
  int: argType<number>('number', { kind: 'number', int: true }, identity, (n) => intValue(n)),
  uint: argType<number>('number', { kind: 'number', int: true, unsigned: true }, identity, (n) => intValue(n)),
  float: argType<number>('number', { kind: 'number' }, identity, floatValue),
  /** A Go duration string ("1m30s"), decoded to milliseconds. */
  duration: argType<number, string>('duration', { kind: 'string' }, parseDurationMs, (ms) => stringValue(formatDurationMs(ms))),
  /** A base-2 byte size ("1MiB"), decoded to a byte count. */
  bytes: argType<number, string>('bytes', { kind: 'string' }, parseBytes, (n) => stringValue(formatBytes(n))),
  secret: argType<Secret>('secret', { kind: 'secret' }, identity, (s) => capsuleValue(s)),
  optionalSecret: argType<OptionalSecret>('optional_secret', { kind: 'optional_secret' }, identity, (s) =>
    s.isSecret ? capsuleValue(s) : stringValue(s.value),
  ),

  /** One of a fixed set of strings. */
  oneOf<const S extends string>(...allowed: S[]): ArgType<S> {
    return argType<S, string>('string', { kind: 'string' }, (s) => {
      if (!(allowed as string[]).includes(s)) throw new Error(`unrecognized value ${JSON.stringify(s)}, expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
      return s as S;
    }, stringValue);
  },

  /** A string checked by `check` (which throws with the message to report). */
  checked(name: string, check: (s: string) => void): ArgType<string> {
    return argType<string, string>(name, { kind: 'string' }, (s) => {
      check(s);
      return s;
    }, stringValue);
  },

  list<T>(elem: ArgType<T>): ArgType<T[]> {
    return argType<T[], unknown[]>(`list(${elem.name})`, { kind: 'list', elem: elem.desc }, (xs) => xs.map(elem.from as (d: unknown) => T), (xs) =>
      arrayValue(xs.map(elem.to)),
    );
  },

  map<T>(elem: ArgType<T>): ArgType<Record<string, T>> {
    return argType<Record<string, T>, Record<string, unknown>>(
      `map(${elem.name})`,
      { kind: 'map', elem: elem.desc },
      (m) => mapRecord(m, elem.from as (d: unknown) => T),
      (m) => objectValue(Object.entries(m).map(([k, v]) => [k, elem.to(v)] as const)),
    );
  },

  /** A host object passed as a capsule; `typeName` is the Go-style name ("loki.LogsReceiver"). */
  capsule<T extends CapsulePayload>(typeName: string): ArgType<T> {
    return argType<T>(`capsule(${typeName})`, { kind: 'capsule', capsuleType: typeName }, identity, (p) => (p ? capsuleValue(p) : NULL));
  },
} as const;

/** Targets: `list(map(string))`, as produced by discovery components. */
export const targetsType = t.list(t.map(t.string));

function mapRecord<A, B>(m: Record<string, A>, f: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const k of Object.keys(m)) out[k] = f(m[k]!);
  return out;
}

// ---------------------------------------------------------------------------
// Fields and schemas

export interface AttrField<T = unknown, R extends boolean = boolean> {
  readonly kind: 'attr';
  readonly type: ArgType<T>;
  readonly required: R;
  /** The default as an Alloy value (decoded like a written one). */
  readonly defaultValue?: Value;
  /** Shown for secrets and the like in the UI/API. */
  readonly doc?: string;
}

/**
 * How often a block may appear: exactly once, at most once (undefined when
 * absent), at most once with its own schema's defaults when absent (a Go
 * struct-valued block), or any number of times.
 */
export type Multiplicity = 'one' | 'optional' | 'defaulted' | 'many';

export interface BlockField<T = unknown, M extends Multiplicity = Multiplicity> {
  readonly kind: 'block';
  readonly schema: BlockSchema<T>;
  readonly multiplicity: M;
  /** The block takes a label (kept as `label` in the decoded value). */
  readonly labelled?: boolean;
}

/** An ordered list of differently-named blocks, e.g. loki.process stages. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface EnumField<V extends Record<string, BlockSchema<any>> = Record<string, BlockSchema<any>>> {
  readonly kind: 'enum';
  readonly variants: V;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Field = AttrField<any> | BlockField<any> | EnumField;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = BlockSchema<any>;

export interface BlockSchema<T = unknown> {
  readonly fields: Readonly<Record<string, Field>>;
  /** Cross-field checks after decoding; returns an error message or undefined. */
  readonly validate?: (value: T) => string | undefined;
  /** One line on what the block is for, when it is not a component's top level (see `describeSchema`). */
  readonly description?: string;
  /** One line per field, by name; enum variants are described by their own schema's `description`. */
  readonly descriptions?: Readonly<Record<string, string>>;
  /** Phantom marker for inference. */
  readonly __type?: T;
}

/** A required attribute, or an optional one when a default is given. */
export function attr<T>(type: ArgType<T>): AttrField<T, true>;
/** `defaultValue` is written as in a config (e.g. "1m" for a duration) and decoded like one. */
export function attr<T>(type: ArgType<T>, defaultValue: unknown): AttrField<T, false>;
export function attr<T>(type: ArgType<T>, ...rest: [] | [unknown]): AttrField<T> {
  if (rest.length === 0) return { kind: 'attr', type, required: true };
  return { kind: 'attr', type, required: false, defaultValue: asDefaultValue(rest[0]) };
}

/** An optional attribute that is undefined when absent. */
export function optional<T>(type: ArgType<T>): AttrField<T | undefined, false> {
  return { kind: 'attr', type: type as ArgType<T | undefined>, required: false };
}

export function block<T>(schema: BlockSchema<T>): BlockField<T, 'one'> {
  return { kind: 'block', schema, multiplicity: 'one' };
}

/**
 * A block that may be left out, undefined when absent (a Go pointer-valued
 * block). For a block whose absence means its schema's defaults, use defaultedBlock.
 */
export function optionalBlock<T>(schema: BlockSchema<T>): BlockField<T, 'optional'> {
  return { kind: 'block', schema, multiplicity: 'optional' };
}

/**
 * A block that may be left out and then reads as if written empty: every
 * attribute at its schema's default (what a Go struct-valued block gets from
 * its SetToDefault). The block's defaults are thus stated once, in its schema.
 */
export function defaultedBlock<T>(schema: BlockSchema<T>): BlockField<T, 'defaulted'> {
  return { kind: 'block', schema, multiplicity: 'defaulted' };
}

export function blocks<T>(schema: BlockSchema<T>): BlockField<T, 'many'> {
  return { kind: 'block', schema, multiplicity: 'many' };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function enumBlocks<V extends Record<string, BlockSchema<any>>>(variants: V): EnumField<V> {
  return { kind: 'enum', variants };
}

type FieldValue<F> =
  F extends AttrField<infer T, infer R> ? (R extends true ? T : T)
  : F extends BlockField<infer T, infer M> ? (M extends 'many' ? T[] : M extends 'optional' ? T | undefined : T)
  : F extends EnumField<infer V> ? { [K in keyof V]: { name: K; value: InferSchema<V[K]> } }[keyof V][]
  : never;

type InferSchema<S> = S extends BlockSchema<infer T> ? T : never;

export type InferFields<F extends Record<string, Field>> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/** Declares a block schema; its decoded type is InferFields of the fields. */
export function schema<F extends Record<string, Field>>(
  fields: F,
  validate?: (value: InferFields<F>) => string | undefined,
): BlockSchema<InferFields<F>> & { fields: F } {
  return validate ? { fields, validate } : { fields };
}

export type Infer<S> = InferSchema<S>;

// ---------------------------------------------------------------------------
// Descriptions (hover, completion, the UI's component page, validate's notes)

/** Descriptions keyed by the schema's own field names, so a misspelt name does not compile. */
export type FieldDescriptions<S> = S extends { fields: infer F } ? { readonly [K in keyof F]?: string } : Readonly<Record<string, string>>;

/**
 * Attaches one-line descriptions to a schema, written beside its declaration:
 *
 *   describeSchema(Arguments, { filename: 'Path of the file to read.' }, 'What this block is for.');
 *
 * Kept apart from `attr()`/`block()` so that declarations stay one line per
 * field. Called again on the same schema, the texts are merged.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function describeSchema<S extends BlockSchema<any>>(s: S, fields: FieldDescriptions<S>, about?: string): S {
  const target = s as { -readonly [K in 'description' | 'descriptions']?: BlockSchema[K] };
  target.descriptions = { ...s.descriptions, ...(fields as Record<string, string>) };
  if (about !== undefined) target.description = about;
  return s;
}

/**
 * The description of field or enum variant `name` of `s`: the parent's text
 * first (the same block schema may mean different things in different
 * places), then the nested block's own.
 */
export function fieldDescription(s: BlockSchema, name: string): string | undefined {
  const own = s.descriptions?.[name];
  if (own !== undefined) return own;
  const field = s.fields[name];
  if (field?.kind === 'block') return field.schema.description;
  for (const f of Object.values(s.fields)) {
    if (f.kind === 'enum' && f.variants[name]) return f.variants[name]!.description;
  }
  return undefined;
}

function asDefaultValue(v: unknown): Value {
  return isAlloyValue(v) ? v : fromNative(v);
}

function isAlloyValue(v: unknown): v is Value {
  return typeof v === 'object' && v !== null && 'type' in v && typeof (v as { type: unknown }).type === 'string' &&
    ['null', 'number', 'string', 'bool', 'array', 'object', 'function', 'capsule'].includes((v as { type: string }).type);
}

// ---------------------------------------------------------------------------
// Decoding

/** What decoding needs from the evaluator. */
export interface DecodeContext {
  readonly source: SourceFile;
  /**
   * Evaluates `expr` and decodes it into `desc`. Errors come back as one
   * diagnostic positioned the way Alloy positions evaluation errors.
   */
  evaluate(expr: Expr, desc: TypeDesc): { ok: true; value: unknown } | { ok: false; diagnostic: Diagnostic };
}

/** A decode failure: Alloy stops decoding a block at its first error. */
export class DecodeError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/**
 * Decodes the body of a block. `owner` is the block being decoded (used to
 * position "missing required" errors); undefined for a file's top level.
 */
export function decodeBody<T>(s: BlockSchema<T>, body: Body, ctx: DecodeContext, owner?: BlockStmt): { value?: T; diagnostic?: Diagnostic } {
  try {
    return { value: decodeBlockBody(s, body, ctx, owner) };
  } catch (err) {
    if (err instanceof DecodeError) return { diagnostic: err.diagnostic };
    throw err;
  }
}

/**
 * The value of a schema with nothing written: its defaults everywhere, as a
 * removed block reads. Throws if the schema requires something.
 */
export function defaultsOf<T>(s: BlockSchema<T>): T {
  const ctx: DecodeContext = {
    source: SourceFile.fromString('(defaults)', ''),
    evaluate: () => {
      throw new Error('an empty body has nothing to evaluate');
    },
  };
  try {
    return decodeBlockBody(s, [], ctx, undefined);
  } catch (err) {
    throw err instanceof DecodeError ? new Error(err.message) : err;
  }
}

/**
 * An attribute's default, decoded: for code that treats an explicit zero as
 * "the default" (as Alloy does in places), so that the default is still
 * stated only in the schema.
 */
export function attrDefault<T>(field: AttrField<T, false>): T {
  if (field.defaultValue === undefined) throw new Error(`attribute of type ${field.type.name} has no default`);
  return (field.type.from as (d: unknown) => T)(decode(field.defaultValue, field.type.desc));
}

function decodeBlockBody<T>(s: AnySchema, body: Body, ctx: DecodeContext, owner: BlockStmt | undefined): T {
  const out: Record<string, unknown> = {};
  const seenAttrs = new Set<string>();
  const seenBlocks = new Set<string>();
  const enumOwner = enumFieldsByVariant(s);
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') decodeAttribute(s, stmt, ctx, out, seenAttrs);
    else decodeNestedBlock(s, stmt, ctx, out, seenBlocks, enumOwner);
  }
  fillAbsentFields(s, ctx, out, owner, seenAttrs, seenBlocks);
  const value = out as T;
  const problem = s.validate?.(value);
  if (problem) throw new DecodeError(diagnosticAt(ctx, owner, problem));
  return value;
}

function decodeAttribute(s: AnySchema, stmt: AttributeStmt, ctx: DecodeContext, out: Record<string, unknown>, seen: Set<string>): void {
  const name = stmt.name.name;
  if (seen.has(name)) throw new DecodeError(diagnosticAt(ctx, stmt, `attribute ${JSON.stringify(name)} may only be provided once`));
  seen.add(name);
  const field = s.fields[name];
  if (!field) throw new DecodeError(diagnosticAt(ctx, stmt, `unrecognized attribute name ${JSON.stringify(name)}`));
  if (field.kind !== 'attr') throw new DecodeError(diagnosticAt(ctx, stmt, `${JSON.stringify(name)} must be a block, but is used as an attribute`));
  const result = ctx.evaluate(stmt.value, field.type.desc);
  if (!result.ok) throw new DecodeError(result.diagnostic);
  out[name] = convertOrFail(field.type, result.value, ctx, stmt.value);
}

function convertOrFail(type: ArgType<unknown>, decoded: unknown, ctx: DecodeContext, at: Expr | undefined): unknown {
  try {
    return (type.from as (d: unknown) => unknown)(decoded);
  } catch (err) {
    throw new DecodeError(diagnosticAt(ctx, at, err instanceof Error ? err.message : String(err)));
  }
}

function decodeNestedBlock(
  s: AnySchema,
  stmt: BlockStmt,
  ctx: DecodeContext,
  out: Record<string, unknown>,
  seen: Set<string>,
  enumOwner: Map<string, string>,
): void {
  const name = stmt.name.join('.');
  const enumName = enumOwner.get(name);
  if (enumName !== undefined) {
    const field = s.fields[enumName] as EnumField;
    rejectLabel(stmt, ctx, name);
    const list = (out[enumName] ??= []) as { name: string; value: unknown }[];
    list.push({ name, value: decodeBlockBody(field.variants[name]!, stmt.body, ctx, stmt) });
    return;
  }
  const field = s.fields[name];
  if (!field) throw new DecodeError(diagnosticAt(ctx, blockHeader(stmt), `unrecognized block name ${JSON.stringify(name)}`));
  if (field.kind !== 'block') throw new DecodeError(diagnosticAt(ctx, blockHeader(stmt), `${JSON.stringify(name)} must be an attribute, but is used as a block`));
  if (field.multiplicity !== 'many' && seen.has(name)) throw new DecodeError(diagnosticAt(ctx, blockHeader(stmt), `block ${JSON.stringify(name)} may only be specified once`));
  seen.add(name);
  if (field.labelled) {
    if (stmt.label === '') throw new DecodeError(diagnosticAt(ctx, blockHeader(stmt), `block ${JSON.stringify(name)} requires non-empty label`));
  } else rejectLabel(stmt, ctx, name);
  const decoded = decodeBlockBody(field.schema, stmt.body, ctx, stmt) as Record<string, unknown>;
  if (field.labelled) decoded['label'] = stmt.label;
  if (field.multiplicity === 'many') ((out[name] ??= []) as unknown[]).push(decoded);
  else out[name] = decoded;
}

function rejectLabel(stmt: BlockStmt, ctx: DecodeContext, name: string): void {
  if (stmt.label !== '') throw new DecodeError(diagnosticAt(ctx, blockHeader(stmt), `block ${JSON.stringify(name)} does not support specifying labels`));
}

function fillAbsentFields(
  s: AnySchema,
  ctx: DecodeContext,
  out: Record<string, unknown>,
  owner: BlockStmt | undefined,
  seenAttrs: Set<string>,
  seenBlocks: Set<string>,
): void {
  for (const [name, field] of Object.entries(s.fields)) {
    if (field.kind === 'enum') {
      out[name] ??= [];
    } else if (field.kind === 'attr') {
      if (seenAttrs.has(name)) continue;
      if (field.required) throw new DecodeError(diagnosticAt(ctx, owner, `missing required attribute ${JSON.stringify(name)}`));
      out[name] = field.defaultValue === undefined ? undefined : convertOrFail(field.type, decode(field.defaultValue, field.type.desc), ctx, undefined);
    } else if (!seenBlocks.has(name)) {
      if (field.multiplicity === 'one') throw new DecodeError(diagnosticAt(ctx, owner, `missing required block ${JSON.stringify(name)}`));
      out[name] = absentBlockValue(field, ctx, owner);
    }
  }
}

function absentBlockValue(field: BlockField, ctx: DecodeContext, owner: BlockStmt | undefined): unknown {
  switch (field.multiplicity) {
    case 'many': return [];
    case 'defaulted': return decodeBlockBody(field.schema, [], ctx, owner);
    default: return undefined;
  }
}

function enumFieldsByVariant(s: AnySchema): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [name, field] of Object.entries(s.fields)) {
    if (field.kind === 'enum') for (const variant of Object.keys(field.variants)) owners.set(variant, name);
  }
  return owners;
}

/** The range Alloy highlights for errors about a block itself: its name and label. */
interface Range {
  start: number;
  end: number;
}

function blockHeader(stmt: BlockStmt): Range {
  return { start: stmt.namePos, end: stmt.namePos + Buffer.byteLength(stmt.name.join('.')) - 1 };
}

function diagnosticAt(ctx: DecodeContext, at: AttributeStmt | BlockStmt | Expr | Range | undefined, message: string): Diagnostic {
  const src = ctx.source;
  if (!at) return { severity: 'error', message, start: { file: src.name, line: 0, column: 0, offset: -1 } };
  const [s, e] = 'start' in at ? [at.start, at.end] : [startPos(at), endPos(at)];
  const sp = src.position(s)!;
  const ep = src.position(e)!;
  return {
    severity: 'error',
    message,
    start: { file: src.name, line: sp.line, column: sp.column, offset: s },
    end: { file: src.name, line: ep.line, column: ep.column, offset: e },
  };
}

// ---------------------------------------------------------------------------
// Encoding (exports, API)

/** Encodes a decoded object back into an Alloy object value, field by field. */
export function encodeBody<T>(s: BlockSchema<T> | AnySchema, value: T): Value {
  const entries: [string, Value][] = [];
  const v = value as Record<string, unknown>;
  for (const [name, field] of Object.entries(s.fields)) {
    const x = v[name];
    if (field.kind === 'attr') entries.push([name, x === undefined ? NULL : (field.type.to as (y: unknown) => Value)(x)]);
    else if (field.kind === 'block') {
      if (field.multiplicity === 'many') entries.push([name, arrayValue((x as unknown[]).map((b) => encodeBody(field.schema, b)))]);
      else entries.push([name, x === undefined ? NULL : encodeBody(field.schema, x)]);
    } else {
      const list = (x ?? []) as { name: string; value: unknown }[];
      entries.push([name, arrayValue(list.map((b) => objectValue([[b.name, encodeBody(field.variants[b.name]!, b.value)]])))]);
    }
  }
  return objectValue(entries, true);
}

/** Exports are a flat set of attributes; this encodes them into an object value. */
export function encodeExports<T>(s: BlockSchema<T>, exports: T): Value {
  return encodeBody(s, exports);
}

export { Secret, OptionalSecret };
