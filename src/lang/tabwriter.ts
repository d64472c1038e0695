/**
 * Elastic-tabstop column alignment with the exact semantics of Go's
 * `text/tabwriter`, plus the "trimmer" filter Alloy's printer puts after it.
 * Alloy's formatter output is byte-identical to upstream only if both behave
 * exactly like the Go originals, so this file follows their algorithms
 * step by step (see spec §6.4).
 *
 * Input model (as in Go):
 * - Text is split into cells. A cell ends at a TAB (hard tab, `htab`) or a
 *   VTAB (soft tab); the text after the last tab of a line is the line's
 *   final cell, which never takes part in column widths.
 * - `\n` ends a line. `\f` ends a line *and* the current section: everything
 *   buffered so far is formatted and written out. A line with a single cell
 *   also ends the section (it cannot influence any column).
 * - Text between two ESCAPE characters is never interpreted (tabs and line
 *   breaks inside it are plain text); its width excludes the two ESCAPEs,
 *   which are passed through to the output (Go's StripEscape is not set) and
 *   removed later by the trimmer.
 * - Widths count Unicode code points.
 *
 * Go uses the byte 0xff as escape because it cannot occur in UTF-8. We work
 * on UTF-16 code units, where U+00FF is an ordinary letter, so we use a lone
 * low surrogate instead: text decoded from UTF-8 can never contain one.
 *
 * Text flows as UTF-16 code units in growable typed arrays (CharBuffer) and
 * cells are kept as offsets, so formatting a multi-megabyte file allocates
 * almost nothing per token.
 */

/** Brackets text the tabwriter must not split into cells (Go's tabwriter.Escape). */
export const TAB_ESCAPE = '\uDFFF';
const ESCAPE_CODE = 0xdfff;

export interface TabwriterConfig {
  /** Minimal cell width, padding included. */
  minwidth: number;
  /** Width of a TAB when padding with tabs. */
  tabwidth: number;
  /** Added to the widest cell of a column. */
  padding: number;
  /** Padding character; `'\t'` means "pad with tabs". */
  padchar: string;
  /** A column whose cells are all empty and VTAB-terminated gets width 0. */
  discardEmptyColumns: boolean;
  /** Leading empty cells (indentation) are padded with tabs whatever padchar is. */
  tabIndent: boolean;
}

/** `tabwriter.NewWriter(w, 0, 8, 1, ' ', DiscardEmptyColumns|TabIndent)`, as Alloy's printer uses it. */
export const ALLOY_TABWRITER: TabwriterConfig = {
  minwidth: 0,
  tabwidth: 8,
  padding: 1,
  padchar: ' ',
  discardEmptyColumns: true,
  tabIndent: true,
};

/** Receives output as ranges of UTF-16 code units (no intermediate strings). */
export interface TextSink {
  write(src: Uint16Array, start: number, end: number): void;
}

/** A growable buffer of UTF-16 code units: text is appended without building strings. */
export class CharBuffer {
  units: Uint16Array;
  length = 0;

  constructor(capacity = 1024) {
    this.units = new Uint16Array(Math.max(16, capacity));
  }

  static from(text: string): CharBuffer {
    const buf = new CharBuffer(text.length);
    buf.append(text);
    return buf;
  }

  append(text: string): void {
    this.reserve(text.length);
    const units = this.units;
    let n = this.length;
    for (let i = 0; i < text.length; i++) units[n++] = text.charCodeAt(i);
    this.length = n;
  }

  appendUnits(src: Uint16Array, start: number, end: number): void {
    this.reserve(end - start);
    const units = this.units;
    let n = this.length;
    for (let i = start; i < end; i++) units[n++] = src[i]!;
    this.length = n;
  }

  appendUnit(unit: number): void {
    if (this.length === this.units.length) this.reserve(1);
    this.units[this.length++] = unit;
  }

  appendRepeated(unit: number, count: number): void {
    if (count === 1) return this.appendUnit(unit);
    if (count <= 0) return;
    this.reserve(count);
    this.units.fill(unit, this.length, this.length + count);
    this.length += count;
  }

