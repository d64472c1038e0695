/**
 * Go's strconv, as far as Alloy and the Go behaviour built on it need it:
 * quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote, IsPrint), Unquote,
 * FormatFloat ('e', 'E', 'f', 'g', 'G', 'b', 'x', 'X'; exact decimal rounding,
 * ties to even) and ParseInt / ParseUint / ParseFloat.
 * See https://pkg.go.dev/strconv.
 *
 * Go strings are byte strings, JS strings are not: `unquote` collects a
 * literal's value as UTF-8 bytes (`\xHH` and `\NNN` add one raw byte each)
 * and decodes them once at the end, so `"\xe2\x82\xac"` is "€" as in Go while
 * bytes that are not valid UTF-8 become U+FFFD. A lone surrogate (which has
 * no UTF-8 form) is quoted as U+FFFD, the rune Go would see in its place.
 */

/** Go's strconv.ErrSyntax text. */
const SYNTAX_ERROR = 'invalid syntax';

// ---------------------------------------------------------------------------
// Unquote

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c,
};

/**
 * strconv.Unquote of a `"..."`, `` `...` `` or `'...'` literal. Raw strings
 * lose their CR characters. Throws `Error('invalid syntax')` on malformed input.
 */
export function unquote(lit: string): string {
  const n = lit.length;
  const q = lit[0];
  if (n < 2 || q !== lit[n - 1]) throw new Error(SYNTAX_ERROR);
  const body = lit.slice(1, n - 1);
  if (q === '`') {
    if (body.includes('`')) throw new Error(SYNTAX_ERROR);
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if ((q !== '"' && q !== "'") || body.includes('\n')) throw new Error(SYNTAX_ERROR);
  if (q === '"' && !body.includes('\\')) {
    if (body.includes('"')) throw new Error(SYNTAX_ERROR);
    return body;
  }
  const value = unescapeGoString(body, q);
  if (q === "'" && [...value].length !== 1) throw new Error(SYNTAX_ERROR);
  return value;
}

/**
 * The escapes of a quoted literal's body (without its quotes) resolved, as
 * Unquote does; `quote` is the literal's quote character, which may only
 * appear escaped. Throws `Error('invalid syntax')` on a bad escape.
 */
export function unescapeGoString(body: string, quote: '"' | "'" = '"'): string {
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === quote) throw new Error(SYNTAX_ERROR);
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      pushUtf8(bytes, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    i = decodeEscape(body, i + 1, quote, bytes);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes the escape whose letter is at `i`, appending its bytes; returns the index after it. */
function decodeEscape(body: string, i: number, quote: string, out: number[]): number {
  const e = body[i];
  if (e === undefined) throw new Error(SYNTAX_ERROR);
  const simple = e === quote ? e.charCodeAt(0) : SIMPLE_ESCAPES[e];
  if (simple !== undefined) {
    out.push(simple);
    return i + 1;
  }
  if (e >= '0' && e <= '7') {
    const v = parseFixedDigits(body, i, 3, 8);
    if (v > 255) throw new Error(SYNTAX_ERROR);
    out.push(v);
    return i + 3;
  }
  const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (width === 0) throw new Error(SYNTAX_ERROR);
  const v = parseFixedDigits(body, i + 1, width, 16);
  if (e === 'x') out.push(v);
  else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error(SYNTAX_ERROR);
  else pushUtf8(out, v);
  return i + 1 + width;
}

function parseFixedDigits(s: string, start: number, count: number, base: number): number {
  let v = 0;
  for (let k = start; k < start + count; k++) {
    const d = k < s.length ? parseInt(s[k]!, base) : NaN;
    if (Number.isNaN(d)) throw new Error(SYNTAX_ERROR);
    v = v * base + d;
  }
  return v;
}

function pushUtf8(out: number[], cp: number): void {
  if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; // lone surrogate: not representable in UTF-8
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

// ---------------------------------------------------------------------------
// Quoting

const NON_ASCII_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return NON_ASCII_PRINTABLE.test(String.fromCodePoint(cp));
}

const NAMED_ESCAPES: Record<number, string> = {
  0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
};

/** strconv.Quote (`%q`): a double-quoted Go literal, printable runes as they are. */
export function quote(s: string): string {
  return quoteWith(s, 0x22, false);
}

/** strconv.QuoteToASCII (`%+q`): like quote, with every non-ASCII rune escaped. */
export function quoteToASCII(s: string): string {
  return quoteWith(s, 0x22, true);
}

/** strconv.Quote, or QuoteToASCII with asciiOnly. */
export function goQuote(s: string, asciiOnly = false): string {
  return quoteWith(s, 0x22, asciiOnly);
}

/** strconv.QuoteRune (or QuoteRuneToASCII): invalid code points are quoted as U+FFFD. */
export function goQuoteRune(cp: number, asciiOnly = false): string {
  const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
  const r = valid ? cp : 0xfffd;
  return "'" + (escapeRune(r, 0x27, asciiOnly) ?? String.fromCodePoint(r)) + "'";
}

/** Copies runs of runes that need no escape in one slice (the printer's hot path). */
function quoteWith(s: string, q: number, asciiOnly: boolean): string {
  const mark = String.fromCharCode(q);
  let out = mark;
  let plainStart = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    if (cp >= 0x20 && cp < 0x7f && cp !== q && cp !== 0x5c) {
      i++; // printable ASCII: copied as it is
      continue;
    }
    const width = cp > 0xffff ? 2 : 1;
    const escaped = escapeRune(cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp, q, asciiOnly);
    if (escaped !== undefined) {
      out += s.slice(plainStart, i) + escaped;
      plainStart = i + width;
    }
    i += width;
  }
  return out + s.slice(plainStart) + mark;
}

/** The escape strconv writes for a rune (appendEscapedRune), or undefined when it is kept as is. */
function escapeRune(cp: number, q: number, asciiOnly: boolean): string | undefined {
  if (cp === q || cp === 0x5c) return '\\' + String.fromCharCode(cp);
  if (asciiOnly ? cp < 0x80 && isGoPrintable(cp) : isGoPrintable(cp)) return cp === 0xfffd ? '\ufffd' : undefined;
  if (cp < 0x80) return NAMED_ESCAPES[cp] ?? `\\x${hex(cp, 2)}`;
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/** strconv.CanBackquote: single line, no backquote, no control characters but TAB, no BOM. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x60 || cp === 0xfeff) return false;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x7f) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Parsing numbers

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

type IntParse = bigint | 'invalid syntax' | 'value out of range';

/** strconv.ParseUint(s, base, 64) without underscores, or the NumError's reason. */
function parseUintResult(s: string, base: number): IntParse {
  const { base: b, digits } = base === 0 ? splitBase(s) : { base, digits: s };
  const n = parseDigits(digits, b);
  if (n === undefined) return 'invalid syntax';
  return n <= UINT64_MAX ? n : 'value out of range';
}

/** strconv.ParseInt(s, base, 64) without underscores, or the NumError's reason. */
function parseIntResult(s: string, base: number): IntParse {
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const n = parseUintResult(body, base);
  if (typeof n !== 'bigint') return n;
  if (neg) return n <= INT64_MAX + 1n ? -n : 'value out of range';
  return n <= INT64_MAX ? n : 'value out of range';
}

/** strconv.ParseUint(s, base, 64) without underscores; undefined on any error. */
export function parseGoUint(s: string, base = 0): bigint | undefined {
  const n = parseUintResult(s, base);
  return typeof n === 'bigint' ? n : undefined;
}

/** strconv.ParseInt(s, base, 64) without underscores; undefined on any error. */
export function parseGoInt(s: string, base = 0): bigint | undefined {
  const n = parseIntResult(s, base);
  return typeof n === 'bigint' ? n : undefined;
}

/** strconv.ParseInt(s, base, 64); throws with Go's error text (`strconv.ParseInt: parsing "x": invalid syntax`). */
export function parseGoIntOrThrow(s: string, base = 0): bigint {
  const n = parseIntResult(s, base);
  if (typeof n !== 'bigint') throw new Error(`strconv.ParseInt: parsing ${quote(s)}: ${n}`);
  return n;
}

export type FloatParse = { ok: true; value: number } | { ok: false; message: string };

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX_FLOAT = /^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+$/;
/** Go's special(): a sign may precede Inf/Infinity but not NaN. */
const SPECIAL_FLOAT = /^([+-]?(inf|infinity)|nan)$/i;

/** strconv.ParseFloat(s, 64) including its error texts. */
export function parseGoFloat(s: string): FloatParse {
  const fail = (why: string): FloatParse => ({ ok: false, message: `strconv.ParseFloat: parsing ${quote(s)}: ${why}` });
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
// FormatFloat

/** A decimal number: digits "d1d2..." with the decimal point after `dp` digits. */
interface Decimal {
  digits: string;
  dp: number;
}

/** The shortest digits that round-trip to x (x finite, non-negative); JS and Go agree on them. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '');
  return { digits, dp: Number(exp) + 1 };
}

/** The exact decimal value of x (finite, non-negative). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const { mant, exp } = floatBits(x);
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

/** Rounds to `nd` significant digits, exact ties to even (Go's decimal.Round). */
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

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'b' | 'x' | 'X';

/**
 * strconv.FormatFloat(x, fmt, prec, 64). `prec` -1 means the shortest
 * representation that round-trips.
 */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (fmt === 'b') return binaryFloat(x);
  if (fmt === 'x' || fmt === 'X') return hexFloat(x, prec, fmt === 'X');
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const body = prec < 0 ? formatShortest(abs, fmt) : formatFixed(abs, fmt, prec);
  return neg ? '-' + body : body;
}

/** FormatFloat(x, 'f', -1, 64): how Alloy turns a float into a string. */
export function formatFloatPlain(x: number): string {
  return formatFloat(x, 'f', -1);
}

type DecimalFormat = 'e' | 'E' | 'f' | 'g' | 'G';

function formatShortest(x: number, fmt: DecimalFormat): string {
  const d = shortestDecimal(x);
  switch (fmt) {
    case 'e': case 'E': return fmtE(d, Math.max(d.digits.length - 1, 0), fmt);
    case 'f': return fmtF(d, Math.max(d.digits.length - d.dp, 0));
    default: return fmtG(d, d.digits.length, true, fmt);
  }
}

function formatFixed(x: number, fmt: DecimalFormat, prec: number): string {
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
function fmtE(d: Decimal, prec: number, fmt: DecimalFormat): string {
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

/** %e for large or small exponents, %f otherwise (strconv's rule: exponent < -4 or >= precision). */
function fmtG(d: Decimal, prec: number, shortest: boolean, fmt: DecimalFormat): string {
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (nd !== 0 && (exp < -4 || exp >= eprec)) return fmtE(d, Math.min(prec, nd) - 1, fmt);
  if (nd === 0) return fmtF(d, 0);
  return fmtF(d, Math.max((prec > d.dp ? nd : prec) - d.dp, 0));
}

/** Sign, integer mantissa and binary exponent of a float64: x = ±mant × 2^exp. */
function floatBits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const neg = bits >> 63n === 1n;
  return biased === 0 ? { neg, mant: frac, exp: -1074 } : { neg, mant: frac | (1n << 52n), exp: biased - 1075 };
}

/** 'b' format: decimal mantissa 'p' binary exponent. */
function binaryFloat(x: number): string {
  const { neg, mant, exp } = floatBits(x);
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** 'x' format: -0x1.hhhhp±dd (shortest, or `prec` hex digits rounded to even). */
function hexFloat(x: number, prec: number, upper: boolean): string {
  const { neg, mant: rawMant, exp: rawExp } = floatBits(x);
  const sign = neg ? '-' : '';
  let s: string;
  if (rawMant === 0n) {
    s = `${sign}0x0${prec > 0 ? '.' + '0'.repeat(prec) : ''}p+00`;
  } else {
    const { mant, exp: normExp } = normalizeMantissa(rawMant, rawExp);
    const frac = mant & ((1n << 52n) - 1n);
    let exp = normExp;
    let digits: string;
    if (prec >= 0 && prec < 13) ({ digits, exp } = roundHexMantissa(frac, exp, prec));
    else {
      digits = frac.toString(16).padStart(13, '0').replace(/0+$/, '');
      if (prec > 13) digits = digits.padEnd(prec, '0');
    }
    const absExp = Math.abs(exp);
    s = `${sign}0x1${digits ? '.' + digits : ''}p${exp < 0 ? '-' : '+'}${absExp < 10 ? '0' + absExp : absExp}`;
  }
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
