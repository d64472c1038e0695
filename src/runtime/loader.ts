/**
 * The loader turns parsed config files into a planned graph: it classifies
 * every top-level block (component, custom component, config block, service
 * block), rejects duplicates and unknown names, resolves references to node
 * ids (shortest matching prefix, as Alloy's resolveTraversal does) and
 * rejects cycles. Nothing is evaluated or started here, so `validate` and
 * `run` share it.
 */
import type { BlockStmt, File } from '../lang/ast.js';
import type { Diagnostic } from '../lang/diag.js';
import type { SourceFile } from '../lang/position.js';
import { bodyTraversals, traversalRange, traversalText, type Traversal } from '../lang/references.js';
import { isStdlibIdentifier } from '../lang/stdlib/index.js';
import type { ComponentDefinition, ComponentRegistry } from './component.js';
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
      diagnostics.push(blockDiag(node, `block ${node.id} already declared at ${positionText(existing)}`, headerEnd(node)));
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
        diagnostics.push(rangeDiag(source, stmt.name.pos, stmt.name.pos + Buffer.byteLength(stmt.name.name) - 1, `unrecognized attribute ${stmt.name.name}`));
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
  const make = (kind: NodeKind, id: string): PlannedNode => ({ id, kind, name, label: block.label, block, source, refs: new Set() });
  const requireLabel = (what: string): boolean => {
    if (block.label !== '') return true;
    diagnostics.push(blockDiag({ block, source }, `${what} block must have a label`, nameEnd(block)));
    return false;
  };
  if (name === 'declare') return requireLabel('declare') ? make('declare', `declare.${block.label}`) : undefined;
  if (name === 'argument' || name === 'export') {
    if (!opts.inModule) {
      diagnostics.push(blockDiag({ block, source }, `${name} blocks only allowed inside a module`, block.rCurly));
      return undefined;
    }
    return requireLabel(name) ? make(name, `${name}.${block.label}`) : undefined;
  }
  if (name in IMPORT_BLOCKS) return requireLabel(name) ? make('import', `${name}.${block.label}`) : undefined;
  if (name === 'foreach') return requireLabel(name) ? make('foreach', `foreach.${block.label}`) : undefined;
  if (name in SINGLETON_CONFIG_BLOCKS || name in SERVICE_BLOCKS) {
    if (opts.inModule) {
      diagnostics.push(blockDiag({ block, source }, `${name} not allowed in module`, nameEnd(block)));
      return undefined;
    }
    return make(name in SERVICE_BLOCKS ? 'service' : 'config', name);
  }
  const def = opts.registry.get(name);
  if (block.label === '') {
    diagnostics.push(blockDiag({ block, source }, `component ${JSON.stringify(name)} must have a label`, nameEnd(block)));
    return undefined;
  }
  const node = make(def ? 'component' : 'custom', `${name}.${block.label}`);
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
  diagnostics.push(blockDiag(node, `cannot find the definition of component name ${JSON.stringify(node.name)}`, nameEnd(node.block)));
  return false;
}

function resolveReferences(node: PlannedNode, graph: Graph<PlannedNode>, opts: PlanOptions, diagnostics: Diagnostic[]): void {
  // A declare's body is a template: it is resolved inside each instance's module.
  if (node.kind === 'declare') return;
  for (const t of bodyTraversals(node.block.body)) {
    const target = resolveTraversal(t, graph);
    if (target) {
      node.refs.add(target);
      continue;
    }
    const first = t.parts[0]!.name;
    if (isStdlibIdentifier(first) || opts.scopeNames?.has(first)) continue;
    const r = traversalRange(t);
    diagnostics.push(rangeDiag(node.source, r.start, r.end, `component ${JSON.stringify(traversalText(t))} does not exist or is out of scope`));
  }
  for (const ref of node.refs) if (graph.has(ref)) graph.addEdge(node.id, ref);
}

/** The shortest prefix of the traversal that names a node. */
export function resolveTraversal(t: Traversal, graph: Graph<PlannedNode>): string | undefined {
  let id = '';
  for (const part of t.parts) {
    id = id === '' ? part.name : `${id}.${part.name}`;
    if (graph.has(id)) return id;
  }
  return undefined;
}

function cycleDiagnostics(graph: Graph<PlannedNode>): Diagnostic[] {
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
// Diagnostics helpers

function positionText(node: { block: BlockStmt; source: SourceFile }): string {
  const p = node.source.position(node.block.namePos)!;
  return `${node.source.name}:${p.line}:${p.column}`;
}

/** Offset of the last byte of a block's name. */
function nameEnd(block: BlockStmt): number {
  return block.namePos + Buffer.byteLength(block.name.join('.')) - 1;
}

/** End of `name "label"` as Alloy highlights it (label length without quotes). */
function headerEnd(node: { block: BlockStmt }): number {
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
