/**
 * The formatter (`alloy fmt`), byte-identical to Alloy's syntax/printer.
 *
 * Two stages, as upstream:
 * 1. A walker visits the AST and feeds a printer with tokens, position hints
 *    and *abstract* whitespace (blank, vtab, newline, formfeed, indent,
 *    unindent). Whitespace is buffered until the next token so that comments,
 *    which the printer interleaves by source offset, can reshape it.
 * 2. The printer's text (with TAB/VTAB cell breaks, formfeeds and escaped
 *    comments) goes through the tabwriter and the trimmer (tabwriter.ts).
 *
 * Upstream decides line breaks and comment placement from an *approximate*
 * source position that drifts as text is written and is re-anchored only at
 * some tokens. Output depends on that drift, so it is reproduced exactly:
 * tokens written without a position hint (`=`, `.`, `,`, call and paren
 * parentheses, object keys) inherit the drifted position.
 */
import { endPos, startPos, utf8Length } from './ast.js';
import type {
  AccessExpr,
  ArrayExpr,
  AttributeStmt,
  BinaryExpr,
  BlockStmt,
  CallExpr,
  Comment,
  CommentGroup,
  Expr,
  File,
  IndexExpr,
  ObjectExpr,
  Stmt,
} from './ast.js';
import { DiagnosticsError } from './diag.js';
import type { SourceFile } from './position.js';
import { quote } from '../go/strconv.js';
import { ByteBuffer, TAB_ESCAPE, alignAndTrim } from '../go/tabwriter.js';
import { Tok, tokName } from './token.js';

/**
 * Formats a parsed file exactly as `alloy fmt` prints it (including the final
 * newline). Throws a DiagnosticsError only for a tree too deep to walk.
 */
export function formatFile(file: File): string {
  return formatFileBytes(file).toString('utf8');
}

/** `formatFile` as UTF-8 bytes, the form the formatter produces. */
export function formatFileBytes(file: File): Buffer {
  return guardDepth(() => {
    const formatter = new FileFormatter(file.source, file.comments);
    for (const stmt of file.body) formatter.statement(stmt);
    return formatter.finish();
  });
}

/**
 * Thrown by FileFormatter when printing reaches a point of the source whose
 * comments are not known yet (see `commentsKnownUntil`).
 */
export class CommentsNotKnownYet extends Error {
  constructor() {
    super('the printer needs comments the parser has not reached');
  }
}

/**
 * Formats a file one top-level statement at a time, in order, so that a
 * statement can be printed while the rest of the file is still being parsed
 * (`comments` may be the parser's growing list). Unlike formatFileBytes it
 * lets a call stack overflow of an absurdly deep tree through.
 */
export class FileFormatter {
  private readonly printer: Printer;
  private readonly walker: Walker;
  private prevEndLine = 0;
  private first = true;

  /**
   * With `releaseComments`, each group taken from `comments` is replaced by
   * an empty one there, so that printed comments can be collected while a
   * parser goes on adding to the list.
   */
  constructor(source: SourceFile, comments: readonly CommentGroup[], { releaseComments = false } = {}) {
    // Formatted text is about as long as its source; room never written costs nothing.
    const size = source.bytes.length;
    this.printer = new Printer(lineResolver(source), comments, size + (size >> 2) + 1024);
    this.printer.releaseComments = releaseComments;
    this.walker = new Walker(this.printer);
  }

  /**
   * Comments starting at or after this offset may still be missing from
   * `comments`: printing anything that would look at them throws
   * CommentsNotKnownYet (and leaves this formatter unusable).
   */
  set commentsKnownUntil(offset: number) {
    this.printer.commentsKnownUntil = offset;
  }

  statement(stmt: Stmt): void {
    this.prevEndLine = this.walker.walkStmt(stmt, this.first, this.prevEndLine);
    this.first = false;
  }

  /** Prints the comments after the last statement; returns the whole output. */
  finish(): Buffer {
    this.printer.commentsKnownUntil = Infinity;
    const out = this.printer.finish();
    out.appendByte(CH_NL);
    return out.toBuffer();
  }
}

