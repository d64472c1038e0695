/** The value model: number formatting, decoding conversions, equality and rendering. */
import { describe, expect, it } from 'vitest';
import { renderAlloy, renderJson } from '../../src/lang/render.js';
import {
  NULL,
  OptionalSecret,
  Secret,
  arrayValue,
  boolValue,
  bytesValue,
  compareStrings,
  floatValue,
  intValue,
  objectValue,
  optionalSecretValue,
  secretValue,
  stringValue,
  uintValue,
  valuesEqual,
  type Value,
} from '../../src/lang/value.js';
import { convertValue, decodeValue, type TypeDesc } from '../../src/lang/value-decode.js';
import { ElementError, FieldError, MissingKeyError, TypeMismatchError, ValError } from '../../src/lang/value-errors.js';
import { formatFloat, parseGoFloat, parseGoInt, parseGoUint } from '../../src/go/strconv.js';

describe('strconv', () => {
  it('parses integers like ParseInt/ParseUint base 0', () => {
    expect(parseGoInt('010')).toBe(8n);
    expect(parseGoInt('09')).toBeUndefined();
    expect(parseGoInt('0x1F')).toBe(31n);
    expect(parseGoInt('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseGoInt('9223372036854775808')).toBeUndefined();
    expect(parseGoUint('18446744073709551615')).toBe(18446744073709551615n);
    expect(parseGoUint('18446744073709551616')).toBeUndefined();
  });

  it('parses floats with Go error texts', () => {
    expect(parseGoFloat('1.5e3')).toEqual({ ok: true, value: 1500 });
    expect(parseGoFloat('0x1p-2')).toEqual({ ok: true, value: 0.25 });
    expect(parseGoFloat('1e400')).toEqual({ ok: false, message: 'strconv.ParseFloat: parsing "1e400": value out of range' });
    expect(parseGoFloat('abc')).toEqual({ ok: false, message: 'strconv.ParseFloat: parsing "abc": invalid syntax' });
  });

  const floats: [number, 'e' | 'f' | 'g', number, string][] = [
    [1e21, 'f', -1, '1000000000000000000000'],
    [0.1, 'f', -1, '0.1'],
    [-0, 'f', -1, '-0'],
    [1e-7, 'f', -1, '0.0000001'],
    [123456789, 'g', -1, '1.23456789e+08'],
    [100000, 'g', -1, '100000'],
    [1e6, 'g', -1, '1e+06'],
    [0.125, 'f', 2, '0.12'],
    [0.375, 'f', 2, '0.38'],
    [2.5, 'f', 0, '2'],
    [9.995, 'f', 2, '9.99'],
    [999.5, 'e', 2, '1.00e+03'],
    [5e-324, 'e', -1, '5e-324'],
    [1.7976931348623157e308, 'g', -1, '1.7976931348623157e+308'],
    [0, 'e', 3, '0.000e+00'],
    [0, 'g', 3, '0'],
    [1, 'g', 3, '1'],
    [1234.5, 'g', 3, '1.23e+03'],
    [0.0001234, 'g', 2, '0.00012'],
  ];
  for (const [x, fmt, prec, want] of floats) {
    it(`formatFloat(${x}, ${fmt}, ${prec}) = ${want}`, () => expect(formatFloat(x, fmt, prec)).toBe(want));
  }
});

describe('decodeValue', () => {
  const cases: [string, Value, TypeDesc, unknown][] = [
    ['number → string', floatValue(1e21), { kind: 'string' }, '1000000000000000000000'],
    ['uint → string', uintValue(18446744073709551615n), { kind: 'string' }, '18446744073709551615'],
    ['string → int', stringValue('-12'), { kind: 'number', int: true }, -12],
    ['string → float', stringValue('2.5e1'), { kind: 'number' }, 25],
    ['int wraps to int8', intValue(300), { kind: 'number', int: true, bits: 8 }, 44],
    ['int → uint8 wraps', intValue(-1), { kind: 'number', int: true, unsigned: true, bits: 8 }, 255],
    ['float truncates to int', floatValue(-2.9), { kind: 'number', int: true }, -2],
    ['float32 rounds', floatValue(0.1), { kind: 'number', bits: 32 }, Math.fround(0.1)],
    ['int64 as bigint', intValue(-5), { kind: 'bigint' }, -5n],
    ['null → zero string', NULL, { kind: 'string' }, ''],
    ['null → zero list', NULL, { kind: 'list', elem: { kind: 'string' } }, []],
    ['bytes → string', bytesValue(Buffer.from('hé')), { kind: 'string' }, 'hé'],
    ['string → bytes', stringValue('A'), { kind: 'bytes' }, new Uint8Array([65])],
    ['string → secret', stringValue('pw'), { kind: 'secret' }, new Secret('pw')],
    ['optional → secret', optionalSecretValue('x', false), { kind: 'secret' }, new Secret('x')],
    ['secret → optional', secretValue('x'), { kind: 'optional_secret' }, new OptionalSecret('x', true)],
    ['string → optional', stringValue('x'), { kind: 'optional_secret' }, new OptionalSecret('x', false)],
    ['optional (plain) → string', optionalSecretValue('x', false), { kind: 'string' }, 'x'],
    ['optional (plain) → number', optionalSecretValue('-7', false), { kind: 'number', int: true }, -7],
    ['any keeps the value', intValue(1), { kind: 'any' }, intValue(1)],
  ];
  for (const [name, v, t, want] of cases) it(name, () => expect(decodeValue(v, t)).toEqual(want));

  it('decodes structs with zero values for absent fields', () => {
    const t: TypeDesc = { kind: 'object', fields: { a: { kind: 'string' }, b: { kind: 'number', int: true } } };
    expect({ ...(decodeValue(objectValue({ a: stringValue('x') }), t) as object) }).toEqual({ a: 'x', b: 0 });
    expect(() => decodeValue(objectValue({ c: intValue(1) }), t)).toThrow(MissingKeyError);
  });

  it('reports the failing element or field', () => {
    const list = arrayValue([intValue(1), boolValue(true)]);
    const err = captured(() => decodeValue(list, { kind: 'list', elem: { kind: 'string' } }));
    expect(err).toBeInstanceOf(ElementError);
    expect((err as ElementError).index).toBe(1);
    expect((err as ElementError).inner).toBeInstanceOf(TypeMismatchError);
    const obj = objectValue({ k: stringValue('x') });
    expect(captured(() => decodeValue(obj, { kind: 'map', elem: { kind: 'bool' } }))).toBeInstanceOf(FieldError);
  });

  it('refuses to reveal secrets', () => {
    const err = captured(() => decodeValue(secretValue('pw'), { kind: 'string' }));
    expect(err).toBeInstanceOf(ValError);
    expect((err as Error).message).toBe('secrets may not be converted into strings');
    expect(() => decodeValue(optionalSecretValue('pw', true), { kind: 'string' })).toThrow('secrets may not be converted into strings');
    expect(() => decodeValue(secretValue('1'), { kind: 'number' })).toThrow(TypeMismatchError);
  });

  it('rejects strings that are not numbers', () => {
    for (const s of ['', 'x', '1x', '--1', '-1.5']) {
      expect(() => convertValue(stringValue(s), 'number')).toThrow(TypeMismatchError);
    }
    expect(convertValue(stringValue('1.5'), 'number')).toEqual(floatValue(1.5));
    expect(convertValue(stringValue('7'), 'number')).toEqual(uintValue(7));
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('equality and ordering', () => {
  it('compares numbers across kinds and containers deeply', () => {
    expect(valuesEqual(intValue(3), floatValue(3))).toBe(true);
    expect(valuesEqual(uintValue(3), intValue(3))).toBe(true);
    expect(valuesEqual(arrayValue([intValue(1)]), arrayValue([floatValue(1)]))).toBe(true);
    expect(valuesEqual(objectValue({ a: NULL }), objectValue({ b: NULL }))).toBe(false);
    expect(valuesEqual(secretValue('a'), secretValue('a'))).toBe(true);
    expect(valuesEqual(stringValue('1'), intValue(1))).toBe(false);
  });
  it('orders strings by code point like Go', () => {
    expect(compareStrings('\uffff', '😀')).toBeLessThan(0);
    expect(compareStrings('Z', 'a')).toBeLessThan(0);
    expect(compareStrings('ab', 'a')).toBeGreaterThan(0);
  });
});

describe('renderAlloy', () => {
  it('renders scalars', () => {
    expect(renderAlloy(floatValue(1e21))).toBe('1000000000000000000000');
    expect(renderAlloy(stringValue('a"b\n\u0001é'))).toBe('"a\\"b\\n\\x01é"');
    expect(renderAlloy(secretValue('x'))).toBe('(secret)');
    expect(renderAlloy(optionalSecretValue('x', false))).toBe('"x"');
    expect(renderAlloy(objectValue({}))).toBe('{}');
  });

  it('aligns runs of single-line fields and quotes non-identifier keys', () => {
    const v = objectValue({
      zz: intValue(1),
      '1x': intValue(2),
      true: boolValue(true),
      nested: objectValue({ a: intValue(1) }),
      after: arrayValue([]),
      é: stringValue('u'),
    });
    expect(renderAlloy(v)).toBe(
      '{\n\t"1x"   = 2,\n\tafter  = [],\n\tnested = {\n\t\ta = 1,\n\t},\n\t"true" = true,\n\tzz     = 1,\n\té      = "u",\n}',
    );
  });

  it('keeps the order of ordered objects', () => {
    expect(renderAlloy(objectValue({ b: intValue(1), a: intValue(2) }, true))).toBe('{\n\tb = 1,\n\ta = 2,\n}');
  });

  it('indents objects nested in arrays by object depth', () => {
    const v = arrayValue([objectValue({ a: arrayValue([objectValue({ b: intValue(1) })]) })]);
    expect(renderAlloy(v)).toBe('[{\n\ta = [{\n\t\tb = 1,\n\t}],\n}]');
  });
});

describe('renderJson', () => {
  it('renders exact numbers, sorted keys and secrets', () => {
    const v = objectValue({ b: uintValue(18446744073709551615n), a: arrayValue([floatValue(0.5), NULL, secretValue('s')]) });
    expect(renderJson(v)).toBe('{\n  "a": [\n    0.5,\n    null,\n    "(secret)"\n  ],\n  "b": 18446744073709551615\n}');
    expect(renderJson(v, '')).toBe('{"a":[0.5,null,"(secret)"],"b":18446744073709551615}');
  });
});
