/**
 * Building blocks of writers that acknowledge pushed batches end to end
 * (architecture: "batches, backpressure, acknowledgements").
 *
 * - PartsAck: one pushed batch cut into parts that travel separately (runs in
 *   outgoing requests); its promise resolves once every part finished (sent or
 *   definitively dropped) and rejects if one was abandoned at shutdown.
 * - Wakeup: lets a sender loop sleep until its next deadline or new work.
 */

export class PartsAck {
  readonly promise: Promise<void>;
  private pending = 0;
  private sealed = false;
  private settled = false;
  private resolve!: () => void;
  private reject!: (err: Error) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  partAdded(): void {
    this.pending++;
  }

  /** Every part has been handed out; resolves at once when none is pending. */
  seal(): void {
    this.sealed = true;
    this.settleIfDone();
  }

  partFinished(): void {
    this.pending--;
    this.settleIfDone();
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }

  private settleIfDone(): void {
    if (this.settled || !this.sealed || this.pending > 0) return;
    this.settled = true;
    this.resolve();
  }
}

/** Resolves a sleeping loop early when there is new work. */
export class Wakeup {
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    clearTimeout(this.timer);
    wake?.();
  }

  /** Waits until notified or `ms` passed (forever when infinite). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      if (Number.isFinite(ms)) this.timer = setTimeout(() => this.notify(), Math.max(ms, 0));
    });
  }
}
