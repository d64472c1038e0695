/**
 * Elastic-tabstop column alignment with the exact semantics of Go's
 * `text/tabwriter`, plus the "trimmer" filter Alloy's printer puts after it.
 * Alloy's formatter output is byte-identical to upstream only if both behave
 * exactly like the Go originals, so this file follows their algorithms
 * step by step (Go text/tabwriter, https://pkg.go.dev/text/tabwriter).
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
 * Like Go, this works on UTF-8 bytes, and the escape is the byte 0xff, which
 * cannot occur in UTF-8. Text flows through growable byte arrays
 * (ByteBuffer) and cells are kept as offsets, so formatting a multi-megabyte
 * file allocates almost nothing per token, and the result is the bytes to
 * write out.
 */


/** Brackets text the tabwriter must not split into cells (Go's tabwriter.Escape). */
export const TAB_ESCAPE = 0xff;

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

/** Receives output as ranges of bytes (no intermediate strings). */
export interface TextSink {
  /**
   * `plain` promises that the range holds no line break, VTAB or escape
   * (true of every unescaped cell and of padding), which lets a sink skip
   * looking at each byte.
   */
  write(src: Uint8Array, start: number, end: number, plain?: boolean): void;
}

/**
 * Below this many bytes a loop copies faster than a typed-array view and
 * `set`: making the view costs about as much as copying a few hundred bytes
 * (it was the costliest function of `fmt` on a large file at 32).
 */
const SHORT_COPY = 512;

/** Strings longer than this are encoded natively rather than character by character. */
const LONG_TEXT = 48;

/** Buffer's own encoder; `write(string, offset)` validates its arguments at every call. */
interface NativeWrite {
  utf8Write(text: string, offset: number): number;
}

/** A growable byte buffer: text is appended as UTF-8 without building strings. */
export class ByteBuffer {
  bytes: Uint8Array;
  length = 0;
  private view: Buffer | undefined;

  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends `text` as UTF-8. */
  append(text: string): void {
    const n = text.length;
    if (n > LONG_TEXT) return this.appendEncoded(text);
    if (this.length + n > this.bytes.length) this.grow(n);
    const bytes = this.bytes;
    let len = this.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.length = len;
        this.appendNonAscii(text.slice(i));
        return;
      }
      bytes[len++] = c;
    }
    this.length = len;
  }

  appendBytes(src: Uint8Array, start: number, end: number): void {
    if (this.length + end - start > this.bytes.length) this.grow(end - start);
    if (end - start > SHORT_COPY) {
      this.bytes.set(src.subarray(start, end), this.length);
      this.length += end - start;
      return;
    }
    const bytes = this.bytes;
    let n = this.length;
    for (let i = start; i < end; i++) bytes[n++] = src[i]!;
    this.length = n;
  }

  appendByte(b: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = b;
  }

  appendRepeated(b: number, count: number): void {
    if (count === 1) return this.appendByte(b);
    if (count <= 0) return;
    if (this.length + count > this.bytes.length) this.grow(count);
    this.bytes.fill(b, this.length, this.length + count);
    this.length += count;
  }

  /** The content, as a Buffer sharing this buffer's memory. */
  toBuffer(): Buffer {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length);
  }

  private appendNonAscii(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.length + bytes > this.bytes.length) this.grow(bytes);
    this.length += this.bufferView().utf8Write(text, this.length);
  }

  /** Long text goes through Node's native encoder (one call instead of a loop per character). */
  private appendEncoded(text: string): void {
    const room = text.length * 3; // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (this.length + room > this.bytes.length) this.grow(room);
    this.length += this.bufferView().utf8Write(text, this.length);
  }

  /** A Buffer over all of `bytes`, kept until they are replaced. */
  private bufferView(): Buffer & NativeWrite {
    if (this.view?.buffer !== this.bytes.buffer) this.view = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    return this.view as Buffer & NativeWrite;
  }

  /** Makes room for `extra` more bytes (callers check first: appends are hot). */
  private grow(extra: number): void {
    const needed = this.length + extra;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/** A growable list of integers with O(1) clearing. */
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

  last(): number {
    return this.items[this.length - 1]!;
  }
}

const CH_TAB = 9;
const CH_NL = 10;
const CH_VTAB = 11;
const CH_FF = 12;
const CH_SPACE = 32;
const NEWLINE = new Uint8Array([CH_NL]);

