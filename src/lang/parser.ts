/**
 * The Alloy parser: a Chevrotain EmbeddedActionsParser fed, one token at a
 * time, by our own scanner.
 *
 * Error handling mirrors the reference parser (syntax/parser/internal.go), not
 * Chevrotain: its recovery is off and the grammar never throws on bad input.
 * Wherever the reference reports an error and skips tokens, an OR has a
 * fallback alternative after the real ones that reports the same message at
 * the same token and skips the same tokens. One run therefore reports every
 * error, with the reference's messages, positions and order, and its rule of
 * one parser error per line.
 *
 * Two Chevrotain constraints shape the grammar:
 * - Its lookahead analysis loops forever on a repetition whose body may consume
 *   nothing, so every loop body starts with a token. The one fallback that
 *   consumes nothing (a missing expression at a statement end) is a
 *   syntactically empty alternative, which the analysis leaves out.
 * - An LL(1) choice only sees the tokens that can start each alternative, so
 *   where any token may come (a bad expression) the grammar uses a loop or a
 *   gate instead of a choice.
 */
import type { IToken, OrMethodOpts, TokenType } from 'chevrotain';
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
import { chevrotain } from './chevrotain.js';
import { MAX_LISTED_DIAGNOSTICS, omittedDiagnostics, type Diagnostic } from './diag.js';
import { isValidIdentifier } from './identifier.js';
import { NO_POS, type SourceFile } from './position.js';
import { Scanner } from './scanner.js';
import { quote } from '../go/strconv.js';
import { Tok, binaryPrecedence, tokName } from './token.js';

const { EmbeddedActionsParser, EOF: CHEVROTAIN_EOF, Lexer, createToken } = chevrotain;

// ---------------------------------------------------------------------------
// Token types

/** Category matching every real token (all but EOF): "consume whatever comes". */
const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA });
const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA });
const UnaryOp = createToken({ name: 'UnaryOp', pattern: Lexer.NA });
const LiteralTok = createToken({ name: 'LiteralTok', pattern: Lexer.NA });
/** Tokens that do not end a statement, list element or bracket: skipped after a bad expression. */
const NotStatementEnd = createToken({ name: 'NotStatementEnd', pattern: Lexer.NA });
const StatementEnd = createToken({ name: 'StatementEnd', pattern: Lexer.NA });

/** Tokens after which the reference parser stops skipping a bad expression. */
const STATEMENT_END = new Set<Tok>([Tok.TERMINATOR, Tok.RPAREN, Tok.RCURLY, Tok.RBRACK, Tok.COMMA]);

const TOKEN_NAMES: [Tok, string, TokenType[]][] = [
  [Tok.ILLEGAL, 'ILLEGAL', []],
  [Tok.IDENT, 'IDENT', []],
  [Tok.NUMBER, 'NUMBER', [LiteralTok]],
  [Tok.FLOAT, 'FLOAT', [LiteralTok]],
  [Tok.STRING, 'STRING', [LiteralTok]],
  [Tok.BOOL, 'BOOL', [LiteralTok]],
  [Tok.NULL, 'NULL', [LiteralTok]],
  [Tok.OR, 'OR', [BinaryOp]],
  [Tok.AND, 'AND', [BinaryOp]],
  [Tok.NOT, 'NOT', [UnaryOp]],
  [Tok.ASSIGN, 'ASSIGN', []],
  [Tok.EQ, 'EQ', [BinaryOp]],
  [Tok.NEQ, 'NEQ', [BinaryOp]],
  [Tok.LT, 'LT', [BinaryOp]],
  [Tok.LTE, 'LTE', [BinaryOp]],
  [Tok.GT, 'GT', [BinaryOp]],
  [Tok.GTE, 'GTE', [BinaryOp]],
  [Tok.ADD, 'ADD', [BinaryOp]],
  [Tok.SUB, 'SUB', [BinaryOp, UnaryOp]],
  [Tok.MUL, 'MUL', [BinaryOp]],
  [Tok.DIV, 'DIV', [BinaryOp]],
  [Tok.MOD, 'MOD', [BinaryOp]],
  [Tok.POW, 'POW', [BinaryOp]],
  [Tok.LCURLY, 'LCURLY', []],
  [Tok.RCURLY, 'RCURLY', []],
  [Tok.LPAREN, 'LPAREN', []],
  [Tok.RPAREN, 'RPAREN', []],
  [Tok.LBRACK, 'LBRACK', []],
  [Tok.RBRACK, 'RBRACK', []],
  [Tok.COMMA, 'COMMA', []],
  [Tok.DOT, 'DOT', []],
  [Tok.TERMINATOR, 'TERMINATOR', []],
];

