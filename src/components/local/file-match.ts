/**
 * local.file_match (grafana/alloy internal/component/local/file_match/file.go): expands the `__path__` glob of every path
 * target into one target per matching file, on every update and every
 * `sync_period`.
 *
 * Globs are doublestar patterns, expanded by globPathTarget (targets.ts).
 */
import { stat } from 'node:fs/promises';
import { describeSchema, attr, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import type { Logger } from '../../runtime/logger.js';
import { globPathTarget, PATH_EXCLUDE_LABEL, PATH_LABEL, withLabel, type Target } from '../common/targets.js';
import { sleep } from '../common/until-aborted.js';

const Arguments = schema(
  {
    path_targets: attr(targetsType),
    sync_period: attr(t.duration, '10s'),
    ignore_older_than: attr(t.duration, '0s'),
  },
  // Alloy would panic creating its ticker with a non-positive period; refuse it instead.
  (a) => (a.sync_period <= 0 ? 'sync_period must be greater than 0' : undefined),
);
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ targets: attr(targetsType) });

export const localFileMatch = defineComponent({
  name: 'local.file_match',
  description: 'Expands glob patterns in __path__ labels into one target per matching file.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    let args = initial;
    const rescan = new Trigger();
    const publish = async () => ctx.setExports({ targets: await matchingFiles(args, ctx.logger) });
    // The first scan happens while building so dependants start with the files.
    await publish();
    return {
      update(next) {
        args = next;
        rescan.fire();
      },
      async run(signal) {
        while (!signal.aborted) {
          await rescan.wait(args.sync_period, signal);
          if (!signal.aborted) await publish();
        }
      },
      debugInfo: () => ({ path_targets: args.path_targets }),
    };
  },
});

/** A wake-up that is not lost when it fires while nobody waits. */
class Trigger {
  private fired = false;
  private wake: (() => void) | undefined;

  fire(): void {
    this.fired = true;
    this.wake?.();
  }

  /** Resolves when fired, after `ms`, or when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.fired) {
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => stop.abort();
      await sleep(ms, stop.signal);
      signal.removeEventListener('abort', onAbort);
      this.wake = undefined;
    }
    this.fired = false;
  }
}

/** Every file matching any path target, as output targets, in path-target order. */
export async function matchingFiles(args: Pick<Arguments, 'path_targets' | 'ignore_older_than'>, logger: Logger): Promise<Target[]> {
  const out: Target[] = [];
  for (const target of args.path_targets) {
    try {
      out.push(...(await matchTarget(target, args.ignore_older_than, logger)));
    } catch (err) {
      logger.error('error getting paths', { path: target[PATH_LABEL] ?? '', excluded: target[PATH_EXCLUDE_LABEL] ?? '', err: err as Error });
    }
  }
  return out;
}

async function matchTarget(target: Target, ignoreOlderThanMs: number, logger: Logger): Promise<Target[]> {
  if (ignoreOlderThanMs <= 0) {
    // The directory walk already knows which entries are files (symlinks followed): no stat per
    // file, which with thousands of idle files was most of the agent's idle CPU at every sync.
    return (await globPathTarget(target, { onlyFiles: true })).map((file) => withLabel(target, PATH_LABEL, file));
  }
  const out: Target[] = [];
  for (const file of await globPathTarget(target)) {
    if (await isCurrentFile(file, ignoreOlderThanMs, logger)) out.push(withLabel(target, PATH_LABEL, file));
  }
  return out;
}

/** A regular file (symlinks followed), not older than `ignore_older_than` when that is set. */
async function isCurrentFile(file: string, ignoreOlderThanMs: number, logger: Logger): Promise<boolean> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return false;
    return ignoreOlderThanMs <= 0 || info.mtimeMs >= Date.now() - ignoreOlderThanMs;
  } catch (err) {
    // Skipped until a later sync finds it readable; transient errors are only worth a debug line.
    const transient = ['EAGAIN', 'EBADF', 'EINTR'].includes((err as NodeJS.ErrnoException).code ?? '');
    logger.log(transient ? 'debug' : 'error', transient ? 'I/O error when getting os stat' : 'error getting os stat', { path: file, err: err as Error });
    return false;
  }
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  path_targets: 'Targets whose __path__ label holds a glob pattern (and __path_exclude__ an optional one to leave out).',
  sync_period: 'How often the patterns are expanded again.',
  ignore_older_than: 'Leave out files not modified for longer than this (0 keeps all).',
});
describeSchema(Exports, {
  targets: 'One target per matching file, with __path__ set to it.',
});
