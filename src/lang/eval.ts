/**
 * The expression evaluator (grafana/alloy syntax/vm/vm.go). Evaluates an AST
 * expression against a scope (variables, then the standard library) and
 * reports failures as Alloy does: `<pos>: <expr-text><path> <reason>`.
 *
 * Like the Go VM, the evaluator remembers which expression produced each
 * value (most recent wins); when an operation or a decode fails on a value,
 * the error is placed on that expression (vm/error.go makeDiagnostic).
 * Operand evaluation is never short-circuited.
 */
import { endPos, startPos, type AccessExpr, type Expr, type Ident, type LiteralExpr } from './ast.js';
import { diagnosticsMessage, hasErrors, type DiagPos, type Diagnostic } from './diag.js';
import { binaryOp, unaryOp } from './eval-binary.js';
import { SourceFile } from './position.js';
import { parseExpression } from './parser.js';
import { printExpr } from './printer.js';
import { renderAlloy } from './render.js';
import { lookupStdlib } from './stdlib/index.js';
import { parseGoFloat, parseGoInt, parseGoUint, unquote } from '../go/strconv.js';
import { Tok } from './token.js';
import {
  NULL,
  arrayValue,
  boolValue,
  floatValue,
  intValue,
  numberAsInt,
  objectValue,
  stringValue,
  uintValue,
  type ArrayValue,
  type FunctionValue,
  type Value,
} from './value.js';
import { decode, type Decoded, type TypeDesc } from './value-decode.js';
import {
  ArgError,
  ElementError,
  FieldError,
  MissingKeyError,
  PlainError,
  TypeMismatchError,
  ValError,
  ValueError,
  innerError,
} from './value-errors.js';

// ---------------------------------------------------------------------------
// Scope

/**
 * Variables visible to an expression. Lookups try this scope, then its
 * parents, then the standard library (vm.Scope.Lookup).
 */
export class Scope {
  private readonly vars: ReadonlyMap<string, Value>;

  constructor(
    vars: ReadonlyMap<string, Value> | Record<string, Value> = new Map(),
    readonly parent?: Scope,
  ) {
    this.vars = vars instanceof Map ? vars : new Map(Object.entries(vars));
  }

  /** The value of `name`, or undefined when neither the scope nor the stdlib has it. */
  lookup(name: string): Value | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return lookupStdlib(name);
  }

  /** A child scope that sees this one. */
  child(vars: ReadonlyMap<string, Value> | Record<string, Value>): Scope {
    return new Scope(vars, this);
  }
}

// ---------------------------------------------------------------------------
// Results

/** A failed evaluation. */
export interface EvalError {
  /** The exact one-line text Alloy prints for the error. */
  message: string;
  /**
   * The diagnostic, when the error has one (most do). Plain host errors
   * (e.g. `group_by: expected 3 arguments, got 2`) and literal conversion
   * failures have none: Alloy prints just their message.
   */
  diagnostic?: Diagnostic;
}

export type EvalResult<T = Value> = { ok: true; value: T } | { ok: false; error: EvalError };

/** Evaluates `expr` in `scope`; positions in errors refer to `file`. */
export function evaluate(expr: Expr, scope: Scope, file: SourceFile): EvalResult {
  const vm = new Evaluator(scope, file);
  return vm.run(() => vm.eval(expr), expr);
}

/**
 * Evaluates `expr` and decodes the result into `target` (vm.Evaluate with a
 * typed destination); decode errors point into the expression.
 */
export function evaluateInto<D extends TypeDesc>(
  expr: Expr,
  scope: Scope,
  file: SourceFile,
  target: D,
): EvalResult<Decoded<D>> {
  const vm = new Evaluator(scope, file);
  return vm.run(() => decode(vm.eval(expr), target) as Decoded<D>, expr);
}

/** An error that already knows its source range (Go diag.Diagnostic returned by the VM). */
class PositionedError extends Error {
  constructor(
    message: string,
    readonly node: Expr | Ident,
  ) {
    super(message);
  }
}

/** The message for a value too deeply nested for the host's stack (the parser's wording for deep syntax). */
const TOO_DEEP = 'nesting is too deep';

// ---------------------------------------------------------------------------
// Evaluator

/** Key under which a value is remembered; see assocKey. */
type AssocKey = Value | string;

/**
 * Go remembers values by their reflect.Value, and Go shares the storage of
 * small integers (0–255), booleans and the empty string: two such equal
 * values are indistinguishable there, so they share one key here too.
 */
