/**
 * Scanner tests: token forms, automatic terminators, comments, and the exact
 * texts and offsets of lexical errors. The upstream token and error tables are
 * in test/conformance/scan.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isValidIdentifier, sanitizeIdentifier } from '../../src/lang/identifier.js';
import { formatRune, scanAll, type ScanOptions } from '../../src/lang/scanner.js';
import { tokName } from '../../src/lang/token.js';

/** Tokens as `KIND` or `KIND:literal` strings (EOF left out), plus errors as `offset: message`. */
function scan(text: string | Buffer, options?: ScanOptions): { tokens: string[]; errors: string[] } {
  const errors: string[] = [];
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const tokens = scanAll(bytes, (off, msg) => errors.push(`${off}: ${msg}`), options)
    .slice(0, -1)
    .map((t) => (t.lit && t.lit !== '\n' ? `${tokName(t.tok)}:${t.lit}` : tokName(t.tok)));
  return { tokens, errors };
}
const tokens = (text: string, options?: ScanOptions) => scan(text, options).tokens;

describe('token forms', () => {
  it('scans numbers and floats', () => {
    expect(tokens('0 123 1. .5 1e3 1.e5 .5e1 2E-3 010', { terminators: false })).toEqual([
      'NUMBER:0', 'NUMBER:123', 'FLOAT:1.', 'FLOAT:.5', 'FLOAT:1e3', 'FLOAT:1.e5', 'FLOAT:.5e1', 'FLOAT:2E-3', 'NUMBER:010',
    ]);
  });

  it('has no hex or separators: they split into NUMBER and IDENT', () => {
    expect(tokens('0x10 1_000', { terminators: false })).toEqual(['NUMBER:0', 'IDENT:x10', 'NUMBER:1', 'IDENT:_000']);
  });

  it('knows exactly three keywords', () => {
    expect(tokens('true false null if nul', { terminators: false })).toEqual([
      'BOOL:true', 'BOOL:false', 'NULL:null', 'IDENT:if', 'IDENT:nul',
    ]);
  });

  it('scans operators and punctuation', () => {
    expect(tokens('|| && ! != = == < <= > >= + - * / % ^ { } ( ) [ ] , .', { terminators: false }).join(' ')).toBe(
      '|| && ! != = == < <= > >= + - * / % ^ { } ( ) [ ] , .',
    );
  });

  it('scans Unicode identifiers', () => {
    expect(tokens('ŝ a۰۱۸ 名前 _x9', { terminators: false })).toEqual(['IDENT:ŝ', 'IDENT:a۰۱۸', 'IDENT:名前', 'IDENT:_x9']);
  });

  it('scans strings with escapes and raw strings across lines', () => {
    expect(tokens('"a\\"b\\\\\\n\\x41\\101\\u00e9\\U0001F600" `x\n"y`', { terminators: false })).toEqual([
      'STRING:"a\\"b\\\\\\n\\x41\\101\\u00e9\\U0001F600"',
      'STRING:`x\n"y`',
    ]);
  });

  it('keeps non-ASCII text in literals, identifiers and comments wherever it starts', () => {
    const text = '"é" "aé" `é` `aé` é aé ASCII_é //é\n/*é*/ // aé';
    expect(tokens(text, { terminators: false, comments: true })).toEqual([
      'STRING:"é"', 'STRING:"aé"', 'STRING:`é`', 'STRING:`aé`', 'IDENT:é', 'IDENT:aé', 'IDENT:ASCII_é',
      'COMMENT://é', 'COMMENT:/*é*/', 'COMMENT:// aé',
    ]);
  });
});

