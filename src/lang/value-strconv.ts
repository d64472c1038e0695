/**
 * Go `strconv` behaviour that Alloy exposes through values: parsing number
 * literals (ParseInt/ParseUint with base 0, ParseFloat), formatting floats
 * ('e', 'f', 'g' with Go's rounding: exact, ties to even) and quoting strings
 * (strconv.Quote). Written for Alloy's needs, not as a full port.
 */
import { isGoPrintable, quote } from './strings.js';

// ---------------------------------------------------------------------------
// Parsing

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Digits of `s` in `base` as a bigint, or undefined if any is invalid. */
function parseDigits(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  let n = 0n;
  const b = BigInt(base);
  for (const ch of s) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * b + BigInt(d);
  }
  return n;
}

/** Splits a base-0 prefix: 0x/0o/0b, or a leading 0 meaning octal. */
function splitBase(s: string): { base: number; digits: string } {
  const lower = s.slice(0, 2).toLowerCase();
  if (lower === '0x') return { base: 16, digits: s.slice(2) };
  if (lower === '0o') return { base: 8, digits: s.slice(2) };
  if (lower === '0b') return { base: 2, digits: s.slice(2) };
  if (s.length > 1 && s[0] === '0') return { base: 8, digits: s.slice(1) };
  return { base: 10, digits: s };
}

/** Go strconv.ParseUint(s, base, 64) without underscores; undefined on any error. */
export function parseGoUint(s: string, base = 0): bigint | undefined {
  const { base: b, digits } = base === 0 ? splitBase(s) : { base, digits: s };
  const n = parseDigits(digits, b);
  return n !== undefined && n <= UINT64_MAX ? n : undefined;
}

/** Go strconv.ParseInt(s, base, 64) without underscores; undefined on any error. */
export function parseGoInt(s: string, base = 0): bigint | undefined {
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const n = parseGoUint(body, base);
  if (n === undefined) return undefined;
  if (neg) return n <= INT64_MAX + 1n ? -n : undefined;
  return n <= INT64_MAX ? n : undefined;
}

export type FloatParse = { ok: true; value: number } | { ok: false; message: string };

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_FLOAT = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/;
const SPECIAL_FLOAT = /^[+-]?(inf|infinity|nan)$/i;

/** Go strconv.ParseFloat(s, 64) including its error texts. */
export function parseGoFloat(s: string): FloatParse {
  const fail = (why: string): FloatParse => ({ ok: false, message: `strconv.ParseFloat: parsing ${goQuote(s)}: ${why}` });
  if (SPECIAL_FLOAT.test(s)) {
    const neg = s.startsWith('-');
    const lower = s.replace(/^[+-]/, '').toLowerCase();
    if (lower === 'nan') return { ok: true, value: NaN };
    return { ok: true, value: neg ? -Infinity : Infinity };
  }
  let value: number;
  if (DECIMAL_FLOAT.test(s)) value = Number(s);
  else if (HEX_FLOAT.test(s)) value = parseHexFloat(s);
  else return fail('invalid syntax');
  return Number.isFinite(value) ? { ok: true, value } : fail('value out of range');
}

function parseHexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s)!;
  const mant = BigInt('0x' + (m[2]! + m[3]! || '0'));
  const exp = Number(m[4]) - 4 * m[3]!.length;
  const v = Number(mant) * 2 ** exp;
  return m[1] === '-' ? -v : v;
}

// ---------------------------------------------------------------------------
// Float formatting

/** A decimal number: digits "d1d2..." with the decimal point after `dp` digits. */
interface Decimal {
  digits: string;
  dp: number;
}

