/**
 * local.file: exports a file's content (grafana/alloy internal/component/local/file/file.go),
 * re-read on change
 * (fsnotify: watch + poll) or every poll_frequency (poll).
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Gauge } from 'prom-client';
import { attr, schema, t, type Infer } from '../../lang/schema.js';
import { secretValue, stringValue, type Value } from '../../lang/value.js';
import { defineComponent } from '../../runtime/component.js';
import { health } from '../../runtime/health.js';
import { sleep } from '../common/until-aborted.js';

const Arguments = schema({
  filename: attr(t.string),
  detector: attr(t.oneOf('fsnotify', 'poll'), 'fsnotify'),
  poll_frequency: attr(t.duration, '1m'),
  is_secret: attr(t.bool, false),
}, (a) => (a.poll_frequency <= 0 ? 'poll_frequency must be greater than 0' : undefined));
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ content: attr(t.any) });

export const localFile = defineComponent({
  name: 'local.file',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
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
  },
});
