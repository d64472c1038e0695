/**
 * The Alloy value model (grafana/alloy syntax/internal/value/value.go). Values are plain immutable objects tagged
 * by `type`; numbers carry Go's hidden kind (int64, uint64 or float64).
 *
 * Object identity matters: the evaluator remembers which expression produced
 * which value object so that errors can point at the right source text
 * (vm/error.go). Never share one value object between unrelated results
 * unless Alloy would (e.g. an identifier returns the scope's value itself).
 */
/** Go's string order (UTF-8 byte order), used to sort object keys. */
export { compareStrings } from '../go/strings.js';

export type TypeName = 'null' | 'number' | 'string' | 'bool' | 'array' | 'object' | 'function' | 'capsule';

export interface NullValue {
  readonly type: 'null';
}

export interface IntValue {
  readonly type: 'number';
  readonly kind: 'int';
  /** Always within int64 range. */
  readonly value: bigint;
}

export interface UintValue {
  readonly type: 'number';
  readonly kind: 'uint';
  /** Always within uint64 range. */
  readonly value: bigint;
}

export interface FloatValue {
  readonly type: 'number';
  readonly kind: 'float';
  readonly value: number;
}

export type NumberValue = IntValue | UintValue | FloatValue;
export type NumberKind = NumberValue['kind'];

export interface StringValue {
  readonly type: 'string';
  readonly value: string;
}

export interface BoolValue {
  readonly type: 'bool';
  readonly value: boolean;
}

export interface ArrayValue {
  readonly type: 'array';
  readonly elements: readonly Value[];
  /**
   * Set when the array stands for a Go []byte (encoding.from_base64): Alloy
   * shows it as an array of numbers but a string target accepts it as text.
   */
  readonly goBytes?: Uint8Array;
}

export interface ObjectValue {
  readonly type: 'object';
  readonly fields: ReadonlyMap<string, Value>;
  /**
   * True for objects with a fixed key order (Go structs, e.g. component
   * exports): rendering keeps insertion order. Otherwise (Go maps) keys are
   * rendered sorted.
   */
  readonly ordered?: boolean;
}

/**
 * A host function. `call` returns the result or throws a ValueError (or a
 * PlainError); the evaluator turns those into diagnostics. It never sees
 * unevaluated expressions.
 */
export type HostFunction = (args: readonly Value[], self: FunctionValue) => Value;

export interface FunctionValue {
  readonly type: 'function';
  /** Name used in messages and debugging (e.g. "string.format"). */
  readonly name: string;
  /** The Go type Alloy reports for it (`func(string) string`). */
  readonly goType: string;
  readonly call: HostFunction;
}

/**
 * Payload of a capsule: an opaque host value. `capsuleType` is the Go-like
 * type name used in messages (`capsule("loki.LogsReceiver")`).
 */
export interface CapsulePayload {
  readonly capsuleType: string;
  /** Optional: the capsule can be read like an object (Go ConvertibleIntoCapsule to map). */
  toObject?(): ReadonlyMap<string, Value> | undefined;
  /** Optional deep equality with another payload of the same capsuleType. */
  equals?(other: CapsulePayload): boolean;
  /** Optional Alloy text for rendering (Go builder.Tokenizer). */
  alloyText?(): string | undefined;
}

export interface CapsuleValue {
  readonly type: 'capsule';
  readonly payload: CapsulePayload;
}

export type Value =
  | NullValue
  | NumberValue
  | StringValue
  | BoolValue
  | ArrayValue
  | ObjectValue
  | FunctionValue
  | CapsuleValue;

// ---------------------------------------------------------------------------
// Secrets (grafana/alloy syntax/alloytypes/secret.go, optional_secret.go)

/** A sensitive string that is never displayed. */
export class Secret implements CapsulePayload {
  readonly capsuleType = 'alloytypes.Secret';
  constructor(readonly value: string) {}
  equals(other: CapsulePayload): boolean {
    return other instanceof Secret && other.value === this.value;
  }
  alloyText(): string {
    return '(secret)';
  }
}

/** A string that may or may not be sensitive. */
export class OptionalSecret implements CapsulePayload {
  readonly capsuleType = 'alloytypes.OptionalSecret';
  constructor(
    readonly value: string,
    readonly isSecret: boolean,
  ) {}
  equals(other: CapsulePayload): boolean {
    return other instanceof OptionalSecret && other.value === this.value && other.isSecret === this.isSecret;
  }
  alloyText(): string | undefined {
    return this.isSecret ? '(secret)' : undefined;
  }
}

// ---------------------------------------------------------------------------
// Constructors

export const NULL: NullValue = Object.freeze({ type: 'null' });

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** An int value; `v` is wrapped to int64 like Go arithmetic. */
export function intValue(v: bigint | number): IntValue {
  const b = typeof v === 'number' ? BigInt(Math.trunc(v)) : v;
  return { type: 'number', kind: 'int', value: BigInt.asIntN(64, b) };
}

