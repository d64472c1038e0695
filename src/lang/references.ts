/**
 * Traversals: an identifier followed by uninterrupted `.name` accesses
 * (`discovery.docker.linux.targets`). The runtime resolves each to the
 * longest prefix that names a node of the graph; an index or a
 * call ends a traversal.
 */
import type { Body, Expr, Ident } from './ast.js';

export interface Traversal {
  /** The identifiers, in order: `a.b.c` → [a, b, c]. */
  readonly parts: readonly Ident[];
}

export function traversalText(t: Traversal, count = t.parts.length): string {
  return t.parts
    .slice(0, count)
    .map((p) => p.name)
    .join('.');
}

/** Start and inclusive end byte offsets of a traversal. */
export function traversalRange(t: Traversal): { start: number; end: number } {
  const last = t.parts[t.parts.length - 1]!;
  return { start: t.parts[0]!.pos, end: last.pos + Buffer.byteLength(last.name) - 1 };
}

/**
 * Every traversal in an expression, in source order. Iterative (an explicit
 * stack of expressions still to visit): a 100,000-term `"a" + "a" + …` is as
 * deep as it is long.
 */
export function exprTraversals(expr: Expr, out: Traversal[] = []): Traversal[] {
  const pending: Expr[] = [expr];
  for (let e = pending.pop(); e !== undefined; e = pending.pop()) {
    if (e.kind === 'Ident') out.push({ parts: [e] });
    else if (e.kind === 'Access') {
      const chain = accessChain(e);
      // Not rooted at an identifier: no part of the chain is a traversal, so go
      // straight to its base (once, not once per link: 100,000 links are parsed).
      if (chain) out.push({ parts: chain });
      else pending.push(accessBase(e));
    } else pushChildrenReversed(e, pending);
  }
  return out;
}

/** Pushes the sub-expressions of `e` last first, so they pop in source order. */
function pushChildrenReversed(e: Expr, pending: Expr[]): void {
  switch (e.kind) {
    case 'Array':
      for (let i = e.elements.length - 1; i >= 0; i--) pending.push(e.elements[i]!);
      break;
    case 'Object':
      for (let i = e.fields.length - 1; i >= 0; i--) pending.push(e.fields[i]!.value);
      break;
    case 'Index':
      pending.push(e.index, e.value);
      break;
    case 'Call':
      for (let i = e.args.length - 1; i >= 0; i--) pending.push(e.args[i]!);
      pending.push(e.value);
      break;
    case 'Unary':
      pending.push(e.value);
      break;
    case 'Binary':
      pending.push(e.right, e.left);
      break;
    case 'Paren':
      pending.push(e.inner);
      break;
    default:
      break;
  }
}

/** The expression a chain of `.name` accesses starts from. */
function accessBase(expr: Expr): Expr {
  let e = expr;
  while (e.kind === 'Access') e = e.value;
  return e;
}

/** `a.b.c` as identifiers when the chain is rooted at an identifier; undefined otherwise. */
function accessChain(expr: Expr): Ident[] | undefined {
  const names: Ident[] = [];
  let e: Expr = expr;
  while (e.kind === 'Access') {
    names.push(e.name);
    e = e.value;
  }
  if (e.kind !== 'Ident') return undefined;
  names.push(e);
  return names.reverse();
}

/** Every traversal in the attribute values of a body, recursing into nested blocks. */
export function bodyTraversals(body: Body, out: Traversal[] = []): Traversal[] {
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') exprTraversals(stmt.value, out);
    else bodyTraversals(stmt.body, out);
  }
  return out;
}
