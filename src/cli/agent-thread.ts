/**
 * `run --memory-limit` on a Node that cannot replace itself (no
 * process.execve before Node 22.15): V8 fixes a heap's limits when the heap
 * is created, so the CLI runs in a worker thread created with the limit's
 * heap sizes (worker_threads resourceLimits) instead of in a second Node
 * process. The thread shares this process's binary, code pages and libuv, so
 * what the main thread keeps beside it is a few MiB of idle heap rather than
 * a whole second Node (~45 MiB resident, measured by bench/file-vs-promtail.mjs).
 *
 * What a worker does not get by itself, the main thread passes on: signals
 * (a worker's `process.on('SIGTERM')` never fires), whether stdout/stderr are
 * terminals, and the exit status. When the heap limit is reached the worker
 * is stopped and the process exits as Node does on heap exhaustion, with the
 * same "JavaScript heap out of memory" message.
 *
 * This module runs on both sides: imported by the launcher it starts the
 * thread (runInThread); loaded as the thread's entry it runs the CLI.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** V8's young generation is three semi-spaces (two plus the large-object part), see v8 Heap::YoungGenerationSizeFromSemiSpaceSize. */
const SEMI_SPACES_PER_YOUNG_GENERATION = 3;

/** Heap sizes of the thread, in MiB. */
export interface ThreadHeap {
  readonly oldSpaceMiB: number;
  readonly semiSpaceMiB: number;
}

interface ThreadData {
  readonly argv: readonly string[];
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

type FromThread = { readonly defaultSignal: NodeJS.Signals };
type ToThread = { readonly signal: NodeJS.Signals };

/** Runs the CLI with `argv` in a worker thread with these heap limits; process.exitCode becomes its status. */
export function runInThread(argv: readonly string[], heap: ThreadHeap): Promise<void> {
  const data: ThreadData = { argv, stdoutIsTTY: process.stdout.isTTY === true, stderrIsTTY: process.stderr.isTTY === true };
  const worker = new Worker(new URL(import.meta.url), {
    workerData: data,
    resourceLimits: {
      maxOldGenerationSizeMb: heap.oldSpaceMiB,
      maxYoungGenerationSizeMb: heap.semiSpaceMiB * SEMI_SPACES_PER_YOUNG_GENERATION,
    },
  });
  const forward = (signal: NodeJS.Signals) => worker.postMessage({ signal } satisfies ToThread);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const stopForwarding = () => {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  };
  // Nobody in the thread handles this signal: its default action (ending the process) applies.
  worker.on('message', (msg: FromThread) => {
    stopForwarding();
    process.kill(process.pid, msg.defaultSignal);
  });
  let failure: Error | undefined;
  worker.on('error', (err) => (failure = err));
  return new Promise((resolve) => {
    worker.once('exit', (code) => {
      stopForwarding();
      if (failure) {
        process.stderr.write(failureMessage(failure, heap));
        // Node's statuses: 134 (abort) when V8 runs out of heap, 1 for an uncaught exception.
        process.exitCode = isOutOfMemory(failure) ? 134 : 1;
      } else {
        process.exitCode = code;
      }
      resolve();
    });
  });
}

function isOutOfMemory(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

function failureMessage(err: Error, heap: ThreadHeap): string {
  if (isOutOfMemory(err)) return `FATAL ERROR: JavaScript heap out of memory (old space limit ${heap.oldSpaceMiB} MiB from --memory-limit)\n`;
  return `${err.stack ?? String(err)}\n`;
}

/** The thread's side: signals from the main thread, the terminal flags, then the CLI. */
async function runCli(port: NonNullable<typeof parentPort>, data: ThreadData): Promise<void> {
  port.on('message', ({ signal }: ToThread) => {
    if (process.listenerCount(signal) > 0) process.emit(signal, signal);
    else port.postMessage({ defaultSignal: signal } satisfies FromThread);
  });
  port.unref(); // the thread ends when the CLI is done, as a process would
  Object.defineProperty(process.stdout, 'isTTY', { value: data.stdoutIsTTY });
  Object.defineProperty(process.stderr, 'isTTY', { value: data.stderrIsTTY });
  const { main, processIO } = await import('./main.js');
  process.exitCode = await main(data.argv, processIO());
}

if (!isMainThread && parentPort && (workerData as Partial<ThreadData> | null)?.argv) {
  await runCli(parentPort, workerData as ThreadData);
}
