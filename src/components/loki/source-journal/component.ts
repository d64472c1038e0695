/**
 * loki.source.journal's implementation: its arguments are declared in
 * ../source-journal.ts; this module loads only when a config builds the component.
 */
import { access, constants, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Counter } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import { Backoff } from '../../common/backoff.js';
import { fanOut, flushAll, type Labels, type LogBatch } from '../../common/log-entries.js';
import { untilAborted } from '../../common/until-aborted.js';
import { LabelBuilder } from '../../relabel/labels.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { AckWindow } from '../ack-window.js';
import { Positions, type PositionKey } from '../positions.js';
import type { JournalEntry } from './export-format.js';
import { JournalctlRun } from './journalctl.js';
import type { Arguments } from '../source-journal.js';

/** Unacknowledged bytes in flight (as loki.source.file). */
const MAX_IN_FLIGHT_BYTES = 4 << 20;
/** journalctl restarts after it exits. */
const RESTART = { minMs: 1_000, maxMs: 10_000, maxRetries: 0 };
const STOP_GRACE_MS = 5_000;
const JOURNALCTL = process.env.ALLOY_TS_JOURNALCTL ?? 'journalctl';

export async function buildJournalSource(ctx: ComponentContext<Record<string, never>>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const positions = await Positions.open(path.join(ctx.dataPath, 'positions.yml'), { logger: ctx.logger });
  const key = { path: `cursor-${ctx.id}`, labels: '' };
  if (initial.legacy_position && positions.get(key) === undefined) await takeOverLegacyCursor(initial.legacy_position, positions, key, ctx);
  const source = new JournalSource(ctx, positions, initial);
  return {
    update: (next) => source.update(next),
    async run(signal) {
      await source.run(signal);
      await positions.stop();
    },
    debugInfo: () => source.debugInfo(),
  };
}

class JournalSource {
  private readonly key: PositionKey;
  private readonly lines: Counter;
  private readonly errors: Counter<'error'>;
  private readonly builder = new LabelBuilder();
  /** Aborts the current reader so it restarts with new arguments. */
  private restart = new AbortController();
  private cursor: string | undefined;

  constructor(
    private readonly ctx: ComponentContext<unknown>,
    private readonly positions: Positions,
    private args: Arguments,
  ) {
    this.key = { path: `cursor-${ctx.id}`, labels: '' };
    const registers = [ctx.registry];
    this.lines = new Counter({ name: 'loki_source_journal_target_lines_total', help: 'Total number of successful journal lines read', registers });
    this.errors = new Counter({ name: 'loki_source_journal_target_parsing_errors_total', help: 'Total number of parsing errors while reading journal messages', labelNames: ['error'], registers });
  }

  update(next: Arguments): void {
    const readerChanged = next.path !== this.args.path || next.matches !== this.args.matches || next.max_age !== this.args.max_age;
    this.args = next;
    // As in Alloy, a new reader starts for new arguments (from the stored cursor); labels and rules apply to the next entries anyway.
    if (readerChanged) this.restart.abort();
  }