describe('automatic terminators', () => {
  it('follows identifiers, literals and closers at a newline or EOF', () => {
    expect(tokens('a\n1\n"s"\n)\n]\n}\ntrue\nnull\n2.5')).toEqual([
      'IDENT:a', 'TERMINATOR', 'NUMBER:1', 'TERMINATOR', 'STRING:"s"', 'TERMINATOR', ')', 'TERMINATOR', ']', 'TERMINATOR',
      '}', 'TERMINATOR', 'BOOL:true', 'TERMINATOR', 'NULL:null', 'TERMINATOR', 'FLOAT:2.5', 'TERMINATOR',
    ]);
  });

  it('does not follow operators, openers, commas or blank lines', () => {
    expect(tokens('a = [\n1 +\n2,\n\n\n]\n')).toEqual(['IDENT:a', '=', '[', 'NUMBER:1', '+', 'NUMBER:2', ',', ']', 'TERMINATOR']);
  });

  it('goes before a comment that runs to the end of the line', () => {
    expect(tokens('a // c\nb /* c */\nd /* c */ e', { comments: true })).toEqual([
      'IDENT:a', 'TERMINATOR', 'COMMENT:// c', 'IDENT:b', 'TERMINATOR', 'COMMENT:/* c */', 'IDENT:d', 'COMMENT:/* c */',
      'IDENT:e', 'TERMINATOR',
    ]);
    const s = scanAll(Buffer.from('a // c\n'), undefined, { comments: true });
    expect(s.map((t) => [tokName(t.tok), t.pos])).toEqual([['IDENT', 0], ['TERMINATOR', 2], ['COMMENT', 2], ['EOF', 7]]);
  });

  it('treats a block comment ending the line like a newline even when it spans lines', () => {
    expect(tokens('a /* x\ny */ b', { comments: true })).toEqual(['IDENT:a', 'TERMINATOR', 'COMMENT:/* x\ny */', 'IDENT:b', 'TERMINATOR']);
  });

  it('skips comments unless asked for them, keeping the terminator', () => {
    expect(tokens('a // c\nb')).toEqual(['IDENT:a', 'TERMINATOR', 'IDENT:b', 'TERMINATOR']);
    expect(tokens('a /* c */ b')).toEqual(['IDENT:a', 'IDENT:b', 'TERMINATOR']);
  });

  it('ignores CRs', () => {
    expect(tokens('a = 1\r\nb = 2\r\n')).toEqual(['IDENT:a', '=', 'NUMBER:1', 'TERMINATOR', 'IDENT:b', '=', 'NUMBER:2', 'TERMINATOR']);
    expect(tokens('// x\r\n/* y\r\nz */', { comments: true })).toEqual(['COMMENT:// x', 'COMMENT:/* y\nz */']);
  });
});

describe('lexical errors', () => {
  it.each([
    ['#', "0: illegal character U+0023 '#'"],
    ['\u0007', '0: illegal character U+0007'],
    ['a | b', '3: missing second | in ||'],
    ['a & b', '3: missing second & in &&'],
    ["'x'", '0: illegal single-quoted string; use double quotes'],
    ['"abc', '0: string literal not terminated'],
    ['`abc', '0: string literal not terminated'],
    ['/* abc', '0: block comment not terminated'],
    ['10E+', '0: exponent has no digits'],
    ['"\\q"', '2: unknown escape sequence'],
    ["\"\\'\"", '2: unknown escape sequence'],
    ['"\\400"', '2: escape sequence is invalid Unicode code point'],
    ['"\\ud800"', '2: escape sequence is invalid Unicode code point'],
    ['"\\U00110000"', '2: escape sequence is invalid Unicode code point'],
    ['"\\x4"', `2: illegal character U+0022 '"' in escape sequence`],
    ['"\\', '2: escape sequence not terminated'],
  ])('%j', (text, first) => {
    expect(scan(text).errors[0]).toBe(first);
  });

  it('reports bad bytes where they are read', () => {
    expect(scan(Buffer.from([0x61, 0x00, 0x62])).errors).toEqual(['1: illegal character NUL', '1: illegal character U+0000']);
    expect(scan(Buffer.from([0x22, 0xff, 0x22])).errors).toEqual(['1: illegal UTF-8 encoding']);
    // The scanner reads the next character before reporting the current one.
    expect(scan(Buffer.from([0xc0, 0x80])).errors).toEqual([
      '0: illegal UTF-8 encoding', '1: illegal UTF-8 encoding',
      "0: illegal character U+FFFD '\uFFFD'", "1: illegal character U+FFFD '\uFFFD'",
    ]);
  });

  it('skips a leading BOM but rejects one elsewhere', () => {
    expect(scan('\uFEFFa')).toEqual({ tokens: ['IDENT:a', 'TERMINATOR'], errors: [] });
    expect(scan('a\uFEFF').errors).toEqual(['1: illegal byte order mark']);
  });

  it('formats runes like Go %#U', () => {
    expect([formatRune(0x23), formatRune(0x7), formatRune(0x20), formatRune(0xa0), formatRune(0x1f600)]).toEqual([
      "U+0023 '#'", 'U+0007', "U+0020 ' '", 'U+00A0', "U+1F600 '😀'",
    ]);
  });

  it('never loops or throws on arbitrary bytes', () => {
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      const bytes = Buffer.from(Array.from({ length: 64 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff));
      expect(() => scan(bytes, { comments: true })).not.toThrow();
    }
  });
});

describe('identifiers', () => {
  it('validates whole identifiers only', () => {
    expect(['a', '_b1', 'ŝfoo', 'a۰۱۸'].map(isValidIdentifier)).toEqual([true, true, true, true]);
    expect(['', '1a', 'a b', 'true', 'null', 'a-b', 'a\u0000'].map(isValidIdentifier)).toEqual([false, false, false, false, false, false, false]);
  });

  it('sanitizes per character', () => {
    expect(sanitizeIdentifier('9lives')).toBe('_9lives');
    expect(sanitizeIdentifier('app.kubernetes.io/name')).toBe('app_kubernetes_io_name');
    expect(sanitizeIdentifier('naïve-π')).toBe('naïve_π');
    expect(() => sanitizeIdentifier('')).toThrow('cannot generate a new identifier for an empty string');
  });
});
