/**
 * loki.source.file's implementation: its arguments are declared in
 * ../source-file.ts; this module loads only when a config builds the component.
 */
import path from 'node:path';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import type { Labels } from '../../common/log-entries.js';
import { convertLegacyPositions, labelSetString, Positions, type PositionKey } from '../positions.js';
import { codecFor } from './line-codec.js';
import { sleep } from '../../common/until-aborted.js';
import { statPath } from './fd.js';
import { FileMetrics } from './metrics.js';
import { FileSourceTailer, type TailerSettings } from './tailer.js';
import { FILENAME_LABEL, resolveGlobs, resolveStatic, type ResolvedTarget } from './targets.js';
import type { Arguments } from '../source-file.js';

export async function buildFileSource(ctx: ComponentContext<Record<string, never>>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const positionsFile = path.join(ctx.dataPath, 'positions.yml');
  if (initial.legacy_positions_file) await convertLegacyPositions(initial.legacy_positions_file, positionsFile, ctx.logger);
  const metrics = new FileMetrics(ctx.registry);
  const positions = await Positions.open(positionsFile, { logger: ctx.logger, onWrite: positionsHealth(ctx, metrics) });
  const source = new FileSource(ctx, positions, initial, metrics);
  await source.reconcile();
  ctx.setHealth(health('healthy', 'started'));
  return {
    async update(next) {
      source.args = next;
      await source.reconcile();
    },
    async run(signal) {
      await source.run(signal);
      await positions.stop();
    },
    debugInfo: () => ({ targets_info: source.debugInfo() }),
  };
}

/** New targets are checked (stat) this many at a time. */
const STAT_CONCURRENCY = 32;

interface NewTarget {
  readonly id: string;
  readonly key: PositionKey;
  readonly target: ResolvedTarget;
}

/** The component's state: its arguments and the tailer of each target. */
class FileSource {
  private readonly tailers = new Map<string, FileSourceTailer>();
  private stopping = false;
  /** Reconciliations run one at a time (update and the file_match tick). */
  private reconciling: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ComponentContext<unknown>,
    private readonly positions: Positions,
    public args: Arguments,
    private readonly metrics: FileMetrics,
  ) {}

  /** Re-resolves targets every file_match.sync_period (when enabled) until aborted; then stops every tailer. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.args.file_match.sync_period, signal);
      if (!signal.aborted && this.args.file_match.enabled) await this.reconcile();
    }
    this.stopping = true;
    await this.reconciling;
    await Promise.all([...this.tailers.values()].map((tailer) => tailer.stop(false)));
  }

  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.reconcileNow());
    return this.reconciling;
  }

  debugInfo(): ReturnType<FileSourceTailer['debugInfo']>[] {
    return [...this.tailers.values()].map((tailer) => tailer.debugInfo());
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopping) return;
    const wanted = new Set<string>();
    const added: NewTarget[] = [];
    for (const target of await this.resolve()) {
      const key = { path: target.path, labels: labelSetString(target.labels) };
      const id = `${key.path}\u0000${key.labels}`;
      if (wanted.has(id)) continue; // duplicate targets are tailed once
      wanted.add(id);
      if (!this.tailers.has(id)) added.push({ id, key, target });
    }
    await this.startTailers(added);
    for (const [id, tailer] of this.tailers) {
      if (wanted.has(id)) continue;
      this.tailers.delete(id);
      void tailer.stop(true); // stopping does not hold up the update
    }
  }

  /**
   * Starts a tailer for each new target that can be tailed now, checking
   * STAT_CONCURRENCY of them at a time: one after the other, 10,000 new files
   * wait for 10,000 stat round trips through libuv's thread pool.
   */
  private async startTailers(added: readonly NewTarget[]): Promise<void> {
    const settings = this.tailerSettings();
    const context = { positions: this.positions, metrics: this.metrics, logger: this.ctx.logger, receivers: () => this.args.forward_to };
    for (let i = 0; i < added.length && !this.stopping; i += STAT_CONCURRENCY) {
      const batch = added.slice(i, i + STAT_CONCURRENCY);
      const tailable = await Promise.all(batch.map(({ target }) => this.tailable(target.path)));
      batch.forEach(({ id, key, target }, j) => {
        if (!tailable[j]) return;
        const tailer = new FileSourceTailer(key, entryLabels(target), settings, context);
        this.tailers.set(id, tailer);
        tailer.start();
      });
    }
  }

  private resolve(): Promise<ResolvedTarget[]> | ResolvedTarget[] {
    if (!this.args.file_match.enabled) return resolveStatic(this.args.targets);
    return resolveGlobs(this.args.targets, (err) => this.ctx.logger.error('failed to resolve target', { error: err.message }));
  }

  /** Whether a new target can be tailed now (a regular file, recent enough); else it is tried at the next reconcile. */
  private async tailable(file: string): Promise<boolean> {
    let info;
    try {
      info = await statPath(file);
    } catch (err) {
      this.ctx.logger.error('failed to tail file, stat failed', { error: (err as Error).message, filename: file });
      this.metrics.fileBytes.remove(file);
      return false;
    }
    if (info.isDirectory()) {
      this.ctx.logger.info('failed to tail file', { error: 'file is a directory', filename: file });
      this.metrics.fileBytes.remove(file);
      return false;
    }
    const match = this.args.file_match;
    if (match.enabled && match.ignore_older_than > 0 && info.mtimeMs < Date.now() - match.ignore_older_than) return false;
    this.metrics.fileBytes.set({ path: file }, info.size);
    return true;
  }

  private tailerSettings(): TailerSettings {
    const a = this.args;
    return {
      codec: codecFor(a.encoding),
      tailFromEnd: a.tail_from_end,
      onPositionsFileError: a.on_positions_file_error,
      legacyPositionsUsed: a.legacy_positions_file !== '',
      minPollMs: a.file_watch.min_poll_frequency,
      maxPollMs: a.file_watch.max_poll_frequency,
      decompression: a.decompression?.enabled ? { format: a.decompression.format, initialDelayMs: a.decompression.initial_delay } : undefined,
    };
  }
}

/**
 * A positions file that cannot be written (read-only or full storage) makes
 * the component unhealthy with the reason, until a write succeeds again:
 * lines still flow, but a restart would send them again.
 */
function positionsHealth(ctx: ComponentContext<unknown>, metrics: FileMetrics): (error: Error | undefined) => void {
  let failing = false;
  return (error) => {
    if (error) {
      metrics.positionsWriteErrors.inc();
      ctx.setHealth(health('unhealthy', `error writing positions file: ${error.message}`));
    } else if (failing) ctx.setHealth(health('healthy', 'positions file written again'));
    failing = error !== undefined;
  };
}

/** Entry labels: the public labels plus `filename` (which wins over a target's own). */
function entryLabels(target: ResolvedTarget): Labels {
  return { ...target.labels, [FILENAME_LABEL]: target.path };
}