/** Chevrotain token type of each Tok kind (COMMENT never reaches the parser). */
const TOKEN_TYPE: TokenType[] = [];
for (const [tok, name, categories] of TOKEN_NAMES) {
  const all = [AnyToken, STATEMENT_END.has(tok) ? StatementEnd : NotStatementEnd, ...categories];
  TOKEN_TYPE[tok] = createToken({ name, pattern: Lexer.NA, categories: all });
}
TOKEN_TYPE[Tok.EOF] = CHEVROTAIN_EOF;

const T = {
  IDENT: TOKEN_TYPE[Tok.IDENT]!,
  STRING: TOKEN_TYPE[Tok.STRING]!,
  ASSIGN: TOKEN_TYPE[Tok.ASSIGN]!,
  LCURLY: TOKEN_TYPE[Tok.LCURLY]!,
  RCURLY: TOKEN_TYPE[Tok.RCURLY]!,
  LPAREN: TOKEN_TYPE[Tok.LPAREN]!,
  RPAREN: TOKEN_TYPE[Tok.RPAREN]!,
  LBRACK: TOKEN_TYPE[Tok.LBRACK]!,
  RBRACK: TOKEN_TYPE[Tok.RBRACK]!,
  COMMA: TOKEN_TYPE[Tok.COMMA]!,
  DOT: TOKEN_TYPE[Tok.DOT]!,
  POW: TOKEN_TYPE[Tok.POW]!,
  TERMINATOR: TOKEN_TYPE[Tok.TERMINATOR]!,
};

const ALL_TOKEN_TYPES: TokenType[] = [
  AnyToken, BinaryOp, UnaryOp, LiteralTok, NotStatementEnd, StatementEnd,
  ...TOKEN_NAMES.map(([tok]) => TOKEN_TYPE[tok]!),
];

/** A token as handed to Chevrotain, plus our kind. */
class AlloyToken implements IToken {
  readonly tokenTypeIdx: number;
  constructor(
    readonly kind: Tok,
    readonly tokenType: TokenType,
    readonly image: string,
    readonly startOffset: number,
    readonly endOffset: number,
  ) {
    this.tokenTypeIdx = tokenType.tokenTypeIdx!;
  }
}

/**
 * Feeds the parser one token at a time. Tokens are scanned only when the
 * parser moves on, exactly like the reference parser, so lexical errors land
 * among the parser's errors in the reference order, and no token outlives its
 * use (with a whole-file token vector, the garbage collector had to copy every
 * token; that cost about a fifth of the parse time).
 *
 * Comments are set aside in groups as the reference parser groups them:
 * consecutive comment tokens, each starting at most one line after the
 * previous one ends.
 */
class TokenSource {
  readonly comments: CommentGroup[] = [];
  private readonly scanner: Scanner;
  private group: Comment[] | undefined;
  private groupEndLine = 0;

  constructor(
    private readonly source: SourceFile,
    onError: (offset: number, message: string) => void,
  ) {
    this.scanner = new Scanner(source.bytes, onError, { comments: true });
  }

  next(): AlloyToken {
    const s = this.scanner;
    for (;;) {
      const tok = s.scan();
      if (tok !== Tok.COMMENT) {
        if (this.group !== undefined) this.closeGroup();
        return new AlloyToken(tok, TOKEN_TYPE[tok]!, s.lit, s.pos, s.end);
      }
      this.addComment({ pos: s.pos, end: s.end, text: s.lit });
    }
  }

