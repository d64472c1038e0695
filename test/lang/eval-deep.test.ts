/**
 * Deep expressions evaluate without exhausting the call stack (issue 15
 * item 8): the parser accepts binary, unary and postfix chains of any
 * length, so the evaluator, the reference walk and the validator's checks
 * must be iterative; what still nests too deep (brackets, which the parser
 * bounds) gets a positioned diagnostic.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpressionText } from '../../src/lang/eval.js';
import { exprTraversals } from '../../src/lang/references.js';
import { parseExpression } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { renderAlloy } from '../../src/lang/render.js';
import { builtinComponents } from '../../src/components/index.js';
import { validateSources } from '../../src/runtime/validator/index.js';

function evalText(text: string): string {
  const r = evaluateExpressionText(text);
  return 'value' in r ? renderAlloy(r.value) : `error: ${r.message}`;
}

const chain = (n: number, term: string, op: string) => Array(n).fill(term).join(` ${op} `);

describe('long chains evaluate', () => {
  it.each([5_000, 100_000])('%i-term string concatenation', (n) => {
    expect(evalText(chain(n, '"a"', '+'))).toBe(`"${'a'.repeat(n)}"`);
  });

  it('100,000-term arithmetic, boolean and comparison chains', () => {
    expect(evalText(chain(100_000, '1', '+'))).toBe('100000');
    expect(evalText(chain(100_000, '2', '-'))).toBe(String(2 - 2 * 99_999));
    expect(evalText(`${chain(100_000, 'false', '||')} || true`)).toBe('true');
    expect(evalText(chain(100_000, 'true', '&&'))).toBe('true');
  });

  it('100,000 unary operators and postfix accesses', () => {
    expect(evalText(`${'-'.repeat(100_000)}1`)).toBe('1');
    expect(evalText(`${'!'.repeat(100_001)}true`)).toBe('false');
    expect(evalText(`[${'['.repeat(50)}1${']'.repeat(50)}]${'[0]'.repeat(51)}`)).toBe('1');
    expect(evalText(`{a = 1}${'.a'.repeat(100_000)}`)).toMatch(/^error: 1:1: \{a = 1\}\.a cannot access field "a" on value of type number$/);
  });

  it('keeps the order and errors of the recursive evaluator', () => {
    // The callee is checked before any argument runs; operands left to right, never short-circuited.
    expect(evalText('1(nope)')).toBe('error: 1:1: 1 should be function, got number');
    expect(evalText('nope1 + nope2')).toBe('error: 1:1: identifier "nope1" does not exist');
    expect(evalText('true || nope')).toBe('error: 1:9: identifier "nope" does not exist');
    expect(evalText('string.format("%s-%d", "a", 1 + 1)')).toBe('"a-2"');
    expect(evalText('{a = [1, {b = "x"}]}.a[1].b')).toBe('"x"');
    expect(evalText('[1, 2][5]')).toBe('error: 1:8: 5 index 5 is out of range of array with length 2');
  });

  it('cuts the expression text of an error message on a huge expression', () => {
    const message = evalText(`(${chain(100_000, 'false', '||')}) + 1`);
    expect(message).toMatch(/^error: 1:1: \(false \|\| false .*… should be one of \[number string capsule\] for binop \+, got bool$/);
    expect(message.length).toBeLessThan(1200);
  });
});

describe('nesting the parser bounds', () => {
  it.each([
    ['brackets', (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`],
    ['parentheses', (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`],
    ['objects', (n: number) => `${'{a = '.repeat(n)}1${'}'.repeat(n)}`],
  ])('%s 100,000 deep get a positioned diagnostic', (_, make) => {
    expect(evalText(make(100_000))).toMatch(/^error: 1:\d+: nesting is too deep$/);
  });
});

describe('walks over deep expressions', () => {
  it('references of a 100,000-term chain, in source order', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `a${i}.x`).join(' + ');
    const { expr } = parseExpression(SourceFile.fromString('', text));
    const traversals = exprTraversals(expr!);
    expect(traversals).toHaveLength(100_000);
    expect(traversals.slice(0, 2).map((t) => t.parts.map((p) => p.name).join('.'))).toEqual(['a0.x', 'a1.x']);
  });

  it('validate checks a 100,000-term attribute and types its value', () => {
    const registry = builtinComponents();
    const validate = (value: string) =>
      validateSources([{ name: 'm.alloy', bytes: Buffer.from(`local.file "x" {\n  filename = ${value}\n}\n`) }], {
        registry,
        minStability: 'generally-available',
      }).map((d) => `${d.start.line}:${d.start.column} ${d.message.length < 1100 ? d.message.replace(/^(false \|\| ){3}.*… /, '(3 of 100,000 terms)… ') : 'too long'}`);
    expect(validate(chain(100_000, '"a"', '+'))).toEqual([]);
    expect(validate(chain(100_000, 'false', '||'))).toEqual(['2:14 (3 of 100,000 terms)… should be string, got bool']);
  });
});
