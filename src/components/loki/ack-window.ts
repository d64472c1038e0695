/**
 * Pushes in flight from one source, each ending at a position, and the
 * position everything up to which is acknowledged. A source sends while the
 * window has room and waits otherwise (bounded memory, backpressure); the
 * acknowledged position only moves forward over a contiguous run of settled
 * pushes, so a position is never recorded ahead of an unacknowledged batch.
 *
 * A rejected push (the receiver stopped before delivering it) freezes the
 * acknowledged position before it for good and is reported in `failure`: the
 * source should then start again from that position.
 *
 * Several pushes in flight are needed for throughput: a writer that batches
 * (loki.write's batch_wait) acknowledges a batch only once it has been sent,
 * which, with one push at a time, would cost a whole batch_wait per push.
 */
export interface AckWindowOptions<P> {
  /** Bytes in flight at most (one push is always allowed). */
  readonly maxBytes: number;
  /** Called in order with each position that became acknowledged. */
  readonly onAck: (position: P) => void;
  /** Called when a send has to wait for acknowledgements (to ask receivers to deliver what they hold). */
  readonly onBlocked?: () => void;
}

interface InFlight<P> {
  readonly position: P;
  readonly bytes: number;
  settled: boolean;
  failed: boolean;
}

export class AckWindow<P> {
  private readonly queue: InFlight<P>[] = [];
  /** Bytes and count of pushes not yet settled. */
  private bytes = 0;
  private unsettled = 0;
  /** Resolved (and replaced) whenever a push settles. */
  private settledSignal = deferred();
  private firstFailure: { error: unknown } | undefined;

  constructor(private readonly opts: AckWindowOptions<P>) {}

  /** Pushes not yet acknowledged. */
  get size(): number {
    return this.queue.length;
  }

  /** The first rejection, once a push was rejected. */
  get failure(): { error: unknown } | undefined {
    return this.firstFailure;
  }

  /**
   * Waits for room, then starts `push`. Resolves once the push has started
   * (true), not when it is acknowledged; false (nothing sent) when `signal`
   * aborted or a push failed meanwhile.
   */
  async send(bytes: number, position: P, push: () => Promise<void>, signal?: AbortSignal): Promise<boolean> {
    let blocked = false;
    while (this.unsettled > 0 && this.bytes + bytes > this.opts.maxBytes) {
      if (signal?.aborted || this.firstFailure) return false;
      if (!blocked) {
        blocked = true;
        this.opts.onBlocked?.();
      }
      await (signal ? raceAbort(this.settledSignal.promise, signal) : this.settledSignal.promise);
    }
    if (signal?.aborted || this.firstFailure) return false;
    const item: InFlight<P> = { position, bytes, settled: false, failed: false };
    this.queue.push(item);
    this.bytes += bytes;
    this.unsettled++;
    let pushed: Promise<void>;
    try {
      pushed = push();
    } catch (err) {
      pushed = Promise.reject(err);
    }
    pushed.then(
      () => this.settle(item),
      (err: unknown) => {
        item.failed = true;
        this.firstFailure ??= { error: err };
        this.settle(item);
      },
    );
    return true;
  }

  /**
   * Waits until every push has settled; true when they have, false when
   * `timeoutMs` passed or `signal` aborted first.
   */
  async drain(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const deadline = Date.now() + (opts.timeoutMs ?? Infinity);
    while (this.unsettled > 0) {
      const left = deadline - Date.now();
      if (left <= 0 || opts.signal?.aborted) return false;
      const stop = new AbortController();
      const timer = Number.isFinite(left) ? setTimeout(() => stop.abort(), left) : undefined;
      const onAbort = () => stop.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      await raceAbort(this.settledSignal.promise, stop.signal);
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    return true;
  }

  private settle(item: InFlight<P>): void {
    item.settled = true;
    this.bytes -= item.bytes;
    this.unsettled--;
    let last: InFlight<P> | undefined;
    while (this.queue.length > 0 && this.queue[0]!.settled && !this.queue[0]!.failed) last = this.queue.shift();
    if (last) this.opts.onAck(last.position);
    const signal = this.settledSignal;
    this.settledSignal = deferred();
    signal.resolve();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function raceAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void promise.then(done);
  });
}