  /** The EOF token, for a parser told to stop. */
  eof(): AlloyToken {
    const end = this.source.bytes.length;
    return new AlloyToken(Tok.EOF, CHEVROTAIN_EOF, '', end, end);
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

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

// ---------------------------------------------------------------------------
// The grammar

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

class AlloyParser extends EmbeddedActionsParser {
  private source!: SourceFile;
  private diagnostics: Diagnostic[] = [];
  private lastErrorLine = 0;
  /** Diagnostics past MAX_LISTED_DIAGNOSTICS, counted only: bad bytes each get one. */
  private omittedCount = 0;
  private tokens!: TokenSource;
  /** LA(1) and LA(0). */
  private lookahead!: AlloyToken;
  private previous!: AlloyToken;
  /** Tokens consumed so far: the "lexer position" Chevrotain uses to detect stuck loops. */
  private consumedCount = 0;

  constructor(validate: boolean) {
    super(ALL_TOKEN_TYPES, { recoveryEnabled: false, maxLookahead: 1, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  // Code in the rules runs once more while Chevrotain records the grammar,
  // with placeholder tokens and results. ACTION (a closure per call) keeps
  // from that recording only what must not run then: reading the input,
  // reporting, touching rule arguments (absent then). Building results, such
  // as pushing to a local list, runs as plain code.

  // Alternatives for OR, built once. Chevrotain would otherwise be handed fresh
  // arrays and closures on every call (its documented performance advice);
  // this matters for the rules run once per expression or token. Closures in
  // them capture only `this` and the index under which they are stored.
  /** By occurrence index, then token type. */
  private readonly expectAlternatives: OrMethodOpts<unknown>[][] = [];
  private readonly bodyEndAlternatives: OrMethodOpts<unknown>[] = [];
  private readonly listElementAlternatives: OrMethodOpts<Expr>[] = [];
  private readonly separatorAlternatives: OrMethodOpts<unknown>[] = [];
  private statementAlternatives?: OrMethodOpts<Stmt | undefined>;
  private nameFragmentAlternatives?: OrMethodOpts<string>;
  private fieldKeyAlternatives?: OrMethodOpts<{ name: Ident; quoted: boolean }>;
  private postfixAlternatives?: OrMethodOpts<Expr>;
  private primaryAlternatives?: OrMethodOpts<Expr>;
  /**
   * The operand of the postfix operator being parsed: state shared with the
   * cached alternatives instead of a captured local. Each alternative reads it
   * first, before a nested parse can overwrite it.
   */
  private postfixOperand!: Expr;

  /** Runs `rule` over a source; returns its result, the diagnostics in reference order and the comments. */
  run<R>(source: SourceFile, rule: () => R): RunResult<R> {
    this.source = source;
    this.diagnostics = [];
    this.lastErrorLine = 0;
    this.input = []; // resets Chevrotain's state; tokens come from `this.tokens` instead
    this.omittedCount = 0;
    this.tokens = new TokenSource(source, (offset, message) => this.addDiagnostic(offset, message));
    this.lookahead = this.tokens.next();
    this.previous = this.lookahead;
    this.consumedCount = 0;
    let result: R | undefined;
    try {
      result = rule();
      this.reportGrammarFailures();
    } catch (e) {
      // A call stack overflow (absurdly deep nesting) or a bug: never let bad input throw.
      const message = e instanceof RangeError ? 'nesting is too deep' : `internal parser error: ${String(e)}`;
      this.addDiagnostic(this.current().startOffset, message);
    }
    const diagnostics = this.diagnostics;
    if (this.omittedCount > 0) diagnostics.push(omittedDiagnostics(this.omittedCount));
    this.diagnostics = [];
    return { result, diagnostics, comments: this.tokens.comments };
  }

  /**
   * The grammar handles every input itself, so Chevrotain should never record
   * an error, except "input left over" after a standalone expression, which
   * the reference ignores too.
   */
  private reportGrammarFailures(): void {
    for (const e of this.errors) {
      if (e.name === 'NotAllInputParsedException') continue;
      this.addDiagnostic(e.token.startOffset, `internal parser error: ${e.message}`);
    }
  }

  // --- the token stream, as Chevrotain sees it ----------------------------
  // Chevrotain reads tokens only through these methods (its lexer adapter is
  // meant to be overridden for lazy lexers). With maxLookahead 1 it needs
  // LA(1) and, for error messages, LA(0).

  protected override LA(howMuch: number): IToken {
    return howMuch <= 0 ? this.previous : this.lookahead;
  }

  protected override LA_FAST(howMuch: number): IToken {
    return howMuch <= 0 ? this.previous : this.lookahead;
  }

  consumeToken(): void {
    if (this.lookahead.kind === Tok.EOF) return;
    this.previous = this.lookahead;
    this.lookahead = this.tokens.next();
    this.consumedCount++;
  }

  getLexerPosition(): number {
    return this.consumedCount;
  }

  exportLexerState(): number {
    return this.consumedCount;
  }

  /** Only backtracking and Chevrotain's own recovery rewind the input; neither is used. */
  importLexerState(state: number): void {
    if (state !== this.consumedCount) throw new Error('the Alloy parser cannot rewind its input');
  }

  resetLexerState(): void {
    this.consumedCount = 0;
  }

  moveToTerminatedState(): void {
    this.lookahead = this.tokens.eof();
  }

  // --- token access and diagnostics --------------------------------------

  private current(): AlloyToken {
    return this.lookahead;
  }

  private kind(): Tok {
    return this.lookahead.kind;
  }

  /** The reference parser's addErrorf: an error at the current token, one per line. */
  private errorAtCurrent(message: string): void {
    const offset = this.current().startOffset;
    const line = this.source.line(offset);
    if (line === this.lastErrorLine) return;
    this.lastErrorLine = line;
    this.addDiagnostic(offset, message);
  }

  private expectedGot(expected: string): void {
    this.errorAtCurrent(`expected ${expected}, got ${tokName(this.kind())}`);
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

  /** Reports `expected X, got Y` and skips the current token, like a failed `expect`. */
  private readonly mismatch = this.RULE('mismatch', (expected: Tok) => {
    this.ACTION(() => this.expectedGot(tokName(expected)));
    this.SUBRULE(this.skipToken);
  });

  /**
   * Consumes a token of type `t`; on a mismatch reports it and skips whatever
   * token is current instead. Returns the offset of the token that was
   * current. `idx` keeps Chevrotain's occurrence indexes unique per rule.
   */
  private expect(idx: number, t: TokenType, kind: Tok): number {
    const offset = this.ACTION(() => this.current().startOffset);
    this.or(idx, ((this.expectAlternatives[idx] ??= [])[t.tokenTypeIdx!] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.consume(idx, t) },
        { ALT: () => this.subrule(idx, this.mismatch, { ARGS: [kind] }) },
      ],
    }));
    return offset;
  }

  // --- skipping ----------------------------------------------------------

  /** Consumes the current token unless at EOF (the reference parser's `next`). */
  private readonly skipToken = this.RULE('skipToken', () => {
    this.OPTION(() => this.CONSUME(AnyToken));
  });

  /** Skips tokens up to (not including) a token of kind `to`, or EOF. */
  private readonly skipUntil = this.RULE('skipUntil', (to: Tok) => {
    this.MANY({ GATE: () => this.kind() !== to, DEF: () => this.CONSUME(AnyToken) });
  });

  /** Skips the rest of a bad expression: up to a terminator, closer or comma. */
  private readonly skipToStatementEnd = this.RULE('skipToStatementEnd', () => {
    this.MANY({ GATE: () => !STATEMENT_END.has(this.kind()), DEF: () => this.CONSUME(AnyToken) });
  });

  /**
   * Skips the rest of a statement: up to a terminator outside any bracket
   * pair opened here (counts may go negative when the statement started
   * inside a pair).
   */
  private readonly skipStatement = this.RULE('skipStatement', () => {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    this.MANY({
      GATE: () => !(this.kind() === Tok.TERMINATOR && curly <= 0 && brack <= 0 && paren <= 0),
      DEF: () => {
        const t = this.CONSUME(AnyToken) as AlloyToken;
        this.ACTION(() => {
          switch (t.kind) {
            case Tok.LCURLY: curly++; break;
            case Tok.RCURLY: curly--; break;
            case Tok.LBRACK: brack++; break;
            case Tok.RBRACK: brack--; break;
            case Tok.LPAREN: paren++; break;
            case Tok.RPAREN: paren--; break;
          }
        });
      },
    });
  });

  // --- statements --------------------------------------------------------

  readonly file = this.RULE('file', (): Body => this.SUBRULE(this.body, { ARGS: [Tok.EOF] }));

  /** Body = [ Stmt { TERMINATOR Stmt } ], ended by `until` (not consumed). */
  private readonly body = this.RULE('body', (until: Tok): Body => {
    const stmts: Stmt[] = [];
    this.MANY({
      GATE: () => this.kind() !== until && this.kind() !== Tok.EOF,
      DEF: () => {
        const stmt = this.SUBRULE(this.statement);
        if (stmt !== undefined) stmts.push(stmt);
        this.OR((this.bodyEndAlternatives[until] ??= {
          IGNORE_AMBIGUITIES: true,
          DEF: [
            { ALT: () => this.CONSUME(T.TERMINATOR) },
            {
              GATE: () => this.kind() !== until,
              ALT: () => {
                this.ACTION(() => this.expectedGot('TERMINATOR'));
                this.SUBRULE(this.skipStatement);
                this.SUBRULE(this.skipToken);
              },
            },
            { ALT: () => undefined }, // at `until`: the body ends
          ],
        }));
      },
    });
    return compact(stmts);
  });

  /** Stmt = Attribute | Block; undefined when the statement was unusable. */
  private readonly statement = this.RULE('statement', (): Stmt | undefined =>
    this.OR((this.statementAlternatives ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.namedStatement) },
        {
          // Not an identifier (nor EOF nor the body's end): skip to the next one.
          ALT: () => {
            this.ACTION(() => this.expectedGot('identifier'));
            this.CONSUME(AnyToken);
            this.SUBRULE(this.skipUntil, { ARGS: [Tok.IDENT] });
            return undefined;
          },
        },
      ],
    })),
  );

  private readonly namedStatement = this.RULE('namedStatement', (): Stmt | undefined => {
    const name = this.SUBRULE(this.blockName);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.attribute, { ARGS: [name] }) },
        { ALT: () => this.SUBRULE(this.block, { ARGS: [name] }) },
        {
          ALT: () => {
            this.ACTION(() => {
              const canBeAttribute = name.fragments.length === 1 && name.label === '';
              this.expectedGot(canBeAttribute ? 'attribute assignment or block body' : 'block body');
            });
            this.SUBRULE(this.skipUntil, { ARGS: [Tok.IDENT] });
            return undefined;
          },
        },
      ],
    });
  });

  /** BlockName = IDENT { "." IDENT } [ STRING ] */
  private readonly blockName = this.RULE('blockName', (): BlockName => {
    const first = this.CONSUME(T.IDENT);
    const name: BlockName = { fragments: [first.image], start: offsetOf(first), label: '', labelPos: NO_POS };
    this.MANY(() => {
      this.CONSUME(T.DOT);
      const fragment = this.OR((this.nameFragmentAlternatives ??= {
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.CONSUME2(T.IDENT).image },
          {
            // Keep going with whatever token is here so the rest still parses.
            ALT: () => {
              const image = this.ACTION(() => this.current().image);
              this.ACTION(() => this.expectedGot('identifier'));
              this.SUBRULE(this.skipToken);
              return image;
            },
          },
        ],
      }));
      name.fragments.push(fragment);
    });
    this.OPTION({
      GATE: () => this.kind() !== Tok.ASSIGN && this.kind() !== Tok.LCURLY,
      DEF: () => this.SUBRULE(this.blockLabel, { ARGS: [name] }),
    });
    return name;
  });

  private readonly blockLabel = this.RULE('blockLabel', (name: BlockName) => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            // Checked while the label is the current token: errors point at it.
            this.ACTION(() => this.checkLabel(name, this.current()));
            this.CONSUME(T.STRING);
          },
        },
        {
          ALT: () => {
            this.ACTION(() => this.expectedGot('block label'));
            this.SUBRULE(this.skipToken);
          },
        },
      ],
    });
  });

  /** Labels must be double-quoted identifiers; `""` counts as no label. */
  private checkLabel(name: BlockName, lit: IToken): void {
    const text = lit.image;
    if (text[0] !== '"') this.errorAtCurrent(`expected block label to be a double quoted string, but got ${quote(text)}`);
    if (text.length > 2) {
      name.label = text.slice(1, -1);
      if (!isValidIdentifier(name.label)) {
        this.errorAtCurrent(`expected block label to be a valid identifier, but got ${quote(name.label)}`);
      }
    }
    name.labelPos = offsetOf(lit);
  }

  /** Attribute = IDENT "=" Expr (the name was parsed as a block name). */
  private readonly attribute = this.RULE('attribute', (name: BlockName): AttributeStmt => {
    this.CONSUME(T.ASSIGN);
    this.ACTION(() => this.checkAttributeName(name));
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => ({ kind: 'Attribute', name: { kind: 'Ident', name: name.fragments[0]!, pos: name.start }, value }));
  });

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

  /** Block = BlockName "{" Body "}" */
  private readonly block = this.RULE('block', (name: BlockName): BlockStmt => {
    const lCurly = offsetOf(this.CONSUME(T.LCURLY));
    const body = this.SUBRULE(this.body, { ARGS: [Tok.RCURLY] });
    const rCurly = this.expect(1, T.RCURLY, Tok.RCURLY);
    return this.ACTION(() => ({
      kind: 'Block',
      name: compact(name.fragments),
      namePos: name.start,
      label: name.label,
      labelPos: name.labelPos,
      body,
      lCurly,
      rCurly,
    }));
  });

  // --- expressions -------------------------------------------------------

  /**
   * Expr: left-associative binary operators of precedence >= minPrec over
   * operands (precedence climbing, as in the reference).
   */
  readonly expression = this.RULE('expression', (minPrec = 1): Expr => {
    let left = this.SUBRULE(this.operand);
    this.MANY({
      GATE: () => binaryPrecedence(this.kind()) >= minPrec,
      DEF: () => {
        const op = this.CONSUME(BinaryOp) as AlloyToken;
        const right = this.SUBRULE(this.expression, { ARGS: [binaryPrecedence(op.kind) + 1] });
        left = { kind: 'Binary', op: op.kind, opPos: offsetOf(op), left, right };
      },
    });
    return left;
  });

  /**
   * Operand = { "!" | "-" } Primary { Postfix } [ "^" Operand ]
   *
   * Unary operators bind tighter than the right-associative `^`, postfix
   * operators tighter than both. The prefix operators are a loop rather than
   * a recursive alternation because Primary may start with any token (it
   * reports bad ones), which an LL(1) choice cannot express.
   */
  private readonly operand = this.RULE('operand', (): Expr => {
    const ops: AlloyToken[] = [];
    this.MANY(() => {
      ops.push(this.CONSUME(UnaryOp) as AlloyToken);
    });
    let expr = this.SUBRULE(this.primaryExpr);
    this.MANY2(() => {
      expr = this.SUBRULE(this.postfix, { ARGS: [expr] });
    });
    for (let i = ops.length - 1; i >= 0; i--) expr = { kind: 'Unary', op: ops[i]!.kind, opPos: offsetOf(ops[i]!), value: expr };
    this.OPTION(() => {
      const op = this.CONSUME(T.POW);
      const right = this.SUBRULE2(this.operand);
      expr = { kind: 'Binary', op: Tok.POW, opPos: offsetOf(op), left: expr, right };
    });
    return expr;
  });

  /** Postfix = "." IDENT | "[" Expr "]" | "(" [ ExprList ] ")", applied to `operand`. */
  private readonly postfix = this.RULE('postfix', (operand: Expr): Expr => {
    this.postfixOperand = operand;
    return this.OR((this.postfixAlternatives ??= {
      DEF: [
        {
          ALT: () => {
            const value = this.postfixOperand;
            this.CONSUME(T.DOT);
            const name = this.ACTION(() => this.current());
            this.expect(1, T.IDENT, Tok.IDENT);
            return this.ACTION(() => ({ kind: 'Access', value, name: identOf(name) }) as Expr);
          },
        },
        {
          ALT: () => {
            const value = this.postfixOperand;
            const lBrack = offsetOf(this.CONSUME(T.LBRACK));
            const index = this.SUBRULE(this.expression);
            const rBrack = this.expect(2, T.RBRACK, Tok.RBRACK);
            return { kind: 'Index', value, lBrack, index, rBrack } as Expr;
          },
        },
        {
          ALT: () => {
            const value = this.postfixOperand;
            const lParen = offsetOf(this.CONSUME(T.LPAREN));
            const args = this.SUBRULE(this.expressionList, { ARGS: [Tok.RPAREN] });
            const rParen = this.expect(3, T.RPAREN, Tok.RPAREN);
            return { kind: 'Call', value, lParen, args, rParen } as Expr;
          },
        },
        // A block where an expression was expected: parsed only to be reported.
        // Afterwards the current token is never a postfix operator when the
        // reference would have stopped the expression.
        {
          ALT: () => {
            const value = this.postfixOperand;
            this.CONSUME(T.STRING);
            this.SUBRULE(this.labelledBlockAsExpression, { ARGS: [value] });
            return value;
          },
        },
        {
          ALT: () => {
            const value = this.postfixOperand;
            this.CONSUME(T.LCURLY);
            this.SUBRULE(this.blockAsExpression, { ARGS: [value] });
            return value;
          },
        },
      ],
    }));
  });

  /**
   * `name "label" { ... }` where an expression was expected (the label was
   * consumed): the block is parsed only to report it.
   */
  private readonly labelledBlockAsExpression = this.RULE('labelledBlockAsExpression', (primary: Expr) => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.LCURLY);
            this.SUBRULE(this.blockAsExpression, { ARGS: [primary] });
          },
        },
        { ALT: () => this.SUBRULE(this.abandonStatement, { ARGS: [Tok.LCURLY] }) },
      ],
    });
  });

  /**
   * `name { ... }` where an expression was expected (the `{` was consumed):
   * parses the body only to report "cannot use a block as an expression". A
   * malformed block makes the rest of its statement be skipped.
   */
  private readonly blockAsExpression = this.RULE('blockAsExpression', (primary: Expr) => {
    this.SUBRULE(this.body, { ARGS: [Tok.RCURLY] });
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const end = offsetOf(this.CONSUME(T.RCURLY));
            this.ACTION(() => this.addDiagnostic(startPos(primary), 'cannot use a block as an expression', end));
          },
        },
        { ALT: () => this.SUBRULE(this.abandonStatement, { ARGS: [Tok.RCURLY] }) },
      ],
    });
  });

  /** A failed `expect(kind)` inside an expression: report it and skip the rest of the statement. */
  private readonly abandonStatement = this.RULE('abandonStatement', (kind: Tok) => {
    this.SUBRULE(this.mismatch, { ARGS: [kind] });
    this.SUBRULE(this.skipStatement);
  });

  private readonly primaryExpr = this.RULE('primaryExpr', (): Expr =>
    this.OR((this.primaryAlternatives ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => identOf(this.CONSUME(T.IDENT)) as Expr },
        {
          ALT: () => {
            const t = this.CONSUME(LiteralTok) as AlloyToken;
            return { kind: 'Literal', tok: t.kind, value: t.image, pos: offsetOf(t) } as Expr;
          },
        },
        { ALT: () => this.SUBRULE(this.parenExpr) },
        { ALT: () => this.SUBRULE(this.arrayExpr) },
        { ALT: () => this.SUBRULE(this.objectExpr) },
        { ALT: () => this.SUBRULE(this.badExpr) },
        // At a statement end or EOF nothing is skipped. The alternative must stay
        // *syntactically* empty: Chevrotain leaves empty alternatives out of its
        // grammar analysis, which would otherwise see lists that can loop forever.
        { ALT: () => this.ACTION(() => this.missingExpression()) },
      ],
    })),
  );

  private readonly parenExpr = this.RULE('parenExpr', (): Expr => {
    const lParen = offsetOf(this.CONSUME(T.LPAREN));
    const inner = this.SUBRULE(this.expression);
    const rParen = this.expect(1, T.RPAREN, Tok.RPAREN);
    return { kind: 'Paren', lParen, inner, rParen };
  });

  private readonly arrayExpr = this.RULE('arrayExpr', (): Expr => {
    const lBrack = offsetOf(this.CONSUME(T.LBRACK));
    const elements = this.SUBRULE(this.expressionList, { ARGS: [Tok.RBRACK] });
    const rBrack = this.expect(1, T.RBRACK, Tok.RBRACK);
    return { kind: 'Array', elements, lBrack, rBrack };
  });

  private readonly objectExpr = this.RULE('objectExpr', (): Expr => {
    const lCurly = offsetOf(this.CONSUME(T.LCURLY));
    let fields: ObjectField[] = [];
    // Reference quirk: `{ ]` skips the field list (it tests for "]" rather than "}").
    this.OPTION({
      GATE: () => this.kind() !== Tok.RBRACK,
      DEF: () => (fields = this.SUBRULE(this.fieldList, { ARGS: [Tok.RCURLY] })),
    });
    const rCurly = this.expect(1, T.RCURLY, Tok.RCURLY);
    return { kind: 'Object', fields, lCurly, rCurly };
  });

  /** Not an expression: report, skip to the end of the statement, stand in a `null`. */
  private readonly badExpr = this.RULE('badExpr', (): Expr => {
    const placeholder = this.ACTION(() => this.missingExpression());
    this.CONSUME(NotStatementEnd);
    this.SUBRULE(this.skipToStatementEnd);
    return placeholder;
  });

  /** Reports a missing expression at the current token; returns the `null` standing in for it. */
  private missingExpression(): Expr {
    const pos = this.current().startOffset;
    this.expectedGot('expression');
    return { kind: 'Literal', tok: Tok.NULL, value: 'null', pos };
  }

  /** ExprList = Expr { "," Expr } [ "," ], ended by `until` (not consumed). */
  private readonly expressionList = this.RULE('expressionList', (until: Tok): Expr[] => {
    const exprs: Expr[] = [];
    this.MANY({
      GATE: () => this.kind() !== until && this.kind() !== Tok.EOF,
      DEF: () => {
        const e = this.OR((this.listElementAlternatives[until] ??= {
          DEF: [
            {
              // A comma or closer where an element should be: the element is
              // reported missing and the token skipped (any "missing ','" error
              // would be on the same line, so it is never shown).
              ALT: () => {
                const missing = this.ACTION(() => this.missingExpression());
                this.CONSUME(StatementEnd);
                return missing;
              },
            },
            {
              ALT: () => {
                const element = this.SUBRULE(this.expression);
                this.SUBRULE(this.listSeparator, { ARGS: [until] });
                return element;
              },
            },
          ],
        }));
        exprs.push(e);
      },
    });
    return compact(exprs);
  });

  /** FieldList = Field { "," Field } [ "," ], ended by `until` (not consumed). */
  private readonly fieldList = this.RULE('fieldList', (until: Tok): ObjectField[] => {
    const fields: ObjectField[] = [];
    this.MANY({
      GATE: () => this.kind() !== until && this.kind() !== Tok.EOF,
      DEF: () => {
        const f = this.SUBRULE(this.field);
        fields.push(f);
        this.SUBRULE(this.listSeparator, { ARGS: [until] });
      },
    });
    return compact(fields);
  });

  /**
   * After a list element: a comma, the closer `until` (left in place), or an
   * error and a skipped token. Objects end with `}`, the other lists don't.
   */
  private readonly listSeparator = this.RULE('listSeparator', (until: Tok) => {
    const missingComma = until === Tok.RCURLY ? "missing ',' in field list" : "missing ',' in expression list";
    this.OR((this.separatorAlternatives[until] ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.CONSUME(T.COMMA) },
        {
          GATE: () => this.kind() !== until,
          ALT: () => {
            this.ACTION(() => this.errorAtCurrent(missingComma));
            this.SUBRULE(this.skipToken);
          },
        },
        { ALT: () => undefined },
      ],
    }));
  });

  /** Field = ( IDENT | STRING ) "=" Expr */
  private readonly field = this.RULE('field', (): ObjectField => {
    const key = this.OR((this.fieldKeyAlternatives ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => ({ name: identOf(this.CONSUME(T.IDENT)), quoted: false }) },
        {
          ALT: () => {
            const t = this.CONSUME(T.STRING);
            return this.ACTION(() => quotedKey(t));
          },
        },
        {
          ALT: () => {
            const pos = this.ACTION(() => this.current().startOffset);
            this.ACTION(() => this.expectedGot('field name (string or identifier)'));
            this.SUBRULE(this.skipUntil, { ARGS: [Tok.ASSIGN] });
            return { name: { kind: 'Ident', name: '', pos } as Ident, quoted: false };
          },
        },
      ],
    }));
    this.expect(1, T.ASSIGN, Tok.ASSIGN);
    const value = this.SUBRULE(this.expression);
    return { name: key.name, quoted: key.quoted, value };
  });

  /** A standalone expression followed by its terminator (the reference ParseExpression). */
  readonly standaloneExpression = this.RULE('standaloneExpression', (): Expr => {
    const e = this.SUBRULE(this.expression);
    this.expect(1, T.TERMINATOR, Tok.TERMINATOR);
    return e;
  });

}

