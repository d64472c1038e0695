/**
 * The component contract. Each component declares itself once — name,
 * stability, argument and export schemas, and a build function — and the
 * runtime derives decoding, validation, the API and the UI from that.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { BlockSchema } from '../lang/schema.js';
import type { Health } from './health.js';
import type { Logger } from './logger.js';
import type { MemoryBudget } from './memory.js';

export type Stability = 'experimental' | 'public-preview' | 'generally-available';

export const STABILITY_ORDER: readonly Stability[] = ['experimental', 'public-preview', 'generally-available'];

/** True when a component of `stability` may run at the configured minimum level. */
export function stabilityAllowed(stability: Stability, minimum: Stability): boolean {
  return STABILITY_ORDER.indexOf(stability) >= STABILITY_ORDER.indexOf(minimum);
}

/** What the runtime gives a component. */
export interface ComponentContext<E> {
  /** Local id within its module: "loki.write.default". */
  readonly id: string;
  /** Id including the module path, unique in the process. */
  readonly globalId: string;
  /** A directory the component may keep state in (created on demand by the component). */
  readonly dataPath: string;
  readonly logger: Logger;
  /** Registry whose series carry component_id / component_path labels. */
  readonly registry: Registry;
  /** Publishes new exports; dependants re-evaluate if they differ from the last ones. */
  setExports(exports: E): void;
  /** Reports the component's own health (combined with evaluation and run health). */
  setHealth(health: Health): void;
  /** Live debugging: publishes a line describing data passing through (no-op when disabled). */
  debug(data: () => string): void;
  /** Facts about the running agent. */
  readonly host: HostInfo;
  /**
   * The agent's `--stability.level`: arguments and features of a component
   * that are below it are refused by the component (as Alloy's
   * component.Options.MinStability with featuregate.CheckAllowed).
   */
  readonly minStability: Stability;
}

/** What a component may know about the agent running it. */
export interface HostInfo {
  /** `host:port` of the HTTP server, as configured. */
  readonly httpListenAddr: string;
  /** Address the agent's in-memory HTTP traffic uses ("alloy.internal:12345"). */
  readonly memoryAddr: string;
  /** The agent's own metrics in Prometheus text format (what /metrics serves). */
  gatherMetrics(): Promise<{ contentType: string; body: string }>;
  /**
   * The memory allowance (`run --memory-limit`) that buffers and queues take
   * their shares of; undefined when the agent runs without a limit.
   */
  readonly memoryBudget?: MemoryBudget;
  /**
   * Serves a request to the agent's own HTTP server in-process, without a
   * socket: how requests to `memoryAddr` (exporter targets) are answered.
   * Absent when no HTTP server is attached (tests that run a bare controller).
   */
  internalRequest?(path: string, init?: InternalRequestInit): Promise<InternalResponse>;
}

export interface InternalRequestInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface InternalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A running component. */
export interface ComponentInstance<A> {
  /** Applies new arguments (only called when they differ from the current ones). */
  update(args: A): void | Promise<void>;
  /** Runs until `signal` aborts; returning early marks the component exited. */
  run(signal: AbortSignal): Promise<void>;
  /** Component-specific details for the API/UI. */
  debugInfo?(): unknown;
  /** Serves `/api/v0/component/<id>/<rest>`. */
  handler?: ComponentHandler;
}

/** Serves a component's own routes; `rest` is the path after `/api/v0/component/<id>/`. */
export type ComponentHandler = (req: IncomingMessage, res: ServerResponse, rest: string) => void | Promise<void>;

/** Answers a request to the agent's own HTTP server in-process (see HostInfo.internalRequest). */
export type InternalRequester = (path: string, init?: InternalRequestInit) => Promise<InternalResponse>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ComponentDefinition<A = any, E = any> {
  readonly name: string;
  readonly stability: Stability;
  /** One line on what the component does (hover, completion, the UI, validate's notes). */
  readonly description?: string;
  readonly args: BlockSchema<A>;
  readonly exports?: BlockSchema<E>;
  /** Whether the component publishes data for live debugging. */
  readonly liveDebugging?: boolean;
  build(ctx: ComponentContext<E>, args: A): ComponentInstance<A> | Promise<ComponentInstance<A>>;
}

/** Identity helper that keeps A and E inferred from the schemas. */
export function defineComponent<A, E = Record<string, never>>(def: ComponentDefinition<A, E>): ComponentDefinition<A, E> {
  return def;
}

/** Name → definition. The runtime receives one; it knows no component by itself. */
export class ComponentRegistry {
  private readonly defs = new Map<string, ComponentDefinition>();

  register(...defs: ComponentDefinition[]): this {
    for (const def of defs) {
      if (this.defs.has(def.name)) throw new Error(`component ${def.name} registered twice`);
      this.defs.set(def.name, def);
    }
    return this;
  }

  get(name: string): ComponentDefinition | undefined {
    return this.defs.get(name);
  }

  names(): string[] {
    return [...this.defs.keys()].sort();
  }
}
