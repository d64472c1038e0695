/**
 * isValidIdentifier answers ASCII strings without running the scanner; the
 * answer must be the scanner's: exactly one IDENT token spelling the string.
 */
import { describe, expect, it } from 'vitest';
import { isValidIdentifier } from '../../src/lang/identifier.js';
import { Scanner } from '../../src/lang/scanner.js';
import { Tok } from '../../src/lang/token.js';

function byScanner(s: string): boolean {
  if (s === '') return false;
  const scanner = new Scanner(Buffer.from(s, 'utf8'));
  return scanner.scan() === Tok.IDENT && scanner.lit === s;
}

describe('isValidIdentifier', () => {
  it('agrees with the scanner on every ASCII string of one or two characters', () => {
    const chars = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
    const strings = [...chars, ...chars.flatMap((a) => chars.map((b) => a + b))];
    const disagree = strings.filter((s) => isValidIdentifier(s) !== byScanner(s));
    expect(disagree).toEqual([]);
  });

  it('agrees with the scanner on keywords, longer names and non-ASCII text', () => {
    const strings = ['true', 'false', 'null', 'nulls', 'local_file', 'a.b', 'x1_y2', '_', '__9', 'ŝfoo', 'aé', '€', 'a\u00a0'];
    for (const s of strings) expect(isValidIdentifier(s), s).toBe(byScanner(s));
  });
});
