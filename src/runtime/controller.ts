/**
 * The controller runs one graph (the root config or one module instance):
 * it applies planned graphs (diffing by node id on reload), evaluates nodes
 * in dependency order, re-evaluates the direct dependants of a node whose
 * exports changed (through the coalescing queue), and runs components.
 */
import path from 'node:path';
import { Registry } from './prom-client.js';
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
import { decodeModuleArguments, moduleArgumentsEqual, ModuleSource, resolveCustomDefinition, type CustomDefinition } from './modules.js';
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

/** An evaluated config that has not changed anything yet: commit it or discard it. */
export interface PreparedPass {
  readonly diagnostics: Diagnostic[];
  /** The module's exports as the pass computed them (what a parent's dependants see). */
  readonly exports: Value;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** The result of evaluating one node: its effects wait for the commit of the pass. */
interface Evaluation {
  diagnostic?: Diagnostic;
  /** Exports dependants evaluated later in the same pass see (before the commit publishes them). */
  exports?: Value;
  /** Applies the evaluation to what runs. */
  commit?: () => void | Promise<void>;
  /** Releases what the evaluation prepared (a new module source, a child pass). */
  discard?: () => void | Promise<void>;
}

/** What an evaluation reads: the graph being evaluated and what the pass has computed so far. */
interface PassView {
  plans: Graph<PlannedNode>;
  nodes: Map<string, RuntimeNode>;
  exports: Map<string, Value>;
  /** Module sources loaded by this pass, by import node id. */
  modules: Map<string, ModuleSource>;
  moduleExports: Map<string, Value>;
  argumentValues: ReadonlyMap<string, Value> | undefined;
}

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
  /** The commit of a pass in progress (stop waits for it so that nothing it starts is left running). */
  private committing: Promise<void> | undefined;
  private readonly moduleExports = new Map<string, Value>();
  /** Module arguments (custom component attributes) of the committed graph, by argument label. */
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
   * Applies a new config atomically: plans it (graph errors throw a
   * DiagnosticsError), evaluates every node of the new graph without
   * touching what runs, and only when nothing failed swaps it in (stops
   * removed nodes, updates changed ones, starts new ones). When any node
   * fails, nothing changes and the diagnostics are returned.
   *
   * The first config of a controller has nothing running to keep: it is
   * applied with its failing nodes unhealthy (their diagnostics returned),
   * so their health can be inspected; the agent refuses such a first
   * config and stops it.
   */
  async apply(files: readonly ConfigFile[]): Promise<Diagnostic[]> {
    const first = this.graph === undefined;
    const pass = await this.prepare(files, this.argumentValues);
    // A stop during the evaluation (SIGTERM in the first load) starts nothing.
    if ((hasErrors(pass.diagnostics) && !first) || this.stopped) await pass.discard();
    else await pass.commit();
    return pass.diagnostics;
  }

