/**
 * Go regular expressions (RE2 syntax, what relabel rules compile) run on
 * JavaScript's engine. The pattern is parsed with Go's grammar and
 * re-emitted as a JS `u`-mode pattern that means the same:
 *
 *  - Go's scoped flags `(?i)`, `(?m)`, `(?s)`, `(?U)` and `(?flags:…)` (JS
 *    has none): `.`, `^`, `$` and quantifier greediness are written out per
 *    scope; case-insensitivity uses JS's `i` flag when it covers the whole
 *    pattern and otherwise folds each literal and class;
 *  - named groups `(?P<n>…)`/`(?<n>…)` become plain groups, the names kept
 *    here (Go allows names JS does not, such as `1x`, and duplicates);
 *  - `\A`, `\z`, `\Q…\E`, octal and `\x{…}` escapes, POSIX classes
 *    `[[:alpha:]]`, Go's ASCII-only `\d \s \w`, `\pL`/`\p{Greek}`;
 *  - what Go rejects is rejected with Go's message
 *    (`error parsing regexp: missing closing ): \`…\``).
 *
 * JS backtracks where RE2 does not, and captures inside repetitions may
 * differ in rare cases; match selection (leftmost-first) is the same.
 */
import {
  complementRanges,
  emitClass,
  foldChanges,
  foldRanges,
  literalChar,
  MAX_CODE_POINT,
  normalizeRanges,
  PERL_CLASSES,
  POSIX_CLASSES,
  type Range,
} from './class.js';

export class Re2SyntaxError extends Error {}

/** Compiled patterns kept for reuse (the oldest is dropped first); patterns are short, so this stays small. */
const COMPILED = new Map<string, Re2Regexp>();
const COMPILED_LIMIT = 1000;

/** A compiled Go (RE2) regexp. */
export class Re2Regexp {
  private constructor(
    /** The Go pattern as written. */
    readonly source: string,
    /** The translated JS pattern and flags (for callers needing `g` or `y` variants). */
    readonly jsSource: string,
    readonly jsFlags: string,
    /** Go's subexpression names by group index (index 0, the whole match, has none). */
    readonly names: readonly (string | undefined)[],
    private readonly re: RegExp,
  ) {}

  /**
   * Compiles `pattern` with Go's syntax; throws Re2SyntaxError with Go's message.
   * A compiled regexp is immutable (its RegExp has no g/y flag, so no lastIndex
   * state), so the same pattern compiled again is served from a bounded cache:
   * validation, each config reload and the editor's diagnostics on every
   * keystroke compile the same patterns again.
   */
  static compile(pattern: string): Re2Regexp {
    const cached = COMPILED.get(pattern);
    if (cached) return cached;
    const { source, flags, names } = translate(pattern);
    const compiled = new Re2Regexp(pattern, source, flags, names, new RegExp(source, flags));
    if (COMPILED.size >= COMPILED_LIMIT) COMPILED.delete(COMPILED.keys().next().value!);
    COMPILED.set(pattern, compiled);
    return compiled;
  }

  /** Number of capturing groups. */
  get groupCount(): number {
    return this.names.length - 1;
  }

  /** Go MatchString. */
  test(s: string): boolean {
    return this.re.test(s);
  }

  /** Go FindStringSubmatch: groups by index, undefined where a group did not take part. */
  exec(s: string): RegExpExecArray | null {
    return this.re.exec(s);
  }
}

// ---------------------------------------------------------------------------
// Translation

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

const NO_FLAGS: Flags = { i: false, m: false, s: false, U: false };

function translate(pattern: string): { source: string; flags: string; names: (string | undefined)[] } {
  const emulated = new Translator(pattern, false);
  const source = emulated.run();
  // Case-insensitive throughout: JS's own flag folds exactly like Go (Unicode simple folding).
  if (emulated.foldedUses > 0 && emulated.caseSensitiveUses === 0) {
    const native = new Translator(pattern, true);
    return { source: native.run(), flags: 'iu', names: native.names };
  }
  return { source, flags: 'u', names: emulated.names };
}

