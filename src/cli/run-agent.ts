/**
 * `alloy-ts run`: starts the HTTP server, loads the config (a failure to load
 * the first config is fatal, as in Alloy), reloads on SIGHUP and
 * /-/reload, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { DiagnosticsError } from '../lang/diag.js';
import { renderDiagnostics } from '../lang/diag-printer.js';
import { parseDurationMs } from '../lang/units.js';
import { builtinComponentsOnDemand } from '../components/catalog.js';
import { setDrainDeadline } from '../components/common/delivery.js';
import { Agent, AgentStoppedError } from '../runtime/agent.js';
import type { Logger } from '../runtime/logger.js';
import { HttpServer } from '../runtime/http/server.js';
import { configDigest, watchConfig } from './auto-reload.js';
import { sourceConverter } from './convert.js';
import { CliError, fsError, resolvePath, useColor, type CliIO } from './io.js';
import { MEMORY_LIMIT_FLAG, resolveMemoryLimit } from './memory-limit.js';
import { withRunDefaults, type RunFlags } from './run-flags.js';
import { packageVersion } from '../version.js';

export interface RunningAgent {
  agent: Agent;
  server: HttpServer;
  /** Resolves once the agent stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts an agent; flags not given take their defaults (run-flags.ts).
 * `stopSignal` aborting during the first load stops it promptly (the result
 * is then already stopped).
 */
export async function startAgent(configPath: string, given: Partial<RunFlags>, io: CliIO, stopSignal?: AbortSignal): Promise<RunningAgent> {
  const flags = withRunDefaults(given);
  const memoryLimitBytes = resolveMemoryLimit(flags[MEMORY_LIMIT_FLAG], io.env ?? process.env);
  if (configPath === '') throw new CliError('path argument not provided');
  const agent = new Agent({
    configPath: configPathForAgent(configPath, io),
    registry: await builtinComponentsOnDemand(),
    storagePath: resolvePath(io, flags['storage.path']),
    minStability: flags['stability.level'],
    httpListenAddr: flags['server.http.listen-addr'],
    memoryAddr: flags['server.http.memory-addr'],
    version: packageVersion(),
    shutdownDeadlineMs: parseDurationMs(flags['feature.component-shutdown-deadline']),
    memoryLimitBytes,
    writeLog: (line) => io.stderr.write(line),
    transformSources: await sourceConverter(flags['config.format'], flags['config.bypass-conversion-errors'], flags['config.extra-args']),
  });
  // A signal that came before this point (while the runtime was loading) stops the agent as well.
  if (stopSignal?.aborted) void agent.stop();
  else stopSignal?.addEventListener('abort', () => void agent.stop(), { once: true });
  const server = new HttpServer(agent, {
    listenAddr: agent.options.httpListenAddr,
    uiPathPrefix: flags['server.http.ui-path-prefix'],
    enablePprof: flags['server.http.enable-pprof'],
  });
  const address = await server.listen();
  agent.logger.info('now listening for http traffic', { service: 'http', addr: `${address.address}:${address.port}` });
  logMemoryLimit(agent);
  try {
    await agent.start();
  } catch (err) {
    await agent.stop();
    await server.close();
    if (err instanceof AgentStoppedError) {
      agent.logger.info('shutting down', { reason: 'stopped during the first config load' });
      return { agent, server, done: Promise.resolve(), stop: () => Promise.resolve() };
    }
    if (err instanceof DiagnosticsError) {
      io.stderr.write(renderDiagnostics(err.diagnostics, await withSourcesOf(err), { color: useColor(io) }) + '\n');
      throw new CliError('could not perform the initial load successfully');
    }
    if (isFsError(err)) throw new CliError(`reading config path ${JSON.stringify(configPath)}: ${fsError(err, shownPath(err, configPath, io)).message}`);
    throw new CliError(`could not perform the initial load successfully: ${(err as Error).message}`);
  }
  agent.logger.info('finished complete graph evaluation', { component_count: agent.components().length });
  if (agent.httpConfig?.tls) {
    // The http block asked for TLS: move the listener to HTTPS on the same address.
    const tlsAddress = await server.listen();
    agent.logger.info('now listening for https traffic', { service: 'http', addr: `${tlsAddress.address}:${tlsAddress.port}` });
  }
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stop = () => {
    stopping ??= (async () => {
      agent.logger.info('shutting down');
      await agent.stop();
      await server.close();
      resolveDone();
    })();
    return stopping;
  };
  return { agent, server, done, stop };
}

/**
 * The config path as the agent reads it: as given, so diagnostics name
 * files as `validate` does (and as Alloy does), unless the CLI runs for
 * another directory than the process's (tests), then resolved.
 */
