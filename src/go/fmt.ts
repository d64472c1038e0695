/**
 * Go's fmt printing (https://pkg.go.dev/fmt): Sprintf with its verbs, flags,
 * width, precision, argument indexes and error forms (`%!d(float64=4)`,
 * `%!d(MISSING)`, `%!(EXTRA string=c)`, `%!(BADINDEX)` …), and Sprint /
 * Sprintln (`%v`). Both `string.format` (through an adapter in
 * lang/stdlib/gofmt.ts) and the templates' `printf` print with this one.
 *
 * Go values are modelled as: strings; JS numbers and bigints as `int` (a
 * number that is not an integer prints as a float64); GoFloat (float64);
 * GoUint (uint64); booleans; null (nil) and undefined (a template's "no
 * value", printed as nil); arrays ([]interface {}); Maps with string keys
 * (map[string]interface {}, printed in sorted key order); GoTime
 * (time.Time, printed through its String method); GoNamedString (a named
 * string type such as alloytypes.Secret); GoStruct and GoPointer.
 */
import { compareStrings } from './strings.js';
import { formatGoTime, GoLayout } from './time.js';
import { canBackquote, formatFloat, goQuote, goQuoteRune, isGoPrintable, type FloatFormat } from './strconv.js';

/** A Go float64 (JS numbers stand for Go ints, so floats are tagged). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** A Go uint64 (only needed above int64's range, where it prints differently under %#v and %T). */
export class GoUint {
  constructor(readonly value: bigint) {}
}

/** A Go time.Time. */
export class GoTime {
  constructor(
    readonly ms: number,
    readonly ns: number,
  ) {}
}

/** A value of a named string type (e.g. alloytypes.Secret): prints as its text, %T names the type. */
export class GoNamedString {
  constructor(
    readonly typeName: string,
    readonly value: string,
  ) {}
}

/** A Go struct value with its fields in declaration order. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: readonly (readonly [string, GoValue])[],
  ) {}
}

/** A pointer-like Go value (e.g. a func) printed as an address. */
export class GoPointer {
  constructor(readonly typeName: string) {}
}

export type GoValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | GoFloat
  | GoUint
  | GoTime
  | GoNamedString
  | GoStruct
  | GoPointer
  | GoValue[]
  | Map<string, GoValue>;

/** Go's type name of a value, as fmt's %T and template errors print it. */
export function goTypeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
  }
  if (v instanceof GoFloat) return 'float64';
  if (v instanceof GoUint) return 'uint64';
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]interface {}';
  return v.typeName;
}

/** Map keys in Go's printing order. */
export function sortedKeys(m: ReadonlyMap<string, unknown>): string[] {
  return [...m.keys()].sort(compareStrings);
}

/** fmt.Sprintf(format, args...). */
export function sprintf(format: string, args: readonly GoValue[]): string {
  return new Printer(args).printf(format);
}

/** fmt.Sprint of one value (`%v`). */
export function sprintValue(v: GoValue): string {
  return new Printer([v]).sprint(false);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly GoValue[]): string {
  return new Printer(args).sprint(false);
}

/** fmt.Sprintln: spaces between all operands and a newline at the end. */
export function sprintln(args: readonly GoValue[]): string {
  return new Printer(args).sprint(true);
}

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false,
    wid: 0, widPresent: false, prec: 0, precPresent: false,
  };
}

/** Go's limit on widths and precisions (fmt tooLarge). */
const TOO_LARGE = 1e6;

/** Parses decimal digits at i (Go parsenum). */
function parseNum(s: string, i: number, end: number): { num: number; ok: boolean; next: number } {
  let num = 0;
  let ok = false;
  while (i < end && s[i]! >= '0' && s[i]! <= '9') {
    if (num > TOO_LARGE) return { num: 0, ok: false, next: end };
    num = num * 10 + Number(s[i]);
    ok = true;
    i++;
  }
  return { num, ok, next: i };
}

/** Whether Sprint treats an operand as a string (its kind is string). */
function isStringKind(v: GoValue): boolean {
  return typeof v === 'string' || v instanceof GoNamedString;
}

/** An integer operand as a bigint and whether its type is signed; undefined if it is not an integer. */
function integerOf(v: GoValue): { n: bigint; signed: boolean } | undefined {
  if (typeof v === 'bigint') return { n: v, signed: true };
  if (typeof v === 'number' && Number.isInteger(v)) return { n: BigInt(v), signed: true };
  if (v instanceof GoUint) return { n: v.value, signed: false };
  return undefined;
}

