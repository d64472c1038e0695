/**
 * The loader turns parsed config files into a planned graph: it classifies
 * every top-level block (component, custom component, config block, service
 * block), rejects duplicates and unknown names, resolves references to node
 * ids (shortest matching prefix, as Alloy's resolveTraversal does) and
 * rejects cycles. Nothing is evaluated or started here.
 *
 * `run` plans with `planGraph`; `validate` (./validator/) builds its own
 * graphs in Alloy's validation order but shares the pieces below: block
 * categories and ids, the diagnostics about blocks, the reference check
 * (resolution, stdlib warnings, experimental functions) and cycles.
 */
import type { AttributeStmt, BlockStmt, File } from '../lang/ast.js';
import type { Diagnostic } from '../lang/diag.js';
import type { SourceFile } from '../lang/position.js';
import { bodyTraversals, traversalRange, traversalText, type Traversal } from '../lang/references.js';
import { isStdlibDeprecated, isStdlibExperimental, isStdlibIdentifier } from '../lang/stdlib/index.js';
import { ALLOY_SERVICES, alloyComponent } from './alloy-components.js';
import { stabilityAllowed, type ComponentDefinition, type ComponentRegistry, type Stability } from './component.js';
import { IMPORT_BLOCKS, SERVICE_BLOCKS, SINGLETON_CONFIG_BLOCKS } from './config-blocks.js';
import { Graph } from './graph.js';

export interface ConfigFile {
  source: SourceFile;
  file: File;
}

export type NodeKind =
  | 'component'
  | 'custom'
  | 'declare'
  | 'argument'
  | 'export'
  | 'import'
  | 'config'
  | 'service'
  | 'foreach';

export interface PlannedNode {
  /** Node id: `loki.write.default`, `declare.x`, `import.file.ns`, `logging`. */
  id: string;
  kind: NodeKind;
  /** Block name as written: `loki.write`, `import.file`, `ns.custom`. */
  name: string;
  label: string;
  block: BlockStmt;
  source: SourceFile;
  /** Ids this node depends on. */
  refs: Set<string>;
  /** Built-in component definition (kind 'component'). */
  def?: ComponentDefinition;
  /** For custom components: the declare or import node that defines them. */
  definedBy?: string;
}

/** A declare visible to a module from an enclosing one. */
export interface OuterDeclare {
  block: BlockStmt;
  source: SourceFile;
}

export interface PlanOptions {
  registry: ComponentRegistry;
  /** True when planning a module body (a declare or an imported module). */
  inModule: boolean;
  /** Declares of enclosing modules, by label; they can be instantiated here. */
  outerDeclares?: ReadonlyMap<string, OuterDeclare>;
  /** Import namespaces of enclosing modules. */
  outerImports?: ReadonlySet<string>;
  /** Extra identifiers in scope (module_path, foreach variables). */
  scopeNames?: ReadonlySet<string>;
  /** Minimum stability level; experimental stdlib functions below it are errors. Unset: not checked. */
  minStability?: Stability;
}

export interface Plan {
  graph: Graph<PlannedNode>;
  diagnostics: Diagnostic[];
}

/** Builds the planned graph of a config (or module) body. */
export function planGraph(files: readonly ConfigFile[], opts: PlanOptions): Plan {
  const diagnostics: Diagnostic[] = [];
  const graph = new Graph<PlannedNode>();
  const blocks = collectBlocks(files, opts, diagnostics);
  const declares = firstByLabel(blocks, 'declare');
  const imports = firstByLabel(blocks, 'import');
  for (const node of blocks) {
    const existing = graph.get(node.id);
    if (existing) {
      diagnostics.push(duplicateBlockDiag(node, existing));
      continue;
    }
    if (node.kind === 'custom' && !linkCustom(node, declares, imports, opts, diagnostics)) continue;
    graph.add(node.id, node);
  }
  for (const node of graph.values()) resolveReferences(node, graph, opts, diagnostics);
  diagnostics.push(...cycleDiagnostics(graph));
  return { graph, diagnostics };
}

function firstByLabel(nodes: readonly PlannedNode[], kind: NodeKind): Map<string, PlannedNode> {
  const out = new Map<string, PlannedNode>();
  for (const n of nodes) if (n.kind === kind && !out.has(n.label)) out.set(n.label, n);
  return out;
}