  toString(): string {
    return Buffer.from(this.units.buffer, this.units.byteOffset, this.length * 2).toString('utf16le');
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.units.length) return;
    const grown = new Uint16Array(Math.max(needed, this.units.length * 2));
    grown.set(this.units.subarray(0, this.length));
    this.units = grown;
  }
}

/** A growable list of non-negative integers with O(1) clearing. */
class IntList {
  items = new Int32Array(256);
  length = 0;

  push(v: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = v;
  }
}

const CH_TAB = 9;
const CH_NL = 10;
const CH_VTAB = 11;
const CH_FF = 12;
const CH_SPACE = 32;
const NEWLINE = new Uint16Array([CH_NL]);

/**
 * Aligns `input` and writes the result to `sink`. Equivalent to one Go
 * `Write(input)` followed by `Flush()`.
 */
export function tabwrite(input: string | CharBuffer, sink: TextSink, config: TabwriterConfig = ALLOY_TABWRITER): void {
  const buf = typeof input === 'string' ? CharBuffer.from(input) : input;
  new Tabwriter(buf.units, buf.length, sink, config).run();
}

/** Runs `input` through the tabwriter and then the trimmer; returns the text. */
export function alignAndTrim(input: string | CharBuffer, config: TabwriterConfig = ALLOY_TABWRITER): string {
  const trimmer = new Trimmer();
  tabwrite(input, trimmer, config);
  return trimmer.result();
}

/**
 * One pass over one input. Cells of the current section are kept in flat
 * parallel lists (start/end offsets into the input, rune width, hard-tab
 * flag); `lineFirstCell[i]` is the index of line i's first cell.
 */
class Tabwriter {
  private readonly cellStart = new IntList();
  private readonly cellEnd = new IntList();
  private readonly cellWidth = new IntList();
  private readonly cellHtab = new IntList();
  private readonly lineFirstCell = new IntList();
  /** Widths of the enclosing columns while formatting (Go's `widths`). */
  private readonly widths: number[] = [];
  private readonly padding: Padding;

  constructor(
    private readonly input: Uint16Array,
    private readonly inputLength: number,
    private readonly sink: TextSink,
    private readonly config: TabwriterConfig,
  ) {
    this.padding = new Padding(config.padchar);
    this.lineFirstCell.push(0);
  }

  run(): void {
    const input = this.input;
    const length = this.inputLength;
    let cellBegin = 0;
    let escaped = false;
    for (let i = 0; i < length; i++) {
      const ch = input[i]!;
      if (ch === ESCAPE_CODE) {
        escaped = !escaped;
        continue;
      }
      if (escaped || (ch !== CH_TAB && ch !== CH_VTAB && ch !== CH_NL && ch !== CH_FF)) continue;
      const cellsInLine = this.terminateCell(cellBegin, i, ch === CH_TAB);
      cellBegin = i + 1;
      if (ch === CH_NL || ch === CH_FF) {
        this.lineFirstCell.push(this.cellStart.length);
        // A one-cell line has no column cell, so it cannot affect how the
        // lines around it align: flushing here changes nothing but memory use.
        if (ch === CH_FF || cellsInLine === 1) this.flush();
      }
    }
    // Go's Flush: a non-empty unterminated cell joins the last line.
    if (cellBegin < length) this.terminateCell(cellBegin, length, false);
    this.flush();
  }

  /** Ends the current cell; returns the number of cells in its line. */
  private terminateCell(start: number, end: number, htab: boolean): number {
    this.cellStart.push(start);
    this.cellEnd.push(end);
    this.cellWidth.push(runeWidth(this.input, start, end));
    this.cellHtab.push(htab ? 1 : 0);
    return this.cellStart.length - this.lineFirstCell.items[this.lineFirstCell.length - 1]!;
  }

  private lineCellCount(line: number): number {
    const firsts = this.lineFirstCell;
    const next = line + 1 < firsts.length ? firsts.items[line + 1]! : this.cellStart.length;
    return next - firsts.items[line]!;
  }