function configPathForAgent(configPath: string, io: CliIO): string {
  return io.cwd === undefined || path.resolve(io.cwd) === process.cwd() ? configPath : resolvePath(io, configPath);
}

/**
 * The source bytes of every file a report names, so `run` shows the same
 * excerpts as `validate`: parse errors carry them, later errors (unknown or
 * unsupported components, evaluation) only name the file.
 */
async function withSourcesOf(err: DiagnosticsError): Promise<Map<string, Uint8Array>> {
  const files = new Map(err.files);
  for (const d of err.diagnostics) {
    const name = d.start.file;
    if (name === '' || files.has(name)) continue;
    files.set(name, await readFile(name).catch(() => new Uint8Array()));
  }
  return files;
}

function isFsError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** The failing path as the user wrote it when it is the config path itself. */
function shownPath(err: NodeJS.ErrnoException, configPath: string, io: CliIO): string {
  return err.path === undefined || err.path === resolvePath(io, configPath) ? configPath : err.path;
}

/** Says what the memory limit gave the heap (as V8 applied it) and the component buffers. */
function logMemoryLimit(agent: Agent): void {
  const budget = agent.memoryBudget;
  if (!budget) return;
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}MiB`;
  agent.logger.info('memory limit', {
    limit: mib(budget.limitBytes),
    heap_limit: mib(getHeapStatistics().heap_size_limit),
    buffer_budget: mib(budget.bufferBytes),
  });
}

/** Time kept back from the drain for saving positions, closing and exiting. */
const SHUTDOWN_RESERVE_MS = 500;

/**
 * Bounds a shutdown to `drainMs` from now, so the agent is gone before a
 * container runtime's SIGKILL (Docker and compose: 10 s after SIGTERM):
 * components deliver until `drainMs` minus a reserve (their drain and grace
 * timeouts are cut to it), and whatever still holds the process then — a
 * refresh or request that ignores the stop — is cut short by exiting. Nothing
 * undelivered is skipped: positions only ever hold acknowledged offsets and
 * were written at most ~100 ms before.
 */
function boundShutdown(drainMs: number, logger: () => Logger | undefined): void {
  const started = performance.now();
  setDrainDeadline(started + Math.max(0, drainMs - Math.min(SHUTDOWN_RESERVE_MS, drainMs / 5)));
  setTimeout(() => {
    logger()?.warn('shutdown drain timeout reached, exiting', { timeout: `${drainMs}ms` });
    process.exit(0);
  }, drainMs).unref();
}

/** Runs in the foreground until SIGINT/SIGTERM. */
export async function runAgent(configPath: string, flags: RunFlags, io: CliIO): Promise<void> {
  // Signals are handled from the start: a SIGHUP or SIGTERM arriving during the
  // first load must not fall back to Node's default action (exit).
  let running: RunningAgent | undefined;
  let stopRequested = false;
  let stopWatching = () => {};
  const firstLoad = new AbortController();
  // A SIGHUP before startAgent has returned (during the first load, or just
  // after the agent became ready) reloads once it has: as in Alloy, whose
  // buffered signal channel is read after the first load.
  let reloadPending = false;
  const onHup = () => {
    const agent = running?.agent;
    if (!agent) {
      reloadPending = true;
      return;
    }
    agent.reload().then(
      () => agent.logger.info('config reloaded'),
      (err: unknown) => agent.logger.error('failed to reload config', { err: err instanceof Error ? err.message : String(err) }),
    );
  };
  const onStop = () => {
    if (!stopRequested) boundShutdown(parseDurationMs(flags['shutdown.drain-timeout']), () => running?.agent.logger);
    stopRequested = true;
    firstLoad.abort();
    void running?.stop();
  };
  process.on('SIGHUP', onHup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    const watched = resolvePath(io, configPath);
    const baseline = flags['config.auto-reload'] ? await configDigest(watched) : '';
    running = await startAgent(configPath, flags, io, firstLoad.signal);
    if (stopRequested) await running.stop();
    else if (reloadPending && running.agent.ready) onHup();
    if (flags['config.auto-reload'] && running.agent.ready) {
      stopWatching = watchConfig(running.agent, watched, parseDurationMs(flags['config.auto-reload-interval']), baseline);
    }
    await running.done;
    // Stopped during the first load: a read that cannot be cancelled (a FIFO
    // config nobody writes to blocks in libuv's thread pool) would keep the
    // process alive, and nothing else is left to finish.
    if (!running.agent.ready) process.exit(0);
  } finally {
    stopWatching();
    process.off('SIGHUP', onHup);
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
}
