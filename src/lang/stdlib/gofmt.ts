/**
 * Go `fmt.Sprintf` for `string.format` (spec §4). Arguments are Alloy values
 * seen as the Go values an untyped decode produces (decode.go decodeAny):
 * ints → int (uint64 above int64), floats → float64, arrays → []interface {},
 * objects → map[string]interface {} (printed with sorted keys), null → nil.
 * Reproduces verbs, flags, width, precision, argument indexes and the error
 * forms (`%!d(float64=4)`, `%!d(MISSING)`, `%!(EXTRA string=c)`, ...).
 */
import { OptionalSecret, Secret, compareStrings, goTypeOfAny, type Value } from '../value.js';
import { isGoPrintable } from '../strings.js';
import { canBackquote, formatFloat, goQuote, goQuoteRune, type FloatFormat } from '../value-strconv.js';

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

/** Formats like Go's fmt.Sprintf(format, args...). */
export function goSprintf(format: string, args: readonly Value[]): string {
  return new GoPrinter(args).run(format);
}

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

class GoPrinter {
  private out = '';
  private f = clearFlags();
  private argNum = 0;
  private reordered = false;
  private goodArgNum = true;

  constructor(private readonly args: readonly Value[]) {}

  run(format: string): string {
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

  /** A `*` width or precision taken from the next argument (must be an int). */
  private intFromArg(): { num: number; ok: boolean } {
    if (this.argNum >= this.args.length) return { num: 0, ok: false };
    const a = this.args[this.argNum++]!;
    if (a.type !== 'number' || a.kind === 'float' || goTypeOfAny(a) !== 'int') return { num: 0, ok: false };
    const n = Number(a.value);
    return Math.abs(n) > TOO_LARGE ? { num: 0, ok: false } : { num: n, ok: true };
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
      if (a.type === 'null') return '<nil>';
      const saved = this.out;
      this.out = '';
      this.printArg(a, 'v');
      const text = this.out;
      this.out = saved;
      return `${goTypeOfAny(a)}=${text}`;
    });
    this.out += `%!(EXTRA ${parts.join(', ')})`;
  }

  // -------------------------------------------------------------------------
  // Values

  /** Go printArg: a top-level argument. */
  private printArg(v: Value, verb: string): void {
    if (v.type === 'null') {
      if (verb === 'v' || verb === 'T') this.padString('<nil>');
      else this.out += `%!${verb}(<nil>)`;
      return;
    }
    if (verb === 'T') return this.padString(truncate(goTypeOfAny(v), this.f));
    if (verb === 'p') return this.pointer(v, verb);
    this.printValue(v, verb, 0);
  }

  /** Go printValue. `depth` > 0 inside arrays and objects. */
  private printValue(v: Value, verb: string, depth: number): void {
    switch (v.type) {
      case 'null': return this.nilElement();
      case 'bool': return this.bool(v.value, verb, v);
      case 'number':
        if (v.kind === 'float') return this.float(v.value, verb, v);
        return this.integer(v.value, goTypeOfAny(v) === 'int', verb, v);
      case 'string': return this.string(v.value, verb, v);
      case 'array': return this.list(v.elements, verb, depth);
      case 'object': return this.map(v.fields, verb, depth);
      case 'function': return this.pointer(v, verb);
      case 'capsule': return this.capsule(v, verb, depth);
    }
  }

  /** A nil element inside a slice or map (an empty interface). */
  private nilElement(): void {
    this.out += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
  }

  private badVerb(verb: string, v: Value): void {
    this.out += `%!${verb}(${goTypeOfAny(v)}=`;
    this.printValue(v, 'v', 0);
    this.out += ')';
  }

  private bool(b: boolean, verb: string, v: Value): void {
    if (verb === 't' || verb === 'v') this.padString(b ? 'true' : 'false');
    else this.badVerb(verb, v);
  }

  private integer(n: bigint, signed: boolean, verb: string, v: Value): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV && !signed) return this.hex0x(n);
        return this.fmtInteger(n, 10, verb, false);
      case 'd': return this.fmtInteger(n, 10, verb, false);
      case 'b': return this.fmtInteger(n, 2, verb, false);
      case 'o': case 'O': return this.fmtInteger(n, 8, verb, false);
      case 'x': return this.fmtInteger(n, 16, verb, false);
      case 'X': return this.fmtInteger(n, 16, verb, true);
      case 'c': return this.padString(String.fromCodePoint(validRune(n)));
      case 'q': return this.padString(goQuoteRune(validRune(n), this.f.plus));
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

  private float(x: number, verb: string, v: Value): void {
    switch (verb) {
      case 'v': return this.fmtFloat(x, 'g', -1);
      case 'g': case 'G': case 'e': case 'E': return this.fmtFloat(x, verb, verb === 'e' || verb === 'E' ? 6 : -1);
      case 'f': case 'F': return this.fmtFloat(x, 'f', 6);
      case 'b': return this.pad(this.signed(binaryFloat(x)), this.f.zero);
      case 'x': case 'X': return this.pad(this.signed(hexFloat(x, this.f.precPresent ? this.f.prec : -1, verb === 'X')), this.f.zero);
      default: return this.badVerb(verb, v);
    }
  }

  /** Adds the + or space flag to an unsigned rendering. */
  private signed(s: string): string {
    if (s.startsWith('-')) return s;
    return this.f.plus ? '+' + s : this.f.space ? ' ' + s : s;
  }

  /** Go fmt.fmtFloat. */
  private fmtFloat(x: number, verb: FloatFormat, prec: number): void {
    if (this.f.precPresent) prec = this.f.prec;
    let num = formatFloat(x, verb, prec);
    if (!num.startsWith('-') && !num.startsWith('+')) num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      return this.pad(num, false);
    }
    if (this.f.sharp) num = sharpFloat(num, verb, prec);
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && this.f.widPresent && this.f.wid > num.length) {
        this.out += num[0] + '0'.repeat(this.f.wid - num.length) + num.slice(1);
        return;
      }
      return this.pad(num, this.f.zero);
    }
    this.pad(num.slice(1), this.f.zero);
  }

  private string(s: string, verb: string, v: Value): void {
    switch (verb) {
      case 'v': return this.f.sharpV ? this.quoted(s) : this.padString(truncate(s, this.f));
      case 's': return this.padString(truncate(s, this.f));
      case 'x': return this.hexBytes(Buffer.from(s, 'utf8'), false);
      case 'X': return this.hexBytes(Buffer.from(s, 'utf8'), true);
      case 'q': return this.quoted(s);
      default: return this.badVerb(verb, v);
    }
  }

  private quoted(s: string): void {
    s = truncate(s, this.f);
    if (this.f.sharp && canBackquote(s)) return this.padString('`' + s + '`');
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

  private list(elements: readonly Value[], verb: string, depth: number): void {
    if (this.f.sharpV) {
      this.out += '[]interface {}{';
      elements.forEach((e, i) => {
        if (i > 0) this.out += ', ';
        this.printValue(e, verb, depth + 1);
      });
      this.out += '}';
      return;
    }
    this.out += '[';
    elements.forEach((e, i) => {
      if (i > 0) this.out += ' ';
      this.printValue(e, verb, depth + 1);
    });
    this.out += ']';
  }

  private map(fields: ReadonlyMap<string, Value>, verb: string, depth: number): void {
    const keys = [...fields.keys()].sort(compareStrings);
    this.out += this.f.sharpV ? 'map[string]interface {}{' : 'map[';
    keys.forEach((k, i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      this.string(k, verb, { type: 'string', value: k });
      this.out += ':';
      this.printValue(fields.get(k)!, verb, depth + 1);
    });
    this.out += this.f.sharpV ? '}' : ']';
  }

  private capsule(v: Value & { type: 'capsule' }, verb: string, depth: number): void {
    const p = v.payload;
    // Secret is a Go string type: it prints as its text.
    if (p instanceof Secret) return this.string(p.value, verb, v);
    if (p instanceof OptionalSecret) return this.optionalSecret(p, verb, depth);
    this.out += this.f.sharpV ? `${p.capsuleType}{}` : '{}';
  }

  /** OptionalSecret is a Go struct {IsSecret bool; Value string}. */
  private optionalSecret(p: OptionalSecret, verb: string, depth: number): void {
    const named = this.f.plusV || this.f.sharpV;
    this.out += this.f.sharpV ? 'alloytypes.OptionalSecret{' : '{';
    if (named) this.out += 'IsSecret:';
    this.bool(p.isSecret, verb, { type: 'bool', value: p.isSecret });
    this.out += this.f.sharpV ? ', ' : ' ';
    if (named) this.out += 'Value:';
    this.printValue({ type: 'string', value: p.value }, verb, depth + 1);
    this.out += '}';
  }

  private pointer(v: Value, verb: string): void {
    const addr = '0xc000010000';
    if (verb === 'v' && this.f.sharpV) this.out += `(${goTypeOfAny(v)})(${addr})`;
    else if (verb === 'v' || verb === 'p') this.pad(addr, this.f.zero);
    else this.badVerb(verb, v);
  }

  // -------------------------------------------------------------------------
  // Padding

  private padString(s: string): void {
    this.pad(s, this.f.zero);
  }

  /** Pads to the width (counted in code points) on the left, or right with '-'. */
  private pad(s: string, zero: boolean): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - [...s].length;
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

/** The '#' flag for floats: keep a decimal point and (for %g) trailing zeros. */
function sharpFloat(num: string, verb: FloatFormat, prec: number): string {
  let digits = verb === 'g' || verb === 'G' ? (prec === -1 ? 6 : prec) : 0;
  let body = num;
  let tail = '';
  const e = body.search(/[eE]/);
  if (e >= 0) {
    tail = body.slice(e);
    body = body.slice(0, e);
  }
  let sawNonzero = false;
  let hasPoint = false;
  for (const c of body.slice(1)) {
    if (c === '.') hasPoint = true;
    else {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  if (digits > 0) body += '0'.repeat(digits);
  return body + tail;
}

function floatBits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const neg = bits >> 63n === 1n;
  return biased === 0 ? { neg, mant: frac, exp: -1074 } : { neg, mant: frac | (1n << 52n), exp: biased - 1075 };
}

/** Go %b for floats: decimal mantissa 'p' binary exponent. */
function binaryFloat(x: number): string {
  const { neg, mant, exp } = floatBits(x);
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** Go %x for floats: 0x1.hhhp±dd (shortest, or `prec` hex digits). */
function hexFloat(x: number, prec: number, upper: boolean): string {
  if (!Number.isFinite(x)) return formatFloat(x, 'g', -1);
  const { neg, mant: rawMant, exp: rawExp } = floatBits(x);
  const sign = neg ? '-' : '';
  if (rawMant === 0n) {
    const zeros = prec > 0 ? '.' + '0'.repeat(prec) : '';
    return `${sign}0x0${zeros}p+00`;
  }
  const { mant, exp: normExp } = normalizeMantissa(rawMant, rawExp);
  let exp = normExp;
  let digits: string;
  if (prec >= 0 && prec < 13) {
    ({ digits, exp } = roundHexMantissa(mant & ((1n << 52n) - 1n), exp, prec));
  } else {
    digits = (mant & ((1n << 52n) - 1n)).toString(16).padStart(13, '0').replace(/0+$/, '');
    if (prec > 13) digits = digits.padEnd(prec, '0');
  }
  const expSign = exp < 0 ? '-' : '+';
  const absExp = Math.abs(exp);
  const s = `${sign}0x1${digits ? '.' + digits : ''}p${expSign}${absExp < 10 ? '0' + absExp : absExp}`;
  return upper ? s.toUpperCase() : s;
}

/** Shifts a (possibly subnormal) mantissa so bit 52 is set; exp becomes the power of the leading 1. */
function normalizeMantissa(mant: bigint, exp: number): { mant: bigint; exp: number } {
  while (mant < 1n << 52n) {
    mant <<= 1n;
    exp--;
  }
  return { mant, exp: exp + 52 };
}

/** Rounds the 52 fraction bits to `prec` hex digits, ties to even. */
function roundHexMantissa(frac: bigint, exp: number, prec: number): { digits: string; exp: number } {
  const shift = BigInt(4 * (13 - prec));
  const half = 1n << (shift - 1n);
  const rem = frac & ((1n << shift) - 1n);
  let kept = frac >> shift;
  if (rem > half || (rem === half && (kept & 1n) === 1n)) kept++;
  if (kept >> BigInt(4 * prec) === 1n) {
    kept = 0n;
    exp++;
  }
  return { digits: prec === 0 ? '' : kept.toString(16).padStart(prec, '0'), exp };
}
