/**
 * Decoding values into typed targets (grafana/alloy
 * syntax/internal/value/decode.go). Targets are described by a small type-descriptor language; decoding
 * performs Alloy's conversions (number ↔ string, secrets, optional secrets,
 * []byte → string) and throws value errors (value-errors.ts) that the
 * evaluator can place in the source.
 */
import {
  NULL,
  OptionalSecret,
  Secret,
  stringValue,
  intValue,
  floatValue,
  uintValue,
  numberAsFloat,
  numberAsInt,
  numberAsUint,
  type ArrayValue,
  type CapsulePayload,
  type FunctionValue,
  type NumberValue,
  type ObjectValue,
  type TypeName,
  type Value,
  describeType,
} from './value.js';
import {
  ElementError,
  FieldError,
  MissingKeyError,
  TypeMismatchError,
  ValError,
} from './value-errors.js';
import { formatFloatPlain, parseGoFloat, parseGoInt, parseGoUint } from '../go/strconv.js';

/** A decoding target. */
export type TypeDesc =
  /** No conversion: the value itself. */
  | { readonly kind: 'any' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  /**
   * A JS number. `int` truncates like a Go integer conversion, wrapped to
   * `bits` (default 64) and signed unless `unsigned`; otherwise a float
   * (`bits` 32 rounds to float32).
   */
  | { readonly kind: 'number'; readonly int?: boolean; readonly unsigned?: boolean; readonly bits?: 8 | 16 | 32 | 64 }
  /** A 64-bit integer as a bigint (int64, or uint64 when `unsigned`). */
  | { readonly kind: 'bigint'; readonly unsigned?: boolean }
  | { readonly kind: 'list'; readonly elem: TypeDesc }
  /** An object with arbitrary keys → Record<string, elem>. */
  | { readonly kind: 'map'; readonly elem: TypeDesc }
  /**
   * An object with known keys (a Go struct). Unknown keys are an error;
   * absent keys get their zero value.
   */
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, TypeDesc>> }
  | { readonly kind: 'secret' }
  | { readonly kind: 'optional_secret' }
  /** A Go []byte. */
  | { readonly kind: 'bytes' }
  | { readonly kind: 'function' }
  /** A host capsule of the given capsuleType. */
  | { readonly kind: 'capsule'; readonly capsuleType: string };

/** The JS type a descriptor decodes to (unknown for a descriptor only known as TypeDesc). */
export type Decoded<T extends TypeDesc> = [TypeDesc] extends [T]
  ? unknown
  : DecodedKnown<T>;

type DecodedKnown<T extends TypeDesc> = T extends { kind: 'any' }
  ? Value
  : T extends { kind: 'string' }
    ? string
    : T extends { kind: 'bool' }
      ? boolean
      : T extends { kind: 'number' }
        ? number
        : T extends { kind: 'bigint' }
          ? bigint
          : T extends { kind: 'list'; elem: infer E extends TypeDesc }
            ? Decoded<E>[]
            : T extends { kind: 'map'; elem: infer E extends TypeDesc }
              ? Record<string, Decoded<E>>
              : T extends { kind: 'object'; fields: infer F extends Record<string, TypeDesc> }
                ? { [K in keyof F]: Decoded<F[K]> }
                : T extends { kind: 'secret' }
                  ? Secret
                  : T extends { kind: 'optional_secret' }
                    ? OptionalSecret
                    : T extends { kind: 'bytes' }
                      ? Uint8Array
                      : T extends { kind: 'function' }
                        ? FunctionValue
                        : CapsulePayload;

/** Shorthands for common descriptors. */
export const T = {
  any: { kind: 'any' },
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  int: { kind: 'number', int: true },
  float: { kind: 'number' },
  secret: { kind: 'secret' },
  optionalSecret: { kind: 'optional_secret' },
  list: <E extends TypeDesc>(elem: E) => ({ kind: 'list', elem }) as const,
  map: <E extends TypeDesc>(elem: E) => ({ kind: 'map', elem }) as const,
} as const satisfies Record<string, TypeDesc | ((e: TypeDesc) => TypeDesc)>;

/**
 * Decodes `v` into the target `t`, converting as Alloy does. Throws a
 * ValueError (or ValError-wrapped conversion failure) when impossible.
 */
export function decodeValue<D extends TypeDesc>(v: Value, t: D): Decoded<D> {
  return decode(v, t) as Decoded<D>;
}

/** Untyped core of decodeValue. */
export function decode(v: Value, t: TypeDesc): unknown {
  if (t.kind === 'any') return v;
  if (v.type === 'null') return zeroValue(t);
  if (v.type === 'array' && v.goBytes && t.kind === 'string') return Buffer.from(v.goBytes).toString('utf8');
  if (v.type === 'string' && t.kind === 'bytes') return new Uint8Array(Buffer.from(v.value, 'utf8'));
  const converted = convertForTarget(v, t);
  if (converted.done) return converted.result;
  return decodeSameType(converted.value, v, t);
}