  /** Formats and writes every buffered line, then starts a new section. */
  private flush(): void {
    this.format(0, this.lineFirstCell.length);
    this.cellStart.length = 0;
    this.cellEnd.length = 0;
    this.cellWidth.length = 0;
    this.cellHtab.length = 0;
    this.lineFirstCell.length = 0;
    this.lineFirstCell.push(0);
    this.widths.length = 0;
  }

  /**
   * Go's recursive `format`, with an explicit stack so that a line with
   * thousands of cells cannot overflow the call stack. A frame formats lines
   * [line0, line1) for column `widths.length`: it finds each block of
   * consecutive lines that have a (non-final) cell in that column, fixes the
   * block's width, and pushes a frame for the next column inside the block.
   */
  private format(line0: number, line1: number): void {
    const frames = [{ line0, line1, next: line0 }];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const column = frames.length - 1;
      let line = frame.next;
      while (line < frame.line1 && column >= this.lineCellCount(line) - 1) line++;
      if (line >= frame.line1) {
        this.writeLines(frame.line0, frame.line1);
        frames.pop();
        this.widths.pop();
        continue;
      }
      this.writeLines(frame.line0, line);
      const blockEnd = this.columnBlockEnd(column, line, frame.line1);
      this.widths.push(this.columnWidth(column, line, blockEnd));
      // Go resumes after the line that ended the block: it has no cell here.
      frame.line0 = blockEnd;
      frame.next = blockEnd + 1;
      frames.push({ line0: line, line1: blockEnd, next: line });
    }
  }

  /** First line in [line, line1) without a non-final cell in `column`. */
  private columnBlockEnd(column: number, line: number, line1: number): number {
    while (line < line1 && column < this.lineCellCount(line) - 1) line++;
    return line;
  }

  private columnWidth(column: number, line0: number, line1: number): number {
    const widthOf = this.cellWidth.items;
    const htab = this.cellHtab.items;
    let width = this.config.minwidth;
    let discardable = true;
    for (let line = line0; line < line1; line++) {
      const cell = this.lineFirstCell.items[line]! + column;
      width = Math.max(width, widthOf[cell]! + this.config.padding);
      if (widthOf[cell]! > 0 || htab[cell] === 1) discardable = false;
    }
    return discardable && this.config.discardEmptyColumns ? 0 : width;
  }

  private writeLines(line0: number, line1: number): void {
    const lastLine = this.lineFirstCell.length - 1;
    for (let line = line0; line < line1; line++) {
      this.writeLine(line);
      // The last buffered line has no line break yet (its cell is still open).
      if (line !== lastLine) this.sink.write(NEWLINE, 0, 1);
    }
  }

  private writeLine(line: number): void {
    const first = this.lineFirstCell.items[line]!;
    const count = this.lineCellCount(line);
    const widths = this.widths;
    // Leading empty cells are indentation and padded with tabs (TabIndent).
    let useTabs = this.config.tabIndent;
    for (let j = 0; j < count; j++) {
      const cell = first + j;
      const start = this.cellStart.items[cell]!;
      const end = this.cellEnd.items[cell]!;
      if (start !== end) {
        useTabs = false;
        this.sink.write(this.input, start, end);
      }
      if (j < widths.length) this.writePadding(this.cellWidth.items[cell]!, widths[j]!, useTabs);
    }
  }

  private writePadding(textWidth: number, cellWidth: number, useTabs: boolean): void {
    const tabwidth = this.config.tabwidth;
    if (this.padding.isTab || useTabs) {
      if (tabwidth === 0) return; // tabs have no width: no padding possible
      const rounded = Math.ceil(cellWidth / tabwidth) * tabwidth;
      this.padding.writeTabs(this.sink, Math.ceil((rounded - textWidth) / tabwidth));
      return;
    }
    this.padding.writeChars(this.sink, cellWidth - textWidth);
  }
}

/** Pre-built runs of padding characters, grown on demand. */
class Padding {
  private tabs = new Uint16Array(16).fill(CH_TAB);
  private chars: Uint16Array;
  readonly isTab: boolean;

