/**
 * Go's "All" regexp operations (FindAll, ReplaceAll, ReplaceAllLiteral) on
 * a compiled Re2Regexp. They differ from JavaScript's global matching in one
 * rule: an empty match directly after the previous match is skipped (Go:
 * `a*` on "baaac" replaced by X gives "XbXcX", JavaScript gives "XbXXcX").
 */
import { ExpandTemplate } from './expand.js';
import type { Re2Regexp } from './regexp.js';

const globals = new WeakMap<Re2Regexp, RegExp>();
const withIndices = new WeakMap<Re2Regexp, RegExp>();

function globalTwin(re: Re2Regexp, indices: boolean): RegExp {
  const cache = indices ? withIndices : globals;
  let g = cache.get(re);
  if (!g) {
    g = new RegExp(re.jsSource, re.jsFlags + (indices ? 'dg' : 'g'));
    cache.set(re, g);
  }
  return g;
}

/**
 * Every non-overlapping match, as Go's FindAllStringSubmatch finds them;
 * with `indices`, each match also has `indices` (group start/end offsets).
 */
export function findAllMatches(re: Re2Regexp, s: string, indices = false): RegExpExecArray[] {
  const g = globalTwin(re, indices);
  const out: RegExpExecArray[] = [];
  let prevEnd = -1;
  g.lastIndex = 0;
  while (g.lastIndex <= s.length) {
    const m = g.exec(s);
    if (!m) break;
    if (m[0].length === 0) {
      g.lastIndex = nextCharIndex(s, m.index);
      if (m.index === prevEnd) continue;
    }
    out.push(m);
    prevEnd = m.index + m[0].length;
  }
  return out;
}

function nextCharIndex(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? i + 2 : i + 1;
}

/** Replaces every match with what `f` returns for it. */
export function replaceMatches(re: Re2Regexp, s: string, f: (m: RegExpExecArray) => string): string {
  const matches = findAllMatches(re, s);
  if (matches.length === 0) return s;
  let out = '';
  let last = 0;
  for (const m of matches) {
    out += s.slice(last, m.index) + f(m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

/** Go ReplaceAllString: `$1`, `${name}` … in `template` are expanded per match. */
export function replaceAllExpand(re: Re2Regexp, s: string, template: string): string {
  const t = ExpandTemplate.parse(template, re);
  return replaceMatches(re, s, (m) => t.expand(m));
}

/** Go ReplaceAllLiteralString. */
export function replaceAllLiteral(re: Re2Regexp, s: string, repl: string): string {
  return replaceMatches(re, s, () => repl);
}

/** Go regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
