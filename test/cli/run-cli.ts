/** Runs the CLI in-process with captured stdout/stderr. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

class Capture {
  readonly chunks: Buffer[] = [];
  constructor(readonly isTTY = false) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    return true;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export async function runCli(
  args: string[],
  opts: { stdin?: string | Uint8Array; cwd?: string; tty?: boolean; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture(opts.tty);
  const input = opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)];
  const code = await main(args, {
    stdin: Readable.from(input),
    stdout,
    stderr,
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
  });
  const stdoutBytes = stdout.bytes();
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: stderr.bytes().toString('utf8'), stdoutBytes };
}

/** A fresh directory under os.tmpdir(), removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alloy-ts-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