  constructor(private readonly padchar: string) {
    this.isTab = padchar === '\t';
    this.chars = new Uint16Array(64).fill(padchar.charCodeAt(0));
  }

  writeTabs(sink: TextSink, n: number): void {
    if (n <= 0) return;
    if (n > this.tabs.length) this.tabs = new Uint16Array(n * 2).fill(CH_TAB);
    sink.write(this.tabs, 0, n);
  }

  writeChars(sink: TextSink, n: number): void {
    if (n <= 0) return;
    if (n > this.chars.length) this.chars = new Uint16Array(n * 2).fill(this.padchar.charCodeAt(0));
    sink.write(this.chars, 0, n);
  }
}

/**
 * Number of Unicode code points in input[start, end), not counting ESCAPE
 * characters (Go counts the escaped text without its two Escape bytes).
 * Low surrogates are skipped: in a well-formed string they only follow a
 * high surrogate, already counted, and the escape sentinel is one.
 */
export function runeWidth(input: Uint16Array, start: number, end: number): number {
  let width = 0;
  for (let i = start; i < end; i++) {
    const ch = input[i]!;
    if (ch < 0xdc00 || ch > 0xdfff) width++;
  }
  return width;
}

const enum TrimState {
  /** Collecting blanks that are written only if text follows on the line. */
  Space,
  /** Inside escaped text: everything is written verbatim. */
  Escape,
  /** Inside ordinary text. */
  Text,
}

/**
 * Alloy's trimmer: drops spaces and tabs at the end of every line, turns
 * `\f` into `\n` (and `\v` into a tab), and removes ESCAPE characters while
 * passing escaped text through untouched (so blanks at the end of a comment
 * survive). Blanks pending at the very end of the output are dropped.
 */
export class Trimmer implements TextSink {
  private state = TrimState.Space;
  private readonly pendingBlanks = new CharBuffer(64);
  private readonly out = new CharBuffer(4096);

  write(src: Uint16Array, start: number, end: number): void {
    const out = this.out;
    let textStart = start;
    for (let i = start; i < end; i++) {
      const ch = src[i]!;
      switch (this.state) {
        case TrimState.Space:
          if (ch === CH_SPACE || ch === CH_TAB || ch === CH_VTAB) {
            this.pendingBlanks.appendUnit(ch === CH_SPACE ? CH_SPACE : CH_TAB);
          } else if (ch === CH_NL || ch === CH_FF) {
            this.pendingBlanks.length = 0;
            out.appendUnit(CH_NL);
          } else {
            this.writePendingBlanks();
            this.state = ch === ESCAPE_CODE ? TrimState.Escape : TrimState.Text;
            textStart = ch === ESCAPE_CODE ? i + 1 : i;
          }
          break;
        case TrimState.Text:
          if (ch === CH_SPACE || ch === CH_TAB || ch === CH_VTAB) {
            out.appendUnits(src, textStart, i);
            this.state = TrimState.Space;
            this.pendingBlanks.appendUnit(ch === CH_SPACE ? CH_SPACE : CH_TAB);
          } else if (ch === CH_NL || ch === CH_FF) {
            out.appendUnits(src, textStart, i);
            out.appendUnit(CH_NL);
            this.state = TrimState.Space;
          } else if (ch === ESCAPE_CODE) {
            out.appendUnits(src, textStart, i);
            this.state = TrimState.Escape;
            textStart = i + 1;
          }
          break;
        case TrimState.Escape:
          if (ch === ESCAPE_CODE) {
            out.appendUnits(src, textStart, i);
            this.state = TrimState.Space;
          }
          break;
      }
    }
    // Go's trimmer writes the unfinished text of each chunk and starts the
    // next chunk in the blank-collecting state.
    if (this.state !== TrimState.Space) {
      out.appendUnits(src, textStart, end);
      this.state = TrimState.Space;
    }
  }

  /** Everything written so far, trailing blanks excluded. */
  result(): string {
    return this.out.toString();
  }

  private writePendingBlanks(): void {
    const blanks = this.pendingBlanks;
    this.out.appendUnits(blanks.units, 0, blanks.length);
    blanks.length = 0;
  }
}
