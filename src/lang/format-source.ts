/**
 * `alloy fmt` of a whole source file: parse, then format, with the result
 * and diagnostics of `parseFile` followed by `formatFileBytes`.
 *
 * Parsing and printing are interleaved: each top-level statement is printed
 * soon after it has been parsed and then dropped. Formatting a 3 MB file
 * this way keeps a few statements alive at a time instead of a syntax tree
 * of 15–20 MB that the garbage collector copied twice (from the young
 * generation's first half to its second, then into the old generation),
 * which was about a sixth of the time (issue 20).
 *
 * The printer places comments by an approximate position that can run a
 * little ahead of the statement being printed, so a statement waits until
 * the parser is STATEMENT_LAG bytes past its end. Should printing still
 * reach comments not parsed yet (or fail in any other way), the printer
 * says so and the file is formatted again the plain way: the output never
 * depends on the interleaving.
 */
import { endPos, type CommentGroup, type Stmt } from './ast.js';
import type { Diagnostic } from './diag.js';
import { parseFile, parseFileStatements } from './parser.js';
import type { SourceFile } from './position.js';
import { FileFormatter, formatFileBytes } from './printer.js';

/**
 * How far (bytes) the parser must be past a statement before it is printed.
 * The printer's position runs ahead by a few bytes at most (no file of the
 * conformance data or real examples needs any lag); the rest is margin.
 */
const STATEMENT_LAG = 4096;

export interface FormatResult {
  /** The formatted file; undefined when there are diagnostics. */
  output: Buffer | undefined;
  /** Parse errors, as parseFile reports them. */
  diagnostics: Diagnostic[];
  /** Whether the output was printed while parsing (false: printed again from a whole tree). */
  interleaved: boolean;
}

/**
 * Parses and formats one file. Throws a DiagnosticsError where
 * formatFileBytes does (a tree too deep to print). `statementLag` is for
 * tests, which make statements wait less to exercise both ways.
 */
export function formatSource(source: SourceFile, statementLag = STATEMENT_LAG): FormatResult {
  const interleaved = new InterleavedFormatter(source, statementLag);
  const { comments, diagnostics } = parseFileStatements(source, (stmt, groups, knownUntil) =>
    interleaved.add(stmt, groups, knownUntil),
  );
  if (diagnostics.length > 0) return { output: undefined, diagnostics, interleaved: false };
  const output = interleaved.finish(comments);
  if (output !== undefined) return { output, diagnostics, interleaved: true };
  // Printing while parsing failed: parse again and print the whole tree.
  return { output: formatFileBytes(parseFile(source).file), diagnostics, interleaved: false };
}

/** Prints statements in order as soon as the comments around them are known. */
class InterleavedFormatter {
  private formatter: FileFormatter | undefined;
  /** Parsed statements not printed yet, from index `head`. */
  private pending: (Stmt | undefined)[] = [];
  private head = 0;
  private failed = false;

  constructor(
    private readonly source: SourceFile,
    private readonly statementLag: number,
  ) {}

  /** A statement just parsed; called by the parser, so it never throws. */
  add(stmt: Stmt, comments: readonly CommentGroup[], commentsKnownUntil: number): void {
    if (this.failed) return;
    try {
      this.formatter ??= new FileFormatter(this.source, comments, { releaseComments: true });
      this.pending.push(stmt);
      this.printReady(commentsKnownUntil);
    } catch {
      this.giveUp();
    }
  }

  /** The output, once all statements are parsed; undefined if printing failed along the way. */
  finish(comments: readonly CommentGroup[]): Buffer | undefined {
    if (this.failed) return undefined;
    try {
      this.formatter ??= new FileFormatter(this.source, comments);
      this.printReady(Infinity);
      return this.formatter.finish();
    } catch {
      this.giveUp();
      return undefined;
    }
  }

  private printReady(commentsKnownUntil: number): void {
    const formatter = this.formatter!;
    formatter.commentsKnownUntil = commentsKnownUntil;
    const pending = this.pending;
    while (this.head < pending.length) {
      const stmt = pending[this.head]!;
      if (endPos(stmt) + this.statementLag >= commentsKnownUntil) break;
      pending[this.head++] = undefined; // printed statements become garbage
      formatter.statement(stmt);
    }
    // Drop the printed part now and then (the lag keeps a few statements waiting).
    if (this.head === pending.length || this.head >= 1024) {
      pending.splice(0, this.head);
      this.head = 0;
    }
  }

  private giveUp(): void {
    this.failed = true;
    this.formatter = undefined;
    this.pending = [];
  }
}
