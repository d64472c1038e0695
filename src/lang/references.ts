/**
 * Traversals: an identifier followed by uninterrupted `.name` accesses
 * (`discovery.docker.linux.targets`). The runtime resolves each to the
 * longest prefix that names a node of the graph (spec §5.2); an index or a
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

/** Every traversal in an expression, in source order. */
export function exprTraversals(expr: Expr, out: Traversal[] = []): Traversal[] {
  switch (expr.kind) {
    case 'Ident':
      out.push({ parts: [expr] });
      break;
    case 'Access': {
      const chain = accessChain(expr);
      if (chain) out.push({ parts: chain });
      else {
        exprTraversals(expr.value, out);
      }
      break;
    }
    case 'Literal':
      break;
    case 'Array':
      for (const e of expr.elements) exprTraversals(e, out);
      break;
    case 'Object':
      for (const f of expr.fields) exprTraversals(f.value, out);
      break;
    case 'Index':
      exprTraversals(expr.value, out);
      exprTraversals(expr.index, out);
      break;
    case 'Call':
      exprTraversals(expr.value, out);
      for (const a of expr.args) exprTraversals(a, out);
      break;
    case 'Unary':
      exprTraversals(expr.value, out);
      break;
    case 'Binary':
      exprTraversals(expr.left, out);
      exprTraversals(expr.right, out);
      break;
    case 'Paren':
      exprTraversals(expr.inner, out);
      break;
  }
  return out;
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
