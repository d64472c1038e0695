/**
 * Entry point of the `alloy-ts` command line. `main` runs one invocation
 * in-process and returns its exit status, so tests need no child process.
 *
 * Commands only declare their flags here; anything heavy (parser, printer,
 * runtime) is imported when a command actually runs.
 */
import { Command, CommanderError } from 'commander';
import { convertCommand } from './convert.js';
import { evalCommand } from './eval.js';
import { fmtCommand } from './fmt.js';
import { healthcheckCommand } from './healthcheck.js';
import { lspCommand } from './lsp.js';
import { rewriteBoolAssignments } from './flags.js';
import type { CliIO } from './io.js';
import { redactUrlPasswords } from '../go/url.js';
import { runCommand } from './run.js';
import { tapCommand } from './tap.js';
import { testCommand } from './test.js';
import { topCommand } from './top.js';
import { validateCommand } from './validate.js';
import { packageVersion } from '../version.js';

export type { CliIO } from './io.js';

/**
 * Runs the CLI with `argv` (the arguments after the program name) and
 * returns the exit status: 0 on success, 1 on any error.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
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

function buildProgram(io: CliIO): Command {
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
  for (const sub of [runCommand(io), fmtCommand(io), validateCommand(io), convertCommand(io), testCommand(io), tapCommand(io), topCommand(io), evalCommand(io), healthcheckCommand(io), lspCommand(io)]) {
    program.addCommand(sub.copyInheritedSettings(program));
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