function assocKey(v: Value): AssocKey {
  switch (v.type) {
    case 'bool': return `b:${v.value}`;
    case 'string': return v.value === '' ? 's:' : v;
    case 'number':
      if (v.kind !== 'float' && v.value >= 0n && v.value < 256n) return `${v.kind}:${v.value}`;
      return v.kind === 'float' && Object.is(v.value, 0) ? 'f:0' : v;
    default: return v;
  }
}

/** What the evaluation loop does with an expression taken off its work stack. */
const enum Step {
  /** Evaluate it: a leaf at once, else schedule its operands and then APPLY. */
  Visit,
  /** Its operands' values are on the value stack: combine them. */
  Apply,
  /** A call's callee was just evaluated: it must be a function before any argument is. */
  CheckCallee,
}

export class Evaluator {
  /** Which expression most recently produced each value. */
  private readonly assoc = new Map<AssocKey, Expr>();

  constructor(
    private readonly scope: Scope,
    private readonly file: SourceFile,
  ) {}

  /**
   * Runs `fn`, converting any thrown error into an EvalError. `at` is the
   * expression blamed when the host's stack runs out (a value nested
   * thousands deep reaching a recursive conversion).
   */
  run<T>(fn: () => T, at?: Expr): EvalResult<T> {
    try {
      return { ok: true, value: fn() };
    } catch (err) {
      if (at && isStackOverflow(err)) return { ok: false, error: this.positioned(new PositionedError(TOO_DEEP, at)) };
      return { ok: false, error: this.toEvalError(err) };
    }
  }

  /**
   * Evaluates one expression; throws value errors. Iterative, with explicit
   * stacks of work and of values, so a 100,000-term `"a" + "a" + …` (which
   * the parser accepts) does not exhaust the call stack. The order is the
   * Go VM's: operands left to right, each completely before the next, never
   * short-circuited; every expression's value is remembered after it.
   */
  eval(root: Expr): Value {
    const work: Expr[] = [root];
    const steps: Step[] = [Step.Visit];
    const values: Value[] = [];
    for (let expr = work.pop(); expr !== undefined; expr = work.pop()) {
      const step = steps.pop()!;
      if (step === Step.Visit) this.visit(expr, work, steps, values);
      else if (step === Step.Apply) this.remember(expr, this.apply(expr, values), values);
      else checkCallee(values[values.length - 1]!);
    }
    return values.pop()!;
  }

  /** A leaf's value goes on the value stack; anything else schedules APPLY after its operands (pushed last first). */
  private visit(expr: Expr, work: Expr[], steps: Step[], values: Value[]): void {
    const schedule = (e: Expr, step: Step) => {
      work.push(e);
      steps.push(step);
    };
    switch (expr.kind) {
      case 'Literal': return this.remember(expr, literalValue(expr), values);
      case 'Ident': return this.remember(expr, this.identifier(expr), values);
      default: schedule(expr, Step.Apply);
    }
    switch (expr.kind) {
      case 'Binary':
        schedule(expr.right, Step.Visit);
        schedule(expr.left, Step.Visit);
        break;
      case 'Array':
        for (let i = expr.elements.length - 1; i >= 0; i--) schedule(expr.elements[i]!, Step.Visit);
        break;
      case 'Object':
        for (let i = expr.fields.length - 1; i >= 0; i--) schedule(expr.fields[i]!.value, Step.Visit);
        break;
      case 'Index':
        schedule(expr.index, Step.Visit);
        schedule(expr.value, Step.Visit);
        break;
      case 'Call':
        for (let i = expr.args.length - 1; i >= 0; i--) schedule(expr.args[i]!, Step.Visit);
        schedule(expr, Step.CheckCallee);
        schedule(expr.value, Step.Visit);
        break;
      case 'Paren':
        schedule(expr.inner, Step.Visit);
        break;
      case 'Unary':
      case 'Access':
        schedule(expr.value, Step.Visit);
        break;
    }
  }

  /** Combines the operand values on top of `values` (taking them off) into `expr`'s value. */
  private apply(expr: Expr, values: Value[]): Value {
    switch (expr.kind) {
      case 'Binary': {
        const rhs = values.pop()!;
        const lhs = values.pop()!;
        return binaryOp(lhs, expr.op, rhs);
      }
      case 'Array': return arrayValue(takeLast(values, expr.elements.length));
      case 'Object': {
        const fieldValues = takeLast(values, expr.fields.length);
        return objectValue(expr.fields.map((f, i) => [f.name.name, fieldValues[i]!] as const));
      }
      case 'Paren': return values.pop()!;
      case 'Unary': return unaryOp(expr.op, values.pop()!);
      case 'Access': return this.access(expr, values.pop()!);
      case 'Index': {
        const idx = values.pop()!;
        return indexValue(values.pop()!, idx);
      }
      case 'Call': {
        const args = takeLast(values, expr.args.length);
        const fn = values.pop() as FunctionValue; // checked by CheckCallee before the arguments ran
        return fn.call(args, fn);
      }
      default: throw new Error(`unexpected ${expr.kind} expression`);
    }
  }