/** Bytes that end a cell, or start/end escaped text. */
const CELL_SPECIAL = new Uint8Array(256);
CELL_SPECIAL[CH_TAB] = CELL_SPECIAL[CH_VTAB] = CELL_SPECIAL[CH_NL] = CELL_SPECIAL[CH_FF] = CELL_SPECIAL[TAB_ESCAPE] = 1;
/** Bytes of non-ASCII characters: a cell holding them needs its runes counted. */
const NON_ASCII_TEXT = 2;
CELL_SPECIAL.fill(NON_ASCII_TEXT, 0x80, TAB_ESCAPE);

/** Per-cell flags: ended by a TAB; holds escaped text; holds non-ASCII text. */
const HTAB = 1;
const ESCAPED = 2;
const NON_ASCII = 4;

/**
 * Aligns `input` and writes the result to `sink`. Equivalent to one Go
 * `Write(input)` followed by `Flush()`.
 */
export function tabwrite(input: ByteBuffer, sink: TextSink, config: TabwriterConfig = ALLOY_TABWRITER): void {
  new Tabwriter(input.bytes, input.length, sink, config).run();
}

/** Runs `input` through the tabwriter and then the trimmer; returns the bytes. */
export function alignAndTrim(input: ByteBuffer, config: TabwriterConfig = ALLOY_TABWRITER): ByteBuffer {
  // Alignment can make the text longer; room that is never written costs nothing.
  const trimmer = new Trimmer(input.length + (input.length >> 2) + 1024);
  tabwrite(input, trimmer, config);
  return trimmer.result();
}

/**
 * One pass over one input. Cells of the current section are kept in flat
 * parallel lists (start/end offsets into the input, rune width, flags);
 * `lineFirstCell[i]` is the index of line i's first cell.
 */
class Tabwriter {
  private readonly cellStart = new IntList();
  private readonly cellEnd = new IntList();
  private readonly cellWidth = new IntList();
  private readonly cellFlags = new IntList();
  private readonly lineFirstCell = new IntList();
  /** Whether some line of the section has a column cell (more than one cell). */
  private hasColumns = false;
  /** Whether some column cell of the section is not an empty TAB-terminated one (indentation). */
  private hasAlignedCells = false;
  /** Padding tabs of an empty TAB-terminated column cell, whatever its block; -1 if not tabs. */
  private readonly indentTabs: number;
  /** Widths of the enclosing columns while formatting (Go's `widths`). */
  private readonly widths = new IntList();
  /** The explicit stack of `format`: line ranges and where to resume, per column. */
  private readonly frameLine0 = new IntList();
  private readonly frameLine1 = new IntList();
  private readonly frameNext = new IntList();
  private readonly padding: Padding;

  constructor(
    private readonly input: Uint8Array,
    private readonly inputLength: number,
    private readonly sink: TextSink,
    private readonly config: TabwriterConfig,
  ) {
    this.padding = new Padding(config.padchar);
    this.lineFirstCell.push(0);
    // Such a column's width is max(minwidth, padding) (never discarded: its
    // cells end with a TAB), padded with tabs up to the next tab stop.
    const tabs = this.padding.isTab || config.tabIndent;
    this.indentTabs = tabs && config.tabwidth > 0 ? Math.ceil(Math.max(config.minwidth, config.padding) / config.tabwidth) : -1;
  }

