/**
 * The `string` namespace: Go `strings` functions and fmt.Sprintf (grafana/alloy
 * syntax/internal/stdlib/stdlib.go).
 * Arguments decode into strings, so numbers are accepted as their text.
 */
import { arrayValue, stringValue, type FunctionValue, type Value } from '../value.js';
import { T } from '../value-decode.js';
import { typedFunc } from './func.js';
import { goSprintf } from './gofmt.js';
import { goReplaceAll, goSplit, goToLower, goToUpper, goTrim, goTrimPrefix, goTrimSpace, goTrimSuffix } from '../../go/strings.js';

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
    trim_prefix: twoStringsToString('string.trim_prefix', goTrimPrefix),
    trim_suffix: twoStringsToString('string.trim_suffix', goTrimSuffix),
    trim_space: stringToString('string.trim_space', goTrimSpace),
  };
}