/** The Alloy type a target accepts. */
export function targetTypeName(t: TypeDesc): TypeName | 'any' {
  switch (t.kind) {
    case 'any': return 'any';
    case 'string': return 'string';
    case 'bool': return 'bool';
    case 'number': case 'bigint': return 'number';
    case 'list': case 'bytes': return 'array';
    case 'map': case 'object': return 'object';
    case 'function': return 'function';
    case 'secret': case 'optional_secret': case 'capsule': return 'capsule';
  }
}

type Conversion = { done: true; result: unknown } | { done: false; value: Value };

/** Capsule conversions and convertValue (decode.go) when the types differ. */
function convertForTarget(v: Value, t: TypeDesc): Conversion {
  const want = targetTypeName(t) as TypeName;
  if (v.type === want) return { done: false, value: v };
  const capsule = tryCapsuleConvert(v, t);
  if (capsule.converted) return { done: true, result: capsule.result };
  return { done: false, value: convertValue(v, want) };
}

/** Go value.convertValue: the implicit conversions between Alloy types. */
export function convertValue(v: Value, to: TypeName): Value {
  if (v.type === to) return v;
  if (v.type === 'number' && to === 'string') return stringValue(numberToString(v));
  if (v.type === 'string' && to === 'number') return stringToNumber(v);
  if (v.type === 'capsule') {
    const text = capsuleAsString(v.payload);
    if (text !== undefined) {
      try {
        return convertValue(stringValue(text), to);
      } catch {
        // Fall through to the type error about the capsule itself.
      }
    }
  }
  throw new TypeMismatchError(v, to);
}

/** Go Number.ToString: decimal integers, floats in 'f' format, shortest. */
export function numberToString(n: NumberValue): string {
  return n.kind === 'float' ? formatFloatPlain(n.value) : n.value.toString();
}

/** string → number: signed int if it starts with "-", float if it has . e E, else uint. */
function stringToNumber(v: Value & { type: 'string' }): NumberValue {
  const s = v.value;
  const fail = (): never => {
    throw new TypeMismatchError(v, 'number');
  };
  if (s === '') return fail();
  if (s[0] === '-') {
    const n = /^-\d+$/.test(s) ? parseGoInt(s, 10) : undefined;
    return n === undefined ? fail() : intValue(n);
  }
  if (/[.eE]/.test(s)) {
    const f = parseGoFloat(s);
    return f.ok ? floatValue(f.value) : fail();
  }
  const n = /^\+?\d+$/.test(s) ? parseGoUint(s.replace(/^\+/, ''), 10) : undefined;
  return n === undefined ? fail() : uintValue(n);
}

/** The string an optional secret converts to, if it is not secret. */
function capsuleAsString(p: CapsulePayload): string | undefined {
  return p instanceof OptionalSecret && !p.isSecret ? p.value : undefined;
}

type CapsuleConversion = { converted: true; result: unknown } | { converted: false };

/** Secret/optional-secret conversions (ConvertInto / ConvertFrom). */
function tryCapsuleConvert(v: Value, t: TypeDesc): CapsuleConversion {
  if (v.type === 'capsule') {
    const into = convertCapsuleInto(v, t);
    if (into.converted) return into;
  }
  if (t.kind === 'secret' || t.kind === 'optional_secret') return convertIntoSecret(v, t.kind);
  return { converted: false };
}

function convertCapsuleInto(v: Value & { type: 'capsule' }, t: TypeDesc): CapsuleConversion {
  const p = v.payload;
  if (p instanceof Secret) {
    if (t.kind === 'optional_secret') return { converted: true, result: new OptionalSecret(p.value, true) };
    if (t.kind === 'string') throw new ValError(v, new Error('secrets may not be converted into strings'));
  }
  if (p instanceof OptionalSecret) {
    if (t.kind === 'secret') return { converted: true, result: new Secret(p.value) };
    if (t.kind === 'string') {
      if (p.isSecret) throw new ValError(v, new Error('secrets may not be converted into strings'));
      return { converted: true, result: p.value };
    }
  }
  return { converted: false };
}

function convertIntoSecret(v: Value, kind: 'secret' | 'optional_secret'): CapsuleConversion {
  let text: string | undefined;
  let secret = false;
  if (v.type === 'string') text = v.value;
  else if (v.type === 'capsule' && v.payload instanceof Secret) [text, secret] = [v.payload.value, true];
  else if (v.type === 'capsule' && v.payload instanceof OptionalSecret) [text, secret] = [v.payload.value, v.payload.isSecret];
  if (text === undefined) return { converted: false };
  const result = kind === 'secret' ? new Secret(text) : new OptionalSecret(text, secret);
  return { converted: true, result };
}

