/**
 * Entry point of the `alloy-ts` command line. `main` runs one invocation
 * in-process and returns its exit status, so tests need no child process.
 *
 * Commands only declare their flags here; anything heavy (parser, printer,
 * runtime) is imported when a command actually runs.
 */
import { Command, CommanderError } from 'commander';
import { rewriteBoolAssignments } from './flags.js';
import type { CliIO } from './io.js';
import { redactUrlPasswords } from '../go/url.js';
import { packageVersion } from '../version.js';

type CommandFactory = (io: CliIO) => Command;

/**
 * Every subcommand, in help order, loaded on demand: an invocation of one
 * command (by name or alias) imports only that command's module (issue 20:
 * start-up of `fmt` and `validate`); help and unknown commands load them all.
 */
const COMMANDS: ReadonlyArray<readonly [readonly string[], () => Promise<CommandFactory>]> = [
  [['run'], async () => (await import('./run.js')).runCommand],
  [['fmt', 'format'], async () => (await import('./fmt.js')).fmtCommand],
  [['validate'], async () => (await import('./validate.js')).validateCommand],
  [['convert'], async () => (await import('./convert.js')).convertCommand],
  [['test'], async () => (await import('./test.js')).testCommand],
  [['tap'], async () => (await import('./tap.js')).tapCommand],
  [['top'], async () => (await import('./top.js')).topCommand],
  [['eval'], async () => (await import('./eval.js')).evalCommand],
  [['healthcheck'], async () => (await import('./healthcheck.js')).healthcheckCommand],
  [['lsp'], async () => (await import('./lsp.js')).lspCommand],
];

export type { CliIO } from './io.js';

/**
 * Runs the CLI with `argv` (the arguments after the program name) and
 * returns the exit status: 0 on success, 1 on any error.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const program = await buildProgram(io, argv);
  if (argv.length === 0) {
    // Like Alloy: a bare invocation shows the help and succeeds.
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(normalizeArgs(argv, program), { from: 'user' });
    return 0;
  } catch (err) {
    return reportFailure(err, io);
  }
}

/**
 * The real process streams. A closed pipe (`alloy-ts fmt x | head -1`) ends
 * the process quietly instead of crashing with an EPIPE stack trace.
 */
export function processIO(): CliIO {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** The program with the invoked command only when `argv` names one, else with all of them (help, errors). */
async function buildProgram(io: CliIO, argv: readonly string[]): Promise<Command> {
  const program = new Command('alloy-ts')
    .description('A TypeScript implementation of the Grafana Alloy configuration language and agent')
    .version(`alloy-ts, version ${packageVersion()}`, '-v, --version', 'output the version number')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's usage errors get the same `Error: ` form as command errors.
      outputError: (s, write) => write(s.replace(/^error: /, 'Error: ')),
    });
  const invoked = argv.find((a) => !a.startsWith('-'));
  const only = COMMANDS.filter(([names]) => invoked !== undefined && names.includes(invoked));
  for (const [, load] of only.length > 0 ? only : COMMANDS) {
    program.addCommand((await load())(io).copyInheritedSettings(program));
  }
  return program;
}

/** Applies Go-style `--flag=false` handling to the chosen subcommand's arguments. */
function normalizeArgs(argv: readonly string[], program: Command): string[] {
  const index = argv.findIndex((a) => !a.startsWith('-'));
  const sub = index < 0 ? undefined : program.commands.find((c) => c.name() === argv[index] || c.aliases().includes(argv[index]!));
  if (!sub) return [...argv];
  return [...argv.slice(0, index + 1), ...rewriteBoolAssignments(argv.slice(index + 1), sub)];
}

function reportFailure(err: unknown, io: CliIO): number {
  // Commander has already printed its own message (or the help/version).
  if (err instanceof CommanderError) return err.exitCode;
  // CliErrors carry the user-facing message; anything else is still one line, never a stack,
  // and never a URL's password (CliErrors redact theirs already).
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`Error: ${redactUrlPasswords(message)}\n`);
  return 1;
}