/** Go's pp: one printer per call. */
class Printer {
  private out = '';
  private f = clearFlags();
  private argNum = 0;
  private reordered = false;
  private goodArgNum = true;

  constructor(private readonly args: readonly GoValue[]) {}

  printf(format: string): string {
    const end = format.length;
    let i = 0;
    while (i < end) {
      const next = format.indexOf('%', i);
      if (next < 0) {
        this.out += format.slice(i);
        break;
      }
      this.out += format.slice(i, next);
      i = this.directive(format, next + 1);
    }
    if (!this.reordered && this.argNum < this.args.length) this.extra();
    return this.out;
  }

  sprint(line: boolean): string {
    this.args.forEach((a, i) => {
      if (i > 0 && (line || (!isStringKind(a) && !isStringKind(this.args[i - 1]!)))) this.out += ' ';
      this.printArg(a, 'v');
    });
    return line ? this.out + '\n' : this.out;
  }

  /** Handles one directive whose text starts after '%' at i; returns the index after it. */
  private directive(format: string, i: number): number {
    const end = format.length;
    this.goodArgNum = true;
    this.f = clearFlags();
    i = this.parseFlags(format, i);
    let afterIndex: boolean;
    [i, afterIndex] = this.argNumber(format, i);
    [i, afterIndex] = this.parseWidth(format, i, afterIndex);
    [i, afterIndex] = this.parsePrecision(format, i, afterIndex);
    if (!afterIndex) [i] = this.argNumber(format, i);
    if (i >= end) {
      this.out += '%!(NOVERB)';
      return end;
    }
    const verb = format.codePointAt(i)!;
    this.verb(verb);
    return i + (verb > 0xffff ? 2 : 1);
  }

  private parseFlags(format: string, i: number): number {
    for (; i < format.length; i++) {
      switch (format[i]) {
        case '#': this.f.sharp = true; break;
        case '0': this.f.zero = !this.f.minus; break;
        case '+': this.f.plus = true; break;
        case '-': this.f.minus = true; this.f.zero = false; break;
        case ' ': this.f.space = true; break;
        default: return i;
      }
    }
    return i;
  }

  /** An explicit argument index `[n]` (Go argNumber). */
  private argNumber(format: string, i: number): [number, boolean] {
    if (i >= format.length || format[i] !== '[') return [i, false];
    this.reordered = true;
    const close = format.indexOf(']', i + 1);
    if (format.length - i < 3 || close < 0) {
      this.goodArgNum = false;
      return [i + 1, false];
    }
    const { num, ok, next } = parseNum(format, i + 1, close);
    if (!ok || next !== close) {
      this.goodArgNum = false;
      return [close + 1, false];
    }
    const index = num - 1;
    if (index >= 0 && index < this.args.length) {
      this.argNum = index;
      return [close + 1, true];
    }
    this.goodArgNum = false;
    return [close + 1, true];
  }

  private parseWidth(format: string, i: number, afterIndex: boolean): [number, boolean] {
    if (format[i] === '*') {
      const { num, ok } = this.intFromArg();
      this.f.wid = num;
      this.f.widPresent = ok;
      if (!ok) this.out += '%!(BADWIDTH)';
      if (this.f.wid < 0) {
        this.f.wid = -this.f.wid;
        this.f.minus = true;
        this.f.zero = false;
      }
      return [i + 1, false];
    }
    const { num, ok, next } = parseNum(format, i, format.length);
    this.f.wid = num;
    this.f.widPresent = ok;
    if (afterIndex && ok) this.goodArgNum = false;
    return [next, afterIndex];
  }

  private parsePrecision(format: string, i: number, afterIndex: boolean): [number, boolean] {
    if (!(i + 1 < format.length && format[i] === '.')) return [i, afterIndex];
    i++;
    if (afterIndex) this.goodArgNum = false;
    [i, afterIndex] = this.argNumber(format, i);
    if (format[i] === '*') {
      const { num, ok } = this.intFromArg();
      this.f.prec = num;
      this.f.precPresent = ok;
      if (num < 0) {
        this.f.prec = 0;
        this.f.precPresent = false;
      }
      if (!this.f.precPresent) this.out += '%!(BADPREC)';
      return [i + 1, false];
    }
    const { num, ok, next } = parseNum(format, i, format.length);
    this.f.prec = ok ? num : 0;
    this.f.precPresent = true;
    return [next, afterIndex];
  }

