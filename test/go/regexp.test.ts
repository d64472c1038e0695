import { describe, expect, it } from 'vitest';
import { ExpandTemplate } from '../../src/go/regexp/expand.js';
import { Re2Regexp } from '../../src/go/regexp/regexp.js';

/** Compiled the way relabel rules compile: `^(?s:…)$`. */
const anchored = (re: string) => Re2Regexp.compile(`^(?s:${re})$`);
const matches = (re: string, s: string) => anchored(re).test(s);
const groups = (re: string, s: string) => {
  const m = anchored(re).exec(s);
  return m && [...m];
};
const compileError = (re: string) => {
  try {
    anchored(re);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('Go regexp translation', () => {
  it('anchors fully and lets . match newlines', () => {
    expect(matches('o', 'foo')).toBe(false);
    expect(matches('f.o', 'foo')).toBe(true);
    expect(matches('a.b', 'a\nb')).toBe(true);
    expect(matches('(?-s:a.b)', 'a\nb')).toBe(false);
    expect(matches('^dropme$', 'dropme')).toBe(true);
    // The wrapper is textual, as in Go: an unbalanced ) splits it into an alternation.
    expect(matches('a)|(b', 'ab')).toBe(true);
  });

  it('translates named groups, including names JS refuses', () => {
    const re = anchored('(?P<first>f)(?<rest>.*)-(?P<1x>\\d)');
    expect(re.names).toEqual([undefined, 'first', 'rest', '1x']);
    expect([...re.exec('foo-1')!]).toEqual(['foo-1', 'f', 'oo', '1']);
  });

  it('uses Go\'s ASCII-only Perl classes', () => {
    expect(matches('\\s', '\v')).toBe(false); // JS's \s would match a vertical tab
    expect(matches('\\s', '\u00a0')).toBe(false);
    expect(matches('\\w+', 'héllo')).toBe(false);
    expect(matches('\\d', '٣')).toBe(false);
    expect(matches('[\\S]', '\t')).toBe(false);
    expect(matches('[^\\d\\s]+', 'ab-c')).toBe(true);
    expect(matches('\\W', '_')).toBe(false);
  });

  it('supports POSIX classes and Unicode properties', () => {
    expect(matches('[[:alpha:]]+', 'abcXYZ')).toBe(true);
    expect(matches('[[:alpha:]]', '1')).toBe(false);
    expect(matches('[[:^digit:]]+', 'abc')).toBe(true);
    expect(matches('[[:xdigit:][:space:]]+', 'af 09')).toBe(true);
    expect(matches('\\pL+', 'héllo')).toBe(true);
    expect(matches('\\p{Greek}+', 'αβγ')).toBe(true);
    expect(matches('\\P{Greek}', 'α')).toBe(false);
    expect(matches('\\p{^Greek}', 'a')).toBe(true);
    expect(matches('[\\p{Lu}\\d]+', 'AB12')).toBe(true);
  });

  it('handles escapes: \\A \\z \\Q…\\E octal hex and escaped punctuation', () => {
    expect(matches('\\Afoo\\z', 'foo')).toBe(true);
    expect(matches('\\Qa.b*\\E', 'a.b*')).toBe(true);
    expect(matches('\\Qa.b*\\E', 'axbbb')).toBe(false);
    expect(matches('\\Qab\\E+', 'abbb')).toBe(true); // the quantifier takes the last character only
    expect(matches('\\101\\x42\\x{43}\\x{1F600}', 'ABC😀')).toBe(true);
    expect(matches('\\_\\-\\ \\#', '_- #')).toBe(true);
    expect(matches('\\$\\{x\\}', '${x}')).toBe(true);
    expect(matches('a{', 'a{')).toBe(true);
    expect(matches('a{,2}', 'a{,2}')).toBe(true);
    expect(matches('[]a]+', ']a]')).toBe(true);
    expect(matches('[a-]+', 'a-a')).toBe(true);
    expect(matches('.', '😀')).toBe(true); // one rune, not two UTF-16 units
  });

  it('applies scoped flags', () => {
    expect(matches('(?i)foo', 'FoO')).toBe(true);
    expect(anchored('(?i)foo').jsFlags).toBe('iu');
    expect(matches('(?i)k', '\u212a')).toBe(true); // KELVIN SIGN folds to k, as in Go
    expect(matches('f(?i)oo', 'fOO')).toBe(true);
    expect(matches('f(?i)oo', 'FOO')).toBe(false);
    expect(matches('(?i:f)oo', 'Foo')).toBe(true);
    expect(matches('(?i:f)oo', 'FOO')).toBe(false);
    expect(matches('x(?i:[a-c]+)', 'xAbC')).toBe(true);
    expect(matches('(?i)a(?-i)b', 'Ab')).toBe(true);
    expect(matches('(?i)a(?-i)b', 'AB')).toBe(false);
    expect(matches('(?m)a$\\n^b', 'a\nb')).toBe(true);
    expect(matches('a$\\nb', 'a\nb')).toBe(false); // without m, $ is the end of the text only
    expect(groups('(?U)(a+)(a*)', 'aaa')).toEqual(['aaa', 'a', 'aa']);
    expect(groups('(a+?)(a*)', 'aaa')).toEqual(['aaa', 'a', 'aa']);
    expect(groups('(?U)(a+?)(a*)', 'aaa')).toEqual(['aaa', 'aaa', '']);
  });

  it('quantifies what JS would refuse to', () => {
    expect(matches('^*a', 'a')).toBe(true);
    expect(matches('(?m)(^)*a', 'a')).toBe(true);
  });

  it("rejects what Go rejects, with Go's messages", () => {
    expect(compileError('(a')).toBe('error parsing regexp: missing closing ): `^(?s:(a)$`');
    expect(compileError('a)')).toBe('error parsing regexp: unexpected ): `^(?s:a))$`');
    expect(compileError('[a')).toBe('error parsing regexp: missing closing ]: `[a)$`');
    expect(compileError('a**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    expect(compileError('*a')).toBe('error parsing regexp: missing argument to repetition operator: `*`');
    expect(compileError('a|+')).toBe('error parsing regexp: missing argument to repetition operator: `+`');
    expect(compileError('{2}')).toBe('error parsing regexp: missing argument to repetition operator: `{2}`');
    expect(compileError('a{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(compileError('a{3,2}')).toBe('error parsing regexp: invalid repeat count: `{3,2}`');
    expect(compileError('(a)\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(compileError('\\8')).toBe('error parsing regexp: invalid escape sequence: `\\8`');
    expect(compileError('\\Z')).toBe('error parsing regexp: invalid escape sequence: `\\Z`');
    expect(compileError('(?=a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(compileError('(?<!a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
    expect(compileError('(?x)a')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?x`');
    expect(compileError('(?P<a-b>x)')).toBe('error parsing regexp: invalid named capture: `(?P<a-b>`');
    expect(compileError('[z-a]')).toBe('error parsing regexp: invalid character class range: `z-a`');
    expect(compileError('[[:nope:]]')).toBe('error parsing regexp: invalid character class range: `[:nope:]`');
    expect(compileError('\\p{Nope}')).toBe('error parsing regexp: invalid character class range: `\\p{Nope}`');
    expect(compileError('\\xZZ')).toBe('error parsing regexp: invalid escape sequence: `\\xZZ`');
    // A trailing backslash escapes the wrapper's ")".
    expect(compileError('a\\')).toBe('error parsing regexp: missing closing ): `^(?s:a\\)$`');
  });
});

describe('Go Regexp.Expand', () => {
  const expand = (re: string, template: string, input: string) => {
    const compiled = anchored(re);
    return ExpandTemplate.parse(template, compiled).expand(compiled.exec(input)!);
  };

  it('expands numbered and named references', () => {
    expect(expand('f(.*)', 'ch${1}-ch${1}', 'foo')).toBe('choo-choo');
    expect(expand('(f)(o+)', '$2$1', 'foo')).toBe('oof');
    expect(expand('(f)(o+)', '$0', 'foo')).toBe('foo');
    expect(expand('(?P<first>f)(?P<rest>.*)', '${rest}-$first', 'foo')).toBe('oo-f');
  });

  it('reads the longest name after $ (so $1x is the group "1x")', () => {
    expect(expand('f(o)o', '$1x', 'foo')).toBe('');
    expect(expand('f(o)o', '${1}x', 'foo')).toBe('ox');
    expect(expand('f(?P<1x>o)o', '$1x', 'foo')).toBe('o');
    expect(expand('f(o)o', '$1_suffix', 'foo')).toBe('');
    expect(expand('f(o)o', '$1-suffix', 'foo')).toBe('o-suffix');
  });

  it('keeps $$ and malformed references literal', () => {
    expect(expand('(a)', '$$1', 'a')).toBe('$1');
    expect(expand('(a)', 'cost: $', 'a')).toBe('cost: $');
    expect(expand('(a)', '$-', 'a')).toBe('$-');
    expect(expand('(a)', '${1', 'a')).toBe('${1');
    expect(expand('(a)', '${}', 'a')).toBe('${}');
  });

  it('expands absent or non-participating groups to nothing', () => {
    expect(expand('(a)', '[$2]', 'a')).toBe('[]');
    expect(expand('(a)|(b)', '[$1|$2]', 'b')).toBe('[|b]');
    expect(expand('(a)', '[$01]', 'a')).toBe('[]'); // a leading zero makes it a name
    expect(expand('(a)', '[$missing]', 'a')).toBe('[]');
  });

  it('picks the first participating group of a repeated name', () => {
    expect(expand('(?P<x>a)|(?P<x>b)', '$x', 'b')).toBe('b');
    expect(expand('(?P<x>a)|(?P<x>b)', '$x', 'a')).toBe('a');
  });
});
