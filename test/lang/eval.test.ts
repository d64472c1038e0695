/**
 * The evaluator: operators, access and indexing, literals, error texts and
 * positions (grafana/alloy syntax/vm/vm.go, error.go). Each case evaluates one expression and compares the
 * rendered result (Alloy syntax) or the exact error text.
 */
import { describe, expect, it } from 'vitest';
import { Scope, evaluate, evaluateExpressionText, evaluateInto } from '../../src/lang/eval.js';
import { parseExpression } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { renderAlloy } from '../../src/lang/render.js';
import {
  arrayValue,
  capsuleValue,
  intValue,
  objectValue,
  optionalSecretValue,
  secretValue,
  stringValue,
  type CapsulePayload,
} from '../../src/lang/value.js';

/** Evaluates `text`; returns the rendered value or the error message. */
function run(text: string, scope = new Scope()): string {
  const r = evaluateExpressionText(text, { scope });
  return 'value' in r ? renderAlloy(r.value) : `ERROR ${r.message}`;
}

const table = (cases: [string, string][]): void => {
  for (const [expr, want] of cases) it(`${expr} → ${want}`, () => expect(run(expr)).toBe(want));
};

describe('literals', () => {
  table([
    ['12', '12'],
    ['010', '8'],
    ['09', '9'],
    ['1.50', '1.5'],
    ['1e3', '1000'],
    ['9223372036854775808', '9223372036854775808'],
    ['18446744073709551616', '18446744073709552000'],
    ['"a\\tb"', '"a\\tb"'],
    ['`raw\\n`', '"raw\\\\n"'],
    ['true', 'true'],
    ['null', 'null'],
    ['1e400', 'ERROR strconv.ParseFloat: parsing "1e400": value out of range'],
  ]);
});

describe('arithmetic', () => {
  table([
    ['1 + 2 * 3', '7'],
    ['9223372036854775807 + 1', '-9223372036854775808'],
    ['18446744073709551615 + 1', '0'],
    ['5 / 2', '2'],
    ['-7 / 2', '-3'],
    ['-7 % 3', '-1'],
    ['7.5 % 2', '1.5'],
    ['2 ^ 10', '1024'],
    ['2 ^ 64', '0'],
    ['2 ^ -1', '2'],
    ['1 ^ -5', '1'],
    ['2.0 ^ -1', '0.5'],
    ['-(-9223372036854775807 - 1)', '-9223372036854775808'],
    ['-0.0', '-0'],
    ['1 / 0', 'ERROR 1:5: 0 divide by zero error'],
    ['1 % 0.0', 'ERROR 1:5: 0.0 divide by zero error'],
    ['"a" * 2', 'ERROR 1:1: "a" should be one of [number] for binop *, got string'],
    ['1 + null', 'ERROR -:  should be one of [number string capsule] for binop +, got null'],
  ]);
});

describe('comparison and logic', () => {
  table([
    ['3 == 3.0', 'true'],
    ['[1, {a = 2}] == [1.0, {a = 2}]', 'true'],
    ['{a = 1} != {a = 1, b = 2}', 'true'],
    ['1 == "1"', 'false'],
    ['"Z" < "a"', 'true'],
    ['"b" >= "a"', 'true'],
    // uint vs int compares as int64 (wraps to -1), like Go.
    ['18446744073709551615 > -1', 'false'],
    ['1 < 1.5', 'true'],
    ['true && !false', 'true'],
    ['false || foo', 'ERROR 1:10: identifier "foo" does not exist'],
    ['true || 1', 'ERROR 1:9: 1 should be one of [bool] for binop ||, got number'],
    ['1 < "a"', 'ERROR 1:5: "a" should be number, got string'],
    ['!1', 'ERROR 1:2: 1 should be bool, got number'],
    ['sys.env == sys.env', 'false'],
  ]);
});

describe('access and indexing', () => {
  table([
    ['{a = {b = 1}}.a.b', '1'],
    ['{a = 1}["b"]', 'null'],
    ['{a = 1}.b', 'ERROR 1:9: field "b" does not exist'],
    ['{a=1}.a.b', 'ERROR 1:1: {a = 1}.a cannot access field "b" on value of type number'],
    ['[1, 2][1.9]', '2'],
    ['[1, 2][2]', 'ERROR 1:8: 2 index 2 is out of range of array with length 2'],
    ['[1, 2]["a"]', 'ERROR 1:8: "a" should be number, got string'],
    ['{a = 1}[1]', 'ERROR 1:9: 1 should be string, got number'],
    ['"abc"[0]', 'ERROR 1:1: "abc" expected object or array, got string'],
    ['null.a', 'ERROR -:  cannot access field "a" on value of type null'],
    ['1(2)', 'ERROR 1:1: 1 should be function, got number'],
    ['{a = 1, a = 2}', '{\n\ta = 2,\n}'],
  ]);
});