/** Classifies every top-level block; reports misplaced and unlabelled blocks. */
function collectBlocks(files: readonly ConfigFile[], opts: PlanOptions, diagnostics: Diagnostic[]): PlannedNode[] {
  const out: PlannedNode[] = [];
  for (const { source, file } of files) {
    for (const stmt of file.body) {
      if (stmt.kind === 'Attribute') {
        diagnostics.push(topLevelAttributeDiag(source, stmt));
        continue;
      }
      const node = classifyBlock(stmt, source, opts, diagnostics);
      if (node) out.push(node);
    }
  }
  return out;
}

function classifyBlock(block: BlockStmt, source: SourceFile, opts: PlanOptions, diagnostics: Diagnostic[]): PlannedNode | undefined {
  const name = block.name.join('.');
  const at: Located = { block, source };
  const make = (kind: NodeKind, id: string): PlannedNode => ({ id, kind, name, label: block.label, block, source, refs: new Set() });
  const requireLabel = (what: string): boolean => {
    if (block.label !== '') return true;
    diagnostics.push(missingLabelDiag(at, what));
    return false;
  };
  if (name === 'declare') return requireLabel('declare') ? make('declare', `declare.${block.label}`) : undefined;
  if (name === 'argument' || name === 'export') {
    if (!opts.inModule) {
      diagnostics.push(moduleOnlyDiag(at));
      return undefined;
    }
    return requireLabel(name) ? make(name, `${name}.${block.label}`) : undefined;
  }
  if (name in IMPORT_BLOCKS) return requireLabel(name) ? make('import', `${name}.${block.label}`) : undefined;
  if (name === 'foreach') return requireLabel(name) ? make('foreach', `foreach.${block.label}`) : undefined;
  if (ALLOY_SERVICES.has(blockId(block)) && !(name in SERVICE_BLOCKS)) {
    diagnostics.push(blockDiag(at, `the ${blockId(block)} service is not supported by alloy-ts`, nameEnd(block)));
    return undefined;
  }
  if (name in SINGLETON_CONFIG_BLOCKS || name in SERVICE_BLOCKS) {
    if (opts.inModule) {
      diagnostics.push(notAllowedDiag(at, 'module'));
      return undefined;
    }
    return make(name in SERVICE_BLOCKS ? 'service' : 'config', name);
  }
  const def = opts.registry.get(name);
  if (block.label === '') {
    diagnostics.push(componentLabelDiag(at));
    return undefined;
  }
  const node = make(def ? 'component' : 'custom', blockId(block));
  if (def) node.def = def;
  return node;
}

/**
 * Links a custom component instance to the declare or import defining it;
 * false (with a diagnostic) when nothing defines it.
 */
function linkCustom(
  node: PlannedNode,
  declares: ReadonlyMap<string, PlannedNode>,
  imports: ReadonlyMap<string, PlannedNode>,
  opts: PlanOptions,
  diagnostics: Diagnostic[],
): boolean {
  const parts = node.block.name;
  const local = parts.length === 1 ? declares.get(parts[0]!) : imports.get(parts[0]!);
  if (local) {
    node.definedBy = local.id;
    node.refs.add(local.id);
    return true;
  }
  const outer = parts.length === 1 ? opts.outerDeclares?.has(parts[0]!) : opts.outerImports?.has(parts[0]!);
  if (outer) return true;
  diagnostics.push(alloyComponent(node.name) ? unsupportedComponentDiag(node) : unknownComponentDiag(node));
  return false;
}

function resolveReferences(node: PlannedNode, graph: Graph<PlannedNode>, opts: PlanOptions, diagnostics: Diagnostic[]): void {
  // A declare's body is a template: it is resolved inside each instance's module.
  if (node.kind === 'declare') return;
  const check: ReferenceContext = {
    source: node.source,
    resolve: (t) => resolveTraversal(t, graph),
    inScope: (name) => opts.scopeNames?.has(name) ?? false,
    minStability: opts.minStability,
  };
  for (const t of bodyTraversals(node.block.body)) {
    const r = checkTraversal(t, check);
    diagnostics.push(...r.diagnostics);
    if (r.target) node.refs.add(r.target);
  }
  for (const ref of node.refs) if (graph.has(ref)) graph.addEdge(node.id, ref);
}