interface Atom {
  readonly src: string;
  /** Zero-width (JS refuses to quantify a bare assertion). */
  readonly assertion: boolean;
}

/** A character set from an escape or class item. */
interface CharSet {
  readonly ranges: readonly Range[];
  readonly props: readonly string[];
}

interface Quantifier {
  readonly start: number;
  readonly op: string;
  readonly lazy: boolean;
}

const cp = (c: string) => c.codePointAt(0)!;
const [LPAREN, RPAREN, LBRACKET, RBRACKET, LBRACE, RBRACE, PIPE, BACKSLASH, GT] = ['(', ')', '[', ']', '{', '}', '|', '\\', '>'].map(cp) as [
  number, number, number, number, number, number, number, number, number,
];
const [DOT, CARET, DOLLAR, STAR, PLUS, QUESTION, COLON, DASH, COMMA] = ['.', '^', '$', '*', '+', '?', ':', '-', ','].map(cp) as [
  number, number, number, number, number, number, number, number, number,
];

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isOctal = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x37;
const isAlnum = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isWord = (c: number) => isAlnum(c) || c === 0x5f;

/** Go's largest allowed `{n,m}` bound. */
const MAX_REPEAT = 1000;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

const ASSERTION_ESCAPES: Readonly<Record<string, string>> = { A: '^', z: '$', b: '\\b', B: '\\B' };

/** Unicode general categories Go accepts by name; other names are scripts. */
const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

class Translator {
  private pos = 0;
  private flags: Flags = NO_FLAGS;
  private readonly cps: number[];
  /** UTF-16 offset of each code point (and of the end). */
  private readonly offsets: number[];
  /** Whether folding statistics are worth gathering (the pattern may set `i`). */
  private readonly caseTracked: boolean;
  readonly names: (string | undefined)[] = [undefined];
  /** Sets emitted under `(?i)`, and sets emitted without it whose case matters. */
  foldedUses = 0;
  caseSensitiveUses = 0;

  constructor(
    private readonly pattern: string,
    /** Emit folded sets as written (the JS `i` flag folds them). */
    private readonly nativeIgnoreCase: boolean,
  ) {
    this.cps = Array.from(pattern, cp);
    this.offsets = [0];
    for (const c of this.cps) this.offsets.push(this.offsets[this.offsets.length - 1]! + (c > 0xffff ? 2 : 1));
    this.caseTracked = /\(\?[a-zA-Z-]*i/.test(pattern);
  }

  run(): string {
    const out = this.alternation();
    if (!this.atEnd()) throw this.error('unexpected )', this.pattern);
    return out;
  }

  // --- structure ------------------------------------------------------------

  private alternation(): string {
    let out = this.sequence();
    while (this.peek() === PIPE) {
      this.pos++;
      out += `|${this.sequence()}`;
    }
    return out;
  }

  private sequence(): string {
    let out = '';
    while (!this.atEnd() && this.peek() !== PIPE && this.peek() !== RPAREN) {
      if (this.lookingAt('\\Q')) {
        out += this.quotedLiterals();
        continue;
      }
      const atom = this.atom();
      if (atom) out += this.quantified(atom);
    }
    return out;
  }

  /** `\Q…\E`: literal text; a following quantifier applies to its last character only. */
  private quotedLiterals(): string {
    this.pos += 2;
    const chars: number[] = [];
    while (!this.atEnd() && !this.lookingAt('\\E')) chars.push(this.next());
    if (this.lookingAt('\\E')) this.pos += 2;
    if (chars.length === 0) return '';
    const head = chars.slice(0, -1).map((c) => this.literal(c).src).join('');
    return head + this.quantified(this.literal(chars[chars.length - 1]!));
  }

  private quantified(atom: Atom): string {
    const q = this.quantifier();
    if (!q) return atom.src;
    if (this.quantifier()) throw this.error('invalid nested repetition operator', this.text(q.start, this.pos));
    const base = atom.assertion ? `(?:${atom.src})` : atom.src;
    return base + q.op + (q.lazy !== this.flags.U ? '?' : '');
  }

  private quantifier(): Quantifier | undefined {
    const start = this.pos;
    const c = this.peek();
    let op: string;
    if (c === STAR || c === PLUS || c === QUESTION) {
      this.pos++;
      op = String.fromCodePoint(c);
    } else if (c === LBRACE) {
      const bounds = this.repeatBounds();
      if (!bounds) return undefined;
      op = bounds;
    } else return undefined;
    const lazy = this.peek() === QUESTION;
    if (lazy) this.pos++;
    return { start, op, lazy };
  }

  /** Parses `{n}`, `{n,}`, `{n,m}` at the cursor; undefined (cursor kept) when it is a literal `{`. */
  private repeatBounds(): string | undefined {
    const start = this.pos;
    this.pos++;
    const min = this.repeatNumber();
    let max: number | undefined = min;
    if (min !== undefined && this.peek() === COMMA) {
      this.pos++;
      max = this.peek() === RBRACE ? -1 : this.repeatNumber();
    }
    if (min === undefined || max === undefined || this.peek() !== RBRACE) {
      this.pos = start;
      return undefined;
    }
    this.pos++;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) throw this.error('invalid repeat count', this.text(start, this.pos));
    return max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
  }

