/**
 * Identifier checks shared by the parser (block labels) and by tools that
 * generate configuration (converters).
 */
import { Scanner, isDigit, isLetter } from './scanner.js';
import { Tok } from './token.js';

/**
 * Reports whether `s` is exactly one identifier token. Keywords (`true`,
 * `false`, `null`) are not identifiers.
 */
export function isValidIdentifier(s: string): boolean {
  if (s === '') return false;
  const scanner = new Scanner(Buffer.from(s, 'utf8'));
  return scanner.scan() === Tok.IDENT && scanner.lit === s;
}

/**
 * Turns `s` into a valid identifier: prefixes `_` when it starts with a digit
 * and replaces every character that is not a letter or digit with `_`.
 * Different inputs can give the same result. Throws on an empty string.
 */
export function sanitizeIdentifier(s: string): string {
  if (s === '') throw new Error('cannot generate a new identifier for an empty string');
  if (isValidIdentifier(s)) return s;
  let out = '';
  let first = true;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (first && isDigit(cp)) out = '_';
    first = false;
    out += isLetter(cp) || isDigit(cp) ? c : '_';
  }
  return out;
}
