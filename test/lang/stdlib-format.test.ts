/** string.format: Go fmt.Sprintf behaviour (expected texts are Go's outputs). */
import { describe, expect, it } from 'vitest';
import { goSprintf } from '../../src/lang/stdlib/gofmt.js';
import {
  NULL,
  arrayValue,
  boolValue,
  floatValue,
  intValue,
  objectValue,
  optionalSecretValue,
  secretValue,
  stringValue,
  uintValue,
  type Value,
} from '../../src/lang/value.js';

const i = (n: number): Value => intValue(n);
const f = (n: number): Value => floatValue(n);
const s = (x: string): Value => stringValue(x);

const cases: [string, Value[], string][] = [
  // integers
  ['%d', [i(42)], '42'],
  ['%+d', [i(5)], '+5'],
  ['% d', [i(5)], ' 5'],
  ['%5d|', [i(42)], '   42|'],
  ['%-5d|', [i(42)], '42   |'],
  ['%05d', [i(-42)], '-0042'],
  ['%.3d', [i(7)], '007'],
  ['%.0d', [i(0)], ''],
  ['%x', [i(-255)], '-ff'],
  ['%#x', [i(255)], '0xff'],
  ['%X', [i(255)], 'FF'],
  ['%#X', [i(255)], '0XFF'],
  ['%o', [i(8)], '10'],
  ['%#o', [i(8)], '010'],
  ['%O', [i(8)], '0o10'],
  ['%b', [i(5)], '101'],
  ['%c', [i(65)], 'A'],
  ['%q', [i(65)], "'A'"],
  ['%U', [i(0x1f600)], 'U+1F600'],
  ['%#U', [i(65)], "U+0041 'A'"],
  ['%v', [uintValue(18446744073709551615n)], '18446744073709551615'],
  ['%#v', [uintValue(18446744073709551615n)], '0xffffffffffffffff'],
  // floats
  ['%f', [f(3.14159)], '3.141590'],
  ['%.2f', [f(0.125)], '0.12'],
  ['%.0f', [f(2.5)], '2'],
  ['%.0f', [f(3.5)], '4'],
  ['%8.3f|', [f(3.14159)], '   3.142|'],
  ['%-8.3f|', [f(3.14159)], '3.142   |'],
  ['%08.3f', [f(-3.14159)], '-003.142'],
  ['%+.1e', [f(0)], '+0.0e+00'],
  ['%e', [f(1234.5678)], '1.234568e+03'],
  ['%E', [f(1234.5678)], '1.234568E+03'],
  ['%g', [f(1234.5678)], '1234.5678'],
  ['%g', [f(0.00001234)], '1.234e-05'],
  ['%.3g', [f(1234.5678)], '1.23e+03'],
  ['%G', [f(1e-10)], '1E-10'],
  ['%v', [f(1e6)], '1e+06'],
  ['%v', [f(100000)], '100000'],
  ['%v', [f(0.0001)], '0.0001'],
  ['%v', [f(0.000001)], '1e-06'],
  ['%v', [f(123456789)], '1.23456789e+08'],
  ['%6.2v|', [f(3.14159)], '   3.1|'],
  ['%#g', [f(1)], '1.00000'],
  ['%#.3g', [f(1)], '1.00'],
  ['%#.0f', [f(3)], '3.'],
  ['%x', [f(3)], '0x1.8p+01'],
  ['%b', [f(1)], '4503599627370496p-52'],
  ['%f', [f(Infinity)], '+Inf'],
  ['%5.1f|', [f(NaN)], '  NaN|'],
  // strings
  ['%s', [s('hi')], 'hi'],
  ['%10.3s|', [s('abcdef')], '       abc|'],
  ['%-6s|', [s('ab')], 'ab    |'],
  ['%05s', [s('ab')], '000ab'],
  ['%x', [s('hello')], '68656c6c6f'],
  ['% x', [s('hi')], '68 69'],
  ['%#x', [s('hi')], '0x6869'],
  ['%# x', [s('hi')], '0x68 0x69'],
  ['%X', [s('hi')], '6869'],
  ['%q', [s('a\nb')], '"a\\nb"'],
  ['%+q', [s('é')], '"\\u00e9"'],
  ['%#q', [s('ab')], '`ab`'],
  ['%#v', [s('x')], '"x"'],
  ['%3c|', [i(0x4e16)], '  世|'],
  // bools and null
  ['%t', [boolValue(true)], 'true'],
  ['%5t|', [boolValue(false)], 'false|'],
  ['%v', [NULL], '<nil>'],
  ['%s', [NULL], '%!s(<nil>)'],
  // composites
  ['%v', [arrayValue([i(1), s('a'), NULL])], '[1 a <nil>]'],
  ['%d', [arrayValue([i(1), i(2)])], '[1 2]'],
  ['%5v', [arrayValue([i(1), i(2)])], '[    1     2]'],
  ['%#v', [arrayValue([i(1), s('a'), NULL])], '[]interface {}{1, "a", interface {}(nil)}'],
  ['%v', [objectValue({ b: i(2), a: i(1) })], 'map[a:1 b:2]'],
  ['%#v', [objectValue({ a: i(1) })], 'map[string]interface {}{"a":1}'],
  ['%d', [objectValue({ a: i(1) })], 'map[%!d(string=a):1]'],
  // capsules
  ['%s', [secretValue('pw')], 'pw'],
  ['%v', [optionalSecretValue('bar', false)], '{false bar}'],
  ['%+v', [optionalSecretValue('bar', false)], '{IsSecret:false Value:bar}'],
  ['%#v', [optionalSecretValue('bar', true)], 'alloytypes.OptionalSecret{IsSecret:true, Value:"bar"}'],
  // types
  ['%T %T %T %T', [i(1), s('a'), arrayValue([]), f(1)], 'int string []interface {} float64'],
  // argument handling and errors
  ['%[2]d %[1]d', [i(1), i(2)], '2 1'],
  ['%[3]d', [i(1)], '%!d(BADINDEX)'],
  ['%*d|', [i(5), i(42)], '   42|'],
  ['%-*d|', [i(4), i(7)], '7   |'],
  ['%*d|', [i(-4), i(7)], '7   |'],
  ['%*d', [s('x'), i(7)], '%!(BADWIDTH)7'],
  ['%.*f', [i(2), f(3.14159)], '3.14'],
  ['%d', [f(4)], '%!d(float64=4)'],
  ['%.3f', [i(2)], '%!f(int=002)'],
  ['%z', [i(1)], '%!z(int=1)'],
  ['%d %d', [i(1)], '1 %!d(MISSING)'],
  ['%d', [i(1), s('a'), boolValue(true)], '1%!(EXTRA string=a, bool=true)'],
  ['%d', [i(1), NULL], '1%!(EXTRA <nil>)'],
  ['100%%', [], '100%'],
  ['abc%', [], 'abc%!(NOVERB)'],
  ['%!', [], '%!!(MISSING)'],
  ['%s', [arrayValue([i(1), i(2)])], '[%!s(int=1) %!s(int=2)]'],
  ['héllo %s', [s('wörld')], 'héllo wörld'],
];

describe('goSprintf', () => {
  for (const [format, args, want] of cases) {
    it(`${JSON.stringify(format)} → ${JSON.stringify(want)}`, () => {
      expect(goSprintf(format, args)).toBe(want);
    });
  }
});
