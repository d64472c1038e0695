/**
 * Source files and positions. Positions inside the language are 0-based byte
 * offsets into the file's bytes; `SourceFile.position` turns one into the
 * 1-based line and byte column that diagnostics print.
 */
export interface Position {
  /** 0-based byte offset. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, counting bytes. */
  column: number;
}

/** "No position", printed as "-" (Go's token.NoPos). */
export const NO_POS = -1;

export class SourceFile {
  /** Byte offset at which each line starts; lineStarts[0] = 0. */
  readonly lineStarts: Int32Array;
  /** Index of the line found by the last lookup: most lookups move forward through the file. */
  private lastLine = 0;

  constructor(
    /** Name used in diagnostics ("main.alloy", "<stdin>", or "" for none). */
    readonly name: string,
    /** The file's raw bytes. */
    readonly bytes: Uint8Array,
  ) {
    this.lineStarts = computeLineStarts(bytes);
  }

  static fromString(name: string, text: string): SourceFile {
    return new SourceFile(name, Buffer.from(text, 'utf8'));
  }

  /** Resolves a byte offset (NO_POS allowed) to line and column. */
  position(offset: number): Position | undefined {
    if (offset < 0) return undefined;
    const index = this.lineIndex(offset);
    return { offset, line: index + 1, column: offset - this.lineStarts[index]! + 1 };
  }

  /** Line number (1-based) of a byte offset; 0 for NO_POS. */
  line(offset: number): number {
    return offset < 0 ? 0 : this.lineIndex(offset) + 1;
  }

  /** Index in lineStarts of the line holding a (non-negative) offset. */
  private lineIndex(offset: number): number {
    const starts = this.lineStarts;
    const count = starts.length;
    let lo: number;
    let hi: number;
    // Lookups mostly land on or near the line of the previous one: search
    // outwards from it in growing steps, then bisect the range found.
    const last = this.lastLine;
    if (starts[last]! <= offset) {
      if (last + 1 === count || offset < starts[last + 1]!) return last;
      let step = 1;
      lo = last + 1;
      while (lo + step < count && starts[lo + step]! <= offset) {
        lo += step;
        step *= 2;
      }
      hi = Math.min(lo + step, count) - 1;
    } else {
      let step = 1;
      hi = last - 1;
      while (hi - step >= 0 && starts[hi - step]! > offset) {
        hi -= step;
        step *= 2;
      }
      lo = Math.max(hi - step, 0);
    }
    // Now starts[lo] <= offset and the line is in [lo, hi].
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return lo;
  }

  /** The text of bytes [start, end). */
  text(start: number, end: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }
}

/**
 * Offsets just after each LF. Most of a large file is read four bytes at a
 * time (a word without a LF byte is skipped whole): the loop runs a quarter
 * as often, which matters because it runs before V8 has optimized it.
 */
function computeLineStarts(bytes: Uint8Array): Int32Array {
  const starts = new LineStarts(bytes.length);
  const n = bytes.length;
  // Words must be aligned in the underlying buffer.
  const wordsFrom = Math.min(n, (4 - (bytes.byteOffset & 3)) & 3);
  const wordCount = (n - wordsFrom) >>> 2;
  const wordsTo = wordsFrom + wordCount * 4;
  for (let i = 0; i < wordsFrom; i++) if (bytes[i] === LF) starts.push(i + 1);
  if (wordCount > 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + wordsFrom, wordCount);
    for (let w = 0; w < wordCount; w++) {
      const x = words[w]! ^ 0x0a0a0a0a; // LF bytes become zero bytes
      if (((x - 0x01010101) & ~x & 0x80808080) === 0) continue; // no zero byte
      const at = wordsFrom + w * 4;
      for (let i = at; i < at + 4; i++) if (bytes[i] === LF) starts.push(i + 1);
    }
  }
  for (let i = wordsTo; i < n; i++) if (bytes[i] === LF) starts.push(i + 1);
  return starts.result();
}

/**
 * A growing typed array of line starts: storing into it costs less than
 * Array.prototype.push while the loop above is not yet optimized.
 */
class LineStarts {
  private starts: Int32Array;
  private count = 1; // starts[0] = 0

  constructor(fileSize: number) {
    this.starts = new Int32Array(64 + (fileSize >> 5)); // lines are rarely shorter than 32 bytes on average
  }

  push(start: number): void {
    if (this.count === this.starts.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.count++] = start;
  }

  result(): Int32Array {
    return this.starts.slice(0, this.count);
  }
}

const LF = 10;