/** A uint value; `v` is wrapped to uint64 like Go arithmetic. */
export function uintValue(v: bigint | number): UintValue {
  const b = typeof v === 'number' ? BigInt(Math.trunc(v)) : v;
  return { type: 'number', kind: 'uint', value: BigInt.asUintN(64, b) };
}

export function floatValue(v: number): FloatValue {
  return { type: 'number', kind: 'float', value: v };
}

export function stringValue(s: string): StringValue {
  return { type: 'string', value: s };
}

export function boolValue(b: boolean): BoolValue {
  return { type: 'bool', value: b };
}

export function arrayValue(elements: readonly Value[]): ArrayValue {
  return { type: 'array', elements };
}

/** The Alloy value of a Go []byte: an array of numbers that remembers its bytes. */
export function bytesValue(bytes: Uint8Array): ArrayValue {
  const elements = Array.from(bytes, (b) => uintValue(b));
  return { type: 'array', elements, goBytes: bytes };
}

/** An object; later duplicates of a key replace earlier ones (Go map semantics). */
export function objectValue(
  fields: ReadonlyMap<string, Value> | Iterable<readonly [string, Value]> | Record<string, Value>,
  ordered = false,
): ObjectValue {
  const map = fields instanceof Map ? fields : new Map(isIterable(fields) ? fields : Object.entries(fields));
  return ordered ? { type: 'object', fields: map, ordered: true } : { type: 'object', fields: map };
}

function isIterable<T>(x: unknown): x is Iterable<T> {
  return typeof (x as Iterable<T>)[Symbol.iterator] === 'function';
}

export function functionValue(name: string, goType: string, call: HostFunction): FunctionValue {
  return { type: 'function', name, goType, call };
}

export function capsuleValue(payload: CapsulePayload): CapsuleValue {
  return { type: 'capsule', payload };
}

export function secretValue(s: string): CapsuleValue {
  return capsuleValue(new Secret(s));
}

export function optionalSecretValue(s: string, isSecret: boolean): CapsuleValue {
  return capsuleValue(new OptionalSecret(s, isSecret));
}

// ---------------------------------------------------------------------------
// Number accessors (Go value.Number Int/Uint/Float conversions)

/** Go int64(float64) on amd64: out-of-range and NaN give MinInt64. */
function floatToInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** Go uint64(float64) on amd64 (values ≥ 2^63 are converted via a bias). */
function floatToUint64(f: number): bigint {
  if (f < 2 ** 63) return BigInt.asUintN(64, floatToInt64(f));
  const biased = floatToInt64(f - 2 ** 63);
  return BigInt.asUintN(64, biased) ^ (1n << 63n);
}

/** The number as int64 (Go Number.Int()). */
export function numberAsInt(n: NumberValue): bigint {
  if (n.kind === 'float') return floatToInt64(n.value);
  return BigInt.asIntN(64, n.value);
}

/** The number as uint64 (Go Number.Uint()). */
export function numberAsUint(n: NumberValue): bigint {
  if (n.kind === 'float') return floatToUint64(n.value);
  return BigInt.asUintN(64, n.value);
}

/** The number as float64 (Go Number.Float()). */
export function numberAsFloat(n: NumberValue): number {
  return n.kind === 'float' ? n.value : Number(n.value);
}

export function isInt64(b: bigint): boolean {
  return b >= INT64_MIN && b <= INT64_MAX;
}

export function isUint64(b: bigint): boolean {
  return b >= 0n && b <= UINT64_MAX;
}

// ---------------------------------------------------------------------------
// Type descriptions

/** Alloy's name for a value's type, as printed in errors. */
export function typeName(v: Value): TypeName {
  return v.type;
}

/** Like typeName, but capsules show their host type (Go Value.Describe). */
export function describeType(v: Value): string {
  return v.type === 'capsule' ? `capsule(${JSON.stringify(v.payload.capsuleType)})` : v.type;
}

/**
 * The Go type a value decodes to in an untyped (`any`) target
 * (decode.go decodeAny): used by string.format messages and conformance.
 */
export function goTypeOfAny(v: Value): string {
  switch (v.type) {
    case 'null': return '<nil>';
    case 'number':
      if (v.kind === 'float') return 'float64';
      if (v.kind === 'uint' && v.value > INT64_MAX) return 'uint64';
      return 'int';
    case 'string': return 'string';
    case 'bool': return 'bool';
    case 'array': return '[]interface {}';
    case 'object': return 'map[string]interface {}';
    case 'function': return v.goType;
    case 'capsule': return v.payload.capsuleType;
  }
}

// ---------------------------------------------------------------------------
// Equality (transform/binary.go valuesEqual)

/** Which of two number kinds an operation is carried out in (fitNumberKinds). */
export function fitNumberKinds(a: NumberKind, b: NumberKind): NumberKind {
  const prec = { uint: 0, int: 1, float: 2 } as const;
  return prec[a] > prec[b] ? a : b;
}

