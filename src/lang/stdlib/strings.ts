/**
 * The `string` namespace: Go `strings` functions and fmt.Sprintf (grafana/alloy
 * syntax/internal/stdlib/stdlib.go).
 * Arguments decode into strings, so numbers are accepted as their text.
 */
import { arrayValue, stringValue, type FunctionValue, type Value } from '../value.js';
import { T } from '../value-decode.js';
import { typedFunc } from './func.js';
import { goSprintf } from './gofmt.js';

const STR_STR = 'func(string) string';
const STR2_STR = 'func(string, string) string';

/** A function of one string returning a string. */
function stringToString(name: string, fn: (s: string) => string): FunctionValue {
  return typedFunc({ name, goType: STR_STR, params: [T.string] }, (s: string) => stringValue(fn(s)));
}

/** A function of two strings returning a string. */
function twoStringsToString(name: string, fn: (a: string, b: string) => string): FunctionValue {
  return typedFunc({ name, goType: STR2_STR, params: [T.string, T.string] }, (a: string, b: string) => stringValue(fn(a, b)));
}

/** Go unicode.IsSpace. */
const GO_SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Go strings.Trim: drop leading and trailing runes found in `cutset`. */
export function goTrim(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const cut = new Set(cutset);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && cut.has(runes[start]!)) start++;
  while (end > start && cut.has(runes[end - 1]!)) end--;
  return runes.slice(start, end).join('');
}

/** Go strings.Split: an empty separator splits into runes. */
export function goSplit(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

/** Go strings.ReplaceAll: an empty `old` matches before every rune and at the end. */
export function goReplaceAll(s: string, old: string, repl: string): string {
  if (old !== '') return s.split(old).join(repl);
  return repl + [...s].map((c) => c + repl).join('');
}

/**
 * Go unicode.ToUpper/ToLower per rune: simple one-to-one mappings only, so
 * runes whose full mapping has several characters (ß → SS) stay unchanged.
 */
function mapRunes(s: string, map: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = map(c);
    out += [...m].length === 1 ? m : (SPECIAL_SIMPLE.get(c) ?? c);
  }
  return out;
}

/** Simple mappings that JS only offers as multi-character full mappings. */
const SPECIAL_SIMPLE = new Map([['\u0130', 'i']]);

export const goToUpper = (s: string): string => mapRunes(s, (c) => c.toUpperCase());
export const goToLower = (s: string): string => mapRunes(s, (c) => c.toLowerCase());

/** Functions of the `string` namespace, also used by the deprecated top-level aliases. */
export function stringFunctions(): Record<string, FunctionValue> {
  return {
    format: typedFunc(
      { name: 'string.format', goType: 'func(string, ...interface {}) string', params: [T.string], variadic: T.any },
      (format: string, args: Value[]) => stringValue(goSprintf(format, args)),
    ),
    join: typedFunc(
      { name: 'string.join', goType: 'func([]string, string) string', params: [T.list(T.string), T.string] },
      (elems: string[], sep: string) => stringValue(elems.join(sep)),
    ),
    replace: typedFunc(
      { name: 'string.replace', goType: 'func(string, string, string) string', params: [T.string, T.string, T.string] },
      (s: string, old: string, repl: string) => stringValue(goReplaceAll(s, old, repl)),
    ),
    split: typedFunc(
      { name: 'string.split', goType: 'func(string, string) []string', params: [T.string, T.string] },
      (s: string, sep: string) => arrayValue(goSplit(s, sep).map(stringValue)),
    ),
    to_lower: stringToString('string.to_lower', goToLower),
    to_upper: stringToString('string.to_upper', goToUpper),
    trim: twoStringsToString('string.trim', goTrim),
    trim_prefix: twoStringsToString('string.trim_prefix', (s, p) => (p !== '' && s.startsWith(p) ? s.slice(p.length) : s)),
    trim_suffix: twoStringsToString('string.trim_suffix', (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
    trim_space: stringToString('string.trim_space', (s) => goTrim(s, GO_SPACE)),
  };
}