  run(): void {
    const input = this.input;
    const length = this.inputLength;
    let cellBegin = 0;
    let content = 0; // ESCAPED and NON_ASCII flags of the current cell
    let i = 0;
    for (;;) {
      while (i < length && CELL_SPECIAL[input[i]!] === 0) i++;
      if (i >= length) break;
      const ch = input[i]!;
      if (CELL_SPECIAL[ch] === NON_ASCII_TEXT) {
        content |= NON_ASCII;
        i++;
        continue;
      }
      if (ch === TAB_ESCAPE) {
        // Escaped text runs to the next escape (or the end), whatever it holds.
        const close = input.indexOf(TAB_ESCAPE, i + 1);
        i = close < 0 || close >= length ? length : close + 1;
        content |= ESCAPED;
        continue;
      }
      if ((ch === CH_NL || ch === CH_FF) && this.cellStart.length === 0) {
        // A one-cell line alone in its section (a top-level line, a blank
        // line): what flush would write is the cell and a line break.
        if (i > cellBegin) this.sink.write(input, cellBegin, i, (content & ESCAPED) === 0);
        this.sink.write(NEWLINE, 0, 1);
        content = 0;
        cellBegin = ++i;
        continue;
      }
      if (ch === CH_VTAB || (ch === CH_TAB && i > cellBegin)) this.hasAlignedCells = true;
      const cellsInLine = this.terminateCell(cellBegin, i, content | (ch === CH_TAB ? HTAB : 0));
      content = 0;
      cellBegin = ++i;
      if (ch === CH_NL || ch === CH_FF) {
        this.lineFirstCell.push(this.cellStart.length);
        // A one-cell line has no column cell, so it cannot affect how the
        // lines around it align: flushing here changes nothing but memory use.
        if (ch === CH_FF || cellsInLine === 1) this.flush();
      }
    }
    // Go's Flush: a non-empty unterminated cell joins the last line.
    if (cellBegin < length) this.terminateCell(cellBegin, length, content);
    this.flush();
  }

  /** Ends the current cell; returns the number of cells in its line. */
  private terminateCell(start: number, end: number, flags: number): number {
    this.cellStart.push(start);
    this.cellEnd.push(end);
    // Only escapes and non-ASCII characters make the width differ from the byte count.
    this.cellWidth.push((flags & (ESCAPED | NON_ASCII)) === 0 ? end - start : runeWidth(this.input, start, end));
    this.cellFlags.push(flags);
    const cellsInLine = this.cellStart.length - this.lineFirstCell.last();
    if (cellsInLine > 1) this.hasColumns = true;
    return cellsInLine;
  }

  private lineCellCount(line: number): number {
    const firsts = this.lineFirstCell;
    const next = line + 1 < firsts.length ? firsts.items[line + 1]! : this.cellStart.length;
    return next - firsts.items[line]!;
  }

  /** Formats and writes every buffered line, then starts a new section. */
  private flush(): void {
    // Without column cells there is nothing to align (the common case).
    if (!this.hasColumns) this.writeLines(0, this.lineFirstCell.length);
    else if (!this.hasAlignedCells && this.indentTabs >= 0) this.writeIndentedLines();
    else this.format(this.lineFirstCell.length);
    this.hasColumns = false;
    this.hasAlignedCells = false;
    this.cellStart.length = 0;
    this.cellEnd.length = 0;
    this.cellWidth.length = 0;
    this.cellFlags.length = 0;
    this.lineFirstCell.length = 0;
    this.lineFirstCell.push(0);
    this.widths.length = 0;
  }

  /**
   * Go's recursive `format` of lines [0, lineCount), with an explicit stack
   * so that a line with thousands of cells cannot overflow the call stack. A
   * frame formats lines [line0, line1) for column `widths.length`: it finds
   * each block of consecutive lines that have a (non-final) cell in that
   * column, fixes the block's width, and pushes a frame for the next column
   * inside the block.
   */
  private format(lineCount: number): void {
    const line0s = this.frameLine0;
    const line1s = this.frameLine1;
    const nexts = this.frameNext;
    this.pushFrame(0, lineCount);
    while (line0s.length > 0) {
      const top = line0s.length - 1;
      const column = top;
      const line1 = line1s.items[top]!;
      let line = nexts.items[top]!;
      while (line < line1 && column >= this.lineCellCount(line) - 1) line++;
      if (line >= line1) {
        this.writeLines(line0s.items[top]!, line1);
        line0s.length = line1s.length = nexts.length = top;
        if (this.widths.length > 0) this.widths.length--;
        continue;
      }
      this.writeLines(line0s.items[top]!, line);
      const blockEnd = this.columnBlockEnd(column, line, line1);
      this.widths.push(this.columnWidth(column, line, blockEnd));
      // Go resumes after the line that ended the block: it has no cell here.
      line0s.items[top] = blockEnd;
      nexts.items[top] = blockEnd + 1;
      this.pushFrame(line, blockEnd);
    }
  }

