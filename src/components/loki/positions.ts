/**
 * The positions file of log sources (grafana/alloy
 * internal/component/loki/source/internal/positions/positions.go): how far each source has
 * delivered, kept in Alloy's format so an agent can take over Alloy's file
 * and the other way round:
 *
 *   positions:
 *     ? path: /var/log/app.log
 *       labels: '{job="app"}'
 *     : "17623"
 *
 * Keys are `{path, labels}` pairs (labels in Prometheus' `{a="b"}` form);
 * values are strings (a byte offset for files, a timestamp or cursor for other
 * sources, whose paths start with `cursor-`). Writes go to a temporary file
 * that is renamed over the old one, mode 0600.
 *
 * Unlike Alloy, which saves every 10 s, a change is written shortly after it is
 * made (`writeBehindMs`): sources only record positions that downstream
 * acknowledged, so a crash then replays little more than the batches that
 * were in flight. The 10 s `syncPeriodMs` keeps Alloy's other duty: dropping
 * entries whose file no longer exists.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseGoIntOrThrow, quote } from '../../go/strconv.js';
import type { Logger } from '../../runtime/logger.js';
import { FailureLog } from '../common/delivery.js';
import type { Labels } from '../common/log-entries.js';

export interface PositionKey {
  readonly path: string;
  /** The source's labels as `labelSetString` writes them. */
  readonly labels: string;
}

export interface PositionsOptions {
  readonly logger: Logger;
  /** How often entries of vanished files are dropped (and the file saved). */
  readonly syncPeriodMs?: number;
  /** How soon after a change the file is written. */
  readonly writeBehindMs?: number;
  /** Told the outcome of every write (undefined = written), so the component can report its health and count failures. */
  readonly onWrite?: (error: Error | undefined) => void;
}

const DEFAULT_SYNC_PERIOD_MS = 10_000;
const DEFAULT_WRITE_BEHIND_MS = 100;
/** The wait before a write is at least this many times the last formatting's duration (at most ~10% of the CPU saving). */
const SAVE_SLOWDOWN = 10;
/** Keys that name no file on disk and are never cleaned up. */
const NON_FILE_PREFIXES = ['cursor-', 'journal-'];

/**
 * Prometheus' `LabelSet.String()`: `name="value"` pairs (Go-quoted) sorted as
 * strings and joined with ", " — the labels part of a position key.
 */
