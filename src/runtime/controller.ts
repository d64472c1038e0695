/**
 * The controller runs one graph (the root config or one module instance):
 * it applies planned graphs (diffing by node id on reload), evaluates nodes
 * in dependency order, re-evaluates the direct dependants of a node whose
 * exports changed (through the coalescing queue), and runs components.
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import type { BlockStmt } from '../lang/ast.js';
import { DiagnosticsError, hasErrors, type Diagnostic } from '../lang/diag.js';
import { evaluateInto, Scope } from '../lang/eval.js';
import { decodeBody, encodeExports, type BlockSchema, type DecodeContext } from '../lang/schema.js';
import type { SourceFile } from '../lang/position.js';
import { NULL, objectValue, stringValue, valuesEqual, type Value } from '../lang/value.js';
import { stabilityAllowed, type ComponentContext, type ComponentHandler, type HostInfo, type ComponentInstance, type ComponentRegistry, type Stability } from './component.js';
import {
  ArgumentArgs,
  ExportArgs,
  IMPORT_BLOCKS,
  SERVICE_BLOCKS,
  SINGLETON_CONFIG_BLOCKS,
} from './config-blocks.js';
import type { Graph } from './graph.js';
import { health, leastHealthy, type Health } from './health.js';
import type { LiveDebugHub } from './live-debug.js';
import { blockDiag, nameEnd, planGraph, stabilityMessage, type ConfigFile, type OuterDeclare, type PlannedNode } from './loader.js';
import type { Logger } from './logger.js';
import { decodeModuleArguments, moduleArgumentsEqual, ModuleSource, resolveCustomDefinition } from './modules.js';
import { CoalescingQueue } from './queue.js';

/** Process-wide things every controller shares. */
export interface RuntimeGlobals {
  registry: ComponentRegistry;
  logger: Logger;
  storagePath: string;
  minStability: Stability;
  liveDebug: LiveDebugHub;
  /** Receives decoded config/service blocks of the root config (logging, http, livedebugging, tracing). */
  onConfigBlock(name: string, args: unknown): void;
  /** How long a component may take to stop. */
  shutdownDeadlineMs: number;
  host: HostInfo;
  /** Optional instrumentation of evaluations (alloy_component_* metrics). */
  metrics?: ControllerMetrics;
}

export interface ControllerMetrics {
  evaluationSeconds: { observe(seconds: number): void };
  queueSize: { inc(): void; dec(): void };
}

export interface ControllerOptions {
  /** Module id: '' for the root, else the custom component's global id. */
  modulePath: string;
  /** Extra identifiers in scope (module_path). */
  scopeVars?: Record<string, Value>;
  /** Declares and import namespaces visible from enclosing modules. */
  outerDeclares?: ReadonlyMap<string, OuterDeclare>;
  outerImports?: ReadonlyMap<string, ModuleSource>;
  /** Module arguments (custom component attributes), by argument label. */
  argumentValues?: ReadonlyMap<string, Value>;
  /** Called when this module's exports change. */
  onExports?: (exports: Value) => void;
}

/**
 * What the API reports about a node: plain data, a snapshot taken when asked.
 * The running instance stays inside the controller; the HTTP server asks for
 * a component's route handler with `Controller.handler`.
 */
export interface NodeInfo {
  id: string;
  globalId: string;
  name: string;
  label: string;
  kind: PlannedNode['kind'];
  moduleId: string;
  referencesTo: string[];
  referencedBy: string[];
  health: Health;
  args: unknown;
  argsSchema: BlockSchema | undefined;
  exports: Value;
  debugInfo: unknown;
  block: BlockStmt;
  source: SourceFile;
  /** Ids of the modules this node runs (a custom component runs one, named by its global id). */
  createdModuleIds: string[];
}

/** A node of this controller with its running parts, for in-process callers (tests); the API sees NodeInfo only. */
export interface LocalNode extends NodeInfo {
  instance: ComponentInstance<unknown> | undefined;
  registry: Registry | undefined;
}

