/**
 * The Alloy parser: hand-written recursive descent over our own scanner,
 * reading one token at a time, with the reference parser's error handling
 * (grafana/alloy syntax/parser/internal.go).
 *
 * It never throws on bad input. Wherever the reference reports an error and
 * skips tokens, this parser reports the same message at the same token and
 * skips the same tokens, so one run reports every error with the
 * reference's messages, positions and order, and its rule of one parser
 * error per line.
 *
 * Each choice looks at the current token only (LL(1)); where any token may
 * come (a bad expression) the rules use a loop with a condition instead.
 * Every loop stops when one pass consumed nothing, so no input can make the
 * parser spin.
 *
 * (This parser replaced a Chevrotain grammar with the same rules: loading
 * Chevrotain and analysing the grammar cost 60–90 ms at every start, and its
 * runtime about a third of the time to format a large file; issue 20.)
 */
import type {
  AttributeStmt,
  BlockStmt,
  Body,
  Comment,
  CommentGroup,
  Expr,
  File,
  Ident,
  ObjectField,
  Stmt,
} from './ast.js';
import { startPos } from './ast.js';
import { MAX_LISTED_DIAGNOSTICS, omittedDiagnostics, type Diagnostic } from './diag.js';
import { isValidIdentifier } from './identifier.js';
import { NO_POS, type SourceFile } from './position.js';
import { Scanner } from './scanner.js';
import { quote } from '../go/strconv.js';
import { Tok, binaryPrecedence, tokName } from './token.js';

/** Tokens after which the reference parser stops skipping a bad expression. */
function isStatementEnd(t: Tok): boolean {
  return t === Tok.TERMINATOR || t === Tok.RPAREN || t === Tok.RCURLY || t === Tok.RBRACK || t === Tok.COMMA;
}

function isLiteral(t: Tok): boolean {
  return t === Tok.NUMBER || t === Tok.FLOAT || t === Tok.STRING || t === Tok.BOOL || t === Tok.NULL;
}

/** Tokens that can follow an operand as a postfix operator (or as a misplaced block). */
function isPostfixStart(t: Tok): boolean {
  return t === Tok.DOT || t === Tok.LBRACK || t === Tok.LPAREN || t === Tok.STRING || t === Tok.LCURLY;
}

/**
 * An exact-size copy of an array built with push. V8 gives an array room
 * for 17 elements at its first push, and a syntax tree keeps tens of
 * thousands of short arrays: the spare room was a third of its memory, all
 * of it copied by the garbage collector.
 */
function compact<T>(items: T[]): T[] {
  return items.slice();
}

/**
 * One stack shared by every list being parsed (statements, elements,
 * fields, name fragments): a list's items go on top while it is parsed,
 * and an exact-size array of them is taken off at its end. Nested lists
 * are finished before the enclosing list continues, so they never mix.
 * This saves the temporary growing array of each of the tens of thousands
 * of lists in a large file, and the garbage collections it caused.
 */
class ListStack {
  private items: unknown[] = [];
  private top = 0;

  /** Where a list that starts now begins. */
  mark(): number {
    return this.top;
  }

  push(item: unknown): void {
    this.items[this.top++] = item;
  }

