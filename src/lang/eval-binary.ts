/**
 * Unary and binary operators (Go syntax/internal/transform/binary.go,
 * unary.go). Integer arithmetic is int64/uint64 with wrap-around;
 * `/` truncates; `^` on integers has Go's loop quirks; secrets combine by the
 * rules of syntax/alloytypes/secret.go. Failures throw value errors naming the offending operand.
 */
import { Tok, tokName } from './token.js';
import {
  OptionalSecret,
  Secret,
  boolValue,
  capsuleValue,
  fitNumberKinds,
  floatValue,
  intValue,
  numberAsFloat,
  numberAsInt,
  numberAsUint,
  stringValue,
  uintValue,
  valuesEqual,
  compareStrings,
  type BoolValue,
  type NumberValue,
  type TypeName,
  type Value,
} from './value.js';
import { TypeMismatchError, ValError } from './value-errors.js';

/** Operand types each operator accepts (binopAllowedTypes), in Go's print order. */
const ALLOWED: Partial<Record<Tok, readonly TypeName[]>> = {
  [Tok.OR]: ['bool'],
  [Tok.AND]: ['bool'],
  [Tok.ADD]: ['number', 'string', 'capsule'],
  [Tok.SUB]: ['number'],
  [Tok.MUL]: ['number'],
  [Tok.DIV]: ['number'],
  [Tok.MOD]: ['number'],
  [Tok.POW]: ['number'],
  [Tok.LT]: ['number', 'string'],
  [Tok.GT]: ['number', 'string'],
  [Tok.LTE]: ['number', 'string'],
  [Tok.GTE]: ['number', 'string'],
};

/** Evaluates `lhs op rhs`. */
export function binaryOp(lhs: Value, op: Tok, rhs: Value): Value {
  const [origLhs, origRhs] = [lhs, rhs];
  if (lhs.type === 'capsule' || rhs.type === 'capsule') [lhs, rhs] = unwrapCapsules(lhs, rhs);
  if (op === Tok.EQ) return boolValue(valuesEqual(lhs, rhs));
  if (op === Tok.NEQ) return boolValue(!valuesEqual(lhs, rhs));

  checkOperand(lhs, origLhs, op);
  checkOperand(rhs, origRhs, op);
  if (lhs.type !== rhs.type) throw new TypeMismatchError(rhs, lhs.type);

  switch (op) {
    case Tok.OR: return boolValue((lhs as BoolValue).value || (rhs as BoolValue).value);
    case Tok.AND: return boolValue((lhs as BoolValue).value && (rhs as BoolValue).value);
    case Tok.ADD: return add(lhs, rhs, origLhs);
    case Tok.LT: case Tok.GT: case Tok.LTE: case Tok.GTE: return compare(lhs, op, rhs);
    default: return arithmetic(lhs as NumberValue, op, rhs as NumberValue, origRhs);
  }
}

function checkOperand(v: Value, orig: Value, op: Tok): void {
  const allowed = ALLOWED[op];
  if (!allowed) throw new Error(`unexpected binary operator ${tokName(op)}`);
  if (!allowed.includes(v.type)) {
    const msg = `should be one of [${allowed.join(' ')}] for binop ${tokName(op)}, got ${v.type}`;
    throw new ValError(orig, new Error(msg));
  }
}

// ---------------------------------------------------------------------------
// Secrets: bring both operands to a common kind (tryUnwrapCapsules).

function unwrapCapsules(lhs: Value, rhs: Value): [Value, Value] {
  const l = lhs.type === 'capsule' ? lhs.payload : undefined;
  const r = rhs.type === 'capsule' ? rhs.payload : undefined;
  if (l instanceof OptionalSecret) {
    if (r instanceof Secret) return [capsuleValue(new Secret(l.value)), rhs];
    if (rhs.type === 'string') {
      if (l.isSecret) return [lhs, capsuleValue(new OptionalSecret(rhs.value, true))];
      return [stringValue(l.value), rhs];
    }
  } else if (l instanceof Secret) {
    if (r instanceof OptionalSecret) return [lhs, capsuleValue(new Secret(r.value))];
    if (rhs.type === 'string') return [lhs, capsuleValue(new Secret(rhs.value))];
  } else if (lhs.type === 'string') {
    if (r instanceof OptionalSecret) {
      if (r.isSecret) return [capsuleValue(new OptionalSecret(lhs.value, true)), rhs];
      return [lhs, stringValue(r.value)];
    }
    if (r instanceof Secret) return [capsuleValue(new Secret(lhs.value)), rhs];
  }
  return [lhs, rhs];
}

function add(lhs: Value, rhs: Value, origLhs: Value): Value {
  if (lhs.type === 'string') return stringValue(lhs.value + (rhs as typeof lhs).value);
  if (lhs.type === 'capsule') return addCapsules(lhs, rhs, origLhs);
  return arithmetic(lhs as NumberValue, Tok.ADD, rhs as NumberValue, rhs);
}