  private remember(expr: Expr, v: Value, values: Value[]): void {
    if (v !== NULL) this.assoc.set(assocKey(v), expr);
    values.push(v);
  }

  private identifier(expr: Ident): Value {
    const v = this.scope.lookup(expr.name);
    if (v === undefined) throw new PositionedError(`identifier ${JSON.stringify(expr.name)} does not exist`, expr);
    return v;
  }

  private access(expr: AccessExpr, v: Value): Value {
    const name = expr.name.name;
    if (v.type === 'object' || v.type === 'capsule') {
      const fields = v.type === 'object' ? v.fields : v.payload.toObject?.();
      if (!fields) {
        throw new ValError(v, new Error('expected object or array or a capsule convertible to an object, got capsule'));
      }
      const field = fields.get(name);
      if (field === undefined) throw new PositionedError(`field ${JSON.stringify(name)} does not exist`, expr.name);
      return field;
    }
    throw new ValError(v, new Error(`cannot access field ${JSON.stringify(name)} on value of type ${v.type}`));
  }

  // -------------------------------------------------------------------------
  // Error reporting

  private toEvalError(err: unknown): EvalError {
    if (err instanceof PositionedError) return this.positioned(err);
    if (err instanceof ValueError) return this.fromValueError(err);
    if (err instanceof PlainError) return { message: err.message };
    // A bug in a host function: still report it as an evaluation error.
    const message = err instanceof Error ? err.message : String(err);
    return { message };
  }

  private positioned(err: PositionedError): EvalError {
    const diagnostic: Diagnostic = {
      severity: 'error',
      message: err.message,
      start: this.pos(startPos(err.node)),
      end: this.pos(endPos(err.node)),
    };
    return { message: `${formatDiagPos(diagnostic.start)}: ${err.message}`, diagnostic };
  }

  /** Go makeDiagnostic: find the expression behind the failing value. */
  private fromValueError(err: ValueError): EvalError {
    const found = this.walkError(err);
    const exprText = found.node ? shortened(printExpr(found.node, this.file)) : '';
    const message = `${exprText}${found.path} ${found.reason}`;
    const diagnostic: Diagnostic = {
      severity: 'error',
      message,
      start: found.node ? this.pos(startPos(found.node)) : NO_DIAG_POS,
      end: found.node ? this.pos(endPos(found.node)) : NO_DIAG_POS,
    };
    if (found.cause !== NULL && !found.literal) diagnostic.value = renderAlloy(found.cause);
    return { message: `${formatDiagPos(diagnostic.start)}: ${message}`, diagnostic };
  }

  private walkError(err: ValueError): WalkResult {
    const r: WalkResult = { path: '', reason: '', cause: NULL, literal: false };
    for (let e: Error | undefined = err; e instanceof ValueError; e = innerError(e)) {
      r.reason = reasonOf(e, r.reason);
      r.path += pathStepOf(e);
      r.cause = e.value;
      const node = e.value === NULL ? undefined : this.assoc.get(assocKey(e.value));
      if (node) {
        // A value written directly in the source: its own text replaces the path so far.
        if (r.literal) r.path = '';
        r.node = node;
        r.literal = true;
      } else r.literal = false;
    }
    return r;
  }

  private pos(offset: number): DiagPos {
    const p = this.file.position(offset);
    if (!p) return NO_DIAG_POS;
    return { file: this.file.name, line: p.line, column: p.column, offset: p.offset };
  }
}

interface WalkResult {
  node?: Expr;
  path: string;
  reason: string;
  cause: Value;
  literal: boolean;
}

const NO_DIAG_POS: DiagPos = { file: '', line: 0, column: 0, offset: -1 };

/** Go Position.String(): "file:line:col", "line:col" or "-". */
function formatDiagPos(p: DiagPos): string {
  if (p.line <= 0) return p.file || '-';
  return p.file ? `${p.file}:${p.line}:${p.column}` : `${p.line}:${p.column}`;
}

/** The reason text a link of the chain contributes (or the previous one). */
function reasonOf(e: ValueError, previous: string): string {
  if (e instanceof TypeMismatchError) return `should be ${e.expected}, got ${e.value.type}`;
  if (e instanceof MissingKeyError) return `does not have field named ${JSON.stringify(e.missing)}`;
  if (e instanceof ValError || e instanceof ArgError) return e.inner.message;
  return previous;
}

