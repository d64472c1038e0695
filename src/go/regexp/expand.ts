/**
 * Go's `Regexp.Expand` templates (`$1`, `${1}`, `$name`, `${name}`, `$$`),
 * parsed once per rule so expanding is a walk over prepared parts.
 *
 * Go's rules: a reference is the longest run of letters, digits and `_`
 * after `$` (so `$1x` names the group `1x`, usually absent, hence empty);
 * an all-ASCII-digit name without a leading zero is a group number; a
 * reference to a group that does not exist or did not take part expands to
 * nothing; a malformed reference (`$` followed by anything else, `${` without
 * `}`) is kept as a literal `$`.
 */
import type { Re2Regexp } from './regexp.js';

/** Literal text, or the candidate group indexes of a reference (the first that took part wins). */
type Part = string | readonly number[];

export class ExpandTemplate {
  private constructor(
    private readonly parts: readonly Part[],
    /** The whole template when it has no reference. */
    readonly constant: string | undefined,
  ) {}

  static parse(template: string, re: Re2Regexp): ExpandTemplate {
    const parts = parseParts(template, re);
    const constant = parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
    return new ExpandTemplate(parts, constant);
  }

  /** Expands against a match of `re` (as returned by Re2Regexp.exec). */
  expand(groups: ArrayLike<string | undefined>): string {
    if (this.constant !== undefined) return this.constant;
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') out += part;
      else out += firstTakingPart(part, groups) ?? '';
    }
    return out;
  }
}

function firstTakingPart(indexes: readonly number[], groups: ArrayLike<string | undefined>): string | undefined {
  for (const i of indexes) {
    const g = groups[i];
    if (g !== undefined) return g;
  }
  return undefined;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

function parseParts(template: string, re: Re2Regexp): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    literal += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      literal += '$';
      i++;
      continue;
    }
    const ref = readReference(template, i);
    if (!ref) {
      literal += '$';
      continue;
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push(groupIndexes(ref.name, re));
    i = ref.end;
  }
  literal += template.slice(i);
  if (literal) parts.push(literal);
  return parts;
}

/** The reference name starting at `i` (just after `$`), or undefined when malformed. */
function readReference(template: string, i: number): { name: string; end: number } | undefined {
  const braced = template[i] === '{';
  const start = braced ? i + 1 : i;
  let end = start;
  for (const ch of template.slice(start)) {
    if (!NAME_CHAR.test(ch)) break;
    end += ch.length;
  }
  if (end === start) return undefined;
  if (!braced) return { name: template.slice(start, end), end };
  if (template[end] !== '}') return undefined;
  return { name: template.slice(start, end), end: end + 1 };
}

/** Go: a group number is ASCII digits, below 1e8, without a leading zero; anything else is a name. */
function groupIndexes(name: string, re: Re2Regexp): number[] {
  if (/^(0|[1-9][0-9]{0,8})$/.test(name)) {
    const n = Number(name);
    return n <= re.groupCount ? [n] : [];
  }
  const out: number[] = [];
  re.names.forEach((n, index) => {
    if (n === name) out.push(index);
  });
  return out;
}