function addCapsules(lhs: Value & { type: 'capsule' }, rhs: Value, origLhs: Value): Value {
  const l = lhs.payload;
  const r = rhs.type === 'capsule' ? rhs.payload : undefined;
  if (l instanceof OptionalSecret) {
    const other = r instanceof OptionalSecret ? r : new OptionalSecret('', false);
    return capsuleValue(new OptionalSecret(l.value + other.value, l.isSecret || other.isSecret));
  }
  if (l instanceof Secret) {
    const other = r instanceof Secret ? r.value : '';
    return capsuleValue(new Secret(l.value + other));
  }
  const msg = `could not perform binop + for unknown types lhs ${lhs.type} rhs ${rhs.type}`;
  throw new ValError(origLhs, new Error(msg));
}

// ---------------------------------------------------------------------------
// Comparison

function compare(lhs: Value, op: Tok, rhs: Value): Value {
  let c: number;
  if (lhs.type === 'string') c = compareStrings(lhs.value, (rhs as typeof lhs).value);
  else c = compareNumbers(lhs as NumberValue, rhs as NumberValue);
  switch (op) {
    case Tok.LT: return boolValue(c < 0);
    case Tok.GT: return boolValue(c > 0);
    case Tok.LTE: return boolValue(c <= 0);
    default: return boolValue(c >= 0);
  }
}

function compareNumbers(a: NumberValue, b: NumberValue): number {
  switch (fitNumberKinds(a.kind, b.kind)) {
    case 'uint': return cmp(numberAsUint(a), numberAsUint(b));
    case 'int': return cmp(numberAsInt(a), numberAsInt(b));
    // NaN compares false every way, like Go: report "unordered" as NaN.
    case 'float': return floatCmp(numberAsFloat(a), numberAsFloat(b));
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function floatCmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
}

// ---------------------------------------------------------------------------
// Arithmetic

function arithmetic(lhs: NumberValue, op: Tok, rhs: NumberValue, origRhs: Value): Value {
  if ((op === Tok.DIV || op === Tok.MOD) && isZero(rhs)) throw new ValError(origRhs, new Error('divide by zero error'));
  switch (fitNumberKinds(lhs.kind, rhs.kind)) {
    case 'uint': return uintValue(intArith(numberAsUint(lhs), op, numberAsUint(rhs)));
    case 'int': return intValue(intArith(numberAsInt(lhs), op, numberAsInt(rhs)));
    case 'float': return floatValue(floatArith(numberAsFloat(lhs), op, numberAsFloat(rhs)));
  }
}

/** Division by zero is checked on the right operand's own kind (Go checks before fitting). */
function isZero(n: NumberValue): boolean {
  return n.kind === 'float' ? n.value === 0 : n.value === 0n;
}

/** Exact integer arithmetic; the caller wraps to 64 bits. BigInt `/` and `%` truncate like Go. */
function intArith(a: bigint, op: Tok, b: bigint): bigint {
  switch (op) {
    case Tok.ADD: return a + b;
    case Tok.SUB: return a - b;
    case Tok.MUL: return a * b;
    case Tok.DIV: return b === 0n ? 0n : a / b;
    case Tok.MOD: return b === 0n ? 0n : a % b;
    default: return intPow(a, b);
  }
}

/**
 * Go's intPow: exponent 0 or base 1 → 1; base 0 with a positive exponent →
 * 0; otherwise multiply `m - 1` times (so a negative exponent returns the
 * base). Wrapping to 64 bits each step keeps the numbers small.
 */
function intPow(n: bigint, m: bigint): bigint {
  if (m === 0n || n === 1n) return 1n;
  if (n === 0n && m > 0n) return 0n;
  if (m < 2n) return n;
  return wrappedPow(n, m);
}

/** n^m modulo 2^64 by squaring (same low 64 bits as repeated multiplication). */
function wrappedPow(n: bigint, m: bigint): bigint {
  const mask = (1n << 64n) - 1n;
  let result = 1n;
  let base = n & mask;
  let e = m;
  while (e > 0n) {
    if (e & 1n) result = (result * base) & mask;
    base = (base * base) & mask;
    e >>= 1n;
  }
  return result;
}

function floatArith(a: number, op: Tok, b: number): number {
  switch (op) {
    case Tok.ADD: return a + b;
    case Tok.SUB: return a - b;
    case Tok.MUL: return a * b;
    case Tok.DIV: return a / b;
    case Tok.MOD: return goMod(a, b);
    default: return goPow(a, b);
  }
}

/** Go math.Mod: result has the sign of the dividend (same as JS %). */
function goMod(a: number, b: number): number {
  return a % b;
}

/** Go math.Pow special cases that differ from JS `**`. */
function goPow(a: number, b: number): number {
  if (b === 0) return 1;
  if (a === 1) return 1;
  // Go: (-1)^±Inf = 1; JS gives NaN.
  if (a === -1 && !Number.isFinite(b)) return 1;
  return a ** b;
}

// ---------------------------------------------------------------------------
// Unary operators

/** Evaluates `op value` for `!` and unary `-`. */
export function unaryOp(op: Tok, v: Value): Value {
  if (op === Tok.NOT) {
    if (v.type !== 'bool') throw new TypeMismatchError(v, 'bool');
    return boolValue(!v.value);
  }
  if (v.type !== 'number') throw new TypeMismatchError(v, 'number');
  // Negating an int or uint always gives an int (wrapping), like Go.
  return v.kind === 'float' ? floatValue(-v.value) : intValue(-numberAsInt(v));
}
