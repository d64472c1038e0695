/**
 * String literal helpers with Go `strconv` semantics: `unquote` turns a
 * STRING token's text into its value, `quote` writes a value the way Go's
 * `strconv.Quote` / `%q` does (used to re-quote labels, keys and values).
 *
 * Byte escapes: Go strings are byte strings, JS strings are not. `unquote`
 * therefore collects the value as UTF-8 bytes (`\xHH` and `\NNN` add one raw
 * byte each) and decodes the result once at the end, so `"\xe2\x82\xac"` is
 * "€" as in Go, while bytes that do not form valid UTF-8 become U+FFFD.
 */

const BACKSLASH = 0x5c;

/** Go's strconv.ErrSyntax text. */
const SYNTAX_ERROR = 'invalid syntax';

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, '"': 0x22,
};

/**
 * Unquotes a `"..."` or `` `...` `` literal (Go strconv.Unquote). Raw strings
 * lose their CR characters. Throws `Error('invalid syntax')` on malformed
 * input; the scanner has already rejected such literals in parsed files.
 */
export function unquote(lit: string): string {
  const n = lit.length;
  if (n < 2 || lit[0] !== lit[n - 1]) throw new Error(SYNTAX_ERROR);
  const body = lit.slice(1, n - 1);
  if (lit[0] === '`') {
    if (body.includes('`')) throw new Error(SYNTAX_ERROR);
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if (lit[0] !== '"' || body.includes('\n')) throw new Error(SYNTAX_ERROR);
  if (!body.includes('\\')) {
    if (body.includes('"')) throw new Error(SYNTAX_ERROR);
    return body;
  }
  return unescapeBody(body);
}

/** Decodes the escapes of a double-quoted literal's body. */
function unescapeBody(body: string): string {
  const bytes: number[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '"') throw new Error(SYNTAX_ERROR);
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      pushUtf8(bytes, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    i = decodeEscape(body, i + 1, bytes);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes the escape whose letter is at `i`, appending its bytes; returns the index after it. */
function decodeEscape(body: string, i: number, out: number[]): number {
  const e = body[i];
  if (e === undefined) throw new Error(SYNTAX_ERROR);
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) {
    out.push(simple);
    return i + 1;
  }
  if (e >= '0' && e <= '7') {
    const v = parseDigits(body, i, 3, 8);
    if (v > 255) throw new Error(SYNTAX_ERROR);
    out.push(v);
    return i + 3;
  }
  const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (width === 0) throw new Error(SYNTAX_ERROR);
  const v = parseDigits(body, i + 1, width, 16);
  if (e === 'x') out.push(v);
  else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error(SYNTAX_ERROR);
  else pushUtf8(out, v);
  return i + 1 + width;
}

function parseDigits(s: string, start: number, count: number, base: number): number {
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

const NON_ASCII_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return NON_ASCII_PRINTABLE.test(String.fromCodePoint(cp));
}

const NAMED_ESCAPES: Record<number, string> = {
  0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v',
};

/**
 * Quotes a string like Go's strconv.Quote (`%q`). A lone surrogate (which has
 * no UTF-8 form) is written as U+FFFD, as Go would print its replacement.
 */
export function quote(s: string): string {
  let out = '"';
  let plainStart = 0; // start of the current run of characters copied as they are
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const escaped = escapeRune(cp);
    if (escaped !== undefined) {
      out += s.slice(plainStart, i) + escaped;
      plainStart = i + width;
    }
    i += width;
  }
  return out + s.slice(plainStart) + '"';
}

/** The escape Go writes for a code point, or undefined when it is printed as is. */
function escapeRune(cp: number): string | undefined {
  if (cp === 0x22) return '\\"';
  if (cp === BACKSLASH) return '\\\\';
  if (isGoPrintable(cp)) return undefined;
  if (cp < 0x80) return NAMED_ESCAPES[cp] ?? `\\x${hex(cp, 2)}`;
  if (cp >= 0xd800 && cp < 0xe000) return '\ufffd';
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}