  /** The items pushed since `mark`, as a new array; they leave the stack. */
  take<T>(mark: number): T[] {
    const items = this.items;
    const count = this.top - mark;
    this.top = mark;
    // Most lists are short: array literals are allocated inline, slice is a call.
    switch (count) {
      case 0: return [];
      case 1: return [items[mark]] as T[];
      case 2: return [items[mark], items[mark + 1]] as T[];
      case 3: return [items[mark], items[mark + 1], items[mark + 2]] as T[];
      default: return items.slice(mark, mark + count) as T[];
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

interface BlockName {
  fragments: string[];
  start: number;
  label: string;
  labelPos: number;
}

interface RunResult<R> {
  result: R | undefined;
  diagnostics: Diagnostic[];
  comments: CommentGroup[];
}

class Parser {
  private readonly scanner: Scanner;
  private readonly lists = new ListStack();
  /** The current token (the reference parser's tok/lit/pos). */
  private tok: Tok = Tok.EOF;
  private lit = '';
  private pos = 0;
  /** Tokens consumed so far: how loops notice a pass that consumed nothing. */
  private consumed = 0;

  private readonly diagnostics: Diagnostic[] = [];
  private lastErrorLine = 0;
  /** Diagnostics past MAX_LISTED_DIAGNOSTICS, counted only: bad bytes each get one. */
  private omittedCount = 0;

  /**
   * Comments, set aside in groups as the reference parser groups them:
   * consecutive comment tokens, each starting at most one line after the
   * previous one ends.
   */
  private readonly comments: CommentGroup[] = [];
  private group: Comment[] | undefined;
  private groupEndLine = 0;

  constructor(private readonly source: SourceFile) {
    this.scanner = new Scanner(source.bytes, (offset, message) => this.addDiagnostic(offset, message), { comments: true });
  }

  /** Runs `rule` over the source; returns its result, the diagnostics in reference order and the comments. */
  run<R>(rule: () => R): RunResult<R> {
    let result: R | undefined;
    try {
      // Tokens are scanned only when the parser moves on, exactly like the
      // reference parser, so lexical errors land among the parser's errors
      // in the reference order.
      this.advance();
      result = rule();
    } catch (e) {
      // A call stack overflow (absurdly deep nesting) or a bug: never let bad input throw.
      const message = e instanceof RangeError ? 'nesting is too deep' : `internal parser error: ${String(e)}`;
      this.addDiagnostic(this.pos, message);
    }
    const diagnostics = this.diagnostics;
    if (this.omittedCount > 0) diagnostics.push(omittedDiagnostics(this.omittedCount));
    return { result, diagnostics, comments: this.comments };
  }

  // --- the token stream --------------------------------------------------

  /** Scans the next token that is not a comment into tok/lit/pos. */
  private advance(): void {
    const s = this.scanner;
    for (;;) {
      const tok = s.scan();
      if (tok !== Tok.COMMENT) {
        if (this.group !== undefined) this.closeGroup();
        this.tok = tok;
        this.lit = s.lit;
        this.pos = s.pos;
        return;
      }
      this.addComment({ pos: s.pos, end: s.end, text: s.lit });
    }
  }

  /** Moves past the current token; EOF stays current for good. */
  private next(): void {
    if (this.tok === Tok.EOF) return;
    this.consumed++;
    this.advance();
  }

  private addComment(c: Comment): void {
    const line = this.source.line(c.pos);
    if (this.group === undefined || line > this.groupEndLine + 1) {
      if (this.group !== undefined) this.closeGroup();
      this.group = [];
      this.comments.push(this.group);
    }
    this.group.push(c);
    this.groupEndLine = line + countNewlines(c.text);
  }

  /** Keeps an exact-size copy of the group just finished. */
  private closeGroup(): void {
    this.comments[this.comments.length - 1] = compact(this.group!);
    this.group = undefined;
  }

  /**
   * Every comment starting before this offset is in a closed group of
   * `comments`: the current token follows them (at EOF, all are).
   */
  private commentsKnownUntil(): number {
    return this.tok === Tok.EOF ? Infinity : this.pos;
  }

  // --- diagnostics -------------------------------------------------------

  /** The reference parser's addErrorf: an error at the current token, one per line. */
  private errorAtCurrent(message: string): void {
    const line = this.source.line(this.pos);
    if (line === this.lastErrorLine) return;
    this.lastErrorLine = line;
    this.addDiagnostic(this.pos, message);
  }

  private expectedGot(expected: string): void {
    this.errorAtCurrent(`expected ${expected}, got ${tokName(this.tok)}`);
  }

  /** Adds a diagnostic without per-line filtering. */
  private addDiagnostic(offset: number, message: string, endOffset?: number): void {
    if (this.diagnostics.length < MAX_LISTED_DIAGNOSTICS) this.diagnostics.push(this.diagnostic(offset, message, endOffset));
    else this.omittedCount++;
  }

  private diagnostic(offset: number, message: string, endOffset?: number): Diagnostic {
    const d: Diagnostic = { severity: 'error', message, start: this.diagPos(offset) };
    if (endOffset !== undefined) d.end = this.diagPos(endOffset);
    return d;
  }

  private diagPos(offset: number): Diagnostic['start'] {
    const p = this.source.position(offset)!;
    return { file: this.source.name, line: p.line, column: p.column, offset };
  }

  /**
   * The reference parser's expect: consumes a token of kind `kind`; on a
   * mismatch reports it and skips whatever token is current instead.
   * Returns the offset of the token that was current.
   */
  private expect(kind: Tok): number {
    const offset = this.pos;
    if (this.tok === kind) this.next();
    else this.mismatch(kind);
    return offset;
  }

  /** Reports `expected X, got Y` and skips the current token, like a failed `expect`. */
  private mismatch(expected: Tok): void {
    this.expectedGot(tokName(expected));
    this.skipToken();
  }

  // --- skipping ----------------------------------------------------------

  /** Consumes the current token unless at EOF (the reference parser's `next`). */
  private skipToken(): void {
    this.next();
  }

  /** Skips tokens up to (not including) a token of kind `to`, or EOF. */
  private skipUntil(to: Tok): void {
    while (this.tok !== to && this.tok !== Tok.EOF) this.next();
  }

  /** Skips the rest of a bad expression: up to a terminator, closer or comma. */
  private skipToStatementEnd(): void {
    while (!isStatementEnd(this.tok) && this.tok !== Tok.EOF) this.next();
  }

  /**
   * Skips the rest of a statement: up to a terminator outside any bracket
   * pair opened here (counts may go negative when the statement started
   * inside a pair).
   */
  private skipStatement(): void {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    while (this.tok !== Tok.EOF && !(this.tok === Tok.TERMINATOR && curly <= 0 && brack <= 0 && paren <= 0)) {
      switch (this.tok) {
        case Tok.LCURLY: curly++; break;
        case Tok.RCURLY: curly--; break;
        case Tok.LBRACK: brack++; break;
        case Tok.RBRACK: brack--; break;
        case Tok.LPAREN: paren++; break;
        case Tok.RPAREN: paren--; break;
      }
      this.next();
    }
  }

  // --- statements --------------------------------------------------------

  file(sink?: StatementSink): Body {
    return this.body(Tok.EOF, sink);
  }

  /** Body = [ Stmt { TERMINATOR Stmt } ], ended by `until` (not consumed). */
  private body(until: Tok, sink?: StatementSink): Body {
    const mark = this.lists.mark();
    while (this.tok !== until && this.tok !== Tok.EOF) {
      const before = this.consumed;
      const stmt = this.statement();
      if (stmt !== undefined && sink === undefined) this.lists.push(stmt);
      if (this.tok === Tok.TERMINATOR) {
        this.next();
      } else if (this.tok !== until) {
        this.expectedGot('TERMINATOR');
        this.skipStatement();
        this.skipToken();
      } // else at `until`: the body ends
      if (stmt !== undefined && sink !== undefined) sink(stmt, this.comments, this.commentsKnownUntil());
      if (this.consumed === before) break;
    }
    return this.lists.take<Stmt>(mark);
  }

  /** Stmt = Attribute | Block; undefined when the statement was unusable. */
  private statement(): Stmt | undefined {
    if (this.tok === Tok.IDENT) return this.namedStatement();
    // Not an identifier (nor EOF nor the body's end): skip to the next one.
    this.expectedGot('identifier');
    this.next();
    this.skipUntil(Tok.IDENT);
    return undefined;
  }

  private namedStatement(): Stmt | undefined {
    const name = this.blockName();
    if (this.tok === Tok.ASSIGN) return this.attribute(name);
    if (this.tok === Tok.LCURLY) return this.block(name);
    const canBeAttribute = name.fragments.length === 1 && name.label === '';
    this.expectedGot(canBeAttribute ? 'attribute assignment or block body' : 'block body');
    this.skipUntil(Tok.IDENT);
    return undefined;
  }

  /** BlockName = IDENT { "." IDENT } [ STRING ] (the current token is an IDENT) */
  private blockName(): BlockName {
    const first = this.lit;
    const start = this.pos;
    this.next();
    let fragments: string[];
    if (this.tok !== Tok.DOT) {
      fragments = [first];
    } else {
      const mark = this.lists.mark();
      this.lists.push(first);
      this.dottedFragments();
      fragments = this.lists.take<string>(mark);
    }
    const name: BlockName = { fragments, start, label: '', labelPos: NO_POS };
    if (this.tok !== Tok.ASSIGN && this.tok !== Tok.LCURLY) this.blockLabel(name);
    return name;
  }

  /** Pushes the fragments of `{ "." IDENT }` onto the list stack. */
  private dottedFragments(): void {
    while (this.tok === Tok.DOT) {
      this.next();
      // Keep going with whatever token is here so the rest still parses.
      const fragment = this.lit;
      if ((this.tok as Tok) === Tok.IDENT) {
        this.next();
      } else {
        this.expectedGot('identifier');
        this.skipToken();
      }
      this.lists.push(fragment);
    }
  }

  private blockLabel(name: BlockName): void {
    if (this.tok === Tok.STRING) {
      // Checked while the label is the current token: errors point at it.
      this.checkLabel(name);
      this.next();
    } else {
      this.expectedGot('block label');
      this.skipToken();
    }
  }

  /** Labels must be double-quoted identifiers; `""` counts as no label. */
  private checkLabel(name: BlockName): void {
    const text = this.lit;
    if (text[0] !== '"') this.errorAtCurrent(`expected block label to be a double quoted string, but got ${quote(text)}`);
    if (text.length > 2) {
      name.label = text.slice(1, -1);
      if (!isValidIdentifier(name.label)) {
        this.errorAtCurrent(`expected block label to be a valid identifier, but got ${quote(name.label)}`);
      }
    }
    name.labelPos = this.pos;
  }

  /** Attribute = IDENT "=" Expr (the name was parsed as a block name; the current token is "="). */
  private attribute(name: BlockName): AttributeStmt {
    this.next();
    this.checkAttributeName(name);
    const value = this.expression(1);
    return { kind: 'Attribute', name: { kind: 'Ident', name: name.fragments[0]!, pos: name.start }, value };
  }

  private checkAttributeName(name: BlockName): void {
    if (name.fragments.length !== 1) {
      const width = Buffer.byteLength(name.fragments.join('.'));
      this.addDiagnostic(
        name.start,
        'attribute names may only consist of a single identifier with no "."',
        name.start + width - 1,
      );
    } else if (name.labelPos !== NO_POS) {
      // The end includes the closing quote, which the label value lacks.
      this.addDiagnostic(name.labelPos, 'attribute names may not have labels', name.labelPos + Buffer.byteLength(name.label) + 1);
    }
  }

  /** Block = BlockName "{" Body "}" (the current token is "{"). */
  private block(name: BlockName): BlockStmt {
    const lCurly = this.pos;
    this.next();
    const body = this.body(Tok.RCURLY);
    const rCurly = this.expect(Tok.RCURLY);
    return {
      kind: 'Block',
      name: name.fragments,
      namePos: name.start,
      label: name.label,
      labelPos: name.labelPos,
      body,
      lCurly,
      rCurly,
    };
  }

  // --- expressions -------------------------------------------------------

  /**
   * Expr: left-associative binary operators of precedence >= minPrec over
   * operands (precedence climbing, as in the reference).
   */
  expression(minPrec: number): Expr {
    let left = this.operand();
    for (let prec = binaryPrecedence(this.tok); prec > 0 && prec >= minPrec; prec = binaryPrecedence(this.tok)) {
      const op = this.tok;
      const opPos = this.pos;
      this.next();
      const right = this.expression(prec + 1);
      left = { kind: 'Binary', op, opPos, left, right };
    }
    return left;
  }

  /**
   * Operand = { "!" | "-" } Primary { Postfix } [ "^" Operand ]
   *
   * Unary operators bind tighter than the right-associative `^`, postfix
   * operators tighter than both.
   */
  private operand(): Expr {
    let ops: number[] | undefined; // kind, offset pairs
    while (this.tok === Tok.NOT || this.tok === Tok.SUB) {
      (ops ??= []).push(this.tok, this.pos);
      this.next();
    }
    let expr = this.primaryExpr();
    while (isPostfixStart(this.tok)) {
      const before = this.consumed;
      expr = this.postfix(expr);
      if (this.consumed === before) break;
    }
    if (ops !== undefined) {
      for (let i = ops.length - 2; i >= 0; i -= 2) expr = { kind: 'Unary', op: ops[i]! as Tok, opPos: ops[i + 1]!, value: expr };
    }
    if (this.tok === Tok.POW) {
      const opPos = this.pos;
      this.next();
      const right = this.operand();
      expr = { kind: 'Binary', op: Tok.POW, opPos, left: expr, right };
    }
    return expr;
  }

  /** Postfix = "." IDENT | "[" Expr "]" | "(" [ ExprList ] ")", applied to `value`. */
  private postfix(value: Expr): Expr {
    switch (this.tok) {
      case Tok.DOT: {
        this.next();
        // The name is whatever token comes, reported (and skipped) when not an identifier.
        const name: Ident = { kind: 'Ident', name: this.lit, pos: this.pos };
        this.expect(Tok.IDENT);
        return { kind: 'Access', value, name };
      }
      case Tok.LBRACK: {
        const lBrack = this.pos;
        this.next();
        const index = this.expression(1);
        const rBrack = this.expect(Tok.RBRACK);
        return { kind: 'Index', value, lBrack, index, rBrack };
      }
      case Tok.LPAREN: {
        const lParen = this.pos;
        this.next();
        const args = this.expressionList(Tok.RPAREN);
        const rParen = this.expect(Tok.RPAREN);
        return { kind: 'Call', value, lParen, args, rParen };
      }
      // A block where an expression was expected: parsed only to be reported.
      // Afterwards the current token is never a postfix operator when the
      // reference would have stopped the expression.
      case Tok.STRING:
        this.next();
        this.labelledBlockAsExpression(value);
        return value;
      default: // Tok.LCURLY
        this.next();
        this.blockAsExpression(value);
        return value;
    }
  }

  /**
   * `name "label" { ... }` where an expression was expected (the label was
   * consumed): the block is parsed only to report it.
   */
  private labelledBlockAsExpression(primary: Expr): void {
    if (this.tok === Tok.LCURLY) {
      this.next();
      this.blockAsExpression(primary);
    } else {
      this.abandonStatement(Tok.LCURLY);
    }
  }

  /**
   * `name { ... }` where an expression was expected (the `{` was consumed):
   * parses the body only to report "cannot use a block as an expression". A
   * malformed block makes the rest of its statement be skipped.
   */
  private blockAsExpression(primary: Expr): void {
    this.body(Tok.RCURLY);
    if (this.tok === Tok.RCURLY) {
      const end = this.pos;
      this.next();
      this.addDiagnostic(startPos(primary), 'cannot use a block as an expression', end);
    } else {
      this.abandonStatement(Tok.RCURLY);
    }
  }

  /** A failed `expect(kind)` inside an expression: report it and skip the rest of the statement. */
  private abandonStatement(kind: Tok): void {
    this.mismatch(kind);
    this.skipStatement();
  }

  private primaryExpr(): Expr {
    const tok = this.tok;
    switch (tok) {
      case Tok.IDENT: {
        const ident: Ident = { kind: 'Ident', name: this.lit, pos: this.pos };
        this.next();
        return ident;
      }
      case Tok.LPAREN:
        return this.parenExpr();
      case Tok.LBRACK:
        return this.arrayExpr();
      case Tok.LCURLY:
        return this.objectExpr();
    }
    if (isLiteral(tok)) {
      const literal: Expr = { kind: 'Literal', tok, value: this.lit, pos: this.pos };
      this.next();
      return literal;
    }
    if (tok === Tok.EOF || isStatementEnd(tok)) return this.missingExpression(); // nothing is skipped
    return this.badExpr();
  }

  private parenExpr(): Expr {
    const lParen = this.pos;
    this.next();
    const inner = this.expression(1);
    const rParen = this.expect(Tok.RPAREN);
    return { kind: 'Paren', lParen, inner, rParen };
  }

  private arrayExpr(): Expr {
    const lBrack = this.pos;
    this.next();
    const elements = this.expressionList(Tok.RBRACK);
    const rBrack = this.expect(Tok.RBRACK);
    return { kind: 'Array', elements, lBrack, rBrack };
  }

  private objectExpr(): Expr {
    const lCurly = this.pos;
    this.next();
    // Reference quirk: `{ ]` skips the field list (it tests for "]" rather than "}").
    const fields = this.tok !== Tok.RBRACK ? this.fieldList(Tok.RCURLY) : [];
    const rCurly = this.expect(Tok.RCURLY);
    return { kind: 'Object', fields, lCurly, rCurly };
  }

  /** Not an expression: report, skip to the end of the statement, stand in a `null`. */
  private badExpr(): Expr {
    const placeholder = this.missingExpression();
    this.next();
    this.skipToStatementEnd();
    return placeholder;
  }

  /** Reports a missing expression at the current token; returns the `null` standing in for it. */
  private missingExpression(): Expr {
    const pos = this.pos;
    this.expectedGot('expression');
    return { kind: 'Literal', tok: Tok.NULL, value: 'null', pos };
  }

  /** ExprList = Expr { "," Expr } [ "," ], ended by `until` (not consumed). */
  private expressionList(until: Tok): Expr[] {
    const mark = this.lists.mark();
    while (this.tok !== until && this.tok !== Tok.EOF) {
      const before = this.consumed;
      if (isStatementEnd(this.tok)) {
        // A comma or closer where an element should be: the element is
        // reported missing and the token skipped (any "missing ','" error
        // would be on the same line, so it is never shown).
        const missing = this.missingExpression();
        this.next();
        this.lists.push(missing);
      } else {
        const element = this.expression(1);
        this.listSeparator(until);
        this.lists.push(element);
      }
      if (this.consumed === before) break;
    }
    return this.lists.take<Expr>(mark);
  }

  /** FieldList = Field { "," Field } [ "," ], ended by `until` (not consumed). */
  private fieldList(until: Tok): ObjectField[] {
    const mark = this.lists.mark();
    while (this.tok !== until && this.tok !== Tok.EOF) {
      const before = this.consumed;
      this.lists.push(this.field());
      this.listSeparator(until);
      if (this.consumed === before) break;
    }
    return this.lists.take<ObjectField>(mark);
  }

  /**
   * After a list element: a comma, the closer `until` (left in place), or an
   * error and a skipped token. Objects end with `}`, the other lists don't.
   */
  private listSeparator(until: Tok): void {
    if (this.tok === Tok.COMMA) {
      this.next();
    } else if (this.tok !== until) {
      this.errorAtCurrent(until === Tok.RCURLY ? "missing ',' in field list" : "missing ',' in expression list");
      this.skipToken();
    }
  }

  /** Field = ( IDENT | STRING ) "=" Expr */
  private field(): ObjectField {
    let name: Ident;
    let quoted = false;
    if (this.tok === Tok.IDENT) {
      name = { kind: 'Ident', name: this.lit, pos: this.pos };
      this.next();
    } else if (this.tok === Tok.STRING) {
      // A quoted key keeps its escapes; only the quotes go (reference quirk, `""` stays as is).
      quoted = this.lit.length > 2;
      name = { kind: 'Ident', name: quoted ? this.lit.slice(1, -1) : this.lit, pos: this.pos };
      this.next();
    } else {
      name = { kind: 'Ident', name: '', pos: this.pos };
      this.expectedGot('field name (string or identifier)');
      this.skipUntil(Tok.ASSIGN);
    }
    this.expect(Tok.ASSIGN);
    const value = this.expression(1);
    return { name, quoted, value };
  }

  /** A standalone expression followed by its terminator (the reference ParseExpression). */
  standaloneExpression(): Expr {
    const e = this.expression(1);
    this.expect(Tok.TERMINATOR);
    return e;
  }
}

// ---------------------------------------------------------------------------
// Public API

/**
 * Receives each top-level statement as soon as it is parsed, with the
 * file's comment groups so far (the same array, growing) and the offset
 * before which every comment is known and its group complete.
 */
export type StatementSink = (stmt: Stmt, comments: readonly CommentGroup[], commentsKnownUntil: number) => void;

/**
 * Parses a whole file like parseFile, with the same diagnostics, but hands
 * each top-level statement to `sink` instead of keeping it: `alloy-ts fmt`
 * prints statements while the rest is parsed, so the syntax tree of a large
 * file never piles up for the garbage collector to copy. The sink must not
 * throw. Returns the diagnostics and all comment groups.
 */
export function parseFileStatements(
  source: SourceFile,
  sink: StatementSink,
): { comments: CommentGroup[]; diagnostics: Diagnostic[] } {
  const p = new Parser(source);
  const { diagnostics, comments } = p.run(() => p.file(sink));
  return { comments, diagnostics };
}

/** Parses a whole file. Always returns a File (partial when there are errors). */
export function parseFile(source: SourceFile): { file: File; diagnostics: Diagnostic[] } {
  const p = new Parser(source);
  const { result, diagnostics, comments } = p.run(() => p.file());
  return { file: { kind: 'File', source, body: result ?? [], comments }, diagnostics };
}

/**
 * Parses one expression, which must be followed only by the end of its line
 * (anything after that line is ignored, as in the reference). `expr` is
 * undefined when there are diagnostics.
 */
export function parseExpression(source: SourceFile): { expr: Expr | undefined; diagnostics: Diagnostic[] } {
  const p = new Parser(source);
  const { result, diagnostics } = p.run(() => p.standaloneExpression());
  return { expr: diagnostics.length === 0 ? result : undefined, diagnostics };
}
