/**
 * Pretty-printing of diagnostics, as `alloy run` / `alloy validate` print
 * them: a header line per diagnostic, then a source excerpt with
 * line numbers and a caret line under the highlighted range.
 *
 * Columns are byte columns, but the caret line advances one character per
 * UTF-8 sequence (Alloy walks the line rune by rune and compares the rune's
 * byte index with the column), so the source is handled as bytes here.
 */
import { boundDiagnostics, formatPos, type DiagPos, type Diagnostic } from './diag.js';

export interface RenderOptions {
  /** ANSI colours/bold in headers (only when writing to a terminal). */
  color?: boolean;
  /** Context lines printed before the first highlighted line (default 1). */
  contextBefore?: number;
  /** Context lines printed after the last highlighted line (default 1). */
  contextAfter?: number;
  /**
   * An extra line printed, indented, after a diagnostic's excerpt (alloy-ts's
   * `validate` notes); Alloy's own lines are unchanged. None by default.
   */
  note?: (diag: Diagnostic) => string | undefined;
}

/** Width a TAB or VTAB takes in the excerpt and caret lines. */
const TAB_WIDTH = 4;
const TAB = 0x09;
const VTAB = 0x0b;
const CR = 0x0d;
const LF = 0x0a;

const ANSI_RESET = '\x1b[0m';
const ANSI_BOLD = '\x1b[1m';
const ANSI_BOLD_RED = '\x1b[31;1m';
const ANSI_BOLD_YELLOW = '\x1b[33;1m';

/**
 * Renders diagnostics with source context. `files` maps a diagnostic's file
 * name to the file's contents; diagnostics whose file is unknown (or which
 * have no position) print only their header line.
 */
export function renderDiagnostics(
  diags: readonly Diagnostic[],
  files: ReadonlyMap<string, Uint8Array | string>,
  opts: RenderOptions = {},
): string {
  const cfg = {
    color: opts.color ?? false,
    before: opts.contextBefore ?? 1,
    after: opts.contextAfter ?? 1,
  };
  const { listed, more } = boundDiagnostics(diags);
  const lineIndexes = new Map<string, LineIndex>();
  const parts: string[] = [];
  listed.forEach((diag, i) => {
    parts.push(renderHeader(diag, cfg.color));
    const range = highlightRange(diag);
    const contents = files.get(range.start.file);
    if (range.start.line > 0 && contents !== undefined && range.start.file === range.end.file) {
      let lines = lineIndexes.get(range.start.file);
      if (!lines) lineIndexes.set(range.start.file, (lines = new LineIndex(toBytes(contents))));
      parts.push(renderExcerpt(lines, range, cfg.before, cfg.after));
    }
    const note = opts.note?.(diag);
    if (note) parts.push(`  note: ${note}\n`);
    if (i + 1 < listed.length) parts.push('\n');
  });
  if (more > 0) parts.push(`${listed.length > 0 ? '\n' : ''}(and ${more} more diagnostics)\n`);
  return parts.join('');
}

function renderHeader(diag: Diagnostic, color: boolean): string {
  const label = diag.severity === 'error' ? 'Error: ' : 'Warning: ';
  const text = `${formatPos(diag.start)}: ${diag.message}\n`;
  if (!color) return label + text;
  const labelColor = diag.severity === 'error' ? ANSI_BOLD_RED : ANSI_BOLD_YELLOW;
  // The reset follows the newline, as Alloy's colour library writes it.
  return `${labelColor}${label}${ANSI_RESET}${ANSI_BOLD}${text}${ANSI_RESET}`;
}

interface Range {
  start: DiagPos;
  end: DiagPos;
}

/** A missing or invalid end position means "the start character only". */
function highlightRange(diag: Diagnostic): Range {
  const end = diag.end && diag.end.line > 0 ? diag.end : diag.start;
  return { start: diag.start, end };
}

function toBytes(contents: Uint8Array | string): Uint8Array {
  return typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
}

function renderExcerpt(lines: LineIndex, range: Range, before: number, after: number): string {
  const { start, end } = range;
  const firstLine = Math.max(start.line - before, 1);
  const lastLine = Math.min(end.line + after, lines.count);
  const multiline = end.line > start.line;
  const width = String(lastLine).length;

  let out = '\n';
  for (let lineNum = firstLine; lineNum <= lastLine; lineNum++) {
    const line = excerptWindow(lines.line(lineNum), lineNum, range);
    out += String(lineNum).padStart(width) + ' | ';
    // Column 0 never lies inside the range on the start line, so the bar
    // gutter begins on the line after it.
    if (multiline) out += inRange(lineNum, 0, range) ? '| ' : '  ';
    out += line.prefix + sourceText(line.bytes) + line.suffix + '\n';
    if (lineNum === start.line || (multiline && lineNum === end.line)) {
      out += ' '.repeat(width) + caretMargin(lineNum, range, multiline);
      out += caretLine(line, lineNum, range, multiline) + '\n';
    }
  }
  return out;
}

/**
 * Lines longer than this many bytes are shown only around the highlighted
 * column, so a report on a huge one-line file (1 MiB of `@ @ @`, a minified
 * blob) stays small. Alloy prints whole lines; no real config line comes near.
 */
const MAX_EXCERPT_LINE_BYTES = 1000;
/** Bytes shown on each side of the highlighted column in a cut line. */
const CUT_LINE_CONTEXT_BYTES = 120;
const CUT_MARK = '…';

/** The part of a source line an excerpt shows: the whole line, or a window with marks where it was cut. */
interface ExcerptLine {
  bytes: Uint8Array;
  /** Byte offset of `bytes` within the line. */
  from: number;
  prefix: string;
  suffix: string;
}

