/**
 * The evaluation queue: coalesces work per key and never runs one key
 * concurrently with itself. Submitting a key that is already waiting is a
 * no-op; submitting one that is running marks it to run once more after the
 * current run finishes (so the latest exports are always seen).
 */
export class CoalescingQueue {
  private readonly waiting = new Map<string, () => Promise<void>>();
  private readonly running = new Set<string>();
  private readonly rerun = new Map<string, () => Promise<void>>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly onError: (key: string, err: unknown) => void = () => {},
  ) {}

  /** Number of keys waiting or running. */
  get size(): number {
    return this.waiting.size + this.running.size + this.rerun.size;
  }

  submit(key: string, task: () => Promise<void>): void {
    if (this.running.has(key)) {
      this.rerun.set(key, task);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.set(key, task);
    this.pump();
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waiting.size > 0) {
      const [key, task] = this.waiting.entries().next().value as [string, () => Promise<void>];
      this.waiting.delete(key);
      this.start(key, task);
    }
    if (this.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private start(key: string, task: () => Promise<void>): void {
    this.active++;
    this.running.add(key);
    void (async () => {
      try {
        await task();
      } catch (err) {
        this.onError(key, err);
      } finally {
        this.active--;
        this.running.delete(key);
        const again = this.rerun.get(key);
        if (again) {
          this.rerun.delete(key);
          this.waiting.set(key, again);
        }
        this.pump();
      }
    })();
  }
}
