/**
 * The agent: one root controller fed from a config path, the core metrics,
 * the config-driven services (logging, live debugging, http), reload, and
 * graceful shutdown. The HTTP server (http/server.ts) serves it.
 */
import { createHash } from 'node:crypto';
import { arch, platform } from 'node:os';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from './prom-client.js';
import { DiagnosticsError, hasErrors, type Diagnostic } from '../lang/diag.js';
import type { ComponentRegistry, HostInfo, InternalRequester, InternalRequestInit, InternalResponse, Stability } from './component.js';
import { defaultsOf } from '../lang/schema.js';
import { LiveDebuggingArgs, LoggingArgs, type HttpArgs, type LogLineReceiver } from './config-blocks.js';
import { Controller, type NodeInfo } from './controller.js';
import { LiveDebugHub } from './live-debug.js';
import { Logger, LogSettings } from './logger.js';
import { MemoryBudget } from './memory.js';
import { mergeExpositions } from './metrics.js';
import type { ConfigFile } from './loader.js';
import { loadConfigPath, type LoadedSource, type SourceTransform } from './sources.js';

export interface AgentOptions {
  configPath: string;
  registry: ComponentRegistry;
  storagePath: string;
  minStability: Stability;
  httpListenAddr: string;
  memoryAddr: string;
  version: string;
  shutdownDeadlineMs?: number;
  /** Bytes the process should stay under (`--memory-limit`); no limit when undefined. */
  memoryLimitBytes?: number;
  /** Where log lines go (stderr by default). */
  writeLog?: (line: string) => void;
  /** Applied to the config files on every (re)load before parsing: `--config.format` conversion. */
  transformSources?: SourceTransform;
}

/** The agent was stopped (SIGTERM/SIGINT) before its first load finished. */
export class AgentStoppedError extends Error {
  constructor() {
    super('the agent was stopped before its first config load finished');
  }
}

export class Agent {
  readonly logSettings: LogSettings;
  readonly logger: Logger;
  readonly liveDebug = new LiveDebugHub();
  readonly coreRegistry = new Registry();
  readonly root: Controller;
  /** Shares of the memory limit for component buffers; undefined without a limit. */
  readonly memoryBudget: MemoryBudget | undefined;
  httpConfig: HttpArgs | undefined;
  /** True once the first config load finished. */
  ready = false;
  private readonly loadSuccess: Gauge;
  private readonly loadSuccessTime: Gauge;
  private readonly loadFailures: Counter;
  private readonly configHash: Gauge;
  private lastLoaded: readonly ConfigFile[] = [];
  readonly evaluationSeconds: Histogram;
  readonly queueSize: Gauge;