  /** A `*` width or precision taken from the next argument (must be an int that fits). */
  private intFromArg(): { num: number; ok: boolean } {
    if (this.argNum >= this.args.length) return { num: 0, ok: false };
    const int = integerOf(this.args[this.argNum++]!);
    if (!int || int.n > BigInt(TOO_LARGE) || int.n < -BigInt(TOO_LARGE)) return { num: 0, ok: false };
    return { num: Number(int.n), ok: true };
  }

  private verb(verb: number): void {
    const ch = String.fromCodePoint(verb);
    if (ch === '%') this.out += '%';
    else if (!this.goodArgNum) this.out += `%!${ch}(BADINDEX)`;
    else if (this.argNum >= this.args.length) this.out += `%!${ch}(MISSING)`;
    else {
      if (ch === 'v') {
        this.f.sharpV = this.f.sharp;
        this.f.sharp = false;
        this.f.plusV = this.f.plus;
        this.f.plus = false;
      }
      this.printArg(this.args[this.argNum++]!, ch);
    }
  }

  private extra(): void {
    this.f = clearFlags();
    const parts = this.args.slice(this.argNum).map((a) => {
      if (a === null || a === undefined) return '<nil>';
      const saved = this.out;
      this.out = '';
      this.printArg(a, 'v');
      const text = this.out;
      this.out = saved;
      return `${goTypeName(a)}=${text}`;
    });
    this.out += `%!(EXTRA ${parts.join(', ')})`;
  }

  // -------------------------------------------------------------------------
  // Values

  /** Go printArg: a top-level operand. */
  private printArg(v: GoValue, verb: string): void {
    if (v === null || v === undefined) {
      if (verb === 'v' || verb === 'T') this.pad('<nil>', this.f.zero);
      else this.out += `%!${verb}(<nil>)`;
      return;
    }
    if (verb === 'T') return this.pad(truncate(goTypeName(v), this.f), this.f.zero);
    if (verb === 'p') return this.pointer(v, verb);
    this.printValue(v, verb, 0);
  }

  /** Go printValue. `depth` > 0 inside slices, maps and structs. */
  private printValue(v: GoValue, verb: string, depth: number): void {
    if (v === null || v === undefined) return this.nilElement();
    if (typeof v === 'boolean') return this.bool(v, verb, v);
    if (typeof v === 'string') return this.string(v, verb, v);
    if (v instanceof GoFloat) return this.float(v.value, verb, v);
    if (typeof v === 'number' && !Number.isInteger(v)) return this.float(v, verb, v);
    const int = integerOf(v);
    if (int) return this.integer(int.n, int.signed, verb, v);
    if (Array.isArray(v)) return this.list(v, verb, depth);
    if (v instanceof Map) return this.map(v, verb, depth);
    if (v instanceof GoNamedString) return this.string(v.value, verb, v);
    if (v instanceof GoTime) return this.time(v, verb);
    if (v instanceof GoStruct) return this.struct(v, verb, depth);
    return this.pointer(v as GoPointer, verb);
  }

  /** A nil element inside a slice or map (an empty interface). */
  private nilElement(): void {
    this.out += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
  }

  private badVerb(verb: string, v: GoValue): void {
    this.out += `%!${verb}(${goTypeName(v)}=`;
    this.printValue(v, 'v', 0);
    this.out += ')';
  }

  private bool(b: boolean, verb: string, v: GoValue): void {
    if (verb === 't' || verb === 'v') this.pad(b ? 'true' : 'false', this.f.zero);
    else this.badVerb(verb, v);
  }

