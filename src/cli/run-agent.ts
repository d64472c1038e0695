/**
 * `alloy-ts run`: starts the HTTP server, loads the config (a failure to load
 * the first config is fatal, as in Alloy), reloads on SIGHUP and
 * /-/reload, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { getHeapStatistics } from 'node:v8';
import { DiagnosticsError } from '../lang/diag.js';
import { renderDiagnostics } from '../lang/diag-printer.js';
import { parseDurationMs } from '../lang/units.js';
import { builtinComponents } from '../components/index.js';
import { Agent } from '../runtime/agent.js';
import { HttpServer } from '../runtime/http/server.js';
import { CliError, resolvePath, useColor, type CliIO } from './io.js';
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

/** Starts an agent; flags not given take their defaults (run-flags.ts). */
export async function startAgent(configPath: string, given: Partial<RunFlags>, io: CliIO): Promise<RunningAgent> {
  const flags = withRunDefaults(given);
  const memoryLimitBytes = resolveMemoryLimit(flags[MEMORY_LIMIT_FLAG], io.env ?? process.env);
  const agent = new Agent({
    configPath: resolvePath(io, configPath),
    registry: builtinComponents(),
    storagePath: resolvePath(io, flags['storage.path']),
    minStability: flags['stability.level'],
    httpListenAddr: flags['server.http.listen-addr'],
    memoryAddr: flags['server.http.memory-addr'],
    version: packageVersion(),
    shutdownDeadlineMs: parseDurationMs(flags['feature.component-shutdown-deadline']),
    memoryLimitBytes,
    writeLog: (line) => io.stderr.write(line),
  });
  const server = new HttpServer(agent, { listenAddr: agent.options.httpListenAddr, uiPathPrefix: flags['server.http.ui-path-prefix'] });
  const address = await server.listen();
  agent.logger.info('now listening for http traffic', { service: 'http', addr: `${address.address}:${address.port}` });
  logMemoryLimit(agent);
  try {
    await agent.start();
  } catch (err) {
    await agent.stop();
    await server.close();
    if (err instanceof DiagnosticsError) {
      io.stderr.write(renderDiagnostics(err.diagnostics, err.files, { color: useColor(io) }) + '\n');
      throw new CliError('could not perform the initial load successfully');
    }
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

/** Runs in the foreground until SIGINT/SIGTERM. */
export async function runAgent(configPath: string, flags: RunFlags, io: CliIO): Promise<void> {
  // Signals are handled from the start: a SIGHUP or SIGTERM arriving during the
  // first load must not fall back to Node's default action (exit).
  let running: RunningAgent | undefined;
  let stopRequested = false;
  const onHup = () => {
    const agent = running?.agent;
    if (!agent) return;
    agent.reload().then(
      () => agent.logger.info('config reloaded'),
      (err: unknown) => agent.logger.error('failed to reload config', { err: err instanceof Error ? err.message : String(err) }),
    );
  };
  const onStop = () => {
    stopRequested = true;
    void running?.stop();
  };
  process.on('SIGHUP', onHup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    running = await startAgent(configPath, flags, io);
    if (stopRequested) await running.stop();
    await running.done;
  } finally {
    process.off('SIGHUP', onHup);
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  }
}