/**
 * Renders one expression as Alloy's printer does (comments are not printed).
 * Line breaks inside arrays, objects and calls follow the source lines when
 * `source` is given; without it every position counts as one line, which
 * gives the compact single-line form.
 */
export function printExpr(expr: Expr, source?: SourceFile): string {
  return guardDepth(() => {
    const printer = new Printer(source ? lineResolver(source) : singleLine, []);
    new Walker(printer).walkExpr(expr);
    return printer.finish().toBuffer().toString('utf8');
  });
}

/**
 * Long operator and postfix chains are walked iteratively, but bracket
 * nesting recurses (as in the parser): report a call stack overflow on an
 * absurdly deep tree as a diagnostic, the way the parser does.
 */
function guardDepth<T>(print: () => T): T {
  try {
    return print();
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const noPos = { file: '', line: 0, column: 0, offset: -1 };
    throw new DiagnosticsError([{ severity: 'error', message: 'nesting is too deep', start: noPos }]);
  }
}

/** Maps a byte offset to its 1-based line; 0 for "no position". */
type LineOf = (offset: number) => number;

function lineResolver(source: SourceFile): LineOf {
  return (offset) => source.line(offset);
}

const singleLine: LineOf = (offset) => (offset < 0 ? 0 : 1);

// ---------------------------------------------------------------------------
// Printer

/** Abstract whitespace, resolved only when the next token is written. */
const enum Ws {
  Ignore,
  Blank,
  VTab,
  Newline,
  Formfeed,
  Indent,
  Unindent,
}

const CH_TAB = 9;
const CH_NL = 10;
const CH_VTAB = 11;
const CH_FF = 12;
const CH_SPACE = 32;

/** Character written for each kind of whitespace (0 = none). */
const WS_CHAR = [0, CH_SPACE, CH_VTAB, CH_NL, CH_FF, 0, 0];

/** Upstream keeps at most this many pending whitespace entries before force-flushing. */
const WS_CAPACITY = 16;

/** Stands in for a comment group the printer is done with. */
const NO_COMMENTS: CommentGroup = [];

/** A single comment never yields more than one blank line. */
const MAX_NEWLINES = 2;

/** "Last token was whitespace" (upstream token.LITERAL), for the re-lexing safety check. */
const AFTER_WHITESPACE = -1;
type LastTok = Tok | typeof AFTER_WHITESPACE;

const EOF_OFFSET = Number.MAX_SAFE_INTEGER;

class Printer {
  private readonly output: ByteBuffer;
  private indent = 0;
  private lastTok: LastTok = AFTER_WHITESPACE;
  /** Pending whitespace: the first `wsCount` entries of `ws`. */
  private readonly ws = new Uint8Array(WS_CAPACITY);
  private wsCount = 0;

  /** Approximate source position of the next text (drifts as text is written). */
  private posOffset = 0;
  private posLine = 1;
  /** Source line where the last text (token or comment) ended; 0 = none yet. */
  private lastLine = 0;
  /** Output column (bytes, 1-based): 1 means indentation is still due. */
  private outColumn = 1;

  private groupIndex = 0;
  private group: CommentGroup = [];
  /** Offset of the next unprinted comment group, or -1. */
  private commentPos = -1;
  /** Comments from this offset on may not be in `comments` yet (FileFormatter). */
  commentsKnownUntil = Infinity;
  /** Whether to drop each group from `comments` once taken (FileFormatter). */
  releaseComments = false;

  constructor(
    readonly lineOf: LineOf,
    private readonly comments: readonly CommentGroup[],
    /** Expected output size in bytes, to size the buffer once. */
    sizeHint = 256,
  ) {
    this.output = new ByteBuffer(sizeHint);
    this.nextCommentGroup();
  }

  /** Re-anchors the approximate position at a known source offset. */
  at(offset: number): this {
    if (offset >= 0) {
      this.posOffset = offset;
      this.posLine = this.lineOf(offset);
    }
    return this;
  }

  space(kind: Ws): this {
    if (kind === Ws.Ignore) return this;
    if (this.wsCount === WS_CAPACITY) this.writeWhitespace(WS_CAPACITY);
    this.ws[this.wsCount++] = kind;
    this.lastTok = AFTER_WHITESPACE;
    return this;
  }