/** The shortest prefix of the traversal that names a node. */
export function resolveTraversal(t: Traversal, graph: { has(id: string): boolean }): string | undefined {
  let id = '';
  for (const part of t.parts) {
    id = id === '' ? part.name : `${id}.${part.name}`;
    if (graph.has(id)) return id;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Reference checks (shared with the validator)

export interface ReferenceContext {
  source: SourceFile;
  /** The node id the traversal refers to (shortest matching prefix), if any. */
  resolve(t: Traversal): string | undefined;
  /** Whether a non-stdlib identifier is in scope (module_path, argument, foreach variables). */
  inScope(name: string): boolean;
  /** Minimum stability; experimental stdlib functions below it are errors. Unset: not checked. */
  minStability?: Stability | undefined;
}

/**
 * Checks one traversal as Alloy does when it links a node: it must name a
 * node or something in scope (else `component "..." does not exist or is
 * out of scope`); a node whose first name is also a stdlib identifier is
 * shadowing it (warning); deprecated stdlib aliases are warnings;
 * experimental stdlib functions below the minimum stability are errors.
 */
export function checkTraversal(t: Traversal, ctx: ReferenceContext): { target?: string; diagnostics: Diagnostic[] } {
  const target = ctx.resolve(t);
  const first = t.parts[0]!;
  const last = t.parts[t.parts.length - 1]!;
  const inScope = ctx.inScope(first.name) || isStdlibIdentifier(first.name);
  if (target === undefined && !inScope) {
    const r = traversalRange(t);
    return { diagnostics: [rangeDiag(ctx.source, r.start, r.end, `component ${JSON.stringify(traversalText(t))} does not exist or is out of scope`)] };
  }
  const firstEnd = identEnd(first);
  if (target !== undefined) {
    const diagnostics = isStdlibIdentifier(first.name)
      ? [rangeDiag(ctx.source, first.pos, firstEnd, 'a component is shadowing an existing stdlib name', 'warning')]
      : [];
    return { target, diagnostics };
  }
  if (isStdlibDeprecated(first.name)) {
    const message = 'this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives';
    return { diagnostics: [rangeDiag(ctx.source, first.pos, identEnd(last), message, 'warning')] };
  }
  const fullName = traversalText(t);
  if (ctx.minStability && isStdlibExperimental(fullName) && !stabilityAllowed('experimental', ctx.minStability)) {
    return { diagnostics: [rangeDiag(ctx.source, first.pos, identEnd(last), stabilityMessage(fullName, 'experimental', ctx.minStability))] };
  }
  return { diagnostics: [] };
}

/** Alloy's featuregate message for something below the minimum stability level. */
export function stabilityMessage(what: string, stability: Stability, minimum: Stability): string {
  return `${what} is at stability level ${JSON.stringify(stability)}, which is below the minimum allowed stability level ${JSON.stringify(minimum)}. Use --stability.level command-line flag to enable ${JSON.stringify(stability)} features`;
}

function identEnd(ident: { pos: number; name: string }): number {
  return ident.pos + Buffer.byteLength(ident.name) - 1;
}

/** `cycle detected: a, b` on every node of each cycle, then `cannot reference self`, in graph order. */
export function cycleDiagnostics(graph: Graph<Located>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const scc of graph.stronglyConnected()) {
    if (scc.length > 1) {
      const names = [...scc].sort().join(', ');
      for (const id of scc.sort()) {
        const node = graph.get(id)!;
        out.push(blockDiag(node, `cycle detected: ${names}`, node.block.lCurly));
      }
    }
  }
  for (const id of graph.ids()) {
    if (graph.hasSelfEdge(id)) {
      const node = graph.get(id)!;
      out.push(blockDiag(node, 'cannot reference self', node.block.lCurly));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Block ids and diagnostics (shared with the validator)

/** A block and the file it is in. */
export interface Located {
  block: BlockStmt;
  source: SourceFile;
}

/** Alloy's block id: the name parts, plus the label when there is one (`local.file.x`, `logging`). */
export function blockId(block: BlockStmt): string {
  const name = block.name.join('.');
  return block.label === '' ? name : `${name}.${block.label}`;
}

/** Blocks Alloy treats as config blocks rather than components (runtime source.go). */
export const CONFIG_BLOCK_NAMES: ReadonlySet<string> = new Set([
  'logging', 'tracing', 'argument', 'export', 'foreach', 'import.file', 'import.string', 'import.http', 'import.git',
]);

/**
 * How Alloy sorts a block by its name: `declare`, a config block, a service
 * block (its id is a service name) or a component.
 */
export function blockCategory(block: BlockStmt, services: { has(name: string): boolean }): 'declare' | 'config' | 'service' | 'component' {
  const name = block.name.join('.');
  if (name === 'declare') return 'declare';
  if (CONFIG_BLOCK_NAMES.has(name)) return 'config';
  if (services.has(blockId(block))) return 'service';
  return 'component';
}

/** `block <id> already declared at <file:line:col>`, over the duplicate's id. */
export function duplicateBlockDiag(dup: Located, original: Located): Diagnostic {
  return blockDiag(dup, `block ${blockId(dup.block)} already declared at ${positionText(original)}`, headerEnd(dup));
}

/** `<name> block must have a label`, over the block name. */
export function missingLabelDiag(node: Located, what = node.block.name.join('.')): Diagnostic {
  return blockDiag(node, `${what} block must have a label`, nameEnd(node.block));
}

/** `component "<name>" must have a label`, over the block name. */
export function componentLabelDiag(node: Located): Diagnostic {
  return blockDiag(node, `component ${JSON.stringify(node.block.name.join('.'))} must have a label`, nameEnd(node.block));
}

/** `unrecognized attribute <name>`: only blocks may appear at the top level of a file. */
export function topLevelAttributeDiag(source: SourceFile, stmt: AttributeStmt): Diagnostic {
  return rangeDiag(source, stmt.name.pos, stmt.name.pos + Buffer.byteLength(stmt.name.name) - 1, `unrecognized attribute ${stmt.name.name}`);
}

/** `<name> blocks only allowed inside a module` (argument/export at the root), over the whole block. */
export function moduleOnlyDiag(node: Located): Diagnostic {
  return blockDiag(node, `${node.block.name.join('.')} blocks only allowed inside a module`, node.block.rCurly);
}

/** `<id> not allowed in module|foreach` (logging, tracing, services), over the block id. */
export function notAllowedDiag(node: Located, where: 'module' | 'foreach'): Diagnostic {
  return blockDiag(node, `${blockId(node.block)} not allowed in ${where}`, headerEnd(node));
}

/** `cannot find the definition of component name "<name>"`, over the block name. */
export function unknownComponentDiag(node: Located): Diagnostic {
  return blockDiag(node, `cannot find the definition of component name ${JSON.stringify(node.block.name.join('.'))}`, nameEnd(node.block));
}

/** For `run` and `validate`: an Alloy component alloy-ts does not implement. */
export function unsupportedComponentDiag(node: Located): Diagnostic {
  const name = JSON.stringify(node.block.name.join('.'));
  return blockDiag(node, `component ${name} is not supported by alloy-ts`, nameEnd(node.block));
}

function positionText(node: { block: BlockStmt; source: SourceFile }): string {
  const p = node.source.position(node.block.namePos)!;
  return `${node.source.name}:${p.line}:${p.column}`;
}

/** Offset of the last byte of a block's name. */
export function nameEnd(block: BlockStmt): number {
  return block.namePos + Buffer.byteLength(block.name.join('.')) - 1;
}

/** End of `name "label"` as Alloy highlights it (the length of the block id). */
export function headerEnd(node: { block: BlockStmt }): number {
  const b = node.block;
  return nameEnd(b) + (b.label === '' ? 0 : 1 + Buffer.byteLength(b.label));
}

export function blockDiag(node: { block: BlockStmt; source: SourceFile }, message: string, end: number): Diagnostic {
  return rangeDiag(node.source, node.block.namePos, end, message);
}

export function rangeDiag(source: SourceFile, start: number, end: number, message: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
  const s = source.position(start)!;
  const e = source.position(end)!;
  return {
    severity,
    message,
    start: { file: source.name, line: s.line, column: s.column, offset: start },
    end: { file: source.name, line: e.line, column: e.column, offset: end },
  };
}