const EMPTY_EXPORTS: Value = objectValue([], true);

class RuntimeNode {
  exports: Value = EMPTY_EXPORTS;
  evalHealth: Health = health('unknown', 'not evaluated yet');
  runHealth: Health | undefined;
  selfHealth: Health | undefined;
  args: unknown;
  instance: ComponentInstance<unknown> | undefined;
  abort: AbortController | undefined;
  running: Promise<void> | undefined;
  registry: Registry | undefined;
  child: Controller | undefined;
  /** The declare block `child` was built from: a new definition rebuilds the module. */
  childDefinition: BlockStmt | undefined;
  module: ModuleSource | undefined;

  constructor(public plan: PlannedNode) {}

  get id(): string {
    return this.plan.id;
  }

  health(): Health {
    return leastHealthy(this.evalHealth, this.runHealth, this.selfHealth);
  }
}

export class Controller {
  private graph: Graph<PlannedNode> | undefined;
  private readonly nodes = new Map<string, RuntimeNode>();
  private readonly queue: CoalescingQueue;
  private applying: Promise<unknown> = Promise.resolve();
  private readonly moduleExports = new Map<string, Value>();
  /** Module arguments (custom component attributes), by argument label. */
  private argumentValues: ReadonlyMap<string, Value> | undefined;
  private stopped = false;

  constructor(
    readonly globals: RuntimeGlobals,
    readonly options: ControllerOptions,
  ) {
    this.argumentValues = options.argumentValues;
    this.queue = new CoalescingQueue(4, (key, err) => this.globals.logger.error('evaluation failed', { node: key, err }));
  }

  get modulePath(): string {
    return this.options.modulePath;
  }

