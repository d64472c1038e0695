/**
 * Phase 2 of validation: walking each graph in insertion order. For every
 * node: its phase-1 diagnostics, the component lookup (custom components,
 * built-in components, components Alloy has but alloy-ts does not
 * implement), the argument checks, then its references — nested bodies
 * (declares, foreach templates) are checked where their node stands. After
 * all nodes, cycles and self references.
 */
import type { Expr } from '../../lang/ast.js';
import type { Diagnostic } from '../../lang/diag.js';
import type { SourceFile } from '../../lang/position.js';
import { bodyTraversals, exprTraversals, type Traversal } from '../../lang/references.js';
import { isStdlibIdentifier } from '../../lang/stdlib/index.js';
import { alloyComponent } from '../alloy-components.js';
import { stabilityAllowed } from '../component.js';
import {
  blockDiag,
  checkTraversal,
  cycleDiagnostics,
  nameEnd,
  rangeDiag,
  resolveTraversal,
  stabilityMessage,
  unknownComponentDiag,
  unsupportedComponentDiag,
} from '../loader.js';
import type { AnySchema, ValidationContext, ValidationNode, ValidationState } from './build.js';
import { typecheckBody } from './typecheck.js';

/** Every diagnostic of a built state, in report order. */
export function checkState(ctx: ValidationContext, state: ValidationState): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const n of state.graph.values()) {
    out.push(...n.diags);
    if (n.kind === 'component') {
      const found = lookupComponent(ctx, state, n);
      if ('diagnostic' in found) {
        out.push(found.diagnostic);
      } else if (found.args) {
        out.push(...typecheckBody(n.block, n.body, found.args, typecheckContext(ctx, state, n)));
      }
    } else if (n.schema) {
      out.push(...typecheckBody(n.block, n.body, n.schema, typecheckContext(ctx, state, n)));
    }
    if (n.sub) out.push(...checkState(ctx, n.sub));
    out.push(...checkReferences(ctx, state, n));
  }
  out.push(...cycleDiagnostics(state.graph));
  return out;
}

interface ComponentFacts {
  /** Argument schema, when known. */
  args?: AnySchema | undefined;
  /** Export names, when known. */
  exports?: readonly string[] | undefined;
}

/**
 * What is known of the component a block instantiates: a custom component
 * of this body or an enclosing one first (by the first name part, as
 * Alloy), then a built-in one (the live registry), then one Alloy has but
 * alloy-ts does not implement (an error for the alloy-ts target; accepted
 * with arguments unchecked for the alloy target). Unknown names, community
 * components without the flag and components below the minimum stability
 * level are diagnostics, checked in Alloy's order (grafana/alloy
 * internal/component/registry.go defaultRegistry.Get).
 */
function lookupComponent(ctx: ValidationContext, state: ValidationState, n: ValidationNode): ComponentFacts | { diagnostic: Diagnostic } {
  const name = n.block.name.join('.');
  const custom = state.custom.lookup(name);
  if (custom) return { args: custom.args, exports: custom.exports };
  const def = ctx.registry.get(name);
  const info = alloyComponent(name);
  if (!def && !info) return { diagnostic: unknownComponentDiag(n) };
  if (!def && info?.community && !ctx.communityComponents) return { diagnostic: blockDiag(n, communityMessage(name), nameEnd(n.block)) };
  const stability = def?.stability ?? info?.stability;
  if (stability && !stabilityAllowed(stability, ctx.minStability)) {
    return { diagnostic: blockDiag(n, stabilityMessage(`component ${JSON.stringify(name)}`, stability, ctx.minStability), nameEnd(n.block)) };
  }
  if (def) return { args: def.args, exports: def.exports ? Object.keys(def.exports.fields) : [] };
  if (ctx.target === 'alloy-ts') return { diagnostic: unsupportedComponentDiag(n) };
  return { exports: info!.exports };
}

/** grafana/alloy internal/component/registry.go: a community component used without the flag. */
function communityMessage(name: string): string {
  return `the component ${JSON.stringify(name)} is a community component. Use the --feature.community-components.enabled command-line flag to enable community components`;
}

function typecheckContext(ctx: ValidationContext, state: ValidationState, n: ValidationNode) {
  return {
    source: n.source,
    strictStrings: ctx.target === 'alloy-ts',
    isConstant: (expr: Expr) => exprTraversals(expr).every((t) => isConstantTraversal(ctx, state, t)),
  };
}

/**
 * A traversal that names only the standard library. The environment
 * functions are left out: their values at validation time say nothing
 * about the values at run time.
 */
function isConstantTraversal(ctx: ValidationContext, state: ValidationState, t: Traversal): boolean {
  const first = t.parts[0]!.name;
  if (!isStdlibIdentifier(first) || ctx.scope.has(first) || resolve(state, t) !== undefined) return false;
  return first !== 'env' && !(first === 'sys' && t.parts[1]?.name === 'env');
}

/** The node a traversal names (shortest prefix): in this body or, for foreach templates, an enclosing one. */
function resolve(state: ValidationState, t: Traversal): { id: string; state: ValidationState } | undefined {
  const id = resolveTraversal(t, { has: (x) => ownerOf(state, x) !== undefined });
  return id === undefined ? undefined : { id, state: ownerOf(state, id)! };
}

function ownerOf(state: ValidationState, id: string): ValidationState | undefined {
  for (let s: ValidationState | undefined = state; s; s = s.parent) if (s.graph.has(id)) return s;
  return undefined;
}

function checkReferences(ctx: ValidationContext, state: ValidationState, n: ValidationNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const context = {
    source: n.source,
    resolve: (t: Traversal) => resolve(state, t)?.id,
    inScope: (name: string) => ctx.scope.has(name),
    minStability: ctx.minStability,
  };
  for (const t of bodyTraversals(n.body)) {
    const r = checkTraversal(t, context);
    out.push(...r.diagnostics);
    if (r.target === undefined) continue;
    const owner = ownerOf(state, r.target)!;
    // Edges stay within one graph: a template may use its enclosing body, not the reverse.
    if (owner === state) state.graph.addEdge(n.id, r.target);
    const missing = missingExport(ctx, owner, r.target, t, n.source);
    if (missing) out.push(missing);
  }
  return out;
}

/**
 * alloy-ts addition: a reference that goes on past a node into an export the
 * node does not have fails at run time (`field "x" does not exist`); report
 * it when the node's exports are known.
 */
function missingExport(ctx: ValidationContext, owner: ValidationState, target: string, t: Traversal, source: SourceFile): Diagnostic | undefined {
  const depth = target.split('.').length;
  const field = t.parts[depth];
  if (!field) return undefined;
  const node = owner.graph.get(target)!;
  const exports = node.kind === 'component' ? exportsOf(ctx, owner, node) : node.exports;
  if (!exports || exports.includes(field.name)) return undefined;
  return rangeDiag(source, field.pos, field.pos + Buffer.byteLength(field.name) - 1, `field ${JSON.stringify(field.name)} does not exist`);
}

function exportsOf(ctx: ValidationContext, state: ValidationState, n: ValidationNode): readonly string[] | undefined {
  const found = lookupComponent(ctx, state, n);
  return 'diagnostic' in found ? undefined : found.exports;
}