/**
 * A consumed token's start offset, as a small integer. While Chevrotain
 * records the grammar, CONSUME returns a placeholder token whose offset is
 * a floating-point -1 (the placeholder shares its shape with Chevrotain's
 * NaN-offset EOF token). Stored in a node even once, it would make V8 keep
 * that field of every node of the same shape as a separately allocated
 * number; that was 60,000 extra objects for a 3 MB file.
 */
function offsetOf(t: IToken): number {
  return t.startOffset | 0;
}

function identOf(t: IToken): Ident {
  return { kind: 'Ident', name: t.image, pos: offsetOf(t) };
}

/** A quoted object key keeps its escapes; only the quotes go (reference quirk, `""` stays as is). */
function quotedKey(t: IToken): { name: Ident; quoted: boolean } {
  if (t.image.length <= 2) return { name: identOf(t), quoted: false };
  return { name: { kind: 'Ident', name: t.image.slice(1, -1), pos: offsetOf(t) }, quoted: true };
}

// ---------------------------------------------------------------------------
// Public API

let sharedParser: AlloyParser | undefined;

/**
 * The parser is built once per process: construction analyses the grammar.
 * Chevrotain's grammar validations are skipped (they cost start-up time);
 * `validateGrammar` runs them, in the tests.
 */
function parser(): AlloyParser {
  sharedParser ??= new AlloyParser(false);
  return sharedParser;
}

/** Builds a parser with all of Chevrotain's grammar checks; throws if any fails. */
export function validateGrammar(): void {
  new AlloyParser(true);
}

/** Parses a whole file. Always returns a File (partial when there are errors). */
export function parseFile(source: SourceFile): { file: File; diagnostics: Diagnostic[] } {
  const p = parser();
  const { result, diagnostics, comments } = p.run(source, () => p.file());
  return { file: { kind: 'File', source, body: result ?? [], comments }, diagnostics };
}

/**
 * Parses one expression, which must be followed only by the end of its line
 * (anything after that line is ignored, as in the reference). `expr` is
 * undefined when there are diagnostics.
 */
export function parseExpression(source: SourceFile): { expr: Expr | undefined; diagnostics: Diagnostic[] } {
  const p = parser();
  const { result, diagnostics } = p.run(source, () => p.standaloneExpression());
  return { expr: diagnostics.length === 0 ? result : undefined, diagnostics };
}

/** Builds the shared parser now (e.g. to measure or hide its start-up cost). */
export function warmUpParser(): void {
  parser();
}