function excerptWindow(line: Uint8Array, lineNum: number, range: Range): ExcerptLine {
  if (line.length <= MAX_EXCERPT_LINE_BYTES) return { bytes: line, from: 0, prefix: '', suffix: '' };
  const column = lineNum === range.start.line ? range.start.column : lineNum === range.end.line ? range.end.column : 1;
  let from = Math.max(0, column - 1 - CUT_LINE_CONTEXT_BYTES);
  let to = Math.min(line.length, column - 1 + CUT_LINE_CONTEXT_BYTES);
  // Cut on rune boundaries: never inside a UTF-8 sequence.
  while (from > 0 && isContinuationByte(line[from]!)) from--;
  while (to < line.length && isContinuationByte(line[to]!)) to++;
  return {
    bytes: line.subarray(from, to),
    from,
    prefix: from > 0 ? CUT_MARK : '',
    suffix: to < line.length ? CUT_MARK : '',
  };
}

function isContinuationByte(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

function caretMargin(lineNum: number, range: Range, multiline: boolean): string {
  if (multiline && lineNum === range.start.line) return ' |  _';
  if (multiline && lineNum === range.end.line) return ' | |_';
  return ' | ';
}

/**
 * A file's lines, split on LF only (like Go's strings.Split: a trailing LF
 * yields an empty last line). Built once per file and report, so a hundred
 * diagnostics on a large file do not each split it again.
 */
class LineIndex {
  /** Byte offset where each line starts. */
  private readonly starts: number[] = [0];

  constructor(private readonly file: Uint8Array) {
    for (let i = file.indexOf(LF); i !== -1; i = file.indexOf(LF, i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Line `lineNum` (1-based) without its LF. */
  line(lineNum: number): Uint8Array {
    const start = this.starts[lineNum - 1]!;
    const next = this.starts[lineNum];
    return this.file.subarray(start, next === undefined ? this.file.length : next - 1);
  }
}

/** The excerpt text: CRs dropped, TAB/VTAB expanded, invalid UTF-8 as U+FFFD. */
function sourceText(line: Uint8Array): string {
  let out = '';
  forEachRune(line, (rune) => {
    if (rune === TAB || rune === VTAB) out += ' '.repeat(TAB_WIDTH);
    else if (rune !== CR) out += String.fromCodePoint(rune);
    return true;
  });
  return out;
}

/**
 * The caret line for one source line: carets under the runes whose byte
 * column is inside the range, blanks (`_` for multi-line ranges) before, and
 * nothing past the end column on the last line. Unlike the excerpt, CRs are
 * not dropped here (Alloy's printer behaves the same way).
 */
function caretLine(line: ExcerptLine, lineNum: number, range: Range, multiline: boolean): string {
  const blank = multiline ? '_' : ' ';
  let out = blank.repeat(line.prefix.length);
  forEachRune(line.bytes, (rune, byteIndex) => {
    const column = line.from + byteIndex + 1;
    if (lineNum === range.end.line && column > range.end.column) return false;
    if (rune === TAB || rune === VTAB) out += blank.repeat(TAB_WIDTH);
    else out += inRange(lineNum, column, range) ? '^' : blank;
    return true;
  });
  return out;
}

/** Whether (line, col) lies in the inclusive range. */
function inRange(line: number, col: number, { start, end }: Range): boolean {
  if (line < start.line || line > end.line) return false;
  if (line === start.line) return col >= start.column;
  if (line === end.line) return col <= end.column;
  return true;
}

const RUNE_ERROR = 0xfffd;

/**
 * Calls `fn` for each UTF-8 sequence of `bytes` with its code point and byte
 * index until `fn` returns false. Decoding follows Go: every byte of an
 * invalid sequence is one U+FFFD, so the caret line keeps one character per
 * byte there.
 */
function forEachRune(bytes: Uint8Array, fn: (rune: number, byteIndex: number) => boolean): void {
  let i = 0;
  while (i < bytes.length) {
    const [rune, size] = decodeRune(bytes, i);
    if (!fn(rune, i)) return;
    i += size;
  }
}

function decodeRune(b: Uint8Array, i: number): [number, number] {
  const b0 = b[i]!;
  if (b0 < 0x80) return [b0, 1];
  const spec = leadByteSpec(b0);
  if (!spec) return [RUNE_ERROR, 1];
  const [size, lo, hi] = spec;
  if (i + size > b.length) return [RUNE_ERROR, 1];
  const b1 = b[i + 1]!;
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  let rune = b0 & (0xff >> (size + 1));
  rune = (rune << 6) | (b1 & 0x3f);
  for (let k = 2; k < size; k++) {
    const bk = b[i + k]!;
    if (bk < 0x80 || bk > 0xbf) return [RUNE_ERROR, 1];
    rune = (rune << 6) | (bk & 0x3f);
  }
  return [rune, size];
}

/** Sequence length and allowed range of the second byte for a lead byte (Go's accept ranges). */
function leadByteSpec(b0: number): [number, number, number] | undefined {
  if (b0 >= 0xc2 && b0 <= 0xdf) return [2, 0x80, 0xbf];
  if (b0 === 0xe0) return [3, 0xa0, 0xbf];
  if (b0 === 0xed) return [3, 0x80, 0x9f];
  if (b0 >= 0xe1 && b0 <= 0xef) return [3, 0x80, 0xbf];
  if (b0 === 0xf0) return [4, 0x90, 0xbf];
  if (b0 >= 0xf1 && b0 <= 0xf3) return [4, 0x80, 0xbf];
  if (b0 === 0xf4) return [4, 0x80, 0x8f];
  return undefined;
}