  /**
   * Applies a new config: plans it (graph errors reject it and change
   * nothing), reuses nodes with the same id, stops removed ones, and
   * evaluates everything in dependency order. Returns evaluation diagnostics;
   * throws DiagnosticsError when the graph itself is invalid.
   */
  async apply(files: readonly ConfigFile[]): Promise<Diagnostic[]> {
    const run = this.applying.then(() => this.applyNow(files));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(files: readonly ConfigFile[]): Promise<Diagnostic[]> {
    const plan = planGraph(files, {
      registry: this.globals.registry,
      inModule: this.options.modulePath !== '',
      outerDeclares: this.options.outerDeclares,
      outerImports: new Set(this.options.outerImports?.keys() ?? []),
      scopeNames: new Set(Object.keys(this.options.scopeVars ?? {})),
      minStability: this.globals.minStability,
    });
    plan.diagnostics.push(...this.stabilityDiagnostics(plan.graph));
    if (hasErrors(plan.diagnostics)) throw new DiagnosticsError(plan.diagnostics);
    for (const d of plan.diagnostics) this.globals.logger.warn(d.message, { file: d.start.file, line: d.start.line });

    const removed = [...this.nodes.values()].filter((n) => !reusable(n, plan.graph.get(n.id)));
    await this.stopNodes(removed);
    for (const n of removed) this.nodes.delete(n.id);
    for (const planned of plan.graph.values()) {
      const existing = this.nodes.get(planned.id);
      if (existing) existing.plan = planned;
      else this.nodes.set(planned.id, new RuntimeNode(planned));
    }
    this.graph = plan.graph;

    const diagnostics: Diagnostic[] = [];
    for (const id of plan.graph.topologicalOrder()) {
      const d = await this.evaluate(this.nodes.get(id)!);
      if (d) diagnostics.push(d);
    }
    this.publishModuleExports();
    return diagnostics;
  }

  private stabilityDiagnostics(graph: Graph<PlannedNode>): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const n of graph.values()) {
      const def = n.def;
      if (def && !stabilityAllowed(def.stability, this.globals.minStability)) {
        out.push(blockDiag(n, stabilityMessage(`component ${JSON.stringify(def.name)}`, def.stability, this.globals.minStability), nameEnd(n.block)));
      }
    }
    return out;
  }

  /** Waits for pending evaluations (tests, reload). */
  async settle(): Promise<void> {
    await this.applying;
    await this.queue.idle();
    for (const n of this.nodes.values()) await n.child?.settle();
  }

  /** Stops every running component, dependants before their dependencies. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.applying;
    const order = this.graph?.topologicalOrder().reverse() ?? [];
    await this.stopNodes(order.map((id) => this.nodes.get(id)!).filter(Boolean));
  }

  private async stopNodes(nodes: RuntimeNode[]): Promise<void> {
    for (const n of nodes) {
      n.abort?.abort();
      await n.child?.stop();
      if (n.running) await withDeadline(n.running, this.globals.shutdownDeadlineMs);
      n.module?.close();
    }
  }

  // -------------------------------------------------------------------------
  // Evaluation

  private async evaluate(node: RuntimeNode): Promise<Diagnostic | undefined> {
    if (this.stopped) return undefined;
    const scope = this.scopeFor(node);
    const ctx: DecodeContext = {
      source: node.plan.source,
      evaluate: (expr, desc) => {
        const r = evaluateInto(expr, scope, node.plan.source, desc as { kind: 'any' });
        if (r.ok) return { ok: true, value: r.value as unknown };
        return { ok: false, diagnostic: r.error.diagnostic ?? blockDiag(node.plan, r.error.message, node.plan.block.lCurly) };
      },
    };
    const started = performance.now();
    try {
      const diagnostic = await this.evaluateKind(node, ctx);
      this.globals.metrics?.evaluationSeconds.observe((performance.now() - started) / 1000);
      node.evalHealth = diagnostic
        ? health('unhealthy', `component evaluation failed: ${diagnostic.message}`)
        : health('healthy', 'component evaluated');
      return diagnostic;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      node.evalHealth = health('unhealthy', `component evaluation failed: ${message}`);
      return blockDiag(node.plan, message, node.plan.block.lCurly);
    }
  }

  private async evaluateKind(node: RuntimeNode, ctx: DecodeContext): Promise<Diagnostic | undefined> {
    const plan = node.plan;
    switch (plan.kind) {
      case 'component':
        return this.evaluateComponent(node, ctx);
      case 'argument':
        return this.evaluateArgument(node, ctx);
      case 'export': {
        const r = decodeBody(ExportArgs, plan.block.body, ctx, plan.block);
        if (r.diagnostic) return r.diagnostic;
        this.moduleExports.set(plan.label, r.value!.value);
        this.publishModuleExports();
        return undefined;
      }
      case 'config':
      case 'service': {
        const s = (SINGLETON_CONFIG_BLOCKS as Record<string, BlockSchema>)[plan.name] ?? (SERVICE_BLOCKS as Record<string, BlockSchema>)[plan.name]!;
        const r = decodeBody(s, plan.block.body, ctx, plan.block);
        if (r.diagnostic) return r.diagnostic;
        node.args = r.value;
        this.globals.onConfigBlock(plan.name, r.value);
        return undefined;
      }
      case 'import':
        return this.evaluateImport(node, ctx);
      case 'declare':
        return undefined;
      case 'custom':
        return this.evaluateCustom(node, ctx);
      case 'foreach':
        return blockDiag(plan, 'foreach blocks are not supported by alloy-ts yet', plan.block.lCurly);
    }
  }

  private async evaluateComponent(node: RuntimeNode, ctx: DecodeContext): Promise<Diagnostic | undefined> {
    const def = node.plan.def!;
    const r = decodeBody(def.args, node.plan.block.body, ctx, node.plan.block);
    if (r.diagnostic) return r.diagnostic;
    if (!node.instance) {
      node.args = r.value;
      node.instance = await def.build(this.componentContext(node), r.value);
      this.startRun(node);
    } else if (!argsEqual(node.args, r.value)) {
      node.args = r.value;
      await node.instance.update(r.value);
    }
    return undefined;
  }

  /**
   * New module arguments (the custom component's attributes changed):
   * re-evaluates the argument nodes; their dependants follow through the queue.
   */
  async setArguments(values: ReadonlyMap<string, Value>): Promise<Diagnostic | undefined> {
    await this.applying;
    this.argumentValues = values;
    let first: Diagnostic | undefined;
    for (const node of this.nodes.values()) {
      if (node.plan.kind !== 'argument') continue;
      first ??= await this.evaluate(node);
    }
    return first;
  }

  private evaluateArgument(node: RuntimeNode, ctx: DecodeContext): Diagnostic | undefined {
    const r = decodeBody(ArgumentArgs, node.plan.block.body, ctx, node.plan.block);
    if (r.diagnostic) return r.diagnostic;
    const given = this.argumentValues?.get(node.plan.label);
    if (given === undefined && !r.value!.optional && r.value!.default === undefined) {
      return blockDiag(node.plan, `missing required argument "${node.plan.label}" to module`, node.plan.block.lCurly);
    }
    this.setNodeExports(node, objectValue([['value', given ?? r.value!.default ?? NULL]], true));
    return undefined;
  }

  private async evaluateImport(node: RuntimeNode, ctx: DecodeContext): Promise<Diagnostic | undefined> {
    const plan = node.plan;
    const s = (IMPORT_BLOCKS as Record<string, BlockSchema>)[plan.name]!;
    const r = decodeBody(s, plan.block.body, ctx, plan.block);
    if (r.diagnostic) return r.diagnostic;
    // A changed module file re-evaluates the import itself (reloading it), then its instances.
    const onChange = () => this.queue.submit(`${plan.id}#reimport`, async () => {
      await this.reevaluate(plan.id);
      for (const dependant of this.graph?.dependants(plan.id) ?? []) await this.reevaluate(dependant);
    });
    if (!node.module) node.module = new ModuleSource(plan.name, plan.label, onChange);
    const problem = await node.module.update(r.value as Record<string, unknown>);
    return problem === undefined ? undefined : blockDiag(plan, problem, plan.block.lCurly);
  }

  private async evaluateCustom(node: RuntimeNode, ctx: DecodeContext): Promise<Diagnostic | undefined> {
    const def = this.customDefinition(node.plan);
    if (!def) return blockDiag(node.plan, `cannot find the definition of component name "${node.plan.name}"`, node.plan.block.lCurly);
    const args = decodeModuleArguments(def, node.plan.block, ctx);
    if ('diagnostic' in args) return args.diagnostic;
    if (node.child && node.childDefinition === def.block) {
      // Same definition: new argument values flow into the running module, nothing restarts.
      if (moduleArgumentsEqual(node.args as Map<string, Value>, args.values)) return undefined;
      node.args = args.values;
      return node.child.setArguments(args.values);
    }
    node.args = args.values;
    node.childDefinition = def.block;
    const globalId = this.globalId(node.id);
    await node.child?.stop();
    node.child = new Controller(this.globals, {
      modulePath: globalId,
      scopeVars: def.modulePath === undefined ? {} : { module_path: stringValue(def.modulePath) },
      outerDeclares: def.declares,
      outerImports: def.imports,
      argumentValues: args.values,
      onExports: (exports) => this.setNodeExports(node, exports),
    });
    try {
      const diags = await node.child.apply(def.body);
      return diags[0];
    } catch (err) {
      if (err instanceof DiagnosticsError) return err.diagnostics[0];
      throw err;
    }
  }

  /** Finds the declare a custom component instance refers to. */
  private customDefinition(plan: PlannedNode) {
    return resolveCustomDefinition(plan.block.name, this.visibleDeclares(), this.visibleImports(), this.options.scopeVars?.['module_path']);
  }

  private visibleDeclares(): Map<string, OuterDeclare> {
    const out = new Map(this.options.outerDeclares ?? []);
    for (const n of this.nodes.values()) if (n.plan.kind === 'declare') out.set(n.plan.label, { block: n.plan.block, source: n.plan.source });
    return out;
  }

  private visibleImports(): Map<string, ModuleSource> {
    const out = new Map(this.options.outerImports ?? []);
    for (const n of this.nodes.values()) if (n.plan.kind === 'import' && n.module) out.set(n.plan.label, n.module);
    return out;
  }

  // -------------------------------------------------------------------------
  // Exports and propagation

  private setNodeExports(node: RuntimeNode, exports: Value): void {
    if (valuesEqual(exports, node.exports) && exports.type === node.exports.type) return;
    node.exports = exports;
    const metrics = this.globals.metrics;
    for (const dependant of this.graph?.dependants(node.id) ?? []) {
      metrics?.queueSize.inc();
      this.queue.submit(dependant, async () => {
        metrics?.queueSize.dec();
        await this.reevaluate(dependant);
      });
    }
  }

  private async reevaluate(id: string): Promise<void> {
    await this.applying;
    const node = this.nodes.get(id);
    if (!node || this.stopped) return;
    const d = await this.evaluate(node);
    if (d) this.globals.logger.error('failed to evaluate component', { component_id: this.globalId(id), err: d.message });
  }

  private publishModuleExports(): void {
    if (!this.options.onExports) return;
    this.options.onExports(objectValue([...this.moduleExports].sort(([a], [b]) => (a < b ? -1 : 1)), true));
  }

  /** Scope with the exports of every node `node` references, nested by id parts. */
  private scopeFor(node: RuntimeNode): Scope {
    const root = new Map<string, unknown>();
    for (const ref of node.plan.refs) {
      const target = this.nodes.get(ref);
      if (!target) continue;
      const parts = ref.split('.');
      let level = root;
      for (const p of parts.slice(0, -1)) {
        let next = level.get(p);
        if (!(next instanceof Map)) level.set(p, (next = new Map<string, unknown>()));
        level = next as Map<string, unknown>;
      }
      level.set(parts[parts.length - 1]!, target.exports);
    }
    const vars = new Map<string, Value>(Object.entries(this.options.scopeVars ?? {}));
    for (const [k, v] of root) vars.set(k, toValue(v));
    return new Scope(vars);
  }

  // -------------------------------------------------------------------------
  // Components

  private componentContext(node: RuntimeNode): ComponentContext<unknown> {
    const def = node.plan.def!;
    const globalId = this.globalId(node.id);
    const registry = new Registry();
    registry.setDefaultLabels({ component_id: node.id, component_path: this.options.modulePath === '' ? '/' : `/${this.options.modulePath}` });
    node.registry = registry;
    const live = this.globals.liveDebug;
    return {
      id: node.id,
      globalId,
      dataPath: path.join(this.globals.storagePath, globalId),
      logger: this.globals.logger.child({ component_path: this.options.modulePath === '' ? '/' : `/${this.options.modulePath}`, component_id: node.id }),
      registry,
      setExports: (exports) => this.setNodeExports(node, def.exports ? encodeExports(def.exports, exports) : EMPTY_EXPORTS),
      setHealth: (h) => {
        node.selfHealth = h;
      },
      debug: (data) => {
        if (live.active(globalId)) live.publish(globalId, data());
      },
      host: this.globals.host,
    };
  }

  private startRun(node: RuntimeNode): void {
    const abort = new AbortController();
    node.abort = abort;
    node.runHealth = health('healthy', 'started component');
    const instance = node.instance!;
    node.running = (async () => {
      try {
        await instance.run(abort.signal);
        node.runHealth = health('exited', 'component shut down normally');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        node.runHealth = health('exited', `component shut down with error: ${message}`);
        this.globals.logger.error('component exited with error', { component_id: this.globalId(node.id), err: message });
      }
    })();
  }

  globalId(localId: string): string {
    return this.options.modulePath === '' ? localId : `${this.options.modulePath}/${localId}`;
  }

  // -------------------------------------------------------------------------
  // Introspection

  /** Every node of this controller, in evaluation order. */
  list(): NodeInfo[] {
    const order = this.graph?.topologicalOrder() ?? [];
    return order.map((id) => this.info(this.nodes.get(id)!));
  }

  /** Nodes of this controller and, recursively, of its modules. */
  listAll(): NodeInfo[] {
    return [...this.walk()].map(([controller, node]) => controller.info(node));
  }

  get(localId: string): LocalNode | undefined {
    const n = this.nodes.get(localId);
    return n && { ...this.info(n), instance: n.instance, registry: n.registry };
  }

  /** Finds a node by global id anywhere below this controller. */
  find(globalId: string): NodeInfo | undefined {
    const found = this.locate(globalId);
    return found && found[0].info(found[1]);
  }

  /** The nodes of the module `moduleId` (a custom component's global id), or undefined if no such module runs. */
  moduleNodes(moduleId: string): NodeInfo[] | undefined {
    return this.locate(moduleId)?.[1].child?.list();
  }

  /** The route handler of the component `globalId` (`/api/v0/component/<id>/...`), if it has one. */
  handler(globalId: string): ComponentHandler | undefined {
    const instance = this.locate(globalId)?.[1].instance;
    return instance?.handler ? instance.handler.bind(instance) : undefined;
  }

  /** The running instance of a component anywhere below (tests and in-process callers; the API uses plain NodeInfo). */
  instance(globalId: string): ComponentInstance<unknown> | undefined {
    return this.locate(globalId)?.[1].instance;
  }

  /** Metric registries of every component here and in modules below. */
  registries(): Registry[] {
    return [...this.walk()].flatMap(([, n]) => (n.registry ? [n.registry] : []));
  }

  /** Every node below this controller with the controller that owns it, in evaluation order, modules after their node. */
  private *walk(): Generator<[Controller, RuntimeNode]> {
    for (const id of this.graph?.topologicalOrder() ?? []) {
      const n = this.nodes.get(id)!;
      yield [this, n];
      if (n.child) yield* n.child.walk();
    }
  }

  private locate(globalId: string): [Controller, RuntimeNode] | undefined {
    for (const entry of this.walk()) if (entry[0].globalId(entry[1].id) === globalId) return entry;
    return undefined;
  }

  private info(n: RuntimeNode): NodeInfo {
    const g = this.graph!;
    return {
      id: n.id,
      globalId: this.globalId(n.id),
      name: n.plan.name,
      label: n.plan.label,
      kind: n.plan.kind,
      moduleId: this.options.modulePath,
      referencesTo: [...g.dependencies(n.id)].sort(),
      referencedBy: [...g.dependants(n.id)].sort(),
      health: n.health(),
      args: n.args,
      argsSchema: n.plan.def?.args,
      exports: n.exports,
      debugInfo: safeDebugInfo(n.instance),
      block: n.plan.block,
      source: n.plan.source,
      createdModuleIds: n.child ? [this.globalId(n.id)] : [],
    };
  }
}

// ---------------------------------------------------------------------------
// Helpers

function reusable(existing: RuntimeNode, planned: PlannedNode | undefined): boolean {
  return planned !== undefined && planned.kind === existing.plan.kind && planned.name === existing.plan.name;
}

function toValue(v: unknown): Value {
  if (v instanceof Map) return objectValue([...v].map(([k, x]) => [k as string, toValue(x)] as const));
  return v as Value;
}

/** Deep equality of decoded arguments (Go reflect.DeepEqual over the args struct). */
export function argsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => argsEqual(x, b[i]));
  if (isValue(a) && isValue(b)) return valuesEqual(a, b);
  const ea = (a as { equals?: (o: unknown) => boolean }).equals;
  if (typeof ea === 'function') return ea.call(a, b);
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => argsEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isValue(x: object): x is Value {
  return 'type' in x && typeof (x as { type: unknown }).type === 'string' && Object.getPrototypeOf(x) === Object.prototype;
}

function safeDebugInfo(instance: ComponentInstance<unknown> | undefined): unknown {
  try {
    return instance?.debugInfo?.();
  } catch {
    return undefined;
  }
}

async function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
