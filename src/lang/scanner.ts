/**
 * The Alloy scanner: turns a file's bytes into tokens.
 *
 * It works on raw bytes so that every offset is a byte offset, and it follows
 * the reference scanner's state machine closely (one character of lookahead in
 * `ch`, errors reported when a character is *read*), because the exact set,
 * order and offsets of lexical errors are part of the observable behaviour.
 */
import { isGoPrintable } from '../go/strconv.js';
import { Tok } from './token.js';

/** Called for every lexical error, with the byte offset it applies to. */
export type ScanErrorHandler = (offset: number, message: string) => void;

export interface ScanOptions {
  /** Return comments as COMMENT tokens (default: skip them). */
  comments?: boolean;
  /** Insert TERMINATOR tokens at line ends (default: true; tests turn it off). */
  terminators?: boolean;
}

const EOF = -1;
const BOM = 0xfeff;
const RUNE_ERROR = 0xfffd;

const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_BANG = 0x21;
const CH_DQUOTE = 0x22;
const CH_PERCENT = 0x25;
const CH_AMP = 0x26;
const CH_SQUOTE = 0x27;
const CH_LPAREN = 0x28;
const CH_RPAREN = 0x29;
const CH_STAR = 0x2a;
const CH_PLUS = 0x2b;
const CH_COMMA = 0x2c;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;
const CH_SLASH = 0x2f;
const CH_0 = 0x30;
const CH_7 = 0x37;
const CH_9 = 0x39;
const CH_LT = 0x3c;
const CH_EQ = 0x3d;
const CH_GT = 0x3e;
const CH_LBRACK = 0x5b;
const CH_BACKSLASH = 0x5c;
const CH_RBRACK = 0x5d;
const CH_CARET = 0x5e;
const CH_UNDERSCORE = 0x5f;
const CH_BACKTICK = 0x60;
const CH_LCURLY = 0x7b;
const CH_PIPE = 0x7c;
const CH_RCURLY = 0x7d;

/** Byte → "may continue an ASCII identifier" (letters, digits, `_`). */
const ASCII_IDENT_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const l = c | 0x20;
  if ((l >= 0x61 && l <= 0x7a) || c === CH_UNDERSCORE || (c >= CH_0 && c <= CH_9)) ASCII_IDENT_PART[c] = 1;
}

/**
 * Tables of "plain" bytes for `skipPlain`: ASCII bytes (never NUL) that the
 * loop in question would only step over. Anything else, and every non-ASCII
 * byte, goes through next() so that its errors are reported as before.
 */
function plainBytes(except: string): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 1; b < 0x80; b++) table[b] = 1;
  for (const c of except) table[c.charCodeAt(0)] = 0;
  return table;
}

/** Inside "..." and '...': all but the quotes, `\`, LF (ends the literal with an error). */
const PLAIN_DQUOTED = plainBytes('"\\\n');
const PLAIN_SQUOTED = plainBytes("'\\\n");
/** Inside `...`: anything but the backtick. */
const PLAIN_RAW = plainBytes('`');
/** Inside a line comment: all but LF and CR (counted). */
const PLAIN_LINE_COMMENT = plainBytes('\n\r');
/** Inside a block comment: all but `*` (may end it) and CR (counted). */
const PLAIN_BLOCK_COMMENT = plainBytes('*\r');
/** Whitespace skipped between tokens, without and with a terminator due. */
const BLANK = new Uint8Array(256);
BLANK[CH_SPACE] = BLANK[CH_TAB] = BLANK[CH_CR] = BLANK[CH_LF] = 1;
const BLANK_NO_LF = BLANK.slice();
BLANK_NO_LF[CH_LF] = 0;

/**
 * Single-character tokens that need no further look at the input, by ASCII
 * byte; 0 (Tok.ILLEGAL, never one of them) for the others. A table lookup
 * is cheaper than a Map's at one per punctuation token.
 */
const SIMPLE_TOKENS = new Uint8Array(128);
for (const [ch, tok] of [
  [CH_PLUS, Tok.ADD], [CH_MINUS, Tok.SUB], [CH_STAR, Tok.MUL], [CH_PERCENT, Tok.MOD],
  [CH_CARET, Tok.POW], [CH_LCURLY, Tok.LCURLY], [CH_RCURLY, Tok.RCURLY],
  [CH_LPAREN, Tok.LPAREN], [CH_RPAREN, Tok.RPAREN], [CH_LBRACK, Tok.LBRACK],
  [CH_RBRACK, Tok.RBRACK], [CH_COMMA, Tok.COMMA], [CH_DOT, Tok.DOT],
] as const) {
  SIMPLE_TOKENS[ch] = tok;
}

