/**
 * `run --config.auto-reload`: reloads the agent when its config file (or a
 * *.alloy file of its config directory) changes — grafana/alloy#508, which
 * Alloy lacks; modules imported with import.file already follow their files.
 * The files are polled (a digest of their bytes every interval), which works
 * on every filesystem, bind mounts and ConfigMap symlink swaps included. A
 * broken edit keeps the running graph, as /-/reload does, and its
 * diagnostics are logged once per content, not at every poll.
 */
import { createHash } from 'node:crypto';
import type { Agent } from '../runtime/agent.js';
import { readConfigPath } from '../runtime/sources.js';

/** A digest of the config path's files (read before the first load, so no edit after it is missed). */
export async function configDigest(configPath: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for (const f of await readConfigPath(configPath)) hash.update(f.name).update('\0').update(f.bytes).update('\0');
  } catch (err) {
    hash.update(`unreadable: ${(err as Error).message}`);
  }
  return hash.digest('hex');
}

/** Starts polling; `loaded` is the digest of what the agent runs. Returns the function that stops it. */
export function watchConfig(agent: Agent, configPath: string, intervalMs: number, loadedDigest: string): () => void {
  let loaded = loadedDigest;
  let reported = loaded;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const current = await configDigest(configPath);
      if (current === loaded || current === reported) return;
      try {
        await agent.reload();
        loaded = reported = current;
        agent.logger.info('config reloaded', { reason: 'config file changed' });
      } catch (err) {
        reported = current;
        agent.logger.error('failed to reload config', { reason: 'config file changed', err: err instanceof Error ? err.message : String(err) });
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