  ident(name: string): this {
    return this.text(name, Tok.IDENT);
  }

  literal(value: string, tok: Tok): this {
    return this.text(value, tok);
  }

  token(tok: Tok): this {
    const s = tokName(tok);
    // Keep the output re-lexable: `1` `.` must not become the float `1.`,
    // and `/` `*` must not open a comment.
    if (mayCombine(this.lastTok, s) && this.wsCount === 0) this.ws[this.wsCount++] = Ws.Blank;
    return this.text(s, tok);
  }

  /** Writes trailing comments and returns the aligned, trimmed text. */
  finish(): ByteBuffer {
    this.flush(EOF_OFFSET, EOF_OFFSET, Tok.EOF);
    return alignAndTrim(this.output);
  }

  private text(data: string, tok: Tok): this {
    this.lastTok = tok;
    const nextOffset = this.posOffset;
    const nextLine = this.posLine;
    this.flush(nextOffset, nextLine, tok);
    // Only string literals (raw ones, or with a literal form feed) hold line breaks.
    this.writeString(nextOffset, nextLine, data, false, tok === Tok.STRING);
    return this;
  }

  /** Prints comments that come before the next token, then pending whitespace. */
  private flush(nextOffset: number, nextLine: number, tok: Tok): void {
    if (nextOffset >= this.commentsKnownUntil) throw new CommentsNotKnownYet();
    if (this.commentBefore(nextOffset)) this.injectComments(nextOffset, nextLine, tok);
    else if (tok !== Tok.EOF) this.writeWhitespace(this.wsCount);
  }

  private commentBefore(offset: number): boolean {
    // Groups the parser added since the printer ran out of them.
    if (this.commentPos < 0 && this.groupIndex < this.comments.length) this.nextCommentGroup();
    return this.commentPos >= 0 && this.commentPos <= offset;
  }

  private nextCommentGroup(): void {
    while (this.groupIndex < this.comments.length) {
      const group = this.comments[this.groupIndex++]!;
      if (this.releaseComments) (this.comments as CommentGroup[])[this.groupIndex - 1] = NO_COMMENTS;
      if (group.length > 0) {
        this.group = group;
        this.commentPos = group[0]!.pos;
        return;
      }
    }
    this.commentPos = -1;
  }

  private injectComments(nextOffset: number, nextLine: number, tok: Tok): void {
    let lastComment: Comment | undefined;
    // Whole groups are printed, even comments of the group past the token.
    while (this.commentBefore(nextOffset)) {
      for (const comment of this.group) {
        this.writeCommentPrefix(nextLine, comment);
        this.writeString(comment.pos, this.lineOf(comment.pos), comment.text, true, true);
        lastComment = comment;
      }
      this.nextCommentGroup();
    }
    if (lastComment) this.writeCommentSuffix(nextLine, tok, lastComment);
  }

  /** Whitespace between what was printed before and a comment. */
  private writeCommentPrefix(nextLine: number, comment: Comment): void {
    if (this.output.length === 0) return; // the comment opens the file
    const commentLine = this.lineOf(comment.pos);
    if (commentLine === this.lastLine) {
      // Trailing comment: a TAB cell aligns comments of consecutive lines; a
      // block comment followed by code on its line gets a plain space.
      this.writeByte(commentLine === nextLine ? CH_SPACE : CH_TAB, 1);
      return;
    }
    // Own-line comment: apply pending indentation changes up to the first
    // real whitespace entry, drop that entry, and break lines ourselves.
    this.writeWhitespace(this.dropFirstWhitespace());
    const newlines = commentLine > 0 && this.lastLine > 0 ? commentLine - this.lastLine : 0;
    if (newlines > 0) this.writeByte(CH_FF, Math.min(newlines, MAX_NEWLINES));
  }

  /**
   * Marks the first buffered entry that is not an indent change as ignored
   * and returns how many entries precede it (0 if there is none).
   */
  private dropFirstWhitespace(): number {
    const ws = this.ws;
    for (let i = 0; i < this.wsCount; i++) {
      if (ws[i] === Ws.Indent || ws[i] === Ws.Unindent) continue;
      ws[i] = Ws.Ignore;
      return i;
    }
    return 0;
  }

