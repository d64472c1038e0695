/**
 * What bin/alloy-ts does before the CLI runs. V8 fixes its heap limits when
 * Node starts, so when `run` has a memory limit and nobody chose heap flags
 * (on the command line or in NODE_OPTIONS), Node is started again with the
 * flags that go with the limit: replaced in place where Node can (execve,
 * Node ≥ 22.15: no second process to pay for), else as a child process
 * whose signals and exit status the launcher passes through. Without a
 * limit, `run` keeps V8's defaults except for the young generation, which
 * is capped in place (capYoungGeneration) unless semi-space flags were given.
 */
import { spawn } from 'node:child_process';
import { capYoungGeneration, DEFAULT_SEMI_SPACE_MIB, v8FlagsForLimit } from '../runtime/memory.js';
import { memoryLimitOfArgs } from './memory-limit.js';

type Env = Readonly<Record<string, string | undefined>>;

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
 * Restarts Node for this invocation when the memory limit asks for it.
 * Returns false when the caller should run the CLI itself; true once a
 * child ran it (process.exitCode is then the child's status).
 */
export async function relaunchForMemoryLimit(): Promise<boolean> {
  const [, script, ...argv] = process.argv;
  const nodeArgs = relaunchNodeArgs(argv, process.env, process.execArgv);
  if (!nodeArgs || !script) return false;
  const args = [...nodeArgs, script, ...argv];
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (execve) execve(process.execPath, [process.execPath, ...args], process.env);
  await runChild(args);
  return true;
}

/** Runs Node with `args` in the foreground: signals go to it, its status becomes ours. */
function runChild(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      // Killed by a signal: die of the same one, so our parent sees what happened.
      if (signal) process.kill(process.pid, signal);
      process.exitCode = code ?? 1;
      resolve();
    });
  });
}