  /**
   * A section whose column cells are all indentation (empty, TAB-ended):
   * every such cell gets the same tabs, so `format` would only write each
   * line's tabs and final cell.
   */
  private writeIndentedLines(): void {
    const lastLine = this.lineFirstCell.length - 1;
    for (let line = 0; line <= lastLine; line++) {
      const count = this.lineCellCount(line);
      if (count > 0) {
        const cell = this.lineFirstCell.items[line]! + count - 1;
        this.padding.writeTabs(this.sink, (count - 1) * this.indentTabs);
        const start = this.cellStart.items[cell]!;
        const end = this.cellEnd.items[cell]!;
        if (start !== end) this.sink.write(this.input, start, end, (this.cellFlags.items[cell]! & ESCAPED) === 0);
      }
      if (line !== lastLine) this.sink.write(NEWLINE, 0, 1);
    }
  }

  private pushFrame(line0: number, line1: number): void {
    this.frameLine0.push(line0);
    this.frameLine1.push(line1);
    this.frameNext.push(line0);
  }

  /** First line in [line, line1) without a non-final cell in `column`. */
  private columnBlockEnd(column: number, line: number, line1: number): number {
    while (line < line1 && column < this.lineCellCount(line) - 1) line++;
    return line;
  }

  private columnWidth(column: number, line0: number, line1: number): number {
    const widthOf = this.cellWidth.items;
    const flags = this.cellFlags.items;
    let width = this.config.minwidth;
    let discardable = true;
    for (let line = line0; line < line1; line++) {
      const cell = this.lineFirstCell.items[line]! + column;
      width = Math.max(width, widthOf[cell]! + this.config.padding);
      if (widthOf[cell]! > 0 || (flags[cell]! & HTAB) !== 0) discardable = false;
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
    // Runs of tab padding (indentation, mostly) go out in one write.
    let tabs = 0;
    for (let j = 0; j < count; j++) {
      const cell = first + j;
      const start = this.cellStart.items[cell]!;
      const end = this.cellEnd.items[cell]!;
      if (start !== end) {
        useTabs = false;
        tabs = this.padding.writeTabs(this.sink, tabs);
        this.sink.write(this.input, start, end, (this.cellFlags.items[cell]! & ESCAPED) === 0);
      }
      if (j < widths.length) tabs = this.writePadding(this.cellWidth.items[cell]!, widths.items[j]!, useTabs, tabs);
    }
    this.padding.writeTabs(this.sink, tabs);
  }

  /**
   * Pads a cell. Tabs are added to the `tabs` not written yet, and the new
   * count returned; other padding first writes those tabs.
   */
  private writePadding(textWidth: number, cellWidth: number, useTabs: boolean, tabs: number): number {
    const tabwidth = this.config.tabwidth;
    if (this.padding.isTab || useTabs) {
      if (tabwidth === 0) return tabs; // tabs have no width: no padding possible
      const rounded = Math.ceil(cellWidth / tabwidth) * tabwidth;
      return tabs + Math.max(0, Math.ceil((rounded - textWidth) / tabwidth));
    }
    this.padding.writeTabs(this.sink, tabs);
    this.padding.writeChars(this.sink, cellWidth - textWidth);
    return 0;
  }
}

/** Pre-built runs of padding characters, grown on demand. */
class Padding {
  private tabs = new Uint8Array(16).fill(CH_TAB);
  private chars: Uint8Array;
  readonly isTab: boolean;
  /** Whether runs of padchar are `plain` for a sink. */
  private readonly plainChars: boolean;

  constructor(private readonly padchar: string) {
    this.isTab = padchar === '\t';
    const c = padchar.charCodeAt(0);
    this.plainChars = c !== CH_NL && c !== CH_FF && c !== CH_VTAB && c !== TAB_ESCAPE;
    this.chars = new Uint8Array(64).fill(padchar.charCodeAt(0));
  }

  /** Writes n tabs; returns 0 (no tabs left to write). */
  writeTabs(sink: TextSink, n: number): number {
    if (n <= 0) return 0;
    if (n > this.tabs.length) this.tabs = new Uint8Array(n * 2).fill(CH_TAB);
    sink.write(this.tabs, 0, n, true);
    return 0;
  }

