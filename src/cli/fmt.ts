/**
 * `alloy-ts fmt [-w|--write] [-t|--test] [FILE|-]` (alias `format`): Alloy's
 * formatter, with Alloy's messages and exit behaviour
 * (grafana/alloy internal/alloycli/cmd_fmt.go).
 */
import { Command } from 'commander';
// Synchronous fs: node:fs is loaded anyway, node:fs/promises would cost a few ms of start-up.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { DiagnosticsError, formatDiagnosticLines, type Diagnostic } from '../lang/diag.js';
import type { FormatResult } from '../lang/format-source.js';
import { SourceFile } from '../lang/position.js';
import { CliError, fsError, readAll, resolvePath, type CliIO } from './io.js';

interface FmtFlags {
  write: boolean;
  test: boolean;
}

/** Name Alloy gives standard input in messages and diagnostics. */
const STDIN_NAME = '<stdin>';

export function fmtCommand(io: CliIO): Command {
  return new Command('fmt')
    .alias('format')
    .summary('Format a configuration file')
    .description(
      'Applies standard formatting rules to the specified configuration file.\n\n' +
        'If the file argument is not supplied or is "-", fmt reads from stdin.\n' +
        'With -w the formatted file is written back to disk (not allowed for stdin);\n' +
        'otherwise the result is written to stdout.',
    )
    .argument('[file]', 'file to format, or - for stdin', '-')
    .option('-w, --write', 'write result to (source) file instead of stdout', false)
    .option('-t, --test', 'exit with non-zero when changes would be made. Cannot be used with -w/--write', false)
    .action(async (file: string, flags: FmtFlags) => runFmt(file, flags, io));
}

export async function runFmt(target: string, flags: FmtFlags, io: CliIO): Promise<void> {
  if (flags.write && flags.test) {
    throw new CliError('cannot use -w/--write and -t/--test at the same time');
  }
  if (target === '-') {
    if (flags.write) throw new CliError('cannot use -w with standard input');
    const input = await readAll(io.stdin);
    return emit(input, await formatSource(STDIN_NAME, input, io), STDIN_NAME, flags.test, io);
  }

  const absolute = resolvePath(io, target);
  const info = fsSync(target, () => statSync(absolute));
  if (info.isDirectory()) throw new CliError('cannot format a directory');
  const input = fsSync(target, () => readFileSync(absolute));
  const output = await formatSource(target, input, io);
  if (!flags.write) return emit(input, output, target, flags.test, io);
  // Leave the file alone (even its mtime) when nothing changes.
  if (output.equals(input)) return;
  fsSync(target, () => writeFileSync(absolute, output));
}

/** Runs an fs call, rewording a failure as Go's *PathError (like io.ts's fsCall). */
function fsSync<T>(shownPath: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fsError(err, shownPath);
  }
}

/** Without -w: print the result, or with -t only compare it with the input. */
function emit(input: Buffer, output: Buffer, name: string, test: boolean, io: CliIO): void {
  if (!test) {
    io.stdout.write(output);
    return;
  }
  if (!output.equals(input)) throw new CliError(`file ${name} is not formatted correctly`);
}

/**
 * Parses and formats one file. Parse errors are listed on stderr one per
 * line (`file:line:col: message`; past MAX_LISTED_DIAGNOSTICS only counted),
 * then the command fails.
 *
 * V8's young generation is left to grow at its own pace (doubling): printing
 * while parsing keeps little alive, so scavenges are cheap. Growing it 16x
 * at once (--semi-space-growth-factor=16, set here before) made the one
 * scavenge that grew it take 20-45 ms, and `fmt` of the 3.18 MB corpus used
 * ~15% more CPU than with V8's default (issue 20, measured interleaved).
 */
async function formatSource(name: string, bytes: Buffer, io: CliIO): Promise<Buffer> {
  // Loaded on demand so other commands do not pay for the parser's start-up.
  const { formatSource: format } = await import('../lang/format-source.js');
  let result: FormatResult;
  try {
    result = format(new SourceFile(name, bytes));
  } catch (err) {
    // The printer refuses some trees; that is a formatting failure, not a crash.
    if (err instanceof DiagnosticsError) throw formattingFailure(err.diagnostics, io);
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  if (result.output === undefined) throw formattingFailure(result.diagnostics, io);
  return result.output;
}

function formattingFailure(diagnostics: readonly Diagnostic[], io: CliIO): CliError {
  io.stderr.write(formatDiagnosticLines(diagnostics).map((line) => line + '\n').join(''));
  return new CliError('encountered errors during formatting');
}
