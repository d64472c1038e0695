/**
 * What bin/alloy-ts does before the CLI runs. V8 fixes its heap limits when
 * a heap is created, so when `run` has a memory limit and nobody chose heap
 * flags (on the command line or in NODE_OPTIONS), the CLI runs on a heap
 * created with the limit's sizes: Node replaced in place with the matching
 * flags where it can (execve, Node ≥ 22.15), else a worker thread of this
 * process with those heap limits (agent-thread.ts; a second Node process
 * would keep ~45 MiB resident beside the agent). Without a limit, `run`
 * keeps V8's defaults except for the young generation, which is capped in
 * place (capYoungGeneration) unless semi-space flags were given.
 */
import { capYoungGeneration, DEFAULT_SEMI_SPACE_MIB, heapSizesForLimit, v8FlagsForLimit } from '../runtime/memory.js';
import { memoryLimitOfArgs } from './memory-limit.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The Node options to restart with, or undefined when this process can run the CLI itself. */
export function relaunchNodeArgs(argv: readonly string[], env: Env, execArgv: readonly string[]): string[] | undefined {
  const limit = memoryLimitOfArgs(argv, env);
  if (limit === undefined || hasHeapFlag(execArgv, env)) return undefined;
  return [...execArgv, ...v8FlagsForLimit(limit)];
}

function hasHeapFlag(execArgv: readonly string[], env: Env): boolean {
  return nodeOptions(execArgv, env).some((o) => /^--max[-_]old[-_]space[-_]size\b/.test(o));
}

function nodeOptions(execArgv: readonly string[], env: Env): string[] {
  return [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)];
}

/** The semi-space cap (MiB) for a `run` that Node was not told how to size the young generation for. */
export function youngGenerationCapMiB(argv: readonly string[], env: Env, execArgv: readonly string[]): number | undefined {
  const command = argv.find((a) => !a.startsWith('-'));
  if (command !== 'run') return undefined;
  const sized = nodeOptions(execArgv, env).some((o) => /^--(?:(?:max|min)[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)\b/.test(o));
  return sized ? undefined : DEFAULT_SEMI_SPACE_MIB;
}

/** For a process that runs the CLI itself (no relaunch): caps the young generation of `run`. */
export function capYoungGenerationForRun(): void {
  const cap = youngGenerationCapMiB(process.argv.slice(2), process.env, process.execArgv);
  if (cap !== undefined) capYoungGeneration(cap);
}

/**
 * Runs this invocation on a heap sized for its memory limit when it has one.
 * Returns false when the caller should run the CLI itself; true once the
 * CLI ran in a worker thread (process.exitCode is then its status).
 */
export async function relaunchForMemoryLimit(): Promise<boolean> {
  const [, script, ...argv] = process.argv;
  const nodeArgs = relaunchNodeArgs(argv, process.env, process.execArgv);
  const limit = memoryLimitOfArgs(argv, process.env);
  if (!nodeArgs || !script || limit === undefined) return false;
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (execve) execve(process.execPath, [process.execPath, ...nodeArgs, script, ...argv], process.env);
  const { runInThread } = await import('./agent-thread.js');
  await runInThread(argv, heapSizesForLimit(limit));
  return true;
}
