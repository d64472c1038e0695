/**
 * Building blocks of writers that acknowledge pushed batches end to end
 * (the push/append contract of log-entries.ts and metric-samples.ts).
 *
 * - PartsAck: one pushed batch cut into parts that travel separately (runs in
 *   outgoing requests); its promise resolves once every part finished (sent or
 *   definitively dropped) and rejects if one was abandoned at shutdown.
 * - Wakeup: lets a sender loop sleep until its next deadline or new work.
 * - SenderLifecycle: a writer's senders across updates and shutdown.
 * - FailureLog: a sender's failures at warn, one line per interval.
 * - The agent's drain deadline: how long stopping senders and sources may
 *   still deliver once the agent was asked to stop.
 */
import type { ComponentInstance } from '../../runtime/component.js';
import type { LogFields, Logger, LogLevel } from '../../runtime/logger.js';
import { untilAborted } from './until-aborted.js';

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

/** What a writer's set of per-endpoint senders offers its component. */
export interface Senders {
  stop(): Promise<void>;
  debugInfo(): unknown;
}

/**
 * The senders of a writer component (loki.write, prometheus.remote_write):
 * rebuilt from every new set of arguments, as Alloy does — the previous set
 * still delivers what it accepted — and stopped (drained) when the component
 * stops. `current` is undefined once stopped, so late pushes can be refused.
 */
export class SenderLifecycle<A, S extends Senders> {
  private senders: S | undefined;

  private constructor(
    initial: S,
    private readonly create: (args: A) => Promise<S>,
  ) {
    this.senders = initial;
  }

  static async start<A, S extends Senders>(initial: A, create: (args: A) => Promise<S>): Promise<SenderLifecycle<A, S>> {
    return new SenderLifecycle(await create(initial), create);
  }

  get current(): S | undefined {
    return this.senders;
  }

  async update(args: A): Promise<void> {
    const previous = this.senders;
    this.senders = await this.create(args);
    void previous?.stop();
  }

  /** Waits for the component to stop, then drains the current senders. */
  async run(signal: AbortSignal): Promise<void> {
    await untilAborted(signal);
    const last = this.senders;
    this.senders = undefined;
    await last?.stop();
  }

  debugInfo(): unknown {
    return this.senders?.debugInfo();
  }

  /** The component instance a writer returns from build: updates, run and debug info are all ours. */
  instance(): ComponentInstance<A> {
    return { update: (args) => this.update(args), run: (signal) => this.run(signal), debugInfo: () => this.debugInfo() };
  }
}

/** How often a sender may log that its sends fail. */
export const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * The failures of one endpoint, logged at warn as Alloy logs its retries, but
 * at most one line per interval: a dead endpoint retried every 100 ms would
 * otherwise flood the log (so would a positions file that cannot be written,
 * logged at error). Each line carries `failures`, how many sends failed
 * since the previous line (this one included), and the latest error.
 */
export class FailureLog {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = FAILURE_LOG_INTERVAL_MS,
    private readonly level: LogLevel = 'warn',
  ) {}

  record(msg: string, fields: LogFields): void {
    this.unlogged++;
    const now = performance.now();
    if (now - this.lastLoggedAt < this.intervalMs) return;
    this.logger.log(this.level, msg, { ...fields, failures: this.unlogged });
    this.lastLoggedAt = now;
    this.unlogged = 0;
  }
}

/**
 * When a stopping agent must be done delivering (performance.now() time),
 * set once by `run` on SIGTERM/SIGINT (--shutdown.drain-timeout). Container
 * runtimes kill a process 10 s after SIGTERM (Docker's and compose's default
 * stop grace), so every wait of a stopping component — a writer's
 * drain_timeout, a source's wait for its last acknowledgements — is cut to
 * what is left of it. Components stopped without it (reloads, tests) use
 * their own timeouts.
 */
let drainDeadline = Number.POSITIVE_INFINITY;

export function setDrainDeadline(atMs: number): void {
  drainDeadline = Math.min(drainDeadline, atMs);
}

/** `ms`, or less when the agent's drain deadline comes sooner (never negative). */
export function withinDrainDeadline(ms: number): number {
  return Math.max(0, Math.min(ms, drainDeadline - performance.now()));
}

/**
 * How long a stopping source waits for its last acknowledgements: until the
 * agent's drain deadline when the agent is stopping, else `ms`.
 */
export function sourceGraceMs(ms: number): number {
  return Number.isFinite(drainDeadline) ? withinDrainDeadline(Number.POSITIVE_INFINITY) : ms;
}