  /**
   * Evaluates `files` with module arguments `argumentValues` as a pass that
   * is either committed or discarded. Nothing else evaluates in this
   * controller until one of the two is called.
   */
  async prepare(files: readonly ConfigFile[], argumentValues: ReadonlyMap<string, Value> | undefined): Promise<PreparedPass> {
    let release!: () => void;
    const previous = this.applying;
    this.applying = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      const pass = await this.evaluatePass(files, argumentValues);
      return {
        diagnostics: pass.diagnostics,
        exports: pass.exports,
        commit: () => pass.commit().finally(release),
        discard: () => pass.discard().finally(release),
      };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async evaluatePass(files: readonly ConfigFile[], argumentValues: ReadonlyMap<string, Value> | undefined): Promise<PreparedPass> {
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

    const view: PassView = { plans: plan.graph, nodes: new Map(), exports: new Map(), modules: new Map(), moduleExports: new Map(), argumentValues };
    for (const planned of plan.graph.values()) {
      const existing = this.nodes.get(planned.id);
      view.nodes.set(planned.id, existing && reusable(existing, planned) ? existing : new RuntimeNode(planned));
    }
    const diagnostics: Diagnostic[] = [];
    const evaluated: [RuntimeNode, PlannedNode, Evaluation][] = [];
    for (const id of plan.graph.topologicalOrder()) {
      const node = view.nodes.get(id)!;
      const planned = plan.graph.get(id)!;
      const e = await this.evaluateNode(node, planned, view);
      if (e.diagnostic) diagnostics.push(e.diagnostic);
      if (e.exports) view.exports.set(id, e.exports);
      evaluated.push([node, planned, e]);
    }
    return {
      diagnostics,
      exports: sortedObject(view.moduleExports),
      commit: () => (this.committing = this.commitPass(plan.graph, view, evaluated, argumentValues)),
      discard: async () => {
        for (const [, , e] of evaluated) await e.discard?.();
      },
    };
  }

  /** Swaps the pass's graph in and applies every node's evaluation, in dependency order. */
  private async commitPass(
    graph: Graph<PlannedNode>,
    view: PassView,
    evaluated: [RuntimeNode, PlannedNode, Evaluation][],
    argumentValues: ReadonlyMap<string, Value> | undefined,
  ): Promise<void> {
    await this.swapIn(graph, view);
    this.argumentValues = argumentValues;
    this.moduleExports.clear();
    for (const [node, planned, e] of evaluated) {
      node.plan = planned;
      if (e.diagnostic) {
        // Only a first config commits with failures: the failing node stays, unhealthy and not running.
        await e.discard?.();
        node.evalHealth = health('unhealthy', `component evaluation failed: ${e.diagnostic.message}`);
        continue;
      }
      await e.commit?.();
      node.evalHealth = health('healthy', 'component evaluated');
    }
    this.publishModuleExports();
  }

  /** Stops the nodes the new graph drops and makes its nodes the live ones. */
  private async swapIn(graph: Graph<PlannedNode>, view: PassView): Promise<void> {
    const removed = [...this.nodes.values()].filter((n) => view.nodes.get(n.id) !== n);
    await this.stopNodes(removed);
    this.nodes.clear();
    for (const [id, node] of view.nodes) this.nodes.set(id, node);
    this.graph = graph;
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

  /**
   * Stops every running component, dependants before their dependencies. A
   * pass still evaluating is not waited for (it may be blocked on a read,
   * e.g. a module file that is a FIFO): once it finishes it is discarded, as
   * the controller is stopped. A commit in progress is waited for.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.committing;
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

  /** The live graph as an evaluation sees it (re-evaluation after an export changed). */
  private liveView(): PassView {
    return { plans: this.graph!, nodes: this.nodes, exports: new Map(), modules: new Map(), moduleExports: new Map(), argumentValues: this.argumentValues };
  }

  /** Re-evaluates one live node and applies the result at once; a failure marks it unhealthy and keeps what runs. */
  private async evaluate(node: RuntimeNode): Promise<Diagnostic | undefined> {
    if (this.stopped) return undefined;
    const e = await this.evaluateNode(node, node.plan, this.liveView());
    if (e.diagnostic) {
      await e.discard?.();
      node.evalHealth = health('unhealthy', `component evaluation failed: ${e.diagnostic.message}`);
      return e.diagnostic;
    }
    if (this.stopped) {
      await e.discard?.();
      return undefined;
    }
    await e.commit?.();
    node.evalHealth = health('healthy', 'component evaluated');
    return undefined;
  }

  /** Evaluates `plan` for `node` against `view`; what would change what runs is left to the returned commit. */
  private async evaluateNode(node: RuntimeNode, plan: PlannedNode, view: PassView): Promise<Evaluation> {
    if (this.stopped) return {};
    const scope = this.scopeFor(plan, view);
    const ctx: DecodeContext = {
      source: plan.source,
      evaluate: (expr, desc) => {
        const r = evaluateInto(expr, scope, plan.source, desc as { kind: 'any' });
        if (r.ok) return { ok: true, value: r.value as unknown };
        return { ok: false, diagnostic: r.error.diagnostic ?? blockDiag(plan, r.error.message, plan.block.lCurly) };
      },
    };
    const started = performance.now();
    try {
      const e = await this.evaluateKind(node, plan, ctx, view);
      this.globals.metrics?.evaluationSeconds.observe((performance.now() - started) / 1000);
      return e;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { diagnostic: blockDiag(plan, message, plan.block.lCurly) };
    }
  }

  private async evaluateKind(node: RuntimeNode, plan: PlannedNode, ctx: DecodeContext, view: PassView): Promise<Evaluation> {
    switch (plan.kind) {
      case 'component':
        return this.evaluateComponent(node, plan, ctx);
      case 'argument':
        return this.evaluateArgument(node, plan, ctx, view);
      case 'export': {
        const r = decodeBody(ExportArgs, plan.block.body, ctx, plan.block);
        if (r.diagnostic) return { diagnostic: r.diagnostic };
        const value = r.value!.value;
        view.moduleExports.set(plan.label, value);
        return {
          commit: () => {
            this.moduleExports.set(plan.label, value);
            this.publishModuleExports();
          },
        };
      }
      case 'config':
      case 'service': {
        const s = (SINGLETON_CONFIG_BLOCKS as Record<string, BlockSchema>)[plan.name] ?? (SERVICE_BLOCKS as Record<string, BlockSchema>)[plan.name]!;
        const r = decodeBody(s, plan.block.body, ctx, plan.block);
        if (r.diagnostic) return { diagnostic: r.diagnostic };
        return {
          commit: () => {
            node.args = r.value;
            this.globals.onConfigBlock(plan.name, r.value);
          },
        };
      }
      case 'import':
        return this.evaluateImport(node, plan, ctx, view);
      case 'declare':
        return {};
      case 'custom':
        return this.evaluateCustom(node, plan, ctx, view);
      case 'foreach':
        return { diagnostic: blockDiag(plan, 'foreach blocks are not supported by alloy-ts yet', plan.block.lCurly) };
    }
  }

  /**
   * A new component is built here (its exports are what dependants in the
   * same pass see) but only runs once committed; a running one is updated
   * on commit. A built component whose pass is discarded is started and
   * stopped at once: its run is how it releases what its build took (some
   * builds already open files or start tailers).
   */
  private async evaluateComponent(node: RuntimeNode, plan: PlannedNode, ctx: DecodeContext): Promise<Evaluation> {
    const def = plan.def!;
    const r = decodeBody(def.args, plan.block.body, ctx, plan.block);
    if (r.diagnostic) return { diagnostic: r.diagnostic };
    if (!node.instance) {
      const instance = await def.build(this.componentContext(node), r.value);
      return {
        commit: () => {
          node.args = r.value;
          node.instance = instance;
          this.startRun(node);
        },
        discard: () => this.stopUnused(instance),
      };
    }
    if (argsEqual(node.args, r.value)) return {};
    const instance = node.instance;
    return {
      commit: async () => {
        node.args = r.value;
        await instance.update(r.value);
      },
    };
  }

  private evaluateArgument(node: RuntimeNode, plan: PlannedNode, ctx: DecodeContext, view: PassView): Evaluation {
    const r = decodeBody(ArgumentArgs, plan.block.body, ctx, plan.block);
    if (r.diagnostic) return { diagnostic: r.diagnostic };
    const given = view.argumentValues?.get(plan.label);
    if (given === undefined && !r.value!.optional && r.value!.default === undefined) {
      return { diagnostic: blockDiag(plan, `missing required argument "${plan.label}" to module`, plan.block.lCurly) };
    }
    const exports = objectValue([['value', given ?? r.value!.default ?? NULL]], true);
    return { exports, commit: () => this.setNodeExports(node, exports) };
  }

  /**
   * A running import whose arguments did not change re-reads its source in
   * place (unchanged content keeps its declares, so instances are not
   * rebuilt); otherwise a new module source is loaded and replaces the old
   * one on commit.
   */
  private async evaluateImport(node: RuntimeNode, plan: PlannedNode, ctx: DecodeContext, view: PassView): Promise<Evaluation> {
    const s = (IMPORT_BLOCKS as Record<string, BlockSchema>)[plan.name]!;
    const r = decodeBody(s, plan.block.body, ctx, plan.block);
    if (r.diagnostic) return { diagnostic: r.diagnostic };
    const args = r.value as Record<string, unknown>;
    const reuse = node.module !== undefined && argsEqual(node.args, args);
    const module = reuse ? node.module! : new ModuleSource(plan.name, plan.label, () => this.reimport(plan.id));
    const problem = await module.update(args);
    const discard = reuse ? undefined : () => module.close();
    if (problem !== undefined) return { diagnostic: blockDiag(plan, problem, plan.block.lCurly), ...(discard ? { discard } : {}) };
    view.modules.set(plan.id, module);
    return {
      commit: () => {
        if (node.module !== module) node.module?.close();
        node.module = module;
        node.args = args;
      },
      ...(discard ? { discard } : {}),
    };
  }

  /** A changed module file re-evaluates the import itself (reloading it), then its instances. */
  private reimport(id: string): void {
    this.queue.submit(`${id}#reimport`, async () => {
      await this.reevaluate(id);
      for (const dependant of this.graph?.dependants(id) ?? []) await this.reevaluate(dependant);
    });
  }

  /**
   * A custom component runs its declare's body in a child controller. Changed
   * arguments are evaluated through the running module as a pass of its own
   * (nothing restarts); a new definition prepares a new module that replaces
   * the old one on commit.
   */
  private async evaluateCustom(node: RuntimeNode, plan: PlannedNode, ctx: DecodeContext, view: PassView): Promise<Evaluation> {
    const def = resolveCustomDefinition(plan.block.name, this.visibleDeclares(view), this.visibleImports(view), this.options.scopeVars?.['module_path']);
    if (!def) return { diagnostic: blockDiag(plan, `cannot find the definition of component name "${plan.name}"`, plan.block.lCurly) };
    const args = decodeModuleArguments(def, plan.block, ctx);
    if ('diagnostic' in args) return { diagnostic: args.diagnostic };
    const running = node.child && node.childDefinition === def.block ? node.child : undefined;
    if (running && moduleArgumentsEqual(node.args as Map<string, Value>, args.values)) return {};
    const child = running ?? this.moduleController(node, def, args.values);
    let pass: PreparedPass;
    try {
      pass = await child.prepare(def.body, args.values);
    } catch (err) {
      if (err instanceof DiagnosticsError) return { diagnostic: err.diagnostics[0] };
      throw err;
    }
    const first = pass.diagnostics.find((d) => d.severity !== 'warning');
    if (first) {
      await pass.discard();
      return { diagnostic: first };
    }
    return {
      exports: pass.exports,
      commit: async () => {
        node.args = args.values;
        if (child !== node.child) {
          await node.child?.stop();
          node.child = child;
          node.childDefinition = def.block;
        }
        await pass.commit();
      },
      discard: () => pass.discard(),
    };
  }

  private moduleController(node: RuntimeNode, def: CustomDefinition, argumentValues: ReadonlyMap<string, Value>): Controller {
    return new Controller(this.globals, {
      modulePath: this.globalId(node.id),
      scopeVars: def.modulePath === undefined ? {} : { module_path: stringValue(def.modulePath) },
      outerDeclares: def.declares,
      outerImports: def.imports,
      argumentValues,
      onExports: (exports) => this.setNodeExports(node, exports),
    });
  }

  private visibleDeclares(view: PassView): Map<string, OuterDeclare> {
    const out = new Map(this.options.outerDeclares ?? []);
    for (const plan of view.plans.values()) if (plan.kind === 'declare') out.set(plan.label, { block: plan.block, source: plan.source });
    return out;
  }

  private visibleImports(view: PassView): Map<string, ModuleSource> {
    const out = new Map(this.options.outerImports ?? []);
    for (const plan of view.plans.values()) {
      if (plan.kind !== 'import') continue;
      const module = view.modules.get(plan.id) ?? view.nodes.get(plan.id)?.module;
      if (module) out.set(plan.label, module);
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Exports and propagation

  private setNodeExports(node: RuntimeNode, exports: Value): void {
    if (valuesEqual(exports, node.exports) && exports.type === node.exports.type) return;
    node.exports = exports;
    // A node built by a pass that is not committed yet has no dependants to tell.
    if (this.nodes.get(node.id) !== node) return;
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
    this.options.onExports(sortedObject(this.moduleExports));
  }

  /** Scope with the exports of every node `plan` references, nested by id parts. */
  private scopeFor(plan: PlannedNode, view: PassView): Scope {
    const root = new Map<string, unknown>();
    for (const ref of plan.refs) {
      const exports = view.exports.get(ref) ?? view.nodes.get(ref)?.exports;
      if (!exports) continue;
      const parts = ref.split('.');
      let level = root;
      for (const p of parts.slice(0, -1)) {
        let next = level.get(p);
        if (!(next instanceof Map)) level.set(p, (next = new Map<string, unknown>()));
        level = next as Map<string, unknown>;
      }
      level.set(parts[parts.length - 1]!, exports);
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
      minStability: this.globals.minStability,
    };
  }

  private async stopUnused(instance: ComponentInstance<unknown>): Promise<void> {
    const abort = new AbortController();
    const running = instance.run(abort.signal).catch(() => undefined);
    abort.abort();
    await withDeadline(running, this.globals.shutdownDeadlineMs);
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

  /**
   * The component handler for `<id>/<rest>` (what follows `/api/v0/component/`). Ids inside
   * modules contain `/`, so the longest id that names a component wins; undefined when that
   * component has no handler or nothing matches.
   */
  routeComponent(path: string): { handler: ComponentHandler; rest: string } | undefined {
    const segments = path.split('/');
    for (let i = segments.length - 1; i >= 1; i--) {
      const id = segments.slice(0, i).join('/');
      const handler = this.handler(id);
      if (handler) return { handler, rest: segments.slice(i).join('/') };
      if (this.find(id)) return undefined;
    }
    return undefined;
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

function sortedObject(fields: ReadonlyMap<string, Value>): Value {
  return objectValue([...fields].sort(([a], [b]) => (a < b ? -1 : 1)), true);
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
