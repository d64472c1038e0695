/**
 * Jittered exponential backoff with the timing of grafana/dskit's backoff
 * (backoff/backoff.go), used by loki.write's retries and by tailers that reconnect.
 *
 * The delay of each wait is drawn uniformly from a window [lo, hi) that starts
 * at [min, 2·min) and doubles after every wait until hi reaches max. A wait
 * counts as a retry; the backoff is "ongoing" while the signal is not aborted
 * and fewer than maxRetries retries happened (0 = forever).
 */
import { sleep } from './until-aborted.js';

export interface BackoffConfig {
  readonly minMs: number;
  readonly maxMs: number;
  /** 0 retries forever. */
  readonly maxRetries: number;
}

export class Backoff {
  private retryCount = 0;
  private lo: number;
  private hi: number;

  constructor(
    private readonly cfg: BackoffConfig,
    private readonly signal?: AbortSignal,
    private readonly random: () => number = Math.random,
  ) {
    this.lo = cfg.minMs;
    this.hi = doubled(cfg.minMs, cfg.maxMs);
  }

  /** How many waits happened so far. */
  get retries(): number {
    return this.retryCount;
  }

  /** True while the caller should keep trying. */
  ongoing(): boolean {
    return !this.signal?.aborted && (this.cfg.maxRetries === 0 || this.retryCount < this.cfg.maxRetries);
  }

  /** Counts a retry and returns how long to wait before it; widens the window for the next one. */
  nextDelay(): number {
    this.retryCount++;
    if (this.lo >= this.hi) return this.lo; // min == max (or a misconfigured max < min)
    const delay = this.lo + Math.floor(this.random() * (this.hi - this.lo));
    if (this.hi < this.cfg.maxMs) {
      this.lo = doubled(this.lo, this.cfg.maxMs);
      this.hi = doubled(this.hi, this.cfg.maxMs);
    }
    return delay;
  }

  /**
   * Counts a retry and sleeps for its delay — unless that retry was the last
   * one allowed (then there is nothing to wait for) or the signal aborts.
   */
  async wait(): Promise<void> {
    const delay = this.nextDelay();
    if (this.ongoing()) await sleep(delay, this.signal);
  }

  reset(): void {
    this.retryCount = 0;
    this.lo = this.cfg.minMs;
    this.hi = doubled(this.cfg.minMs, this.cfg.maxMs);
  }
}

function doubled(value: number, max: number): number {
  return Math.min(value * 2, max);
}