/** Decoding once the value has the target's Alloy type. */
function decodeSameType(v: Value, original: Value, t: TypeDesc): unknown {
  switch (v.type) {
    case 'string': return v.value;
    case 'bool': return v.value;
    case 'number': return t.kind === 'bigint' ? toBigint(v, t.unsigned) : toJsNumber(v, t);
    case 'array': return decodeArray(v, t);
    case 'object': return decodeObject(v, t);
    case 'function': return v;
    case 'capsule': return decodeCapsule(v, original, t);
    case 'null': return zeroValue(t);
  }
}

function toBigint(n: NumberValue, unsigned?: boolean): bigint {
  return unsigned ? numberAsUint(n) : numberAsInt(n);
}

/** Go convertGoNumber: integer targets truncate and wrap, float32 rounds. */
function toJsNumber(n: NumberValue, t: TypeDesc): number {
  if (t.kind !== 'number') return numberAsFloat(n);
  const bits = t.bits ?? 64;
  if (!t.int) return bits === 32 ? Math.fround(numberAsFloat(n)) : numberAsFloat(n);
  const raw = t.unsigned ? numberAsUint(n) : numberAsInt(n);
  return Number(t.unsigned ? BigInt.asUintN(bits, raw) : BigInt.asIntN(bits, raw));
}

function decodeArray(v: ArrayValue, t: TypeDesc): unknown {
  if (t.kind === 'bytes') return decodeBytes(v);
  const elem = t.kind === 'list' ? t.elem : ({ kind: 'any' } as const);
  return v.elements.map((e, i) => {
    try {
      return decode(e, elem);
    } catch (err) {
      throw new ElementError(v, i, err as Error);
    }
  });
}

function decodeBytes(v: ArrayValue): Uint8Array {
  if (v.goBytes) return v.goBytes;
  return Uint8Array.from(decodeArray(v, { kind: 'list', elem: { kind: 'number', int: true, unsigned: true, bits: 8 } }) as number[]);
}

function decodeObject(v: ObjectValue, t: TypeDesc): unknown {
  if (t.kind === 'object') return decodeStruct(v, t.fields);
  const elem = t.kind === 'map' ? t.elem : ({ kind: 'any' } as const);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of sortedKeys(v)) out[key] = decodeField(v, key, elem);
  return out;
}

function decodeStruct(v: ObjectValue, fields: Readonly<Record<string, TypeDesc>>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, desc] of Object.entries(fields)) out[name] = zeroValue(desc);
  for (const key of sortedKeys(v)) {
    const desc = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (desc === undefined) throw new MissingKeyError(v.fields.get(key)!, key);
    out[key] = decodeField(v, key, desc);
  }
  return out;
}

function decodeField(v: ObjectValue, key: string, desc: TypeDesc): unknown {
  try {
    return decode(v.fields.get(key)!, desc);
  } catch (err) {
    throw new FieldError(v, key, err as Error);
  }
}

/** Go maps iterate randomly; sorted order keeps the first reported error stable. */
function sortedKeys(v: ObjectValue): string[] {
  return [...v.fields.keys()].sort();
}

function decodeCapsule(v: Value & { type: 'capsule' }, original: Value, t: TypeDesc): unknown {
  const p = v.payload;
  if (t.kind === 'secret' && p instanceof Secret) return p;
  if (t.kind === 'optional_secret' && p instanceof OptionalSecret) return p;
  if (t.kind === 'capsule' && p.capsuleType === t.capsuleType) return p;
  const converted = tryCapsuleConvert(v, t);
  if (converted.converted) return converted.result;
  const wanted = t.kind === 'capsule' ? t.capsuleType : t.kind === 'secret' ? 'alloytypes.Secret' : 'alloytypes.OptionalSecret';
  throw new ValError(original, new Error(`expected capsule(${JSON.stringify(wanted)}), got ${describeType(v)}`));
}

/** The Go zero value of a target (what null decodes to). */
export function zeroValue(t: TypeDesc): unknown {
  switch (t.kind) {
    case 'any': return NULL;
    case 'string': return '';
    case 'bool': return false;
    case 'number': return 0;
    case 'bigint': return 0n;
    case 'list': return [];
    case 'map': return Object.create(null) as Record<string, unknown>;
    case 'object': return decodeStruct({ type: 'object', fields: new Map() }, t.fields);
    case 'secret': return new Secret('');
    case 'optional_secret': return new OptionalSecret('', false);
    case 'bytes': return new Uint8Array();
    case 'function': case 'capsule': return undefined;
  }
}