/**
 * Buffer's own slice decoders. `toString(encoding, start, end)` validates its
 * arguments on every call, which shows in profiles at one call per token.
 */
interface SliceDecoders {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

function asciiText(b: Buffer, start: number, end: number): string {
  return (b as unknown as SliceDecoders).latin1Slice(start, end);
}

function utf8Text(b: Buffer, start: number, end: number): string {
  return (b as unknown as SliceDecoders).utf8Slice(start, end);
}

/**
 * Shares the strings of ASCII identifiers: a configuration repeats the same
 * few hundred names, and every string kept in the syntax tree is one more
 * object for the garbage collector to copy. A small direct-mapped table
 * keyed by a hash of the bytes (`hashStep`, computed while scanning); a
 * clash just replaces the entry.
 */
class IdentifierTable {
  private readonly entries: (string | undefined)[] = new Array<string | undefined>(IDENTIFIER_SLOTS).fill(undefined);

  get(b: Buffer, start: number, end: number, hash: number): string {
    const length = end - start;
    if (length > MAX_SHARED_IDENTIFIER) return asciiText(b, start, end);
    const slot = hash & (IDENTIFIER_SLOTS - 1);
    const known = this.entries[slot];
    if (known !== undefined && known.length === length && sameAscii(known, b, start)) return known;
    return (this.entries[slot] = asciiText(b, start, end));
  }
}

const IDENTIFIER_SLOTS = 4096; // a power of two
const MAX_SHARED_IDENTIFIER = 40;

function hashStep(hash: number, b: number): number {
  return (Math.imul(hash, 31) + b) | 0;
}

function sameAscii(s: string, b: Buffer, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

const identifiers = new IdentifierTable();

const UNICODE_LETTER = /\p{L}/u;
const UNICODE_DIGIT = /\p{Nd}/u;

export function isLetter(ch: number): boolean {
  if (ch < 0x80) {
    const l = ch | 0x20;
    return (l >= 0x61 && l <= 0x7a) || ch === CH_UNDERSCORE;
  }
  return UNICODE_LETTER.test(String.fromCodePoint(ch));
}

export function isDigit(ch: number): boolean {
  if (ch < 0x80) return ch >= CH_0 && ch <= CH_9;
  return UNICODE_DIGIT.test(String.fromCodePoint(ch));
}

function isDecimal(ch: number): boolean {
  return ch >= CH_0 && ch <= CH_9;
}

function lower(ch: number): number {
  return ch | 0x20;
}

function digitVal(ch: number): number {
  if (ch >= CH_0 && ch <= CH_9) return ch - CH_0;
  const l = lower(ch);
  if (ch >= 0 && l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16; // larger than any legal digit
}

/** Go's `%#U` verb: `U+0023 '#'`, or just `U+0007` for unprintable runes. */
export function formatRune(ch: number): string {
  const hex = ch.toString(16).toUpperCase().padStart(4, '0');
  return isGoPrintable(ch) ? `U+${hex} '${String.fromCodePoint(ch)}'` : `U+${hex}`;
}

/**
 * Decodes one UTF-8 sequence at `i` with Go's utf8.DecodeRune rules (no
 * overlong forms, no surrogates, nothing above U+10FFFF). Returns the code
 * point and its width packed as `rune << 3 | width`; invalid input gives
 * RUNE_ERROR with width 1.
 */
function decodeRune(b: Uint8Array, i: number): number {
  const n = b.length - i;
  const b0 = b[i]!;
  const bad = (RUNE_ERROR << 3) | 1;
  if (b0 < 0xc2 || b0 > 0xf4 || n < 2) return bad;
  const b1 = b[i + 1]!;
  if (b0 < 0xe0) return (b1 & 0xc0) === 0x80 ? ((((b0 & 0x1f) << 6) | (b1 & 0x3f)) << 3) | 2 : bad;
  const lo = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80;
  const hi = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf;
  if (b1 < lo || b1 > hi || n < 3) return bad;
  const b2 = b[i + 2]!;
  if ((b2 & 0xc0) !== 0x80) return bad;
  if (b0 < 0xf0) return ((((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) << 3) | 3;
  if (n < 4) return bad;
  const b3 = b[i + 3]!;
  if ((b3 & 0xc0) !== 0x80) return bad;
  return ((((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) << 3) | 4;
}

export class Scanner {
  /** Kind of the token returned by the last `scan()`. */
  tok: Tok = Tok.ILLEGAL;
  /** Byte offset where that token starts. */
  pos = 0;
  /** Byte offset just after that token. */
  end = 0;
  /** Its literal text (identifiers, literals, comments, ILLEGAL chars); "" for operators, "\n" for TERMINATOR. */
  lit = '';
  /** Number of errors reported so far. */
  errorCount = 0;

  private readonly src: Buffer;
  private readonly includeComments: boolean;
  private readonly insertTerms: boolean;

  private ch = EOF; // current character
  private offset = 0; // byte offset of ch
  private readOffset = 0; // byte offset just after ch
  private insertTerm = false; // a newline now would produce a TERMINATOR
  private nonAsciiRead = 0; // characters read so far that were not ASCII (see textSince)

  constructor(
    bytes: Uint8Array,
    private readonly onError?: ScanErrorHandler,
    options: ScanOptions = {},
  ) {
    this.src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.includeComments = options.comments ?? false;
    this.insertTerms = options.terminators ?? true;
    this.next();
    if (this.ch === BOM) this.next(); // a BOM is allowed as the very first character
  }

  /** Reads the next character into `ch`, reporting NUL, bad UTF-8 and misplaced BOMs. */
  private next(): void {
    const src = this.src;
    if (this.readOffset >= src.length) {
      this.offset = src.length;
      this.ch = EOF;
      return;
    }
    this.offset = this.readOffset;
    const b = src[this.readOffset]!;
    if (b < 0x80) {
      if (b === 0) this.error(this.offset, 'illegal character NUL');
      this.readOffset++;
      this.ch = b;
      return;
    }
    this.nonAsciiRead++;
    const packed = decodeRune(src, this.readOffset);
    const r = packed >>> 3;
    const width = packed & 7;
    if (r === RUNE_ERROR && width === 1) this.error(this.offset, 'illegal UTF-8 encoding');
    else if (r === BOM && this.offset > 0) this.error(this.offset, 'illegal byte order mark');
    this.readOffset += width;
    this.ch = r;
  }

  /**
   * Steps over `ch` and every following byte that is plain in `plain`,
   * without decoding them one by one; the first other byte is read with
   * next(), which reports it if it is illegal. The caller has checked that
   * `ch` is plain (so it is ASCII).
   */
  private skipPlain(plain: Uint8Array): void {
    const src = this.src;
    let i = this.readOffset;
    while (i < src.length && plain[src[i]!] === 1) i++;
    this.readOffset = i;
    this.next();
  }

  /**
   * The text of src[start, end), all of it read since `nonAsciiRead` was
   * `before`. Decoding ASCII is cheaper than decoding UTF-8, so it is
   * used when no non-ASCII character was read in the meantime.
   */
  private textSince(before: number, start: number, end: number): string {
    return this.nonAsciiRead === before ? asciiText(this.src, start, end) : utf8Text(this.src, start, end);
  }

  private peek(): number {
    return this.readOffset < this.src.length ? this.src[this.readOffset]! : 0;
  }

  private error(offset: number, message: string): void {
    this.errorCount++;
    this.onError?.(offset, message);
  }

  /** Scans the next token; its details are left in tok/pos/end/lit. */
  scan(): Tok {
    for (;;) {
      this.skipWhitespace();
      this.pos = this.offset;
      const tok = this.scanToken();
      if (tok !== Tok.COMMENT || this.includeComments) {
        this.tok = tok;
        this.end = this.offset;
        return tok;
      }
    }
  }

  private skipWhitespace(): void {
    const blank = this.insertTerm ? BLANK_NO_LF : BLANK; // a LF due to become a terminator stays
    if (blank[this.ch] === 1) this.skipPlain(blank);
  }

  private setInsertTerm(value: boolean): void {
    if (this.insertTerms) this.insertTerm = value;
  }

  private scanToken(): Tok {
    const ch = this.ch;
    if (isLetter(ch)) return this.scanIdentOrKeyword();
    if (isDecimal(ch) || (ch === CH_DOT && isDecimal(this.peek()))) {
      this.setInsertTerm(true);
      return this.scanNumber();
    }
    this.next(); // make progress: ch is the first character, this.ch the second
    this.lit = '';
    const simple: Tok = ch >= 0 && ch < 0x80 ? SIMPLE_TOKENS[ch]! : Tok.ILLEGAL;
    if (simple !== Tok.ILLEGAL) {
      this.setInsertTerm(simple === Tok.RCURLY || simple === Tok.RPAREN || simple === Tok.RBRACK);
      return simple;
    }
    return this.scanSpecial(ch);
  }

  /** Everything that is not an identifier, number or single-character token. */
  private scanSpecial(ch: number): Tok {
    switch (ch) {
      case EOF:
      case CH_LF:
        if (this.insertTerm) return this.terminator(); // a LF only gets here when a terminator is due
        return Tok.EOF;
      case CH_SQUOTE:
        this.error(this.pos, 'illegal single-quoted string; use double quotes');
        this.setInsertTerm(true);
        this.lit = this.scanString(CH_SQUOTE, true, false);
        return Tok.ILLEGAL;
      case CH_DQUOTE:
      case CH_BACKTICK:
        this.setInsertTerm(true);
        this.lit = ch === CH_DQUOTE ? this.scanString(CH_DQUOTE, true, false) : this.scanString(CH_BACKTICK, false, true);
        return Tok.STRING;
      case CH_PIPE:
      case CH_AMP:
        return this.scanDoubled(ch);
      case CH_BANG: return this.switch2(Tok.NOT, Tok.NEQ);
      case CH_EQ: return this.switch2(Tok.ASSIGN, Tok.EQ);
      case CH_LT: return this.switch2(Tok.LT, Tok.LTE);
      case CH_GT: return this.switch2(Tok.GT, Tok.GTE);
      case CH_SLASH: return this.scanSlash();
      default:
        // next() already reported a misplaced BOM; don't report it twice.
        if (ch !== BOM) this.error(this.pos, `illegal character ${formatRune(ch)}`);
        this.lit = String.fromCodePoint(ch);
        return Tok.ILLEGAL; // keeps the previous terminator state
    }
  }

  private terminator(): Tok {
    this.insertTerm = false;
    this.lit = '\n';
    return Tok.TERMINATOR;
  }

  /** `||` or `&&`; a lone `|` / `&` is reported but still yields the operator. */
  private scanDoubled(ch: number): Tok {
    const tok = ch === CH_PIPE ? Tok.OR : Tok.AND;
    if (this.ch !== ch) {
      this.error(this.offset, ch === CH_PIPE ? 'missing second | in ||' : 'missing second & in &&');
    } else {
      this.next();
    }
    this.setInsertTerm(false);
    return tok;
  }

  /** Returns `two` (consuming `=`) if the next character is `=`, else `one`. */
  private switch2(one: Tok, two: Tok): Tok {
    this.setInsertTerm(false);
    if (this.ch === CH_EQ) {
      this.next();
      return two;
    }
    return one;
  }

  private scanSlash(): Tok {
    if (this.ch !== CH_SLASH && this.ch !== CH_STAR) {
      this.setInsertTerm(false);
      return Tok.DIV;
    }
    // A pending terminator goes *before* a comment that runs to the end of
    // the line; the comment is then scanned again by the next call.
    if (this.insertTerm && this.findLineEnd()) {
      this.resetTo(this.pos);
      return this.terminator();
    }
    this.lit = this.scanComment();
    this.insertTerm = false; // the comment consumed the pending newline
    return Tok.COMMENT;
  }

  /** Skips a block comment body; true if it contains a LF (stops there). */
  private blockCommentHasNewline(): boolean {
    while (this.ch !== EOF) {
      const ch = this.ch;
      if (ch === CH_LF) return true;
      this.next();
      if (ch === CH_STAR && this.ch === CH_SLASH) {
        this.next();
        return false;
      }
    }
    return false;
  }

  private atLineEnd(): boolean {
    return this.ch === EOF || this.ch === CH_LF;
  }

  /** Puts the scanner back on the character at `offset` (an ASCII byte). */
  private resetTo(offset: number): void {
    this.ch = this.src[offset]!;
    this.offset = offset;
    this.readOffset = offset + 1;
  }

  private scanIdentOrKeyword(): Tok {
    const lit = this.scanIdentifier();
    this.lit = lit;
    this.setInsertTerm(true);
    switch (lit) {
      case 'true': case 'false': return Tok.BOOL;
      case 'null': return Tok.NULL;
      default: return Tok.IDENT;
    }
  }

  private scanIdentifier(): string {
    const src = this.src;
    const start = this.offset;
    const ascii = this.ch < 0x80; // the first character may be non-ASCII
    let hash = hashStep(0, this.ch);
    // Fast path: run over ASCII identifier bytes without decoding characters.
    let i = this.readOffset;
    while (i < src.length) {
      const b = src[i]!;
      if (b < 0x80 && ASCII_IDENT_PART[b] === 1) {
        hash = hashStep(hash, b);
        i++;
        continue;
      }
      if (b > 0 && b < 0x80) {
        // Any other ASCII byte (but NUL, which next() must report) ends the
        // identifier: take it as the next character directly.
        this.ch = b;
        this.offset = i;
        this.readOffset = i + 1;
        return ascii ? identifiers.get(src, start, i, hash) : utf8Text(src, start, i);
      }
      // NUL or non-ASCII: fall back to the careful path.
      this.readOffset = i;
      this.next();
      while (isLetter(this.ch) || isDigit(this.ch)) this.next();
      return utf8Text(src, start, this.offset);
    }
    this.offset = src.length;
    this.readOffset = src.length;
    this.ch = EOF;
    return ascii ? identifiers.get(src, start, src.length, hash) : utf8Text(src, start, src.length);
  }

  private scanNumber(): Tok {
    const start = this.offset;
    let tok = Tok.NUMBER;
    if (this.ch !== CH_DOT) this.digits();
    if (this.ch === CH_DOT) {
      tok = Tok.FLOAT;
      this.next();
      this.digits();
    }
    if (lower(this.ch) === 0x65 /* e */) {
      tok = Tok.FLOAT;
      this.next();
      if (this.ch === CH_PLUS || this.ch === CH_MINUS) this.next();
      if (this.digits() === 0) this.error(start, 'exponent has no digits');
    }
    this.lit = asciiText(this.src, start, this.offset);
    return tok;
  }

  private digits(): number {
    let count = 0;
    while (isDecimal(this.ch)) {
      this.next();
      count++;
    }
    return count;
  }

  /** Scans the rest of a quoted literal whose opening quote was consumed. */
  private scanString(until: number, escapes: boolean, multiline: boolean): string {
    const start = this.offset - 1;
    // The first character is already read: if it is not ASCII, neither is the text.
    const nonAscii = this.ch < 0x80 ? this.nonAsciiRead : -1;
    const plain = multiline ? PLAIN_RAW : until === CH_DQUOTE ? PLAIN_DQUOTED : PLAIN_SQUOTED;
    for (;;) {
      if (plain[this.ch] === 1) this.skipPlain(plain);
      const ch = this.ch;
      if ((!multiline && ch === CH_LF) || ch === EOF) {
        this.error(start, 'string literal not terminated');
        break;
      }
      this.next();
      if (ch === until) break;
      if (escapes && ch === CH_BACKSLASH) this.scanEscape();
    }
    return this.textSince(nonAscii, start, this.offset);
  }

  /** Checks one escape sequence (after the backslash); stops at an offending character. */
  private scanEscape(): void {
    const start = this.offset;
    let n: number;
    let base: number;
    let max: number;
    switch (this.ch) {
      case 0x61: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74: case 0x76: // a b f n r t v
      case CH_BACKSLASH: case CH_DQUOTE:
        this.next();
        return;
      case 0x78: // x
        this.next();
        [n, base, max] = [2, 16, 255];
        break;
      case 0x75: // u
        this.next();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 0x55: // U
        this.next();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      default:
        if (this.ch >= CH_0 && this.ch <= CH_7) {
          [n, base, max] = [3, 8, 255];
          break;
        }
        this.error(start, this.ch === EOF ? 'escape sequence not terminated' : 'unknown escape sequence');
        return;
    }
    let x = 0;
    for (; n > 0; n--) {
      const d = digitVal(this.ch);
      if (d >= base) {
        const msg = this.ch === EOF
          ? 'escape sequence not terminated'
          : `illegal character ${formatRune(this.ch)} in escape sequence`;
        this.error(start, msg);
        return;
      }
      x = x * base + d;
      this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.error(start, 'escape sequence is invalid Unicode code point');
  }

  /** Scans a comment whose first `/` was consumed; returns its text without CRs. */
  private scanComment(): string {
    const start = this.offset - 1;
    const nonAscii = this.nonAsciiRead;
    const block = this.ch === CH_STAR;
    this.next(); // the second character
    let numCR = block ? this.scanBlockCommentBody(start) : this.scanLineCommentBody();
    let end = this.offset;
    // A line comment of a CRLF file ends in "\r": drop it.
    if (numCR > 0 && this.src[end - 1] === CH_CR) {
      end--;
      numCR--;
    }
    return numCR > 0 ? stripCR(this.src.subarray(start, end), block) : this.textSince(nonAscii, start, end);
  }

  /** Consumes up to the end of the line; returns the number of CRs seen. */
  private scanLineCommentBody(): number {
    let numCR = 0;
    while (this.ch !== CH_LF && this.ch !== EOF) {
      if (PLAIN_LINE_COMMENT[this.ch] === 1) {
        this.skipPlain(PLAIN_LINE_COMMENT);
        continue;
      }
      if (this.ch === CH_CR) numCR++;
      this.next();
    }
    return numCR;
  }

  /** Consumes up to and including `*\/`; returns the number of CRs seen. */
  private scanBlockCommentBody(start: number): number {
    let numCR = 0;
    while (this.ch !== EOF) {
      if (PLAIN_BLOCK_COMMENT[this.ch] === 1) {
        this.skipPlain(PLAIN_BLOCK_COMMENT);
        continue;
      }
      const ch = this.ch;
      if (ch === CH_CR) numCR++;
      this.next();
      if (ch === CH_STAR && this.ch === CH_SLASH) {
        this.next();
        return numCR;
      }
    }
    this.error(start, 'block comment not terminated');
    return numCR;
  }

  /**
   * Reports whether the comment starting at the consumed `/` (and any block
   * comments directly after it) reaches the end of the line. The scanner
   * state is restored afterwards; like the reference, characters read here
   * may report errors again when the comment is scanned for real.
   */
  private findLineEnd(): boolean {
    const start = this.offset - 1;
    try {
      // Here `ch` is the second character of a comment.
      for (;;) {
        const second: number = this.ch;
        if (second === CH_SLASH) return true; // a line comment always reaches the newline
        if (second !== CH_STAR) return false;
        this.next();
        if (this.blockCommentHasNewline()) return true;
        this.skipWhitespace(); // insertTerm is set, so LFs are not skipped
        if (this.atLineEnd()) return true;
        if (this.ch !== CH_SLASH) return false; // another token follows on this line
        this.next();
      }
    } finally {
      this.resetTo(start);
      this.next();
    }
  }
}

/** Removes CRs from a comment, except one that separates `*` and `/` inside a block comment. */
function stripCR(b: Buffer, block: boolean): string {
  const out = Buffer.allocUnsafe(b.length);
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const ch = b[j]!;
    const keep = ch !== CH_CR || (block && i > 2 && out[i - 1] === CH_STAR && j + 1 < b.length && b[j + 1] === CH_SLASH);
    if (keep) out[i++] = ch;
  }
  return utf8Text(out, 0, i);
}

/** One scanned token (used by tests and tools; the parser reads the Scanner directly). */
export interface ScannedToken {
  tok: Tok;
  pos: number;
  end: number;
  lit: string;
}

/** Scans a whole input (up to and including EOF) into a list of tokens. */
export function scanAll(bytes: Uint8Array, onError?: ScanErrorHandler, options?: ScanOptions): ScannedToken[] {
  const s = new Scanner(bytes, onError, options);
  const out: ScannedToken[] = [];
  for (;;) {
    const tok = s.scan();
    out.push({ tok, pos: s.pos, end: s.end, lit: s.lit });
    if (tok === Tok.EOF) return out;
  }
}
