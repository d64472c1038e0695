/**
 * Character sets for the Go (RE2) → JavaScript regexp translation: Go's
 * ASCII-only Perl and POSIX classes as code point ranges, range algebra
 * (merge, complement, case folding) and emission as a JS `u`-mode class.
 *
 * Ranges are inclusive `[lo, hi]` pairs of code points.
 */

export type Range = readonly [number, number];

export const MAX_CODE_POINT = 0x10ffff;

/** Go's Perl classes (`\d`, `\s`, `\w`): ASCII only, unlike JavaScript's `\s`. */
export const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

/** Go's POSIX classes (`[[:alpha:]]`), all ASCII. */
export const POSIX_CLASSES: Readonly<Record<string, readonly Range[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** Sorts and merges overlapping or adjacent ranges. */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Every code point not in `ranges`. */
export function complementRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/**
 * Case variants JavaScript's simple lower/upper mappings do not reach from
 * the ASCII letter (Go's fold orbits k → K → U+212A KELVIN SIGN, s → S → ſ).
 */
const EXTRA_FOLDS: Readonly<Record<number, readonly number[]>> = {
  0x4b: [0x212a], 0x6b: [0x212a], 0x212a: [0x4b, 0x6b],
  0x53: [0x17f], 0x73: [0x17f], 0x17f: [0x53, 0x73],
};

/**
 * Code points that match `cp` case-insensitively. Used only where `(?i)`
 * covers part of a regexp (JavaScript has no scoped flags); it follows the
 * single-code-point lower/upper mappings, which is Go's folding for every
 * script but a few rare non-ASCII orbits.
 */
export function caseVariants(cp: number): number[] {
  const out = new Set<number>([cp]);
  const pending = [cp];
  while (pending.length > 0) {
    const x = pending.pop()!;
    for (const y of [simpleMap(x, 'lower'), simpleMap(x, 'upper'), ...(EXTRA_FOLDS[x] ?? [])]) {
      if (y !== undefined && !out.has(y)) {
        out.add(y);
        pending.push(y);
      }
    }
  }
  return [...out];
}

function simpleMap(cp: number, to: 'lower' | 'upper'): number | undefined {
  const s = String.fromCodePoint(cp);
  const m = to === 'lower' ? s.toLowerCase() : s.toUpperCase();
  const first = m.codePointAt(0)!;
  return m.length === String.fromCodePoint(first).length ? first : undefined;
}

/** Ranges wider than this are left unfolded (they hold both cases of what they cover in practice). */
const MAX_FOLD_SPAN = 0x3000;

/** Adds the case variants of every code point in `ranges`. */
export function foldRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo > MAX_FOLD_SPAN) continue;
    for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp)) if (v !== cp) out.push([v, v]);
  }
  return normalizeRanges(out);
}

/** True when folding would change the set (so case matters for it). */
export function foldChanges(ranges: readonly Range[]): boolean {
  const before = normalizeRanges(ranges);
  const after = foldRanges(before);
  return after.length !== before.length || after.some((r, i) => r[0] !== before[i]![0] || r[1] !== before[i]![1]);
}

/** A code point written so that it is literal inside a JS `u`-mode class. */
function classChar(cp: number): string {
  const alnum = (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return alnum ? String.fromCodePoint(cp) : `\\u{${cp.toString(16)}}`;
}

/** A JS `u`-mode character class for `ranges` plus property escapes (`\p{L}`). */
export function emitClass(ranges: readonly Range[], props: readonly string[], negated: boolean): string {
  let body = '';
  for (const [lo, hi] of normalizeRanges(ranges)) body += lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`;
  return `[${negated ? '^' : ''}${body}${props.join('')}]`;
}

/** Characters with a meaning in a JS pattern outside classes. */
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/');

/** A code point written so that it is literal outside a class in a JS `u`-mode pattern. */
export function literalChar(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (SYNTAX_CHARS.has(ch)) return `\\${ch}`;
  if (cp >= 0x20 && cp <= 0x7e) return ch;
  return `\\u{${cp.toString(16)}}`;
}
