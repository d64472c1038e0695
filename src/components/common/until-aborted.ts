import type { ComponentInstance } from '../../runtime/component.js';

/** Resolves when `signal` aborts (a component's run that only waits). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Sleeps `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What a component that runs on its own keeps: updated with new arguments, stopped with the component. */
export interface StoppableService<A> {
  update(args: A): Promise<void>;
  stop(): Promise<void>;
  debugInfo(): unknown;
}

/** The component instance of such a service: updates go to it; run waits for the stop, then stops it. */
export function serviceInstance<A>(service: StoppableService<A>): ComponentInstance<A> {
  return {
    update: (next) => service.update(next),
    async run(signal) {
      await untilAborted(signal);
      await service.stop();
    },
    debugInfo: () => service.debugInfo(),
  };
}
