/**
 * Reading the journal through `journalctl --output=export --follow` as a
 * child process (the approach Vector takes): systemd's own reader handles
 * the file format (compression, rotation, vacuuming, several files and
 * machine IDs), and we parse its documented export stream. The process is
 * started after the last acknowledged cursor (`--after-cursor`) or at
 * `max_age` (`--since=@<seconds>`), and restarted with backoff when it exits.
 *
 * Backpressure: stdout is paused while the consumer has not taken the
 * previous entries (the child then blocks on its pipe), so memory stays at
 * one chunk plus one partial entry (bounded by MAX_ENTRY_BYTES).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ExportParser, type JournalEntry } from './export-format.js';

/** Entries larger than this (all fields together) are skipped and reported. */
export const MAX_ENTRY_BYTES = 16 << 20;
/** stderr kept for the error message of a failed run. */
const MAX_STDERR_BYTES = 4096;

export interface JournalctlOptions {
  readonly binary: string;
  /** A journal directory (--directory); undefined = the local machine's journal. */
  readonly directory: string | undefined;
  readonly afterCursor: string | undefined;
  /** Unix milliseconds of the oldest entry wanted (first read only). */
  readonly sinceMs: number | undefined;
  /** FIELD=VALUE matches (ANDed across fields, ORed within one, as sd_journal_add_match). */
  readonly matches: readonly string[];
}

export function journalctlArgs(opts: JournalctlOptions): string[] {
  const args = ['--output=export', '--follow', '--no-tail', '--no-pager', '--quiet'];
  if (opts.directory) args.push(`--directory=${opts.directory}`);
  if (opts.afterCursor) args.push(`--after-cursor=${opts.afterCursor}`);
  else if (opts.sinceMs !== undefined) args.push(`--since=@${(opts.sinceMs / 1000).toFixed(6)}`);
  args.push(...opts.matches);
  return args;
}

/** One run of journalctl: entries as they come, then how it ended. */
export class JournalctlRun {
  private readonly child: ChildProcess;
  private stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;

  constructor(opts: JournalctlOptions) {
    this.child = spawn(opts.binary, journalctlArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (c: Buffer) => {
      if (this.stderr.length < MAX_STDERR_BYTES) this.stderr += c.toString('utf8').slice(0, MAX_STDERR_BYTES - this.stderr.length);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: -1, signal: null, stderr: err.code === 'ENOENT' ? `${opts.binary} not found: loki.source.journal reads the journal through journalctl (systemd's package)` : err.message }));
      this.child.once('close', (code, signal) => resolve({ code, signal, stderr: this.stderr.trim() }));
    });
  }

  /** Entries in stream order, a chunk's worth at a time; ends when the process does (or is stopped). */
  async *entries(): AsyncGenerator<JournalEntry[], void, undefined> {
    const parser = new ExportParser(MAX_ENTRY_BYTES);
    // for-await pauses the stream between iterations: the child blocks on a full pipe.
    for await (const chunk of this.child.stdout!) {
      const entries = parser.push(chunk as Buffer);
      if (entries.length > 0) yield entries;
    }
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