  private integer(n: bigint, signed: boolean, verb: string, v: GoValue): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV && !signed) return this.hex0x(n);
        return this.fmtInteger(n, 10, verb, false);
      case 'd': return this.fmtInteger(n, 10, verb, false);
      case 'b': return this.fmtInteger(n, 2, verb, false);
      case 'o': case 'O': return this.fmtInteger(n, 8, verb, false);
      case 'x': return this.fmtInteger(n, 16, verb, false);
      case 'X': return this.fmtInteger(n, 16, verb, true);
      case 'c': return this.pad(String.fromCodePoint(validRune(n)), this.f.zero);
      case 'q': return this.pad(goQuoteRune(validRune(n), this.f.plus), this.f.zero);
      case 'U': return this.unicode(n);
      default: return this.badVerb(verb, v);
    }
  }

  private hex0x(n: bigint): void {
    const sharp = this.f.sharp;
    this.f.sharp = true;
    this.fmtInteger(n, 16, 'v', false);
    this.f.sharp = sharp;
  }

  /** Go fmt.fmtInteger: precision, zero padding, base prefixes and signs. */
  private fmtInteger(n: bigint, base: number, verb: string, upper: boolean): void {
    const negative = n < 0n;
    const u = negative ? -n : n;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) return this.writePadding(this.f.wid, false);
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    digits = digits.padStart(prec, '0');
    digits = this.integerPrefix(digits, base, upper) + digits;
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.f.plus) digits = '+' + digits;
    else if (this.f.space) digits = ' ' + digits;
    // Zero padding was done as precision above; pad the rest with spaces.
    this.pad(digits, false);
  }

  private integerPrefix(digits: string, base: number, upper: boolean): string {
    if (!this.f.sharp) return '';
    if (base === 2) return '0b';
    if (base === 8) return digits.startsWith('0') ? '' : '0';
    if (base === 16) return upper ? '0X' : '0x';
    return '';
  }

  private unicode(n: bigint): void {
    let s = 'U+' + (n < 0n ? BigInt.asUintN(64, n) : n).toString(16).toUpperCase().padStart(4, '0');
    if (this.f.precPresent && this.f.prec > 4) s = 'U+' + s.slice(2).padStart(this.f.prec, '0');
    if (this.f.sharp && n >= 0n && n <= 0x10ffffn && isGoPrintable(Number(n))) s += ` '${String.fromCodePoint(Number(n))}'`;
    this.pad(s, this.f.zero);
  }

  /** Go pp.fmtFloat: the verb's format and default precision. */
  private float(x: number, verb: string, v: GoValue): void {
    switch (verb) {
      case 'v': return this.fmtFloat(x, 'g', -1);
      case 'b': case 'g': case 'G': case 'x': case 'X': return this.fmtFloat(x, verb, -1);
      case 'f': case 'F': return this.fmtFloat(x, 'f', 6);
      case 'e': case 'E': return this.fmtFloat(x, verb, 6);
      default: return this.badVerb(verb, v);
    }
  }

  /** Go fmt.fmtFloat: sign, '#', and zero padding after the sign. */
  private fmtFloat(x: number, verb: FloatFormat, prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    let num = formatFloat(x, verb, prec);
    if (!num.startsWith('-') && !num.startsWith('+')) num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      return this.pad(num, false);
    }
    if (this.f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.out += num[0] + '0'.repeat(this.f.wid - num.length) + num.slice(1);
        return;
      }
      return this.pad(num, this.f.zero);
    }
    this.pad(num.slice(1), this.f.zero);
  }

  private string(s: string, verb: string, v: GoValue): void {
    switch (verb) {
      case 'v': return this.f.sharpV ? this.quoted(s) : this.pad(truncate(s, this.f), this.f.zero);
      case 's': return this.pad(truncate(s, this.f), this.f.zero);
      case 'x': return this.hexBytes(Buffer.from(s, 'utf8'), false);
      case 'X': return this.hexBytes(Buffer.from(s, 'utf8'), true);
      case 'q': return this.quoted(s);
      default: return this.badVerb(verb, v);
    }
  }

  private quoted(s: string): void {
    s = truncate(s, this.f);
    if (this.f.sharp && canBackquote(s)) return this.pad('`' + s + '`', this.f.zero);
    this.pad(goQuote(s, this.f.plus), this.f.zero);
  }

  /** Go fmtSbx: hex of the string's bytes, with optional spacing and 0x prefixes. */
  private hexBytes(bytes: Uint8Array, upper: boolean): void {
    const length = this.f.precPresent && this.f.prec < bytes.length ? this.f.prec : bytes.length;
    const prefix = upper ? '0X' : '0x';
    const parts: string[] = [];
    for (let i = 0; i < length; i++) {
      let h = bytes[i]!.toString(16).padStart(2, '0');
      if (upper) h = h.toUpperCase();
      parts.push(this.f.space && this.f.sharp ? prefix + h : h);
    }
    let text = parts.join(this.f.space ? ' ' : '');
    if (this.f.sharp && !this.f.space && length > 0) text = prefix + text;
    if (length === 0) return this.writePadding(this.f.widPresent ? this.f.wid : 0, this.f.zero);
    this.pad(text, this.f.zero);
  }

  /** time.Time has a String method: Go prints it for %v %s %q %x %X (handleMethods). */
  private time(t: GoTime, verb: string): void {
    if ('vsqxX'.includes(verb)) return this.string(formatTimeValue(t), verb, formatTimeValue(t));
    this.out += `%!${verb}(time.Time=${formatTimeValue(t)})`;
  }

  private list(elements: readonly GoValue[], verb: string, depth: number): void {
    this.out += this.f.sharpV ? '[]interface {}{' : '[';
    elements.forEach((e, i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      this.printValue(e, verb, depth + 1);
    });
    this.out += this.f.sharpV ? '}' : ']';
  }

  private map(fields: ReadonlyMap<string, GoValue>, verb: string, depth: number): void {
    this.out += this.f.sharpV ? 'map[string]interface {}{' : 'map[';
    sortedKeys(fields).forEach((k, i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      this.string(k, verb, k);
      this.out += ':';
      this.printValue(fields.get(k), verb, depth + 1);
    });
    this.out += this.f.sharpV ? '}' : ']';
  }

  /** `{a b}`, `{A:a B:b}` under %+v, `pkg.T{A:a, B:b}` under %#v. */
  private struct(s: GoStruct, verb: string, depth: number): void {
    const named = this.f.plusV || this.f.sharpV;
    this.out += this.f.sharpV ? `${s.typeName}{` : '{';
    s.fields.forEach(([name, value], i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      if (named) this.out += name + ':';
      this.printValue(value, verb, depth + 1);
    });
    this.out += '}';
  }

  private pointer(v: GoValue, verb: string): void {
    const addr = '0xc000010000';
    if (verb === 'v' && this.f.sharpV) this.out += `(${goTypeName(v)})(${addr})`;
    else if (verb === 'v' || verb === 'p') this.pad(addr, this.f.zero);
    else this.badVerb(verb, v);
  }

  // -------------------------------------------------------------------------
  // Padding

  /** Pads to the width (counted in runes) on the left, or on the right with '-'. */
  private pad(s: string, zero: boolean): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (this.f.minus) {
      this.out += s;
      this.writePadding(width, false);
    } else {
      this.writePadding(width, zero);
      this.out += s;
    }
  }

  private writePadding(n: number, zero: boolean): void {
    if (n > 0) this.out += (zero ? '0' : ' ').repeat(n);
  }
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) n--;
    }
  }
  return n;
}