/** Numeric equality across kinds (`3 == 3.0`). */
export function numbersEqual(a: NumberValue, b: NumberValue): boolean {
  switch (fitNumberKinds(a.kind, b.kind)) {
    case 'uint': return numberAsUint(a) === numberAsUint(b);
    case 'int': return numberAsInt(a) === numberAsInt(b);
    case 'float': return numberAsFloat(a) === numberAsFloat(b);
  }
}

/**
 * Alloy `==`: different types are never equal, numbers compare by value,
 * arrays/objects element-wise, functions never, capsules deeply.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'null': return true;
    case 'number': return numbersEqual(a, b as NumberValue);
    case 'string': return a.value === (b as StringValue).value;
    case 'bool': return a.value === (b as BoolValue).value;
    case 'array': return arraysEqual(a.elements, (b as ArrayValue).elements);
    case 'object': return objectsEqual(a.fields, (b as ObjectValue).fields);
    case 'function': return false;
    case 'capsule': return capsulesEqual(a.payload, (b as CapsuleValue).payload);
  }
}

function arraysEqual(a: readonly Value[], b: readonly Value[]): boolean {
  return a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]!));
}

function objectsEqual(a: ReadonlyMap<string, Value>, b: ReadonlyMap<string, Value>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const other = b.get(k);
    if (other === undefined || !valuesEqual(v, other)) return false;
  }
  return true;
}

function capsulesEqual(a: CapsulePayload, b: CapsulePayload): boolean {
  if (a === b) return true;
  if (a.capsuleType !== b.capsuleType) return false;
  return a.equals ? a.equals(b) : false;
}

/**
 * Strict equality used by array.combine_maps (Go reflect.Value.Equal): the
 * hidden number kind must match too (`1` ≠ `1.0`).
 */
export function valuesIdentical(a: Value, b: Value): boolean {
  if (a.type === 'number' && b.type === 'number') return a.kind === b.kind && a.value === b.value;
  if (a.type === 'array' && b.type === 'array') {
    return a.elements.length === b.elements.length && a.elements.every((v, i) => valuesIdentical(v, b.elements[i]!));
  }
  if (a.type === 'object' && b.type === 'object') {
    if (a.fields.size !== b.fields.size) return false;
    for (const [k, v] of a.fields) {
      const other = b.fields.get(k);
      if (other === undefined || !valuesIdentical(v, other)) return false;
    }
    return true;
  }
  return valuesEqual(a, b);
}

// ---------------------------------------------------------------------------
// Go "zero value" test used by coalesce (reflect.Value.IsZero).

/** True when the underlying Go value would be its type's zero value. */
export function isGoZero(v: Value): boolean {
  switch (v.type) {
    case 'null': return true;
    // -0.0 is not a zero value in Go (its bits are not all zero).
    case 'number': return v.kind === 'float' ? Object.is(v.value, 0) : v.value === 0n;
    case 'string': return v.value === '';
    case 'bool': return !v.value;
    case 'array': case 'object': case 'function': return false;
    case 'capsule': return capsuleIsZero(v.payload);
  }
}

function capsuleIsZero(p: CapsulePayload): boolean {
  if (p instanceof Secret) return p.value === '';
  if (p instanceof OptionalSecret) return p.value === '' && !p.isSecret;
  return false;
}

// ---------------------------------------------------------------------------
// Conversion from plain JavaScript data (handy for hosts and tests).

/**
 * Converts plain JS data into a value: integers → int, other numbers →
 * float, bigint → int (uint above int64), arrays, plain objects, Maps,
 * Uint8Array → bytes, null/undefined → null. Existing capsule payloads
 * (objects with `capsuleType`) become capsules. Values themselves are not
 * recognised (a plain object with a `type` field is ordinary data), so
 * build nested values with the constructors instead.
 */
export function fromNative(x: unknown): Value {
  if (x === null || x === undefined) return NULL;
  switch (typeof x) {
    case 'number': return Number.isInteger(x) && !Object.is(x, -0) ? intValue(x) : floatValue(x);
    case 'bigint': return x > INT64_MAX ? uintValue(x) : intValue(x);
    case 'string': return stringValue(x);
    case 'boolean': return boolValue(x);
    case 'function': throw new TypeError('fromNative: wrap host functions with functionValue()');
  }
  if (Array.isArray(x)) return arrayValue(x.map(fromNative));
  if (x instanceof Uint8Array) return bytesValue(x);
  if (x instanceof Map) return objectValue(new Map([...x].map(([k, v]) => [String(k), fromNative(v)])));
  if (typeof (x as CapsulePayload).capsuleType === 'string') return capsuleValue(x as CapsulePayload);
  return objectValue(new Map(Object.entries(x as object).map(([k, v]) => [k, fromNative(v)])));
}
