/**
 * What every command gets to talk to the outside world, plus the error type
 * commands throw to fail with a one-line message.
 */
import path from 'node:path';
import { redactUrlPasswords } from '../go/url.js';

/** A stream the CLI writes to (process.stdout/stderr or a test double). */
export interface OutStream {
  write(chunk: string | Uint8Array): unknown;
  /** True when the stream is a terminal (enables colours). */
  isTTY?: boolean;
}

export interface CliIO {
  stdin: AsyncIterable<Uint8Array | string>;
  stdout: OutStream;
  stderr: OutStream;
  /** Directory relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Environment (default: process.env); only NO_COLOR and TERM are read. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A command failure. `main` prints it as `Error: <message>` on stderr and
 * exits with status 1, like Alloy's cobra root command. URL passwords in
 * the message are redacted as Go's URL.Redacted does (`user:xxxxx@`).
 */
export class CliError extends Error {
  constructor(message: string) {
    super(redactUrlPasswords(message));
    this.name = 'CliError';
  }
}

export function resolvePath(io: CliIO, file: string): string {
  return path.resolve(io.cwd ?? process.cwd(), file);
}

export async function readAll(input: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * Whether diagnostics on stderr get ANSI colours: only on a terminal, and not
 * when NO_COLOR is set or TERM=dumb (the conventions Alloy's colour library
 * follows).
 */
export function useColor(io: CliIO): boolean {
  const env = io.env ?? process.env;
  if (env['NO_COLOR'] !== undefined || env['TERM'] === 'dumb') return false;
  return io.stderr.isTTY === true;
}

interface NodeSystemError {
  code: string;
  syscall: string;
  path?: string;
  message: string;
}

function isNodeSystemError(err: unknown): err is NodeSystemError {
  if (!(err instanceof Error)) return false;
  const e = err as Partial<NodeSystemError>;
  return typeof e.code === 'string' && typeof e.syscall === 'string';
}

/**
 * Turns a failed fs call into a CliError worded like Go's `*PathError`
 * (`stat foo.alloy: no such file or directory`), naming the path as the user
 * wrote it rather than the resolved absolute path.
 */
export function fsError(err: unknown, shownPath: string): CliError {
  if (!isNodeSystemError(err)) return new CliError(err instanceof Error ? err.message : String(err));
  // Node words it "ENOENT: no such file or directory, stat '/abs/path'".
  const match = /^[A-Z0-9_]+: (.*?), [a-z_]+(?: '.*')?$/s.exec(err.message);
  const description = match ? match[1]! : err.message;
  return new CliError(`${err.syscall} ${shownPath}: ${description}`);
}

/** Awaits an fs call, rewording a failure with `fsError`. */
export async function fsCall<T>(shownPath: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw fsError(err, shownPath);
  }
}