  writeChars(sink: TextSink, n: number): void {
    if (n <= 0) return;
    if (n > this.chars.length) this.chars = new Uint8Array(n * 2).fill(this.padchar.charCodeAt(0));
    sink.write(this.chars, 0, n, this.plainChars);
  }
}

/**
 * Number of Unicode code points in input[start, end), not counting ESCAPE
 * bytes (Go counts the escaped text without its two Escape bytes): every
 * byte but UTF-8 continuation bytes starts one.
 */
export function runeWidth(input: Uint8Array, start: number, end: number): number {
  let width = 0;
  for (let i = start; i < end; i++) {
    const b = input[i]!;
    if (b < 0x80 || (b >= 0xc0 && b !== TAB_ESCAPE)) width++;
  }
  return width;
}

/** Bytes the trimmer looks at in ordinary text: blanks, line breaks, the escape. */
const TRIM_SPECIAL = new Uint8Array(256);
TRIM_SPECIAL[CH_SPACE] = TRIM_SPECIAL[CH_TAB] = TRIM_SPECIAL[CH_VTAB] = 1;
TRIM_SPECIAL[CH_NL] = TRIM_SPECIAL[CH_FF] = TRIM_SPECIAL[TAB_ESCAPE] = 1;

/**
 * Alloy's trimmer: drops spaces and tabs at the end of every line, turns
 * `\f` into `\n` (and `\v` into a tab), and removes ESCAPE bytes while
 * passing escaped text through untouched (so blanks at the end of a comment
 * survive). Blanks pending at the very end of the output are dropped.
 *
 * Go's trimmer holds blanks back until it sees whether text follows them on
 * the line. Here blanks are written at once and taken back when the line
 * ends first: `textEnd` marks the end of the line's last text, and a line
 * break cuts the output there. Same result, without a second buffer or a
 * look at every byte of the text.
 */
export class Trimmer implements TextSink {
  private readonly out: ByteBuffer;
  /** Output length up to the end of the last text (blanks after it may still be dropped). */
  private textEnd = 0;

  constructor(sizeHint = 4096) {
    this.out = new ByteBuffer(sizeHint);
  }

  write(src: Uint8Array, start: number, end: number, plain = false): void {
    if (plain) return this.writePlain(src, start, end);
    // The tabwriter's line breaks come one at a time.
    if (end - start === 1 && src[start] === CH_NL) return this.newline();
    // Go's trimmer starts every chunk outside escaped text, as this loop does.
    const out = this.out;
    let i = start;
    while (i < end) {
      let j = i;
      while (j < end && TRIM_SPECIAL[src[j]!] === 0) j++;
      if (j > i) {
        out.appendBytes(src, i, j);
        this.textEnd = out.length;
      }
      if (j === end) return;
      const ch = src[j]!;
      i = j + 1;
      if (ch === CH_SPACE || ch === CH_TAB) out.appendByte(ch);
      else if (ch === CH_VTAB) out.appendByte(CH_TAB);
      else if (ch === CH_NL || ch === CH_FF) this.newline();
      else i = this.writeEscaped(src, i, end);
    }
  }

  /** Escaped text from `start` up to the closing escape (or the chunk's end); returns where to go on. */
  private writeEscaped(src: Uint8Array, start: number, end: number): number {
    const out = this.out;
    const close = src.indexOf(TAB_ESCAPE, start);
    const stop = close < 0 || close >= end ? end : close;
    out.appendBytes(src, start, stop);
    // Even empty escaped text counts as text: blanks before it stay.
    this.textEnd = out.length;
    return stop + 1;
  }

  /** A line break: blanks since the line's last text are dropped. */
  private newline(): void {
    const out = this.out;
    out.length = this.textEnd;
    out.appendByte(CH_NL);
    this.textEnd = out.length;
  }

  /** `write` for a range without line breaks, VTABs and escapes: only trailing blanks need a look. */
  private writePlain(src: Uint8Array, start: number, end: number): void {
    const out = this.out;
    out.appendBytes(src, start, end);
    let textEnd = end;
    while (textEnd > start && (src[textEnd - 1] === CH_SPACE || src[textEnd - 1] === CH_TAB)) textEnd--;
    if (textEnd > start) this.textEnd = out.length - (end - textEnd);
  }

  /** Everything written so far, trailing blanks excluded (the trimmer's own buffer). */
  result(): ByteBuffer {
    this.out.length = this.textEnd;
    return this.out;
  }
}