  /** Whitespace between the last comment and the token that follows it. */
  private writeCommentSuffix(nextLine: number, tok: Tok, lastComment: Comment): void {
    if (tok === Tok.EOF) return; // no blank lines at the end of the file
    const commentEndLine = this.lineOf(lastComment.pos + utf8Length(lastComment.text) - 1);
    if (lastComment.text[1] === '*' && nextLine === commentEndLine) this.writeByte(CH_SPACE, 1);

    const newlines = nextLine - this.lastLine;
    let droppedFormfeed = false;
    const ws = this.ws;
    for (let i = 0; i < this.wsCount; i++) {
      const kind = ws[i]!;
      if (kind === Ws.Indent || kind === Ws.Unindent) continue;
      if (kind === Ws.Formfeed) droppedFormfeed = true;
      ws[i] = Ws.Ignore;
    }
    this.writeWhitespace(this.wsCount);
    // A dropped formfeed still has to end the alignment section.
    if (newlines > 0) this.writeByte(droppedFormfeed ? CH_FF : CH_NL, Math.min(newlines, MAX_NEWLINES));
  }

  /** Writes the first n buffered whitespace entries and removes them. */
  private writeWhitespace(n: number): void {
    const ws = this.ws;
    for (let i = 0; i < n; i++) {
      const kind = ws[i]!;
      if (kind === Ws.Indent) this.indent++;
      else if (kind === Ws.Unindent) this.indent = Math.max(0, this.indent - 1);
      else if (kind !== Ws.Ignore) this.writeByte(WS_CHAR[kind]!, 1);
    }
    // Shift the unwritten entries down (the buffer is tiny).
    ws.copyWithin(0, n, this.wsCount);
    this.wsCount -= n;
  }

  /**
   * Appends text (a token or, escaped for the tabwriter, a comment) and
   * advances the approximate position by its byte length and line breaks.
   */
  private writeString(offset: number, line: number, s: string, escaped: boolean, mayBreakLines: boolean): void {
    if (this.outColumn === 1) this.writeIndent();
    this.posOffset = offset;
    this.posLine = line;
    const out = this.output;
    if (escaped) out.appendByte(TAB_ESCAPE);
    const start = out.length;
    out.append(s);
    const end = out.length;
    if (escaped) out.appendByte(TAB_ESCAPE);

    const bytes = end - start;
    this.posOffset += bytes;
    // Line breaks are rare in tokens: look for the last one from the end.
    let last = end - 1;
    if (mayBreakLines) while (last >= start && out.bytes[last] !== CH_NL && out.bytes[last] !== CH_FF) last--;
    else last = start - 1;
    if (last >= start) {
      this.posLine += countNewlines(out.bytes, start, last + 1);
      this.outColumn = end - last;
    } else {
      this.outColumn += bytes;
    }
    this.lastLine = this.posLine;
  }

  private writeIndent(): void {
    const depth = this.indent;
    if (depth === 0) return;
    this.output.appendRepeated(CH_TAB, depth);
    this.posOffset += depth;
    this.outColumn += depth;
  }

  /** Writes a whitespace character n times. */
  private writeByte(ch: number, n: number): void {
    if (this.outColumn === 1) this.writeIndent();
    this.output.appendRepeated(ch, n);
    this.posOffset += n;
    if (ch === CH_NL || ch === CH_FF) {
      this.posLine += n;
      this.outColumn = 1;
    } else {
      this.outColumn += n;
    }
  }
}

/** `parts.join('.')`, without join's overhead for the one to three parts of a block name. */
function dottedName(parts: string[]): string {
  let name = parts[0]!;
  for (let i = 1; i < parts.length; i++) name += '.' + parts[i]!;
  return name;
}

/**
 * Go's strconv.Quote of a label or object key. Nearly all are plain
 * printable ASCII, which Quote only puts between quotes.
 */
function quoteKey(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return quote(s);
  }
  return '"' + s + '"';
}

function mayCombine(prev: LastTok, next: string): boolean {
  if (prev === Tok.NUMBER) return next[0] === '.';
  if (prev === Tok.DIV) return next[0] === '*';
  return false;
}