describe('scope', () => {
  it('looks up variables before the stdlib, then parents', () => {
    const parent = new Scope({ x: intValue(1), string: stringValue('shadowed') });
    const child = parent.child({ y: intValue(2) });
    expect(run('x + y', child)).toBe('3');
    expect(run('string', child)).toBe('"shadowed"');
    expect(run('coalesce(x)', child)).toBe('1');
  });

  it('places errors on the identifier that produced a value', () => {
    const scope = new Scope({ obj: objectValue({ list: arrayValue([intValue(1), stringValue('x')]) }) });
    expect(run('obj.list[1] * 2', scope)).toBe('ERROR 1:1: obj.list[1] should be one of [number] for binop *, got string');
  });

  it('reads capsules that convert to objects', () => {
    const payload: CapsulePayload = { capsuleType: 'test.Exports', toObject: () => new Map([['a', intValue(7)]]) };
    const scope = new Scope({ c: capsuleValue(payload) });
    expect(run('c.a', scope)).toBe('7');
    expect(run('c["zz"]', scope)).toBe('null');
    expect(run('secret.x', new Scope({ secret: secretValue('s') }))).toBe(
      'ERROR 1:1: secret expected object or array or a capsule convertible to an object, got capsule',
    );
  });
});

describe('secrets', () => {
  const scope = new Scope({
    s: secretValue('pw'),
    os: optionalSecretValue('plain', false),
    oss: optionalSecretValue('hidden', true),
  });
  const cases: [string, string][] = [
    ['s', '(secret)'],
    ['os', '"plain"'],
    ['oss', '(secret)'],
    ['"a" + s', '(secret)'],
    ['os + "!"', '"plain!"'],
    ['oss + "!"', '(secret)'],
    ['os == "plain"', 'true'],
    ['s == s', 'true'],
    ['convert.nonsensitive(s)', '"pw"'],
    ['string.to_upper(s)', 'ERROR 1:17: s secrets may not be converted into strings'],
    ['string.to_upper(os)', '"PLAIN"'],
  ];
  for (const [expr, want] of cases) it(`${expr} → ${want}`, () => expect(run(expr, scope)).toBe(want));
});

describe('evaluateInto', () => {
  const file = (text: string) => SourceFile.fromString('main.alloy', text);
  const parse = (text: string) => parseExpression(file(text)).expr!;

  it('converts numbers and strings like Alloy', () => {
    const src = '["1", 2.5, 3]';
    const r = evaluateInto(parse(src), new Scope(), file(src), { kind: 'list', elem: { kind: 'string' } });
    expect(r).toEqual({ ok: true, value: ['1', '2.5', '3'] });
  });

  it('reports decode errors with the file name and path', () => {
    const src = '{a = [1, "x"]}';
    const r = evaluateInto(parse(src), new Scope(), file(src), { kind: 'map', elem: { kind: 'list', elem: { kind: 'number' } } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe('main.alloy:1:10: "x" should be number, got string');
      expect(r.error.diagnostic?.start).toEqual({ file: 'main.alloy', line: 1, column: 10, offset: 9 });
    }
  });

  it('attaches the rendered value when the cause is not written in the source', () => {
    const src = 'v';
    const scope = new Scope({ v: arrayValue([stringValue('q')]) });
    const r = evaluate(parse(src), scope, file(src));
    expect(r.ok).toBe(true);
    const d = evaluateInto(parse(src), scope, file(src), { kind: 'list', elem: { kind: 'bool' } });
    expect(d.ok ? '' : d.error.message).toBe('main.alloy:1:1: v[0] should be bool, got string');
    expect(d.ok ? '' : d.error.diagnostic?.value).toBe('"q"');
  });
});

describe('evaluateExpressionText', () => {
  it('returns parse diagnostics', () => {
    const r = evaluateExpressionText('1 +');
    expect('diagnostics' in r && r.diagnostics.length).toBeGreaterThan(0);
  });
});
