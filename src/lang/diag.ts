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
  return `${formatPos(d.start)}: ${d.message}`;
}

/** Go Diagnostics.Error(): "no errors" when empty, else the first one plus " (and N more diagnostics)". */
export function diagnosticsMessage(ds: Diagnostic[]): string {
  if (ds.length === 0) return 'no errors';
  const first = formatDiagnostic(ds[0]!);
  return ds.length === 1 ? first : `${first} (and ${ds.length - 1} more diagnostics)`;
}

export function hasErrors(ds: Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}
