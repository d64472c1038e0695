/**
 * A bound on the files loki.source.file keeps open across all its tailers
 * (MAX_OPEN_FILES): a tailer takes a slot to open its file and gives it back
 * when it closes it. When every slot is taken, the tailer that has been idle
 * longest (at the end of its file, waiting for a change) is asked to close
 * its file; it opens it again when the file changes. With 10,000 files that
 * are written now and then, only the recently active ones hold a descriptor.
 * A tailer that finds no slot and no idle file to close waits for one.
 */

/** Files open at most across the agent's loki.source.file tailers. */
export const MAX_OPEN_FILES = 512;

/** What the pool asks of a tailer that holds a slot while idle. */
export interface Evictable {
  /** Closes the file; its slot is already counted as free (the holder must not release it). */
  evict(): void;
}

export class OpenFiles {
  private open = 0;
  /** Idle holders, longest idle first (a Set keeps insertion order). */
  private readonly idle = new Set<Evictable>();
  private readonly waiters: (() => void)[] = [];

  constructor(readonly max = MAX_OPEN_FILES) {}

  get size(): number {
    return this.open;
  }

  /** Waits for a slot, closing the longest-idle file when none is free. */
  async acquire(signal?: AbortSignal): Promise<void> {
    while (this.open >= this.max) {
      if (this.evictOldest()) continue;
      if (signal?.aborted) throw new Error('stopped while waiting to open a file');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    this.open++;
  }

  /** Gives back the slot of a file the holder closed itself. */
  release(): void {
    this.open--;
    this.wakeWaiters();
  }

  /** The holder is idle: its file may be closed to make room. */
  markIdle(holder: Evictable): void {
    this.idle.add(holder);
    // Someone may be waiting for exactly this.
    if (this.waiters.length > 0) {
      this.evictOldest();
      this.wakeWaiters();
    }
  }

  markBusy(holder: Evictable): void {
    this.idle.delete(holder);
  }

  /** Closes the longest-idle file; its slot is free at once. False when no file is idle. */
  private evictOldest(): boolean {
    const oldest = this.idle.values().next();
    if (oldest.done) return false;
    this.idle.delete(oldest.value);
    this.open--;
    oldest.value.evict();
    return true;
  }

  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** The agent-wide pool. */
export const openFiles = new OpenFiles();