function pathStepOf(e: ValueError): string {
  if (e instanceof ElementError) return `[${e.index}]`;
  if (e instanceof FieldError) return `.${e.field}`;
  return '';
}

// ---------------------------------------------------------------------------
// Literals and indexing

/** The value of a literal token (transform.ValueFromLiteral). */
export function literalValue(lit: LiteralExpr): Value {
  switch (lit.tok) {
    case Tok.NULL: return NULL;
    case Tok.BOOL: return boolValue(lit.value === 'true');
    case Tok.STRING: return stringValue(unquoteLiteral(lit.value));
    case Tok.NUMBER: return numberLiteral(lit.value);
    case Tok.FLOAT: return floatLiteral(lit.value);
    default: throw new PlainError(`${lit.value} is not a valid literal`);
  }
}

function unquoteLiteral(text: string): string {
  try {
    return unquote(text);
  } catch (err) {
    throw new PlainError((err as Error).message);
  }
}

/** NUMBER: int64 (base 0, so a leading 0 is octal), else uint64, else float. */
function numberLiteral(text: string): Value {
  const i = parseGoInt(text);
  if (i !== undefined) return intValue(i);
  const u = parseGoUint(text);
  if (u !== undefined) return uintValue(u);
  return floatLiteral(text);
}

function floatLiteral(text: string): Value {
  const f = parseGoFloat(text);
  if (!f.ok) throw new PlainError(f.message);
  return floatValue(f.value);
}

/** `v[idx]`: an array element, or an object's field (null when missing). */
function indexValue(v: Value, idx: Value): Value {
  if (v.type === 'array') return indexArray(v, idx);
  if (v.type === 'object' || v.type === 'capsule') {
    const fields = v.type === 'object' ? v.fields : v.payload.toObject?.();
    if (!fields) {
      throw new ValError(v, new Error('expected object or array or a capsule convertible to an object, got capsule'));
    }
    if (idx.type !== 'string') throw new TypeMismatchError(idx, 'string');
    // A missing key read with [] is null, not an error.
    return fields.get(idx.value) ?? NULL;
  }
  throw new ValError(v, new Error(`expected object or array, got ${v.type}`));
}

/**
 * Expression text longer than this is cut in messages. Alloy prints the
 * whole expression; one of 100,000 terms would make a megabyte-long line.
 */
const MAX_EXPR_TEXT = 1000;

function shortened(text: string): string {
  if (text.length <= MAX_EXPR_TEXT) return text;
  const cut = /[\ud800-\udbff]/.test(text[MAX_EXPR_TEXT - 1]!) ? MAX_EXPR_TEXT - 1 : MAX_EXPR_TEXT;
  return `${text.slice(0, cut)}…`;
}

function checkCallee(fn: Value): void {
  if (fn.type !== 'function') throw new TypeMismatchError(fn, 'function');
}

/** Removes and returns the last `n` values, in order. */
function takeLast(values: Value[], n: number): Value[] {
  return n === 0 ? [] : values.splice(values.length - n, n);
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

function indexArray(arr: ArrayValue, idx: Value): Value {
  if (idx.type !== 'number') throw new TypeMismatchError(idx, 'number');
  const i = numberAsInt(idx);
  if (i < 0n || i >= BigInt(arr.elements.length)) {
    throw new ValError(idx, new Error(`index ${i} is out of range of array with length ${arr.elements.length}`));
  }
  return arr.elements[Number(i)]!;
}

// ---------------------------------------------------------------------------
// Convenience for `alloy-ts eval`

export type TextEvalResult = { value: Value } | { diagnostics: Diagnostic[]; message: string };

/**
 * Parses `text` as one expression and evaluates it (for the CLI's `eval`
 * command). On failure, `message` is the exact one-line text Alloy prints
 * and `diagnostics` holds the parse or evaluation diagnostics (empty for a
 * plain error that has no position).
 */
export function evaluateExpressionText(text: string, options: { scope?: Scope; fileName?: string } = {}): TextEvalResult {
  const file = SourceFile.fromString(options.fileName ?? '', text);
  const parsed = parseExpression(file);
  if (!parsed.expr || hasErrors(parsed.diagnostics)) {
    return { diagnostics: parsed.diagnostics, message: diagnosticsMessage(parsed.diagnostics) };
  }
  const result = evaluate(parsed.expr, options.scope ?? new Scope(), file);
  if (result.ok) return { value: result.value };
  const diagnostics = result.error.diagnostic ? [result.error.diagnostic] : [];
  return { diagnostics, message: result.error.message };
}
