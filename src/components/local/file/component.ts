/**
 * local.file's implementation: its arguments are declared in ../file.ts;
 * this module loads only when a config builds the component.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Gauge } from '../../../runtime/prom-client.js';
import { secretValue, stringValue, type Value } from '../../../lang/value.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import { sleep } from '../../common/until-aborted.js';
import type { Arguments, Exports } from '../file.js';

export async function buildLocalFile(ctx: ComponentContext<Exports>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  let args: Arguments = initial;
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  const lastAccessed = new Gauge({
    name: 'local_file_timestamp_last_accessed_unix_seconds',
    help: 'The last successful access in unix seconds',
    registers: [ctx.registry],
  });

  const read = async () => {
    try {
      const text = await readFile(args.filename, 'utf8');
      const content: Value = args.is_secret ? secretValue(text) : stringValue(text);
      ctx.setExports({ content });
      lastAccessed.set(Date.now() / 1000);
      ctx.setHealth(health('healthy', 'read file'));
    } catch (err) {
      ctx.setHealth(health('unhealthy', `failed to read file: ${(err as Error).message}`));
      ctx.logger.error('failed to read file', { path: args.filename, err: err as Error });
    }
  };

  const rewatch = () => {
    watcher?.close();
    watcher = undefined;
    if (args.detector !== 'fsnotify') return;
    try {
      watcher = watch(args.filename, () => wake?.());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      // The file may not exist yet; the next poll re-establishes the watch.
    }
  };

  // Like Alloy, the first read happens while building so exports exist before dependants evaluate.
  await read();
  rewatch();
  return {
    async update(next) {
      const changedTarget = next.filename !== args.filename || next.detector !== args.detector;
      args = next;
      if (changedTarget) rewatch();
      await read();
    },
    async run(signal) {
      while (!signal.aborted) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        await Promise.race([sleep(args.poll_frequency, controller.signal), woken]);
        signal.removeEventListener('abort', onAbort);
        controller.abort();
        if (signal.aborted) break;
        if (!watcher) rewatch();
        await read();
      }
      watcher?.close();
    },
    debugInfo: () => ({ filename: args.filename }),
  };
}
