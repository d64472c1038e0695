/**
 * Offsets. The language works in byte offsets into the UTF-8 file; LSP
 * positions are (line, UTF-16 code unit). A LineMap converts between the
 * two for one version of a document. Line breaks are `\n` (a `\r\n` ends
 * in `\n`, so both counts agree).
 */
import type { Position, Range } from 'vscode-languageserver';
import { SourceFile } from '../lang/position.js';

export class LineMap {
  /** True when every character is one byte: offsets then need no decoding. */
  private readonly ascii: boolean;
  /** UTF-16 offset at which each line starts. */
  private readonly utf16Starts: number[];

  constructor(
    readonly text: string,
    readonly source: SourceFile,
  ) {
    this.ascii = source.bytes.length === text.length;
    this.utf16Starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.utf16Starts.push(i + 1);
  }

  /** LSP position of a byte offset (clamped to the file). */
  position(offset: number): Position {
    const bytes = this.source.bytes;
    const clamped = Math.max(0, Math.min(offset, bytes.length));
    const line = Math.max(0, this.source.line(clamped) - 1);
    const lineStart = this.source.lineStarts[line] ?? 0;
    if (this.ascii) return { line, character: clamped - lineStart };
    const prefix = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, clamped - lineStart).toString('utf8');
    return { line, character: prefix.length };
  }

  /** Byte offset of an LSP position (clamped to its line). */
  offset(pos: Position): number {
    const starts = this.source.lineStarts;
    if (pos.line >= starts.length) return this.source.bytes.length;
    const lineStart = starts[Math.max(0, pos.line)]!;
    const lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1]! - 1 : this.source.bytes.length;
    if (this.ascii) return Math.min(lineStart + pos.character, lineEnd);
    const u16Start = this.utf16Starts[pos.line]!;
    const u16End = pos.line + 1 < this.utf16Starts.length ? this.utf16Starts[pos.line + 1]! - 1 : this.text.length;
    const prefix = this.text.slice(u16Start, Math.min(u16Start + pos.character, u16End));
    return lineStart + Buffer.byteLength(prefix);
  }

  /** Range of bytes [start, end) (end exclusive). */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}
