/**
 * Static check of a block body against a block schema, without running
 * anything (the counterpart of Alloy's syntax/typecheck): unknown, repeated,
 * missing and misplaced attributes and blocks, and the values of attributes
 * where they are known before running — literals (checked element by
 * element, so an error points at the offending element) and expressions
 * that reference no component.
 *
 * Unlike decoding (schema.ts `decodeBody`), which stops at the first
 * problem, every problem is reported, in body order, then the missing
 * required fields in schema order.
 */
import { endPos, startPos, type AttributeStmt, type BlockStmt, type Body, type Expr } from '../../lang/ast.js';
import type { Diagnostic } from '../../lang/diag.js';
import { evaluateInto, literalValue, Scope } from '../../lang/eval.js';
import type { SourceFile } from '../../lang/position.js';
import type { ArgType, BlockSchema, EnumField, Field } from '../../lang/schema.js';
import { arrayValue, objectValue, type Value } from '../../lang/value.js';
import { decode, type TypeDesc } from '../../lang/value-decode.js';
import { ValueError } from '../../lang/value-errors.js';
import { rangeDiag } from '../loader.js';

export interface TypecheckContext {
  readonly source: SourceFile;
  /**
   * A number where a string is expected is an error (`expected string, got
   * number`) instead of being converted as Alloy converts it: `url = 42`
   * is a mistake that would otherwise show only when the component runs.
   */
  readonly strictStrings: boolean;
  /** True when `expr` references nothing but the standard library (it can be evaluated now). */
  isConstant(expr: Expr): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = BlockSchema<any>;

/** Checks `body` (the statements of `owner`) against `schema`. */
export function typecheckBody(owner: BlockStmt, body: Body, schema: AnySchema, ctx: TypecheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkBody(owner, body, schema, ctx, out);
  return out;
}

function checkBody(owner: BlockStmt, body: Body, schema: AnySchema, ctx: TypecheckContext, out: Diagnostic[]): void {
  const blockCounts = new Map<string, number>();
  for (const stmt of body) {
    if (stmt.kind === 'Block') {
      const name = stmt.name.join('.');
      blockCounts.set(name, (blockCounts.get(name) ?? 0) + 1);
    }
  }
  const variants = enumVariants(schema);
  const seenAttrs = new Set<string>();
  for (const stmt of body) {
    if (stmt.kind === 'Block') checkBlock(stmt, schema, variants, blockCounts, ctx, out);
    else checkAttribute(stmt, schema, seenAttrs, ctx, out);
  }
  const whole = { start: owner.namePos, end: owner.rCurly };
  for (const [name, field] of Object.entries(schema.fields) as [string, Field][]) {
    if (field.kind === 'attr' && field.required && !seenAttrs.has(name)) {
      out.push(at(ctx, whole, `missing required attribute ${JSON.stringify(name)}`));
    } else if (field.kind === 'block' && field.multiplicity === 'one' && !blockCounts.has(name)) {
      out.push(at(ctx, whole, `missing required block ${JSON.stringify(name)}`));
    }
  }
}

function checkBlock(
  stmt: BlockStmt,
  schema: AnySchema,
  variants: ReadonlyMap<string, AnySchema>,
  counts: ReadonlyMap<string, number>,
  ctx: TypecheckContext,
  out: Diagnostic[],
): void {
  const name = stmt.name.join('.');
  const whole = { start: stmt.namePos, end: stmt.rCurly };
  const variant = variants.get(name);
  if (variant) return checkBody(stmt, stmt.body, variant, ctx, out);
  const field = fieldOf(schema, name, 'block');
  if (typeof field === 'string') {
    out.push(at(ctx, whole, field));
    return;
  }
  if (field.multiplicity !== 'many' && (counts.get(name) ?? 0) > 1) {
    out.push(at(ctx, whole, `block ${JSON.stringify(name)} may only be specified once`));
    return;
  }
  checkBody(stmt, stmt.body, field.schema, ctx, out);
}

function checkAttribute(stmt: AttributeStmt, schema: AnySchema, seen: Set<string>, ctx: TypecheckContext, out: Diagnostic[]): void {
  const name = stmt.name.name;
  const whole = { start: startPos(stmt), end: endPos(stmt) };
  const field = fieldOf(schema, name, 'attr');
  if (typeof field === 'string') {
    out.push(at(ctx, whole, field));
    return;
  }
  if (seen.has(name)) {
    out.push(at(ctx, whole, `attribute ${JSON.stringify(name)} may only be provided once`));
    return;
  }
  seen.add(name);
  checkValue(stmt.value, field.type, ctx, out);
}

/** The schema field written as a `kind` statement, or the message for a wrong one. */
function fieldOf<K extends 'attr' | 'block'>(schema: AnySchema, name: string, kind: K): Extract<Field, { kind: K }> | string {
  const field = schema.fields[name] as Field | undefined;
  const quoted = JSON.stringify(name);
  if (!field || field.kind === 'enum') return kind === 'attr' ? `unrecognized attribute name ${quoted}` : `unrecognized block name ${quoted}`;
  if (field.kind === kind) return field as Extract<Field, { kind: K }>;
  return kind === 'attr' ? `${quoted} must be a block, but is used as an attribute` : `${quoted} must be an attribute, but is used as a block`;
}

// ---------------------------------------------------------------------------
// Values

/**
 * Literals are decoded one by one into the type expected where they stand;
 * when that finds nothing and the whole expression is constant, it is
 * evaluated and converted like the runtime would (Alloy's conversions, then
 * the argument type's own checks such as durations and enumerations).
 */
function checkValue(expr: Expr, type: ArgType<unknown>, ctx: TypecheckContext, out: Diagnostic[]): void {
  const before = out.length;
  checkLiterals(expr, type.desc, ctx, out);
  if (out.length > before || !ctx.isConstant(expr)) return;
  let r: ReturnType<typeof evaluateInto>;
  try {
    // A function's own failure (e.g. array.combine_maps with no conditions) is left to run time, as Alloy's
    // validator leaves it; what a call returns is still checked against the type below.
    if (callsFunction(expr) && !evaluateInto(expr, STDLIB_SCOPE, ctx.source, { kind: 'any' }).ok) return;
    r = evaluateInto(expr, STDLIB_SCOPE, ctx.source, type.desc as { kind: 'any' });
  } catch {
    return; // not an Alloy evaluation error: leave it to the runtime rather than fail validation
  }
  if (!r.ok) {
    out.push(r.error.diagnostic ?? at(ctx, exprRange(expr), r.error.message));
    return;
  }
  if (ctx.strictStrings && expr.kind !== 'Literal') {
    const raw = evaluateInto(expr, STDLIB_SCOPE, ctx.source, { kind: 'any' });
    const mismatch = raw.ok ? numberForString(raw.value, type.desc) : undefined;
    if (mismatch) {
      out.push(at(ctx, exprRange(expr), mismatch));
      return;
    }
  }
  try {
    (type.from as (d: unknown) => unknown)(r.value);
  } catch (err) {
    out.push(at(ctx, exprRange(expr), err instanceof Error ? err.message : String(err)));
  }
}

const STDLIB_SCOPE = new Scope();

/** Whether a call appears anywhere in `expr`. Iterative: binary chains are as deep as they are long. */
function callsFunction(expr: Expr): boolean {
  const pending: Expr[] = [expr];
  for (let e = pending.pop(); e !== undefined; e = pending.pop()) {
    switch (e.kind) {
      case 'Call': return true;
      case 'Array': pending.push(...e.elements); break;
      case 'Object': for (const f of e.fields) pending.push(f.value); break;
      case 'Access': case 'Unary': pending.push(e.value); break;
      case 'Index': pending.push(e.value, e.index); break;
      case 'Binary': pending.push(e.left, e.right); break;
      case 'Paren': pending.push(e.inner); break;
      default: break;
    }
  }
  return false;
}

function checkLiterals(expr: Expr, desc: TypeDesc, ctx: TypecheckContext, out: Diagnostic[]): void {
  switch (expr.kind) {
    case 'Literal': {
      let value: Value;
      try {
        value = literalValue(expr);
      } catch {
        return; // the parser only produces valid literals; evaluation reports anything else
      }
      const mismatch = ctx.strictStrings ? numberForString(value, desc) : undefined;
      if (mismatch) out.push(at(ctx, exprRange(expr), mismatch));
      else tryDecode(value, desc, expr, ctx, out);
      return;
    }
    case 'Array':
      if (desc.kind === 'list') for (const e of expr.elements) checkLiterals(e, desc.elem, ctx, out);
      else tryDecode(arrayValue([]), desc, expr, ctx, out);
      return;
    case 'Object':
      if (desc.kind === 'map') for (const f of expr.fields) checkLiterals(f.value, desc.elem, ctx, out);
      else if (desc.kind === 'object') {
        for (const f of expr.fields) {
          const fieldDesc = desc.fields[f.name.name];
          if (fieldDesc) checkLiterals(f.value, fieldDesc, ctx, out);
        }
      } else tryDecode(objectValue([]), desc, expr, ctx, out);
      return;
    default:
      return; // anything else is only checked as a whole, when constant
  }
}

/**
 * For strict strings: Alloy's TypeError wording (`expected string, got
 * number`, grafana/alloy syntax/internal/value/errors.go) when a number
 * stands where `desc` wants a string, looking into lists, maps and objects.
 */
function numberForString(value: Value, desc: TypeDesc): string | undefined {
  if (desc.kind === 'string') return value.type === 'number' ? 'expected string, got number' : undefined;
  if (desc.kind === 'list' && value.type === 'array') return firstDefined(value.elements, (v) => numberForString(v, desc.elem));
  if (desc.kind === 'map' && value.type === 'object') return firstDefined([...value.fields.values()], (v) => numberForString(v, desc.elem));
  if (desc.kind === 'object' && value.type === 'object') {
    return firstDefined([...value.fields], ([key, v]) => (desc.fields[key] ? numberForString(v, desc.fields[key]) : undefined));
  }
  return undefined;
}

function firstDefined<T>(items: readonly T[], fn: (item: T) => string | undefined): string | undefined {
  for (const item of items) {
    const found = fn(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

function tryDecode(value: Value, desc: TypeDesc, expr: Expr, ctx: TypecheckContext, out: Diagnostic[]): void {
  try {
    decode(value, desc);
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    out.push(at(ctx, exprRange(expr), err.message));
  }
}

// ---------------------------------------------------------------------------
// Helpers

function enumVariants(schema: AnySchema): Map<string, AnySchema> {
  const out = new Map<string, AnySchema>();
  for (const field of Object.values(schema.fields) as Field[]) {
    if (field.kind === 'enum') for (const [name, s] of Object.entries((field as EnumField).variants)) out.set(name, s);
  }
  return out;
}

function exprRange(expr: Expr): { start: number; end: number } {
  return { start: startPos(expr), end: endPos(expr) };
}

function at(ctx: TypecheckContext, range: { start: number; end: number }, message: string): Diagnostic {
  return rangeDiag(ctx.source, range.start, range.end, message);
}
