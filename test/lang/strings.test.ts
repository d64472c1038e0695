/** unquote / quote with Go strconv.Unquote / strconv.Quote semantics. */
import { describe, expect, it } from 'vitest';
import { quote, unquote } from '../../src/go/strconv.js';

describe('unquote', () => {
  it.each([
    ['""', ''],
    ['"plain"', 'plain'],
    ['"a\\tb\\n\\\\\\""', 'a\tb\n\\"'],
    ['"\\a\\b\\f\\r\\v"', '\x07\b\f\r\v'],
    ['"\\x41\\101\\u00e9\\U0001F600"', 'AAé😀'],
    ['"\\xe2\\x82\\xac"', '€'], // bytes are collected and decoded as UTF-8
    ['"\\xff"', '\uFFFD'], // a byte that is not UTF-8 becomes U+FFFD
    ['`raw \\n ${x}`', 'raw \\n ${x}'],
    ['`a\r\nb\r`', 'a\nb'], // raw strings lose their CRs
    ['"日本"', '日本'],
  ])('%s', (lit, want) => {
    expect(unquote(lit)).toBe(want);
  });

  it.each(['', '"', 'abc', '"a', '`a"', '"\\q"', "\"\\'\"", '"\\400"', '"\\ud800"', '"\\x4"', '"a\nb"', '"a"b"', '`a`b`'])(
    'rejects %j',
    (lit) => {
      expect(() => unquote(lit)).toThrow('invalid syntax');
    },
  );
});

describe('quote', () => {
  it.each([
    ['', '""'],
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['é日本😀', '"é日本😀"'],
    ['\u00a0\u00ad\u2028', '"\\u00a0\\u00ad\\u2028"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['with space', '"with space"'],
    ['\ud800', '"\uFFFD"'],
  ])('%j', (s, want) => {
    expect(quote(s)).toBe(want);
  });

  it('round-trips through unquote', () => {
    for (const s of ['', 'a\tb', '"\\', 'é\u0001😀', '`']) expect(unquote(quote(s))).toBe(s);
  });
});
