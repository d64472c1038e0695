/**
 * Go's strings functions that Alloy exposes through the `string` stdlib
 * namespace, template functions and relabel actions
 * (https://pkg.go.dev/strings). Strings are handled rune by rune where Go
 * does (trimming cutsets, case mapping, empty separators).
 */

/**
 * Go's string order (`<`, strings.Compare): by UTF-8 bytes, which is code
 * point order; JS `<` compares UTF-16 units and differs above U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** The runes unicode.IsSpace accepts (strings.TrimSpace trims them). */
const GO_SPACE = new Set('\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000');

/** strings.Trim (both sides), TrimLeft (left only) or TrimRight (right only): drops runes found in `cutset`. */
export function trimCutset(s: string, cutset: string | ReadonlySet<string>, left: boolean, right: boolean): string {
  if (s === '') return s;
  const set = typeof cutset === 'string' ? new Set(cutset) : cutset;
  if (set.size === 0) return s;
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (left && start < end && set.has(runes[start]!)) start++;
  while (right && end > start && set.has(runes[end - 1]!)) end--;
  return start === 0 && end === runes.length ? s : runes.slice(start, end).join('');
}

/** strings.Trim. */
export function goTrim(s: string, cutset: string): string {
  return trimCutset(s, cutset, true, true);
}

/** strings.TrimSpace: Unicode white space (unicode.IsSpace) on both sides. */
export function goTrimSpace(s: string): string {
  return trimCutset(s, GO_SPACE, true, true);
}

/** strings.TrimPrefix. */
export function goTrimPrefix(s: string, prefix: string): string {
  return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** strings.TrimSuffix. */
export function goTrimSuffix(s: string, suffix: string): string {
  return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** strings.Replace: at most n replacements (n < 0: all); an empty `old` matches before every rune and at the end. */
export function goReplace(s: string, old: string, repl: string, n: number): string {
  if (n === 0 || old === repl) return s;
  if (old === '') return replaceEmpty(s, repl, n);
  if (n < 0) return s.split(old).join(repl);
  let out = '';
  let i = 0;
  for (let done = 0; done < n; done++) {
    const j = s.indexOf(old, i);
    if (j < 0) break;
    out += s.slice(i, j) + repl;
    i = j + old.length;
  }
  return out + s.slice(i);
}

function replaceEmpty(s: string, repl: string, n: number): string {
  const runes = [...s];
  let out = '';
  let done = 0;
  for (let i = 0; i <= runes.length; i++) {
    if (n < 0 || done < n) {
      out += repl;
      done++;
    }
    if (i < runes.length) out += runes[i];
  }
  return out;
}

/** strings.ReplaceAll. */
export function goReplaceAll(s: string, old: string, repl: string): string {
  return goReplace(s, old, repl, -1);
}

/** strings.Split: an empty separator splits into runes. */
export function goSplit(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

const ASCII = /^[\x00-\x7f]*$/;

/** strings.ToLower: per-rune simple mappings (no context rules, no expansion). */
export function goToLower(s: string): string {
  return ASCII.test(s) ? s.toLowerCase() : mapRunes(s, 'lower');
}

/** strings.ToUpper: per-rune simple mappings (ß stays ß, where JS would write SS). */
export function goToUpper(s: string): string {
  return ASCII.test(s) ? s.toUpperCase() : mapRunes(s, 'upper');
}

function mapRunes(s: string, to: 'lower' | 'upper'): string {
  let out = '';
  for (const ch of s) {
    const mapped = to === 'lower' ? ch.toLowerCase() : ch.toUpperCase();
    // A multi-character result is a full (special-casing) mapping Go does not apply.
    if ([...mapped].length === 1) out += mapped;
    else out += ch === '\u0130' ? 'i' : ch; // U+0130's simple lowercase is plain i in Go.
  }
  return out;
}