  constructor(readonly options: AgentOptions) {
    this.logSettings = LogSettings.defaults(options.writeLog);
    this.logger = new Logger(this.logSettings);
    const reg = this.coreRegistry;
    collectDefaultMetrics(reg);
    new Gauge({
      name: 'alloy_build_info',
      help: 'A metric with a constant \'1\' value labeled by version, revision, branch, goversion from which alloy was built, and the goos and goarch for the build.',
      labelNames: ['version', 'revision', 'branch', 'goversion', 'goos', 'goarch', 'tags'],
      registers: [reg],
    }).set({ version: options.version, revision: '', branch: '', goversion: process.version, goos: platform(), goarch: arch(), tags: 'nodejs' }, 1);
    this.loadSuccess = new Gauge({ name: 'alloy_config_last_load_successful', help: 'Config loaded successfully.', registers: [reg] });
    this.loadSuccessTime = new Gauge({ name: 'alloy_config_last_load_success_timestamp_seconds', help: 'Timestamp of the last successful configuration load.', registers: [reg] });
    this.loadFailures = new Counter({ name: 'alloy_config_load_failures_total', help: 'Configuration load failures.', registers: [reg] });
    this.configHash = new Gauge({ name: 'alloy_config_hash', help: 'Hash of the currently active config file.', labelNames: ['sha256'], registers: [reg] });
    this.evaluationSeconds = new Histogram({
      name: 'alloy_component_evaluation_seconds',
      help: 'Time spent performing component evaluation',
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers: [reg],
    });
    this.queueSize = new Gauge({ name: 'alloy_component_evaluation_queue_size', help: 'Tracks the number of components waiting to be evaluated in the worker pool', registers: [reg] });
    new Gauge({ name: 'alloy_component_controller_evaluating', help: 'Tracks if the controller is currently in the middle of a graph evaluation', registers: [reg] });
    const agent = this;
    new Gauge({
      name: 'alloy_component_controller_running_components',
      help: 'Total number of running components.',
      labelNames: ['health_type'],
      registers: [reg],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const n of agent.components()) counts.set(n.health.state, (counts.get(n.health.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ health_type: state }, count);
      },
    });
    this.memoryBudget = options.memoryLimitBytes ? new MemoryBudget(options.memoryLimitBytes) : undefined;
    const host: HostInfo = {
      httpListenAddr: options.httpListenAddr,
      memoryAddr: options.memoryAddr,
      gatherMetrics: () => this.gatherMetrics(),
      internalRequest: (path, init) => this.internalRequest(path, init),
      ...(this.memoryBudget ? { memoryBudget: this.memoryBudget } : {}),
    };
    this.root = new Controller(
      {
        registry: options.registry,
        logger: this.logger,
        storagePath: options.storagePath,
        minStability: options.minStability,
        liveDebug: this.liveDebug,
        onConfigBlock: (name, args) => this.applyConfigBlock(name, args),
        shutdownDeadlineMs: options.shutdownDeadlineMs ?? 10 * 60_000,
        host,
        metrics: { evaluationSeconds: this.evaluationSeconds, queueSize: this.queueSize },
      },
      { modulePath: '' },
    );
  }

  /** First load: any diagnostic error is fatal (DiagnosticsError is thrown). */
  /** Aborted by stop(): a first load still reading or evaluating gives up at once. */
  private readonly stopping = new AbortController();

  /**
   * First load: any diagnostic error is fatal (DiagnosticsError is thrown).
   * A stop() while it runs makes it reject with AgentStoppedError promptly,
   * even while the config is still being read (a FIFO nobody writes to yet
   * blocks its read; that read is left behind).
   */
  async start(): Promise<void> {
    const source = await this.unlessStopped(loadConfigPath(this.options.configPath, this.options.transformSources));
    const diags = await this.unlessStopped(this.apply(source));
    if (this.stopping.signal.aborted) throw new AgentStoppedError();
    if (hasErrors(diags)) throw new DiagnosticsError(diags, source.contents);
    this.ready = true;
  }

  private unlessStopped<T>(work: Promise<T>): Promise<T> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.reject(new AgentStoppedError());
    return new Promise<T>((resolve, reject) => {
      const onStop = () => reject(new AgentStoppedError());
      signal.addEventListener('abort', onStop, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onStop));
    });
  }

  /**
   * Reload: a config that fails to read, parse, plan or evaluate leaves the
   * running graph exactly as it was (components, their arguments, health and
   * the service blocks) and the error is thrown. Alloy applies a graph whose
   * evaluation failed in part; alloy-ts swaps in a new graph only once every
   * node of it evaluated.
   */
  async reload(): Promise<Diagnostic[]> {
    let source: LoadedSource;
    try {
      source = await loadConfigPath(this.options.configPath, this.options.transformSources);
    } catch (err) {
      this.recordFailure();
      throw err;
    }
    const diags = await this.apply(source);
    if (hasErrors(diags)) throw new DiagnosticsError(diags, source.contents);
    return diags;
  }

  private async apply(source: LoadedSource): Promise<Diagnostic[]> {
    // Services fall back to their defaults when their block is removed.
    const present = new Set(source.files.flatMap((f) => f.file.body.filter((s) => s.kind === 'Block').map((s) => (s as { name: string[] }).name.join('.'))));
    try {
      const diags = await this.root.apply(source.files);
      if (hasErrors(diags)) {
        this.recordFailure();
        return diags;
      }
      if (!present.has('logging')) this.applyConfigBlock('logging', defaultsOf(LoggingArgs));
      if (!present.has('livedebugging')) this.applyConfigBlock('livedebugging', defaultsOf(LiveDebuggingArgs));
      if (!present.has('http')) this.httpConfig = undefined;
      this.recordSuccess(source);
      return diags;
    } catch (err) {
      this.recordFailure();
      throw err;
    }
  }

  /** The config files the running graph was built from, in load order. */
  get loadedFiles(): readonly ConfigFile[] {
    return this.lastLoaded;
  }

  private recordSuccess(source: LoadedSource): void {
    this.lastLoaded = source.files;
    const hash = createHash('sha256');
    for (const bytes of source.contents.values()) hash.update(bytes);
    this.loadSuccess.set(1);
    this.loadSuccessTime.set(Date.now() / 1000);
    this.configHash.reset();
    this.configHash.set({ sha256: hash.digest('hex') }, 1);
  }

  private recordFailure(): void {
    this.loadSuccess.set(0);
    this.loadFailures.inc();
  }

  private applyConfigBlock(name: string, args: unknown): void {
    if (name === 'logging') {
      const a = args as LoggingArgs;
      const receivers = a.write_to as LogLineReceiver[];
      this.logSettings.options = {
        ...this.logSettings.options,
        level: a.level,
        format: a.format,
        sinks: receivers.map((r) => (line: string) => r.pushLogLine?.(line, { component: 'alloy' })),
      };
    } else if (name === 'livedebugging') {
      this.liveDebug.enabled = (args as LiveDebuggingArgs).enabled;
    } else if (name === 'http') {
      this.httpConfig = args as HttpArgs;
    }
  }

  /** Every component node of every controller (root and modules). */
  components(): NodeInfo[] {
    return this.root.listAll();
  }

  /** Requests to the in-memory address are served by the attached HTTP server (see serveInternal). */
  private internalRequester: InternalRequester | undefined;

  /** Called by the HTTP server: it answers the components' in-process requests. */
  serveInternal(requester: InternalRequester): void {
    this.internalRequester = requester;
  }

  private internalRequest(path: string, init?: InternalRequestInit): Promise<InternalResponse> {
    if (!this.internalRequester) return Promise.reject(new Error('the agent has no HTTP server to serve in-memory requests'));
    return this.internalRequester(path, init);
  }

  /** Core metrics plus every component's metrics, merged per metric family. */
  async gatherMetrics(): Promise<{ contentType: string; body: string }> {
    const registries = [this.coreRegistry, ...this.root.registries()];
    const texts = await Promise.all(registries.map((r) => r.metrics()));
    return { contentType: this.coreRegistry.contentType, body: mergeExpositions(texts) };
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.root.stop();
  }
}
