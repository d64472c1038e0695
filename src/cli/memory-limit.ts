/**
 * `run --memory-limit` / $ALLOY_TS_MEMORY_LIMIT: how much memory the agent
 * should stay under, in Alloy's base-2 byte units ("2GiB", "512MiB"; "0" or
 * empty: no limit). Read by `run` (buffer budget) and by the launcher (V8's
 * heap flags, which must be given when Node starts).
 */
import { parseBytes } from '../lang/units.js';
import { CliError } from './io.js';

export const MEMORY_LIMIT_FLAG = 'memory-limit';
export const MEMORY_LIMIT_ENV = 'ALLOY_TS_MEMORY_LIMIT';

type Env = Readonly<Record<string, string | undefined>>;

/** The limit in bytes from the flag's value, else the environment; undefined: none. */
export function resolveMemoryLimit(flag: string | undefined, env: Env): number | undefined {
  const text = (flag ?? env[MEMORY_LIMIT_ENV] ?? '').trim();
  if (text === '') return undefined;
  let bytes: number;
  try {
    bytes = parseBytes(text);
  } catch (err) {
    const source = flag !== undefined ? `--${MEMORY_LIMIT_FLAG}` : MEMORY_LIMIT_ENV;
    throw new CliError(`invalid ${source} ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  return bytes > 0 ? bytes : undefined;
}

/**
 * The limit a command line asks for, as far as the launcher can tell before
 * the CLI parses it: only `run` has one. Malformed values count as none here;
 * the CLI reports them.
 */
export function memoryLimitOfArgs(argv: readonly string[], env: Env): number | undefined {
  const command = argv.findIndex((a) => !a.startsWith('-'));
  if (command < 0 || argv[command] !== 'run') return undefined;
  try {
    return resolveMemoryLimit(flagValue(argv.slice(command + 1)), env);
  } catch {
    return undefined;
  }
}

/** The value of --memory-limit, written `--memory-limit=X` or `--memory-limit X` (the last one wins, as in commander). */
function flagValue(args: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === `--${MEMORY_LIMIT_FLAG}`) value = args[++i];
    else if (arg.startsWith(`--${MEMORY_LIMIT_FLAG}=`)) value = arg.slice(MEMORY_LIMIT_FLAG.length + 3);
  }
  return value;
}