function truncate(s: string, f: Flags): string {
  if (!f.precPresent) return s;
  const runes = [...s];
  return runes.length > f.prec ? runes.slice(0, f.prec).join('') : s;
}

/** An int as a rune for %c/%q: invalid code points become U+FFFD. */
function validRune(n: bigint): number {
  if (n < 0n || n > 0x10ffffn) return 0xfffd;
  const cp = Number(n);
  return cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
}

/**
 * The '#' flag for floats (Go fmt.fmtFloat): always a decimal point, and for
 * %g/%x the trailing zeros up to the precision. `num` starts with its sign.
 */
function sharpFloat(num: string, verb: FloatFormat, prec: number): string {
  const hexForm = verb === 'x' || verb === 'X';
  let digits = verb === 'g' || verb === 'G' || hexForm ? (prec === -1 ? 6 : prec) : 0;
  const tailAt = num.slice(1).search(hexForm ? /[pP]/ : /[eE]/);
  const body = tailAt < 0 ? num : num.slice(0, tailAt + 1);
  const tail = tailAt < 0 ? '' : num.slice(tailAt + 1);
  let sawNonzero = false;
  for (const c of body.slice(1)) {
    if (c === '.') continue;
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  let out = body;
  if (!body.includes('.')) {
    if (body.length === 2 && body[1] === '0') digits--;
    out += '.';
  }
  if (digits > 0) out += '0'.repeat(digits);
  return out + tail;
}

/** time.Time's String method (the zone is UTC: GoTime carries no location). */
const TIME_STRING_LAYOUT = GoLayout.of('2006-01-02 15:04:05.999999999 -0700 MST');

function formatTimeValue(t: GoTime): string {
  return formatGoTime(TIME_STRING_LAYOUT, t);
}
