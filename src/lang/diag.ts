/**
 * Diagnostics: an error or warning at a source range. Rendering (one-line and
 * pretty forms) lives in diag-printer.ts.
 */
export type Severity = 'error' | 'warning';

export interface DiagPos {
  /** File name as printed ("" = none). */
  file: string;
  /** 1-based line; 0 = no position. */
  line: number;
  /** 1-based byte column. */
  column: number;
  /** 0-based byte offset, -1 when unknown. */
  offset: number;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  start: DiagPos;
  /** Inclusive end; undefined = same as start. */
  end?: DiagPos;
  /** Extra context lines (Alloy's Diagnostic.Value), rarely set. */
  value?: string;
  /**
   * Set on the one entry that stands for this many further diagnostics
   * which were counted but not kept (see `omittedDiagnostics`).
   */
  omitted?: number;
}

/**
 * How many diagnostics one parse keeps, and one report lists; the rest are
 * only counted and reported as "(and N more diagnostics)", Go's
 * Diagnostics.Error() wording (grafana/alloy syntax/diag/diag.go). Alloy
 * lists every one, but its scanner reports each bad byte: a file of NUL
 * bytes (what a power loss can leave) would give millions of lines.
 */
export const MAX_LISTED_DIAGNOSTICS = 100;

/** The entry that stands for `count` diagnostics counted but not kept. */
export function omittedDiagnostics(count: number): Diagnostic {
  return { severity: 'error', message: moreDiagnostics(count), start: { file: '', line: 0, column: 0, offset: -1 }, omitted: count };
}

function moreDiagnostics(count: number): string {
  return `(and ${count} more diagnostics)`;
}

/**
 * Splits a report into the diagnostics to list (at most `limit`) and how
 * many more there are, counting those that entries for omitted ones stand for.
 */
export function boundDiagnostics(ds: readonly Diagnostic[], limit = MAX_LISTED_DIAGNOSTICS): { listed: Diagnostic[]; more: number } {
  const listed: Diagnostic[] = [];
  let more = 0;
  for (const d of ds) {
    if (d.omitted !== undefined) more += d.omitted;
    else if (listed.length < limit) listed.push(d);
    else more++;
  }
  return { listed, more };
}

/** The one-line form of each diagnostic (as `alloy fmt` prints them), bounded, with the "(and N more diagnostics)" line last. */
export function formatDiagnosticLines(ds: readonly Diagnostic[]): string[] {
  const { listed, more } = boundDiagnostics(ds);
  const lines = listed.map(formatDiagnostic);
  if (more > 0) lines.push(moreDiagnostics(more));
  return lines;
}

/** A list of diagnostics that can be thrown as one error (Go diag.Diagnostics). */
export class DiagnosticsError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    /** Source bytes by file name, so a catcher can pretty-print the report. */
    readonly files: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {
    super(diagnosticsMessage(diagnostics));
    this.name = 'DiagnosticsError';
  }
}

/** `file:line:col` / `line:col` / `-` as Alloy prints a position. */
export function formatPos(p: DiagPos | undefined): string {
  if (!p || p.line <= 0) return p && p.file ? p.file : '-';
  return p.file ? `${p.file}:${p.line}:${p.column}` : `${p.line}:${p.column}`;
}

/** One-line form of a diagnostic (Go Diagnostic.Error()). */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.omitted !== undefined) return d.message;
  return `${formatPos(d.start)}: ${d.message}`;
}

/** Go Diagnostics.Error(): "no errors" when empty, else the first one plus " (and N more diagnostics)". */
export function diagnosticsMessage(ds: readonly Diagnostic[]): string {
  const { listed, more } = boundDiagnostics(ds, 1);
  if (listed.length === 0) return more > 0 ? moreDiagnostics(more) : 'no errors';
  const first = formatDiagnostic(listed[0]!);
  return more === 0 ? first : `${first} ${moreDiagnostics(more)}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
