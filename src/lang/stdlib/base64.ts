/**
 * Base64 with Go encoding/base64 behaviour (padded StdEncoding and
 * URLEncoding): decoding skips CR/LF and reports `illegal base64 data at
 * input byte N` exactly where Go does.
 */

export const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Go base64.Encoding.EncodeToString with padding. */
export function base64Encode(bytes: Uint8Array, alphabet: string): string {
  const std = Buffer.from(bytes).toString('base64');
  return alphabet === STD_ALPHABET ? std : std.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Go base64.Encoding.DecodeString with padding required: CR and LF are
 * skipped; anything else invalid fails with `illegal base64 data at input
 * byte N` (N as Go computes it).
 */
export function base64Decode(text: string, alphabet: string): Uint8Array {
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const quantum = decodeQuantum(src, si, alphabet);
    out.push(...quantum.bytes);
    if (quantum.done) break;
    si = quantum.next;
  }
  return Uint8Array.from(out);
}

interface Quantum {
  bytes: number[];
  next: number;
  done: boolean;
}

function corrupt(offset: number): Error {
  return new Error(`illegal base64 data at input byte ${offset}`);
}

const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;

/** Decodes up to 4 symbols starting at si (Go decodeQuantum). */
function decodeQuantum(src: Uint8Array, si: number, alphabet: string): Quantum {
  const dbuf = [0, 0, 0, 0];
  let dlen = 4;
  let done = false;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) {
      if (j === 0) return { bytes: [], next: si, done: true };
      throw corrupt(si - j);
    }
    const c = src[si++]!;
    const d = alphabet.indexOf(String.fromCharCode(c));
    if (c < 0x80 && d >= 0) {
      dbuf[j] = d;
      continue;
    }
    if (isNewline(c)) {
      j--;
      continue;
    }
    if (c !== 0x3d) throw corrupt(si - 1);
    si = checkPadding(src, si, j);
    dlen = j;
    done = true;
    break;
  }
  const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
  const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, dlen - 1);
  return { bytes, next: si, done };
}

/** Validates the padding after an '=' seen at symbol j of a quantum; returns the index after it. */
function checkPadding(src: Uint8Array, si: number, j: number): number {
  if (j === 0 || j === 1) throw corrupt(si - 1);
  if (j === 2) {
    while (si < src.length && isNewline(src[si])) si++;
    if (si === src.length) throw corrupt(src.length);
    if (src[si] !== 0x3d) throw corrupt(si - 1);
    si++;
  }
  while (si < src.length && isNewline(src[si])) si++;
  if (si < src.length) throw corrupt(si);
  return si;
}
