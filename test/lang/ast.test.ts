import { describe, expect, it } from 'vitest';
import { endPos, startPos, type Expr } from '../../src/lang/ast.js';
import { Tok } from '../../src/lang/token.js';

describe('startPos / endPos', () => {
  it('handle 100k-deep unary and binary chains without recursion', () => {
    let unary: Expr = { kind: 'Ident', name: 'x', pos: 100_000 };
    for (let i = 99_999; i >= 0; i--) unary = { kind: 'Unary', op: Tok.SUB, opPos: i, value: unary };
    expect(startPos(unary)).toBe(0);
    expect(endPos(unary)).toBe(100_000);
    let sum: Expr = { kind: 'Ident', name: 'a', pos: 0 };
    for (let i = 1; i <= 100_000; i++) sum = { kind: 'Binary', op: Tok.ADD, opPos: 4 * i - 2, left: sum, right: { kind: 'Ident', name: 'b', pos: 4 * i } };
    expect(startPos(sum)).toBe(0);
    expect(endPos(sum)).toBe(400_000);
  });
});
