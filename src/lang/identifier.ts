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
  const ascii = asciiIdentifierCheck(s);
  if (ascii !== undefined) return ascii;
  const scanner = new Scanner(Buffer.from(s, 'utf8'));
  return scanner.scan() === Tok.IDENT && scanner.lit === s;
}

/**
 * isValidIdentifier for an ASCII string, without a scanner (the parser asks
 * for every block label); undefined when `s` has other characters. In
 * ASCII an identifier is a letter or `_`, then letters, digits and `_`.
 */
function asciiIdentifierCheck(s: string): boolean | undefined {
  let valid = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return undefined;
    const letter = ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f;
    if (!letter && !(i > 0 && c >= 0x30 && c <= 0x39)) valid = false;
  }
  return valid && s !== 'true' && s !== 'false' && s !== 'null';
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