  /** Go's parseInt: decimal digits without a leading zero. */
  private repeatNumber(): number | undefined {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    const digits = this.text(start, this.pos);
    if (digits === '' || (digits.length > 1 && digits[0] === '0')) return undefined;
    return digits.length > 8 ? Number.MAX_SAFE_INTEGER : Number(digits);
  }

  private atom(): Atom | undefined {
    const start = this.pos;
    const c = this.next();
    switch (c) {
      case LPAREN: return this.group();
      case LBRACKET: return this.charClass(start);
      case DOT: return { src: this.flags.s ? '[^]' : '[^\\n]', assertion: false };
      case CARET: return { src: this.flags.m ? '(?:^|(?<=\\n))' : '^', assertion: true };
      case DOLLAR: return { src: this.flags.m ? '(?:$|(?=\\n))' : '$', assertion: true };
      case BACKSLASH: return this.escapeAtom();
      case STAR: case PLUS: case QUESTION: return this.missingArgument(start);
      case LBRACE:
        this.pos = start;
        if (this.repeatBounds() !== undefined) return this.missingArgument(start);
        this.pos = start + 1;
        return this.literal(c);
      default: return this.literal(c);
    }
  }

  private missingArgument(start: number): never {
    this.pos = start;
    this.quantifier();
    throw this.error('missing argument to repetition operator', this.text(start, this.pos));
  }

  /** After `(`: a group, or undefined for a flags-only `(?i)` that changes the enclosing scope. */
  private group(): Atom | undefined {
    const start = this.pos - 1;
    const saved = this.flags;
    let name: string | undefined;
    let capture = true;
    if (this.peek() === QUESTION) {
      if (this.lookingAt('?P<') || (this.lookingAt('?<') && !this.lookingAt('?<=') && !this.lookingAt('?<!'))) {
        name = this.captureName(start);
      } else {
        if (this.flagGroup(start)) return undefined;
        capture = false;
      }
    }
    if (capture) this.names.push(name);
    const inner = this.alternation();
    if (this.atEnd()) throw this.error('missing closing )', this.pattern);
    this.pos++;
    this.flags = saved;
    return { src: capture ? `(${inner})` : `(?:${inner})`, assertion: false };
  }

  private captureName(start: number): string {
    this.pos += this.lookingAt('?P<') ? 3 : 2;
    const nameStart = this.pos;
    while (!this.atEnd() && this.peek() !== GT) this.pos++;
    if (this.atEnd()) throw this.error('invalid named capture', this.text(start, this.pos));
    const name = this.text(nameStart, this.pos);
    this.pos++;
    if (name === '' || !Array.from(name, cp).every(isWord)) throw this.error('invalid named capture', this.text(start, this.pos));
    return name;
  }