/** Number of `\n` and `\f` bytes in b[start, end). */
function countNewlines(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (b[i] === CH_NL || b[i] === CH_FF) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Walker

type PostfixExpr = AccessExpr | IndexExpr | CallExpr;

class Walker {
  private readonly lineOf: LineOf;

  constructor(private readonly p: Printer) {
    this.lineOf = p.lineOf;
  }

  walkStmts(stmts: Stmt[]): void {
    let prevEndLine = 0;
    for (let i = 0; i < stmts.length; i++) prevEndLine = this.walkStmt(stmts[i]!, i === 0, prevEndLine);
  }

  /** One statement of a body, after one that ended on `prevEndLine`; returns its own end line. */
  walkStmt(stmt: Stmt, first: boolean, prevEndLine: number): number {
    const startLine = this.lineOf(startPos(stmt));
    // A block is always preceded by a blank line; otherwise a blank line
    // in the source is kept.
    if (!first && (stmt.kind === 'Block' || startLine - prevEndLine > 1)) this.p.space(Ws.Formfeed);
    if (stmt.kind === 'Block') this.walkBlock(stmt);
    else this.walkAttribute(stmt);
    // A statement spanning lines ends the alignment run.
    const endLine = this.lineOf(endPos(stmt));
    this.p.space(endLine !== startLine ? Ws.Formfeed : Ws.Newline);
    return endLine;
  }

  /**
   * Chains the parser builds with loops (`a + b + c`, `a.b[0].c()`, `- - x`)
   * can be thousands of nodes deep, so they are walked iteratively; other
   * nesting (brackets, braces, parentheses) is bounded by the parser.
   */
  walkExpr(e: Expr): void {
    const p = this.p;
    while (e.kind === 'Unary') {
      p.at(e.opPos).token(e.op);
      e = e.value;
    }
    switch (e.kind) {
      case 'Literal':
        p.at(e.pos).literal(e.value, e.tok);
        break;
      case 'Ident':
        p.at(e.pos).ident(e.name);
        break;
      case 'Array':
        this.walkArray(e);
        break;
      case 'Object':
        this.walkObject(e);
        break;
      case 'Access':
      case 'Index':
      case 'Call':
        this.walkPostfixChain(e);
        break;
      case 'Binary':
        this.walkBinary(e);
        break;
      case 'Paren':
        p.token(Tok.LPAREN);
        this.walkExpr(e.inner);
        p.token(Tok.RPAREN);
        break;
    }
  }

  /** In-order walk with an explicit stack of operators still to print. */
  private walkBinary(root: BinaryExpr): void {
    const pending: BinaryExpr[] = [];
    let operand: Expr = root;
    for (;;) {
      while (operand.kind === 'Binary') {
        pending.push(operand);
        operand = operand.left;
      }
      this.walkExpr(operand);
      const op = pending.pop();
      if (!op) return;
      this.p.space(Ws.Blank).at(op.opPos).token(op.op).space(Ws.Blank);
      operand = op.right;
    }
  }

  /** `base.a[i](args)...`: the base is printed first, then each suffix in order. */
  private walkPostfixChain(outer: PostfixExpr): void {
    const suffixes: PostfixExpr[] = [];
    let base: Expr = outer;
    while (base.kind === 'Access' || base.kind === 'Index' || base.kind === 'Call') {
      suffixes.push(base);
      base = base.value;
    }
    this.walkExpr(base);
    for (let i = suffixes.length - 1; i >= 0; i--) this.walkSuffix(suffixes[i]!);
  }

  private walkSuffix(e: PostfixExpr): void {
    const p = this.p;
    if (e.kind === 'Access') {
      p.token(Tok.DOT).ident(e.name.name);
    } else if (e.kind === 'Index') {
      p.at(e.lBrack).token(Tok.LBRACK);
      this.walkExpr(e.index);
      p.at(e.rBrack).token(Tok.RBRACK);
    } else {
      this.walkCallArgs(e);
    }
  }

  private walkAttribute(s: AttributeStmt): void {
    this.p.at(s.name.pos).ident(s.name.name).space(Ws.VTab).token(Tok.ASSIGN).space(Ws.Blank);
    this.walkExpr(s.value);
  }

  private walkBlock(s: BlockStmt): void {
    const p = this.p;
    p.at(s.namePos).ident(dottedName(s.name));
    if (s.label !== '') p.space(Ws.Blank).at(s.labelPos).literal(quoteKey(s.label), Tok.STRING);
    p.space(Ws.Blank).at(s.lCurly).token(Tok.LCURLY).space(Ws.Indent);
    if (s.body.length > 0) {
      p.space(Ws.Formfeed);
      this.walkStmts(s.body);
    } else {
      p.space(Ws.Blank); // empty body prints as `{ }`
    }
    p.space(Ws.Unindent).at(s.rCurly).token(Tok.RCURLY);
  }

  private walkArray(e: ArrayExpr): void {
    const p = this.p;
    p.at(e.lBrack).token(Tok.LBRACK);
    let prevEnd = e.lBrack;
    const elements = e.elements;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      // Indent before the line break so comments ahead of the element are
      // indented too.
      const onNewLine = this.differentLines(prevEnd, startPos(element));
      if (onNewLine) p.space(Ws.Indent).space(Ws.Formfeed);
      else if (i > 0) p.space(Ws.Blank);
      prevEnd = endPos(element);
      this.walkExpr(element);
      if (i + 1 < elements.length) p.token(Tok.COMMA);
      if (onNewLine) p.space(Ws.Unindent);
    }
    if (elements.length > 0 && this.differentLines(prevEnd, e.rBrack)) {
      // Indented so comments after the last element stay inside the array.
      p.token(Tok.COMMA).space(Ws.Indent).space(Ws.Formfeed).space(Ws.Unindent);
    }
    p.at(e.rBrack).token(Tok.RBRACK);
  }

  private walkObject(e: ObjectExpr): void {
    const p = this.p;
    p.at(e.lCurly).token(Tok.LCURLY).space(Ws.Indent);
    let prevKeyEnd = e.lCurly;
    const fields = e.fields;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (this.differentLines(prevKeyEnd, startPos(field.name))) {
        // A plain newline keeps `=` aligned with the previous one-line field.
        const prevSingleLine = i > 0 && !this.spansLines(fields[i - 1]!.value);
        p.space(prevSingleLine ? Ws.Newline : Ws.Formfeed);
      } else if (i > 0) {
        p.space(Ws.Blank);
      }
      prevKeyEnd = endPos(field.name);
      p.at(field.name.pos);
      if (field.quoted) p.literal(quoteKey(field.name.name), Tok.STRING);
      else p.ident(field.name.name);
      p.space(Ws.VTab).token(Tok.ASSIGN).space(Ws.Blank);
      this.walkExpr(field.value);
      if (i + 1 < fields.length) p.token(Tok.COMMA);
    }
    if (fields.length > 0 && this.differentLines(prevKeyEnd, e.rCurly)) {
      p.token(Tok.COMMA).space(Ws.Formfeed);
    }
    p.space(Ws.Unindent).at(e.rCurly).token(Tok.RCURLY);
  }

  /** `(args)` of a call; the callee has been printed. */
  private walkCallArgs(e: CallExpr): void {
    const p = this.p;
    p.token(Tok.LPAREN);
    let prevEnd = e.lParen;
    const args = e.args;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const onNewLine = this.differentLines(prevEnd, startPos(arg));
      if (onNewLine) p.space(Ws.Formfeed).space(Ws.Indent);
      this.walkExpr(arg);
      prevEnd = endPos(arg);
      if (i + 1 < args.length) p.token(Tok.COMMA).space(Ws.Blank);
      if (onNewLine) p.space(Ws.Unindent);
    }
    // Upstream does not check for arguments here: `f(⏎)` prints as `f(,⏎)`.
    if (this.differentLines(prevEnd, e.rParen)) p.token(Tok.COMMA).space(Ws.Formfeed);
    p.token(Tok.RPAREN);
  }

  private differentLines(a: number, b: number): boolean {
    return this.lineOf(a) !== this.lineOf(b);
  }

  private spansLines(n: Stmt | Expr): boolean {
    return this.lineOf(endPos(n)) !== this.lineOf(startPos(n));
  }
}