/** The shortest digits that round-trip to x (x finite, non-negative). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '');
  return { digits, dp: Number(exp) + 1 };
}

/** The exact decimal value of x (finite, non-negative). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (biasedExp === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  return trimDecimal({ digits, dp });
}

function trimDecimal(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, '');
  return { digits, dp: digits === '' ? 0 : d.dp };
}

/** Rounds to `nd` significant digits, exact ties to even (Go decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: '', dp: 0 };
  if (d.digits.length <= nd) return d;
  if (!shouldRoundUp(d.digits, nd)) return trimDecimal({ digits: d.digits.slice(0, nd), dp: d.dp });
  return roundUp(d.digits.slice(0, nd), d.dp);
}

function shouldRoundUp(digits: string, nd: number): boolean {
  const next = digits[nd]!;
  if (next !== '5') return next > '5';
  if (nd + 1 < digits.length) return true;
  return nd > 0 && Number(digits[nd - 1]) % 2 === 1;
}

function roundUp(kept: string, dp: number): Decimal {
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: dp + 1 };
  const digits = kept.slice(0, i) + String(Number(kept[i]) + 1);
  return { digits, dp };
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G';

/**
 * Go strconv.FormatFloat(x, fmt, prec, 64). `prec` -1 means the shortest
 * representation that round-trips.
 */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const body = prec < 0 ? formatShortest(abs, fmt) : formatFixed(abs, fmt, prec);
  return neg ? '-' + body : body;
}

function formatShortest(x: number, fmt: FloatFormat): string {
  const d = shortestDecimal(x);
  switch (fmt) {
    case 'e': case 'E': return fmtE(d, Math.max(d.digits.length - 1, 0), fmt);
    case 'f': return fmtF(d, Math.max(d.digits.length - d.dp, 0));
    default: return fmtG(d, d.digits.length, true, fmt);
  }
}

function formatFixed(x: number, fmt: FloatFormat, prec: number): string {
  const exact = exactDecimal(x);
  switch (fmt) {
    case 'e': case 'E': return fmtE(roundDecimal(exact, prec + 1), prec, fmt);
    case 'f': return fmtF(roundDecimal(exact, exact.dp + prec), prec);
    default: {
      const p = prec === 0 ? 1 : prec;
      return fmtG(roundDecimal(exact, p), p, false, fmt);
    }
  }
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i]! : '0';
}

/** d.ddddde±dd */
function fmtE(d: Decimal, prec: number, fmt: 'e' | 'E' | 'g' | 'G'): string {
  let out = digitAt(d, 0);
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  const e = fmt === 'E' || fmt === 'G' ? 'E' : 'e';
  return `${out}${e}${sign}${abs < 10 ? '0' + abs : abs}`;
}

/** ddd.ddd */
function fmtF(d: Decimal, prec: number): string {
  let out = '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  } else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.dp + i);
  }
  return out;
}

function fmtG(d: Decimal, prec: number, shortest: boolean, fmt: FloatFormat): string {
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (nd !== 0 && (exp < -4 || exp >= eprec)) {
    return fmtE(d, Math.min(prec, nd) - 1, fmt === 'G' ? 'G' : 'g');
  }
  if (nd === 0) return fmtF(d, 0);
  return fmtF(d, Math.max((prec > d.dp ? nd : prec) - d.dp, 0));
}

/** Go FormatFloat(x, 'f', -1, 64): how Alloy turns a float into a string. */
export function formatFloatPlain(x: number): string {
  return formatFloat(x, 'f', -1);
}

// ---------------------------------------------------------------------------
// Quoting

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Escapes one code point for a quoted literal (strconv appendEscapedRune). */
function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (asciiOnly ? cp < 0x80 && isGoPrintable(cp) : isGoPrintable(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07: return '\\a';
    case 0x08: return '\\b';
    case 0x0c: return '\\f';
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x0b: return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

/** Go strconv.Quote (or QuoteToASCII with asciiOnly). */
export function goQuote(s: string, asciiOnly = false): string {
  if (!asciiOnly) return quote(s);
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

/** Go strconv.QuoteRune (or QuoteRuneToASCII). */
export function goQuoteRune(cp: number, asciiOnly = false): string {
  const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  return "'" + escapeRune(valid ? cp : 0xfffd, 0x27, asciiOnly) + "'";
}

/** Go strconv.CanBackquote: single-line, no backquote, no control chars but TAB. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x7f) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
  }
  return true;
}