export function labelSetString(labels: Labels): string {
  const pairs = Object.keys(labels).map((name) => `${name}=${quote(labels[name]!)}`);
  pairs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${pairs.join(', ')}}`;
}

/** An entry, with its key as the file writes it (formatted once: keys never change). */
interface Entry {
  readonly key: PositionKey;
  value: string;
  keyText?: string;
}

export class Positions {
  private readonly entries: Map<string, Entry>;
  /**
   * The entries' map keys in the file's order (path, then labels: the map
   * key joins them with NUL, which sorts first), kept until an entry comes
   * or goes. With 10,000 files a save then formats only the values.
   */
  private order: string[] | undefined;
  private readonly syncPeriodMs: number;
  private readonly writeBehindMs: number;
  private writeTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  /** Saves run one at a time; this is the last one started. */
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private stopped = false;
  /** A read-only or full disk fails every write: say so once per interval, not at every change. */
  private readonly writeErrors: FailureLog;
  private readonly onWrite: ((error: Error | undefined) => void) | undefined;
  /** Entries whose file a source follows right now (see `follow`). */
  private readonly followed = new Set<string>();
  /** CPU time the last save spent formatting: a big file is written less often, so saving stays a small share of the CPU. */
  private lastFormatMs = 0;

  private constructor(
    readonly file: string,
    entries: Map<string, Entry>,
    private readonly logger: Logger,
    opts: PositionsOptions,
  ) {
    this.entries = entries;
    this.syncPeriodMs = opts.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
    this.writeBehindMs = opts.writeBehindMs ?? DEFAULT_WRITE_BEHIND_MS;
    this.writeErrors = new FailureLog(logger, undefined, 'error');
    this.onWrite = opts.onWrite;
  }

  /**
   * Loads `file` (missing or empty = no entries; invalid YAML throws, as in
   * Alloy where it fails the component's build) and starts the periodic sync.
   */
  static async open(file: string, opts: PositionsOptions): Promise<Positions> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
    const text = await readFileIfExists(file);
    const entries = new Map<string, Entry>();
    for (const [key, value] of parsePositions(text ?? '', file)) entries.set(mapKey(key), { key, value });
    const p = new Positions(file, entries, opts.logger, opts);
    p.startSync();
    return p;
  }

  get(key: PositionKey): string | undefined {
    return this.entries.get(mapKey(key))?.value;
  }

  /** The stored byte offset; undefined when there is none; throws when the value is no integer. */
  getOffset(key: PositionKey): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    return Number(parseGoIntOrThrow(value, 10));
  }

  put(key: PositionKey, value: string | number): void {
    const text = String(value);
    const k = mapKey(key);
    const entry = this.entries.get(k);
    if (entry?.value === text) return;
    if (entry) entry.value = text;
    else {
      this.entries.set(k, { key, value: text });
      this.order = undefined;
    }
    this.changed();
  }

  remove(key: PositionKey): void {
    if (!this.entries.delete(mapKey(key))) return;
    this.order = undefined;
    this.changed();
  }

  /**
   * A source follows the entry's file until the returned function is called.
   * Followed entries are not checked for existence at every sync (with
   * 10,000 files that is 1,000 stat calls a second): their source removes
   * them when the file goes.
   */
  follow(key: PositionKey): () => void {
    const k = mapKey(key);
    this.followed.add(k);
    return () => this.followed.delete(k);
  }

  /** Every entry (tests, debug info). */
  list(): { key: PositionKey; value: string }[] {
    return [...this.entries.values()].map(({ key, value }) => ({ key, value }));
  }

  /** Writes the file now (after any save in progress). */
  save(): Promise<void> {
    this.dirty = false;
    const started = performance.now();
    const text = this.format();
    this.lastFormatMs = performance.now() - started;
    this.saving = this.saving.then(
      () =>
        writeAtomically(this.file, text).then(
          () => this.onWrite?.(undefined),
          (err: Error) => {
            // Written again at the next change or sync.
            this.dirty = true;
            this.writeErrors.record('error writing positions file', { path: this.file, err: err.message });
            this.onWrite?.(err);
          },
        ),
    );
    return this.saving;
  }

  /** Stops the timers and writes the final state. */
  async stop(): Promise<void> {
    if (this.stopped) return this.saving;
    this.stopped = true;
    clearTimeout(this.writeTimer);
    clearInterval(this.syncTimer);
    await this.save();
  }

  /** formatPositions' text, from the cached order and key texts. */
  private format(): string {
    if (this.entries.size === 0) return formatPositions([]);
    this.order ??= [...this.entries.keys()].sort(compare);
    let out = POSITIONS_HEADER;
    for (const k of this.order) {
      const entry = this.entries.get(k)!;
      out += (entry.keyText ??= formatKey(entry.key)) + formatValue(entry.value);
    }
    return out;
  }

  private changed(): void {
    this.dirty = true;
    if (this.stopped || this.writeTimer) return;
    this.writeTimer = setTimeout(
      () => {
        this.writeTimer = undefined;
        if (this.dirty) void this.save();
      },
      Math.max(this.writeBehindMs, SAVE_SLOWDOWN * this.lastFormatMs),
    );
    this.writeTimer.unref();
  }

  private startSync(): void {
    this.syncTimer = setInterval(() => void this.sync(), this.syncPeriodMs);
    this.syncTimer.unref();
  }

  /** Alloy's periodic duty: save (when something changed: changes are saved soon after anyway), then forget files that no longer exist. */
  private async sync(): Promise<void> {
    if (this.dirty) await this.save();
    for (const [k, { key }] of this.entries) {
      if (NON_FILE_PREFIXES.some((p) => key.path.startsWith(p)) || this.followed.has(k)) continue;
      try {
        await stat(key.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.remove(key);
        else this.logger.warn('could not determine if log file still exists while cleaning positions file', { err: (err as Error).message });
      }
    }
  }
}

/**
 * Converts an agent/Promtail positions file (`positions: {path: offset}`) into
 * `file`, with labels "{}", when `file` is missing or empty (Alloy's
 * `legacy_positions_file`). A legacy file that cannot be read (other than
 * missing) is an error; one that does not parse is only logged.
 */
export async function convertLegacyPositions(legacyFile: string, file: string, logger: Logger): Promise<boolean> {
  let text: string | undefined;
  try {
    text = await readFileIfExists(legacyFile);
  } catch (err) {
    throw new Error(`legacy positions file ${quote(legacyFile)} exists but could not be read, refusing to start to avoid re-ingesting logs: ${(err as Error).message}`);
  }
  if (!text) {
    logger.info('will not convert the legacy positions file as it is not valid or does not exist', { legacy_path: legacyFile });
    return false;
  }
  if ((await readFileIfExists(file))?.length) {
    logger.info('will not convert the legacy positions file as the new positions file already exists', { path: file });
    return false;
  }
  let legacy: unknown;
  try {
    legacy = yaml().parse(text);
  } catch (err) {
    logger.error('error parsing legacy positions file', { path: legacyFile, err: (err as Error).message });
    return false;
  }
  const positions = (legacy as { positions?: Record<string, unknown> } | null)?.positions ?? {};
  const entries = Object.entries(positions).map(([p, v]) => ({ key: { path: p, labels: '{}' }, value: String(v) }));
  await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
  await writeAtomically(file, formatPositions(entries));
  logger.info('successfully converted legacy positions file to the new format', { path: file, legacy_path: legacyFile });
  return true;
}

// ---------------------------------------------------------------------------
// Format

/**
 * The yaml package (72 modules, ~70 ms and ~9 MiB measured here) is loaded
 * only for a positions file this agent did not write in its own layout
 * (Alloy's or Promtail's, a legacy file to convert).
 */
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml') as typeof import('yaml');

/** Parses a positions file's text; throws with Alloy's message on invalid YAML. */
export function parsePositions(text: string, file: string): [PositionKey, string][] {
  const own = parseOwnLayout(text);
  if (own) return own;
  let doc: unknown;
  try {
    doc = yaml().parse(text, { mapAsMap: true, uniqueKeys: false });
  } catch (err) {
    throw new Error(`invalid yaml positions file [${file}]: ${(err as Error).message}`);
  }
  const positions = doc instanceof Map ? doc.get('positions') : undefined;
  if (!(positions instanceof Map)) return [];
  const out: [PositionKey, string][] = [];
  for (const [k, v] of positions) {
    if (!(k instanceof Map)) continue;
    out.push([{ path: String(k.get('path') ?? ''), labels: String(k.get('labels') ?? '') }, v == null ? '' : String(v)]);
  }
  return out;
}

/**
 * The entries of a file in exactly the layout formatPositions writes (one
 * `? path` / `labels` / `: "value"` entry per three lines, scalars as it
 * quotes them), without the yaml library; undefined for anything else, which
 * then goes to the YAML parser. Agrees with it on every text formatPositions
 * makes (test/components/loki/positions.test.ts).
 */
export function parseOwnLayout(text: string): [PositionKey, string][] | undefined {
  if (text === EMPTY_POSITIONS) return [];
  if (!text.startsWith(POSITIONS_HEADER) || !text.endsWith('\n')) return undefined;
  const lines = text.slice(POSITIONS_HEADER.length, -1).split('\n');
  if (lines.length % 3 !== 0) return undefined;
  const out: [PositionKey, string][] = [];
  for (let i = 0; i < lines.length; i += 3) {
    const p = ownScalar(lines[i]!, '  ? path: ');
    const labels = ownScalar(lines[i + 1]!, '    labels: ');
    const value = lines[i + 2]!.startsWith('  : "') ? doubleQuotedValue(lines[i + 2]!.slice(4)) : undefined;
    if (p === undefined || labels === undefined || value === undefined) return undefined;
    out.push([{ path: p, labels }, value]);
  }
  return out;
}

/** A scalar after `prefix` in one of the forms yamlScalar writes. */
function ownScalar(line: string, prefix: string): string | undefined {
  if (!line.startsWith(prefix)) return undefined;
  const s = line.slice(prefix.length);
  if (s.startsWith('"')) return doubleQuotedValue(s);
  if (s.startsWith("'")) return /^'(?:[^']|'')*'$/.test(s) ? s.slice(1, -1).replaceAll("''", "'") : undefined;
  return PLAIN_SCALAR.test(s) && !YAML_WORDS.test(s) ? s : undefined;
}

/** A double-quoted scalar as JSON.stringify writes it (JSON's escapes are a subset of YAML's). */
function doubleQuotedValue(s: string): string | undefined {
  if (!/^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(s)) return undefined;
  return JSON.parse(s) as string;
}

/**
 * Alloy's layout (yaml.v2's): complex keys, values double-quoted, other
 * strings plain when that is unambiguous, else single-quoted. Written by hand:
 * it is short, and the yaml library's document model took ~35 ms per 1,000
 * entries, too slow for a file rewritten several times a second.
 */
export function formatPositions(entries: readonly { key: PositionKey; value: string }[]): string {
  if (entries.length === 0) return EMPTY_POSITIONS;
  const sorted = [...entries].sort((a, b) => compare(a.key.path, b.key.path) || compare(a.key.labels, b.key.labels));
  let out = POSITIONS_HEADER;
  for (const { key, value } of sorted) out += formatKey(key) + formatValue(value);
  return out;
}

const POSITIONS_HEADER = 'positions:\n';
const EMPTY_POSITIONS = 'positions: {}\n';

/** An entry's lines up to its value. */
function formatKey(key: PositionKey): string {
  return `  ? path: ${yamlScalar(key.path)}\n    labels: ${yamlScalar(key.labels)}\n  : `;
}

function formatValue(value: string): string {
  return `${doubleQuoted(value)}\n`;
}

/** Words YAML 1.1 reads as booleans or null; they must be quoted to stay strings. */
const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

/** What yamlScalar leaves unquoted. */
const PLAIN_SCALAR = /^[A-Za-z/][\w./-]*$/;

function yamlScalar(s: string): string {
  if (PLAIN_SCALAR.test(s) && !YAML_WORDS.test(s)) return s;
  // Single quotes cannot escape control characters; double quotes (JSON's escapes are YAML's) can.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)) return doubleQuoted(s);
  return `'${s.replaceAll("'", "''")}'`;
}

function doubleQuoted(s: string): string {
  return JSON.stringify(s);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mapKey(key: PositionKey): string {
  return `${key.path}\u0000${key.labels}`;
}

// ---------------------------------------------------------------------------
// Files

async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `text` to a temporary file beside `file`, then renames it over `file`. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw err;
  }
  await handle.close();
  await rename(temp, file);
}