  debugInfo(): { path: string; cursor: string } {
    return { path: this.args.path || '(local journal)', cursor: this.cursor ?? this.positions.get(this.key) ?? '' };
  }

  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(RESTART, signal);
    while (!signal.aborted) {
      this.restart = new AbortController();
      const stop = AbortSignal.any([signal, this.restart.signal]);
      const outcome = await this.readOnce(stop);
      if (signal.aborted) break;
      if (this.restart.signal.aborted) {
        backoff.reset();
        continue;
      }
      this.ctx.setHealth(health('unhealthy', outcome));
      this.ctx.logger.error('journal reader stopped, restarting', { err: outcome });
      await backoff.wait();
    }
    await untilAborted(signal);
  }

  /** Runs journalctl until it exits or `stop` aborts; returns why it ended. */
  private async readOnce(stop: AbortSignal): Promise<string> {
    const problem = await this.unreadable();
    if (problem) return problem;
    const afterCursor = this.positions.get(this.key);
    const run = new JournalctlRun({
      binary: JOURNALCTL,
      directory: this.args.path || undefined,
      afterCursor,
      sinceMs: this.args.max_age > 0 ? Date.now() - this.args.max_age : undefined,
      matches: this.args.matches.split(/\s+/).filter(Boolean),
    });
    const onStop = () => run.stop();
    stop.addEventListener('abort', onStop, { once: true });
    const window = new AckWindow<string>({
      maxBytes: MAX_IN_FLIGHT_BYTES,
      onAck: (cursor) => this.commit(cursor),
      onBlocked: () => flushAll(this.args.forward_to),
    });
    this.ctx.setHealth(health('healthy', `reading ${this.args.path || 'the local journal'}`));
    const cutoffUs = this.args.max_age > 0 ? (Date.now() - this.args.max_age) * 1000 : undefined;
    try {
      for await (const entries of run.entries()) {
        const sent = await this.send(entries, window, cutoffUs, stop);
        if (!sent) break;
      }
    } finally {
      stop.removeEventListener('abort', onStop);
      run.stop();
      await window.drain({ timeoutMs: STOP_GRACE_MS });
    }
    if (window.failure) return `a receiver did not take journal entries: ${(window.failure.error as Error).message}`;
    const exit = await run.exited;
    return `journalctl exited (${exit.signal ?? `status ${exit.code}`})${exit.stderr ? `: ${exit.stderr}` : ''}`;
  }

  /** Whether the journal can be read at all (a clear message instead of journalctl's). */
  private async unreadable(): Promise<string | undefined> {
    if (!this.args.path) return undefined;
    try {
      await access(this.args.path, constants.R_OK);
      return undefined;
    } catch (err) {
      return `cannot read journal directory ${this.args.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }

  /** Turns a chunk's entries into one batch per label set and sends them as one window item ending at the last cursor. */
  private async send(entries: JournalEntry[], window: AckWindow<string>, cutoffUs: number | undefined, stop: AbortSignal): Promise<boolean> {
    const batches = new Map<string, { labels: Labels; ms: number[]; ns: number[]; lines: string[] }>();
    let bytes = 0;
    let cursor = '';
    for (const entry of entries) {
      if (entry.cursor) cursor = entry.cursor;
      // A stored cursor older than max_age: Alloy seeks to max_age instead; journalctl would start at the cursor.
      if (cutoffUs !== undefined && entry.realtimeUs !== undefined && entry.realtimeUs < cutoffUs) continue;
      const made = this.entryOf(entry);
      if (!made) continue;
      const key = labelKey(made.labels);
      let b = batches.get(key);
      if (!b) batches.set(key, (b = { labels: made.labels, ms: [], ns: [], lines: [] }));
      const us = entry.realtimeUs ?? Date.now() * 1000;
      b.ms.push(Math.floor(us / 1000));
      b.ns.push((us % 1000) * 1000);
      b.lines.push(made.line);
      bytes += made.line.length;
    }
    if (!cursor) return true;
    const receivers = this.args.forward_to;
    const toSend: LogBatch[] = [...batches.values()].map((b) => ({ labels: b.labels, ms: Float64Array.from(b.ms), ns: Int32Array.from(b.ns), lines: b.lines }));
    const count = toSend.reduce((n, b) => n + b.lines.length, 0);
    const started = await window.send(bytes, cursor, async () => {
      await Promise.all(toSend.map((b) => fanOut(receivers, b)));
      this.lines.inc(count);
    }, stop);
    return started;
  }

  /** An entry's labels and line, or undefined (counted) when it has no MESSAGE or no labels are left. */
  private entryOf(entry: JournalEntry): { labels: Labels; line: string } | undefined {
    if (entry.oversized) {
      this.errors.inc({ error: 'entry_too_large' });
      this.ctx.logger.warn('skipping a journal entry larger than the maximum', { cursor: entry.cursor, bytes: entry.bytes });
      return undefined;
    }
    const lb = this.builder.reset({ ...this.args.labels, job: this.ctx.id });
    let message = '';
    for (const [name, value] of entry.fields) {
      if (name === 'PRIORITY') lb.set('__journal_priority_keyword', priorityKeyword(value));
      lb.set(`__journal_${name.toLowerCase()}`, value);
      if (name === 'MESSAGE') message = value;
    }
    const line = this.args.format_as_json ? goJsonObject(entry.fields) : message;
    if (line === '') {
      this.errors.inc({ error: 'no_message' });
      return undefined;
    }
    const rules = this.args.relabel_rules as RelabelRules | undefined;
    if (rules && rules.length > 0 && !rules.applyTo(lb, 'legacy')) {
      this.errors.inc({ error: 'empty_labels' });
      return undefined;
    }
    const labels: Record<string, string> = {};
    lb.forEach((name, value) => {
      if (!name.startsWith('__')) labels[name] = value;
    });
    if (Object.keys(labels).length === 0) {
      this.errors.inc({ error: 'empty_labels' });
      return undefined;
    }
    return { labels, line };
  }

  private commit(cursor: string): void {
    this.cursor = cursor;
    this.positions.put(this.key, cursor);
  }
}

/**
 * Alloy's ConvertLegacyPositionsFileJournal: Promtail's cursor for journal job
 * `name` (key `cursor-<name>`) becomes this component's, unless it already has
 * one. A legacy file that exists but cannot be read stops the start, so the
 * journal is not read again from max_age.
 */
async function takeOverLegacyCursor(legacy: { file: string; name: string }, positions: Positions, key: PositionKey, ctx: ComponentContext<unknown>): Promise<void> {
  let text: string;
  try {
    text = await readFile(legacy.file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      ctx.logger.info('will not convert the legacy positions file as it is not valid or does not exist', { legacy_path: legacy.file });
      return;
    }
    throw new Error(`legacy positions file ${JSON.stringify(legacy.file)} exists but could not be read, refusing to start to avoid re-ingesting logs: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    // The yaml package loads only for a legacy file to convert.
    doc = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
  } catch {
    ctx.logger.info('will not convert the legacy positions file as it is not valid or does not exist', { legacy_path: legacy.file });
    return;
  }
  const cursor = (doc as { positions?: Record<string, unknown> } | null)?.positions?.[`cursor-${legacy.name}`];
  if (cursor === undefined || cursor === null) return;
  positions.put(key, String(cursor));
  ctx.logger.info('successfully converted legacy positions file to the new format', { legacy_path: legacy.file });
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((n) => `${n}\u0000${labels[n]}`)
    .join('\u0001');
}

const PRIORITY_KEYWORDS = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];

/** Alloy's makeJournalPriority: the keyword for 0–7, else the value itself. */
function priorityKeyword(priority: string): string {
  return /^[0-7]$/.test(priority) ? PRIORITY_KEYWORDS[Number(priority)]! : priority;
}

/**
 * Go's json.Marshal of map[string]string: keys sorted, `<`, `>`, `&`, U+2028
 * and U+2029 escaped as \u00XX; a field repeated in the entry keeps its last value.
 */
function goJsonObject(fields: readonly [string, string][]): string {
  const map = new Map<string, string>();
  for (const [name, value] of fields) map.set(name, value);
  const names = [...map.keys()].sort();
  const body = names.map((n) => `${goJsonString(n)}:${goJsonString(map.get(n)!)}`).join(',');
  return `{${body}}`;
}

function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