  /** Parses `?flags)` or `?flags:` and sets this.flags; true when the group ended at `)`. */
  private flagGroup(start: number): boolean {
    this.pos++;
    let flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    for (;;) {
      if (this.atEnd()) throw this.error('invalid or unsupported Perl syntax', this.text(start, this.pos));
      const c = String.fromCodePoint(this.next());
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        flags = { ...flags, [c]: !negate };
        sawFlag = true;
      } else if (c === '-' && !negate) {
        negate = true;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && !(negate && !sawFlag)) {
        this.flags = flags;
        return c === ')';
      } else throw this.error('invalid or unsupported Perl syntax', this.text(start, this.pos));
    }
  }

  // --- characters -------------------------------------------------------------

  private literal(c: number): Atom {
    return { src: this.emitSet({ ranges: [[c, c]], props: [] }, false), assertion: false };
  }

  /** Emits a set, folding it for `(?i)` when JS's `i` flag is not doing so. */
  private emitSet(set: CharSet, negated: boolean): string {
    let ranges = set.ranges;
    if (this.flags.i) {
      this.foldedUses++;
      // Property classes (\pL) are not folded in a partial (?i) scope: no case tables here.
      if (!this.nativeIgnoreCase) ranges = foldRanges(ranges);
    } else if (this.caseTracked && (set.props.length > 0 || foldChanges(ranges))) {
      this.caseSensitiveUses++;
    }
    const merged = normalizeRanges(ranges);
    const only = merged[0];
    if (!negated && set.props.length === 0 && merged.length === 1 && only![0] === only![1]) return literalChar(only![0]);
    return emitClass(merged, set.props, negated);
  }

  private escapeAtom(): Atom {
    if (this.atEnd()) throw this.error('trailing backslash at end of expression', '');
    const assertion = ASSERTION_ESCAPES[String.fromCodePoint(this.peek()!)];
    if (assertion) {
      this.pos++;
      return { src: assertion, assertion: true };
    }
    const item = this.escape(this.pos - 1);
    return { src: this.emitSet(typeof item === 'number' ? { ranges: [[item, item]], props: [] } : item, false), assertion: false };
  }

  /** After `\`: a character (code point) or a set. `start` is the backslash. */
  private escape(start: number): number | CharSet {
    if (this.atEnd()) throw this.error('trailing backslash at end of expression', '');
    const c = this.next();
    const ch = String.fromCodePoint(c);
    // \0 starts an octal escape; \1-\7 only when another octal digit follows (Go has no backreferences).
    if (c === 0x30 || (isOctal(c) && isOctal(this.peek()))) return this.octal(c);
    if (ch === 'x') return this.hex(start);
    if (ch in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[ch]!;
    if ('dswDSW'.includes(ch)) {
      const perl = PERL_CLASSES[ch.toLowerCase()]!;
      return { ranges: ch === ch.toLowerCase() ? perl : complementRanges(perl), props: [] };
    }
    if (ch === 'p' || ch === 'P') return this.unicodeClass(start, ch === 'P');
    if (c < 0x80 && !isAlnum(c)) return c;
    throw this.error('invalid escape sequence', this.text(start, this.pos));
  }

  private octal(first: number): number {
    let value = first - 0x30;
    for (let n = 1; n < 3 && isOctal(this.peek()); n++) value = value * 8 + (this.next() - 0x30);
    return value;
  }

  private hex(start: number): number {
    const bad = () => this.error('invalid escape sequence', this.text(start, this.pos));
    let digits = '';
    if (this.peek() === LBRACE) {
      this.pos++;
      while (!this.atEnd() && this.peek() !== RBRACE) digits += String.fromCodePoint(this.next());
      if (this.atEnd()) throw bad();
      this.pos++;
    } else {
      for (let n = 0; n < 2 && !this.atEnd(); n++) digits += String.fromCodePoint(this.next());
      if (digits.length < 2) throw bad();
    }
    const value = /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : NaN;
    if (!(value <= MAX_CODE_POINT)) throw bad();
    return value;
  }

  /** `\pL`, `\p{Greek}`, `\p{^Greek}`, `\PL` (after the p/P). */
  private unicodeClass(start: number, negate: boolean): CharSet {
    let name: string;
    if (this.peek() === LBRACE) {
      const close = this.cps.indexOf(RBRACE, this.pos);
      if (close < 0) throw this.error('invalid character class range', this.text(start, this.cps.length));
      name = this.text(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      if (this.atEnd()) throw this.error('invalid character class range', this.text(start, this.pos));
      name = String.fromCodePoint(this.next());
    }
    if (name.startsWith('^')) [negate, name] = [!negate, name.slice(1)];
    if (name === 'Any') return { ranges: negate ? [] : [[0, MAX_CODE_POINT]], props: [] };
    const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    if (!/^[A-Za-z_=]+$/.test(prop) || !isJsProperty(prop)) throw this.error('invalid character class range', this.text(start, this.pos));
    return { ranges: [], props: [`\\${negate ? 'P' : 'p'}{${prop}}`] };
  }

  /** After `[`: a bracketed class. */
  private charClass(start: number): Atom {
    const negated = this.peek() === CARET;
    if (negated) this.pos++;
    const ranges: Range[] = [];
    const props: string[] = [];
    for (let first = true; ; first = false) {
      if (this.atEnd()) throw this.error('missing closing ]', this.text(start, this.cps.length));
      if (this.peek() === RBRACKET && !first) break;
      const item = this.posixClass() ?? this.classItem();
      if (typeof item !== 'number') {
        ranges.push(...item.ranges);
        props.push(...item.props);
      } else ranges.push(this.classRange(item));
    }
    this.pos++;
    return { src: this.emitSet({ ranges, props }, negated), assertion: false };
  }

  /** `lo` alone or `lo-hi` (a `-` before `]` is literal). */
  private classRange(lo: number): Range {
    if (this.peek() !== DASH || this.peekAt(1) === RBRACKET || this.peekAt(1) === undefined) return [lo, lo];
    const rangeStart = this.pos - 1;
    this.pos++;
    const hi = this.classItem();
    if (typeof hi !== 'number' || hi < lo) throw this.error('invalid character class range', this.text(rangeStart, this.pos));
    return [lo, hi];
  }

  private classItem(): number | CharSet {
    const start = this.pos;
    const c = this.next();
    return c === BACKSLASH ? this.escape(start) : c;
  }

  /** `[:alpha:]` / `[:^alpha:]` at the cursor, or undefined when it is not one. */
  private posixClass(): CharSet | undefined {
    if (this.peek() !== LBRACKET || this.peekAt(1) !== COLON) return undefined;
    const close = this.pattern.indexOf(':]', this.offsetOf(this.pos + 2));
    if (close < 0) return undefined;
    const text = this.pattern.slice(this.offsetOf(this.pos), close + 2);
    const match = /^\[:(\^?)([a-z]*):\]$/.exec(text);
    const ranges = match ? POSIX_CLASSES[match[2]!] : undefined;
    if (!match || !ranges) throw this.error('invalid character class range', text);
    this.pos += Array.from(text).length;
    return { ranges: match[1] ? complementRanges(ranges) : ranges, props: [] };
  }

  // --- cursor -------------------------------------------------------------------

  private atEnd(): boolean {
    return this.pos >= this.cps.length;
  }

  private peek(): number | undefined {
    return this.cps[this.pos];
  }

  private peekAt(ahead: number): number | undefined {
    return this.cps[this.pos + ahead];
  }

  private next(): number {
    return this.cps[this.pos++]!;
  }

  private lookingAt(s: string): boolean {
    return this.pattern.startsWith(s, this.offsetOf(this.pos));
  }

  /** UTF-16 offset of code point index `i`. */
  private offsetOf(i: number): number {
    return this.offsets[Math.min(i, this.cps.length)]!;
  }

  private text(from: number, to: number): string {
    return String.fromCodePoint(...this.cps.slice(from, to));
  }

  private error(code: string, text: string): Re2SyntaxError {
    return new Re2SyntaxError(`error parsing regexp: ${code}: \`${text}\``);
  }
}

const jsProperties = new Map<string, boolean>();

function isJsProperty(prop: string): boolean {
  let ok = jsProperties.get(prop);
  if (ok === undefined) {
    try {
      new RegExp(`\\p{${prop}}`, 'u');
      ok = true;
    } catch {
      ok = false;
    }
    jsProperties.set(prop, ok);
  }
  return ok;
}
