/**
 * Functions for go-template.ts: Go's builtins (eq, printf, index, len …) and
 * the commonly used part of Sprig's text function map (string, list, dict,
 * math, encoding, hashing, date and default/empty helpers), with Sprig's
 * argument order and conversions (`strval`, `toInt64`, `toFloat64`).
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { formatDurationNs } from '../duration.js';
import { compareStrings, goReplaceAll, goToLower, goToUpper, goTrim, goTrimPrefix, goTrimSpace, goTrimSuffix } from '../strings.js';
import { formatGoTime, parseGoTime } from '../time.js';
import { GoFloat, GoTime, goTypeName, sortedKeys, sprint, sprintf, sprintln, sprintValue, type GoValue } from '../fmt.js';
import { formatFloat, goQuote, parseGoInt } from '../strconv.js';
import { goFunc, isTrue, type GoFunc } from './exec.js';
import { Re2Regexp } from '../regexp/regexp.js';
import { findAllMatches, quoteMeta, replaceAllExpand, replaceAllLiteral } from '../regexp/ops.js';

// ---------------------------------------------------------------------------
// Conversions (Sprig's)

/** Sprig strval: strings as they are, everything else through fmt's %v. */
export function strval(v: GoValue): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '<nil>';
  return sprintValue(v);
}

function toInt64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return Math.trunc(v.value);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = parseGoInt(v, 0);
    if (n !== undefined) return Number(n);
    const f = Number(v);
    return Number.isFinite(f) && v.trim() !== '' ? Math.trunc(f) : 0;
  }
  return 0;
}

function toFloat64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const f = Number(v);
    return v.trim() !== '' && !Number.isNaN(f) ? f : 0;
  }
  return 0;
}

function toList(v: GoValue, fname: string): GoValue[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  throw new Error(`Cannot find ${fname} on type ${goTypeName(v)}`);
}

function toMap(v: GoValue): Map<string, GoValue> {
  if (v instanceof Map) return v;
  throw new Error(`wrong type for value; expected map[string]interface {}; got ${goTypeName(v)}`);
}

// ---------------------------------------------------------------------------
// Go builtins

type Kind = 'bool' | 'int' | 'float' | 'string' | 'other' | 'invalid';

function basicKind(v: GoValue): Kind {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function scalar(v: GoValue): number | string | boolean {
  return v instanceof GoFloat ? v.value : (v as number | string | boolean);
}

function eq(a: GoValue, ...rest: GoValue[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const ka = basicKind(a);
  for (const b of rest) {
    const kb = basicKind(b);
    if (ka !== kb) {
      if (a !== undefined && a !== null && b !== undefined && b !== null) throw new Error('incompatible types for comparison');
      if ((a === null && b === null) || (a === undefined && b === undefined)) return true;
      continue;
    }
    if (ka === 'other') throw new Error('non-comparable types');
    if (ka === 'invalid' ? a === b : scalar(a) === scalar(b)) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'bool' || ka === 'other' || ka === 'invalid') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return scalar(a) < scalar(b);
}

function length(v: GoValue): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  throw new Error(`len of type ${goTypeName(v)}`);
}

function index(v: GoValue, ...keys: GoValue[]): GoValue {
  let cur = v;
  for (const k of keys) {
    if (cur instanceof Map) {
      if (typeof k !== 'string') throw new Error(`value has type ${goTypeName(k)}; should be string`);
      cur = cur.get(k) ?? null;
    } else if (Array.isArray(cur) || typeof cur === 'string') {
      if (typeof k !== 'number') throw new Error(`cannot index slice/array with type ${goTypeName(k)}`);
      if (k < 0 || k >= cur.length) throw new Error(`index out of range: ${k}`);
      cur = typeof cur === 'string' ? Buffer.from(cur)[k]! : cur[k];
    } else if (cur === null || cur === undefined) throw new Error('index of untyped nil');
    else throw new Error(`can't index item of type ${goTypeName(cur)}`);
  }
  return cur;
}

function sliceFn(v: GoValue, ...idx: GoValue[]): GoValue {
  if (typeof v !== 'string' && !Array.isArray(v)) throw new Error(`can't slice item of type ${goTypeName(v)}`);
  const [i = 0, j = v.length] = idx.map((x) => toInt64(x));
  if (i < 0 || j < i || j > v.length) throw new Error(`index out of range: ${j}`);
  return v.slice(i, j);
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\n\r\t]|[\x00-\x1f]/g, (c) => {
    const map: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return map[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

const BUILTINS: Record<string, GoFunc> = {
  not: goFunc(['value'], (v: GoValue) => !isTrue(v)),
  len: goFunc(['value'], length),
  index: goFunc(['value'], index, 'value'),
  slice: goFunc(['value'], sliceFn, 'value'),
  print: goFunc([], (...a: GoValue[]) => sprint(a), 'any'),
  println: goFunc([], (...a: GoValue[]) => sprintln(a), 'any'),
  printf: goFunc(['string'], (f: string, ...a: GoValue[]) => sprintf(f, a), 'any'),
  html: goFunc([], (...a: GoValue[]) => htmlEscape(sprint(a)), 'any'),
  js: goFunc([], (...a: GoValue[]) => jsEscape(sprint(a)), 'any'),
  urlquery: goFunc([], (...a: GoValue[]) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'), 'any'),
  eq: goFunc(['value'], eq, 'value'),
  ne: goFunc(['value', 'value'], (a: GoValue, b: GoValue) => !eq(a, b)),
  lt: goFunc(['value', 'value'], lt),
  le: goFunc(['value', 'value'], (a: GoValue, b: GoValue) => lt(a, b) || eq(a, b)),
  gt: goFunc(['value', 'value'], (a: GoValue, b: GoValue) => !lt(a, b) && !eq(a, b)),
  ge: goFunc(['value', 'value'], (a: GoValue, b: GoValue) => !lt(a, b)),
};

// ---------------------------------------------------------------------------
// Sprig: strings

const s1 = (f: (s: string) => GoValue) => goFunc(['string'], f);
const s2 = (f: (a: string, b: string) => GoValue) => goFunc(['string', 'string'], f);

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

function trunc(c: number, s: string): string {
  if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
  if (c >= 0 && s.length > c) return s.slice(0, c);
  return s;
}

function substr(start: number, end: number, s: string): string {
  if (start < 0) return s.slice(0, end);
  if (end < 0 || end > s.length) return s.slice(start);
  return s.slice(start, end);
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.replace(/\n/g, `\n${pad}`);
}

const STRINGS: Record<string, GoFunc> = {
  trim: s1(goTrimSpace),
  trimAll: s2((cut, s) => goTrim(s, cut)),
  trimPrefix: s2((p, s) => goTrimPrefix(s, p)),
  trimSuffix: s2((p, s) => goTrimSuffix(s, p)),
  upper: s1(goToUpper),
  lower: s1(goToLower),
  title: s1(title),
  untitle: s1((s) => s.replace(/(^|\s)(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toLowerCase())),
  repeat: goFunc(['int', 'string'], (n: number, s: string) => s.repeat(Math.max(0, n))),
  substr: goFunc(['int', 'int', 'string'], substr),
  nospace: s1((s) => s.replace(/\s+/gu, '')),
  trunc: goFunc(['int', 'string'], trunc),
  abbrev: goFunc(['int', 'string'], (w: number, s: string) => (w < 4 || s.length <= w ? s : s.slice(0, w - 3) + '...')),
  initials: s1((s) => s.split(/\s+/).filter(Boolean).map((w) => [...w][0]).join('')),
  contains: s2((sub, s) => s.includes(sub)),
  hasPrefix: s2((p, s) => s.startsWith(p)),
  hasSuffix: s2((p, s) => s.endsWith(p)),
  quote: goFunc([], (...a: GoValue[]) => a.filter((v) => v !== null).map((v) => goQuote(strval(v))).join(' '), 'any'),
  squote: goFunc([], (...a: GoValue[]) => a.filter((v) => v !== null).map((v) => `'${strval(v)}'`).join(' '), 'any'),
  cat: goFunc([], (...a: GoValue[]) => a.filter((v) => v !== null).map(strval).join(' '), 'any'),
  indent: goFunc(['int', 'string'], indent),
  nindent: goFunc(['int', 'string'], (n: number, s: string) => '\n' + indent(n, s)),
  replace: goFunc(['string', 'string', 'string'], (o: string, n: string, s: string) => goReplaceAll(s, o, n)),
  plural: goFunc(['string', 'string', 'int'], (one: string, many: string, n: number) => (n === 1 ? one : many)),
  snakecase: s1((s) => words(s).map((w) => w.toLowerCase()).join('_')),
  kebabcase: s1((s) => words(s).map((w) => w.toLowerCase()).join('-')),
  camelcase: s1((s) => s.split('_').map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w)).join('')),
  swapcase: s1((s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')),
  toString: goFunc(['any'], strval),
  toStrings: goFunc(['any'], (l: GoValue) => toList(l, 'toStrings').map(strval)),
  split: s2((sep, s) => new Map(s.split(sep).map((p, i) => [`_${i}`, p] as [string, GoValue]))),
  splitList: s2((sep, s) => s.split(sep)),
  splitn: goFunc(['string', 'int', 'string'], (sep: string, n: number, s: string) => {
    const parts = s.split(sep);
    const head = n > 0 && parts.length > n ? [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)] : parts;
    return new Map(head.map((p, i) => [`_${i}`, p] as [string, GoValue]));
  }),
  join: goFunc(['string', 'any'], (sep: string, l: GoValue) => (Array.isArray(l) ? l.map(strval) : [strval(l)]).join(sep)),
  sortAlpha: goFunc(['any'], (l: GoValue) => toList(l, 'sortAlpha').map(strval).sort(compareStrings)),
  wrap: goFunc(['int', 'string'], (w: number, s: string) => wrapWords(s, w, '\n')),
  wrapWith: goFunc(['int', 'string', 'string'], (w: number, sep: string, s: string) => wrapWords(s, w, sep)),
};

function wrapWords(s: string, width: number, sep: string): string {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(/ +/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out.join(sep);
}

// ---------------------------------------------------------------------------
// Sprig: regular expressions

const regexCache = new Map<string, Re2Regexp>();

/** Compiles (and caches) a Go regexp used by template functions. */
export function templateRegexp(pattern: string): Re2Regexp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = Re2Regexp.compile(pattern);
    if (regexCache.size < 256) regexCache.set(pattern, re);
  }
  return re;
}

const REGEX: Record<string, GoFunc> = {
  regexMatch: s2((re, s) => templateRegexp(re).test(s)),
  regexFind: s2((re, s) => templateRegexp(re).exec(s)?.[0] ?? ''),
  regexFindAll: goFunc(['string', 'string', 'int'], (re: string, s: string, n: number) => {
    const all = findAllMatches(templateRegexp(re), s).map((m) => m[0]);
    return n < 0 ? all : all.slice(0, n);
  }),
  regexReplaceAll: goFunc(['string', 'string', 'string'], (re: string, s: string, repl: string) => replaceAllExpand(templateRegexp(re), s, repl)),
  regexReplaceAllLiteral: goFunc(['string', 'string', 'string'], (re: string, s: string, repl: string) => replaceAllLiteral(templateRegexp(re), s, repl)),
  regexSplit: goFunc(['string', 'string', 'int'], (re: string, s: string, n: number) => regexSplit(templateRegexp(re), s, n)),
  regexQuoteMeta: s1(quoteMeta),
};

function regexSplit(re: Re2Regexp, s: string, n: number): string[] {
  if (n === 0) return [];
  const out: string[] = [];
  let last = 0;
  for (const m of findAllMatches(re, s)) {
    if (n > 0 && out.length === n - 1) break;
    if (m[0] === '' && m.index === 0) continue;
    out.push(s.slice(last, m.index));
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  return out;
}

// ---------------------------------------------------------------------------
// Sprig: defaults, lists, dicts

function isEmpty(v: GoValue): boolean {
  return !isTrue(v);
}

const LOGIC: Record<string, GoFunc> = {
  default: goFunc(['any'], (d: GoValue, ...given: GoValue[]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]!), 'any'),
  empty: goFunc(['any'], isEmpty),
  coalesce: goFunc([], (...a: GoValue[]) => a.find((v) => !isEmpty(v)) ?? null, 'any'),
  all: goFunc([], (...a: GoValue[]) => a.every((v) => !isEmpty(v)), 'any'),
  any: goFunc([], (...a: GoValue[]) => a.some((v) => !isEmpty(v)), 'any'),
  ternary: goFunc(['any', 'any', 'bool'], (a: GoValue, b: GoValue, c: boolean) => (c ? a : b)),
  fail: s1((msg) => {
    throw new Error(msg);
  }),
  kindOf: goFunc(['any'], (v: GoValue) => kindName(v)),
  typeOf: goFunc(['any'], (v: GoValue) => goTypeName(v)),
  kindIs: goFunc(['string', 'any'], (k: string, v: GoValue) => kindName(v) === k),
  typeIs: goFunc(['string', 'any'], (t: string, v: GoValue) => goTypeName(v) === t),
  deepEqual: goFunc(['any', 'any'], (a: GoValue, b: GoValue) => sprintValue(a) === sprintValue(b) && goTypeName(a) === goTypeName(b)),
};

function kindName(v: GoValue): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  if (v instanceof GoTime) return 'struct';
  return { string: 'string', number: 'int', boolean: 'bool' }[typeof v as string] ?? 'float64';
}

const LISTS: Record<string, GoFunc> = {
  list: goFunc([], (...a: GoValue[]) => a, 'any'),
  tuple: goFunc([], (...a: GoValue[]) => a, 'any'),
  first: goFunc(['any'], (l: GoValue) => toList(l, 'first')[0] ?? null),
  last: goFunc(['any'], (l: GoValue) => toList(l, 'last').at(-1) ?? null),
  rest: goFunc(['any'], (l: GoValue) => toList(l, 'rest').slice(1)),
  initial: goFunc(['any'], (l: GoValue) => toList(l, 'initial').slice(0, -1)),
  append: goFunc(['any', 'any'], (l: GoValue, v: GoValue) => [...toList(l, 'append'), v]),
  push: goFunc(['any', 'any'], (l: GoValue, v: GoValue) => [...toList(l, 'push'), v]),
  prepend: goFunc(['any', 'any'], (l: GoValue, v: GoValue) => [v, ...toList(l, 'prepend')]),
  concat: goFunc([], (...ls: GoValue[]) => ls.flatMap((l) => toList(l, 'concat')), 'any'),
  uniq: goFunc(['any'], (l: GoValue) => toList(l, 'uniq').filter((v, i, a) => a.findIndex((w) => sprintValue(w) === sprintValue(v)) === i)),
  has: goFunc(['any', 'any'], (needle: GoValue, l: GoValue) => toList(l, 'has').some((v) => sprintValue(v) === sprintValue(needle))),
  without: goFunc(['any'], (l: GoValue, ...omit: GoValue[]) => toList(l, 'without').filter((v) => !omit.some((o) => sprintValue(o) === sprintValue(v))), 'any'),
  compact: goFunc(['any'], (l: GoValue) => toList(l, 'compact').filter((v) => !isEmpty(v))),
  reverse: goFunc(['any'], (l: GoValue) => [...toList(l, 'reverse')].reverse()),
  seq: goFunc([], (...a: GoValue[]) => seq(a.map(toInt64)).join(' '), 'any'),
  until: goFunc(['int'], (n: number) => untilStep(0, n, n >= 0 ? 1 : -1)),
  untilStep: goFunc(['int', 'int', 'int'], untilStep),
  dict: goFunc([], (...kv: GoValue[]) => {
    const m = new Map<string, GoValue>();
    for (let i = 0; i < kv.length; i += 2) m.set(strval(kv[i]), i + 1 < kv.length ? kv[i + 1] : '');
    return m;
  }, 'any'),
  get: goFunc(['any', 'string'], (d: GoValue, k: string) => toMap(d).get(k) ?? ''),
  set: goFunc(['any', 'string', 'any'], (d: GoValue, k: string, v: GoValue) => toMap(d).set(k, v)),
  unset: goFunc(['any', 'string'], (d: GoValue, k: string) => (toMap(d).delete(k), d)),
  hasKey: goFunc(['any', 'string'], (d: GoValue, k: string) => toMap(d).has(k)),
  keys: goFunc([], (...ds: GoValue[]) => ds.flatMap((d) => [...toMap(d).keys()]), 'any'),
  values: goFunc(['any'], (d: GoValue) => [...toMap(d).values()]),
  pick: goFunc(['any'], (d: GoValue, ...ks: GoValue[]) => new Map([...toMap(d)].filter(([k]) => ks.includes(k))), 'any'),
  omit: goFunc(['any'], (d: GoValue, ...ks: GoValue[]) => new Map([...toMap(d)].filter(([k]) => !ks.includes(k))), 'any'),
};

function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (step === 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop)) return out;
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function seq(a: number[]): number[] {
  if (a.length === 1) return a[0]! >= 1 ? untilStep(1, a[0]! + 1, 1) : untilStep(1, a[0]! - 1, -1);
  if (a.length === 2) return a[0]! <= a[1]! ? untilStep(a[0]!, a[1]! + 1, 1) : untilStep(a[0]!, a[1]! - 1, -1);
  if (a.length === 3) return untilStep(a[0]!, a[2]! + Math.sign(a[1]!), a[1]!);
  return [];
}

// ---------------------------------------------------------------------------
// Sprig: math and conversion

const ints = (f: (a: number, b: number) => number) => goFunc(['any', 'any'], (a: GoValue, b: GoValue) => f(toInt64(a), toInt64(b)));
const floats = (f: (...xs: number[]) => number) => goFunc(['any'], (...a: GoValue[]) => new GoFloat(f(...a.map(toFloat64))), 'any');

const MATH: Record<string, GoFunc> = {
  atoi: s1((s) => Number(parseGoInt(s, 10) ?? 0n)),
  int: goFunc(['any'], toInt64),
  int64: goFunc(['any'], toInt64),
  float64: goFunc(['any'], (v: GoValue) => new GoFloat(toFloat64(v))),
  add1: goFunc(['any'], (v: GoValue) => toInt64(v) + 1),
  add: goFunc([], (...a: GoValue[]) => a.reduce<number>((s, v) => s + toInt64(v), 0), 'any'),
  sub: ints((a, b) => a - b),
  mul: goFunc(['any'], (...a: GoValue[]) => a.reduce<number>((s, v) => s * toInt64(v), 1), 'any'),
  div: ints((a, b) => {
    if (b === 0) throw new Error('runtime error: integer divide by zero');
    return Math.trunc(a / b);
  }),
  mod: ints((a, b) => {
    if (b === 0) throw new Error('runtime error: integer divide by zero');
    return a % b;
  }),
  max: goFunc(['any'], (...a: GoValue[]) => Math.max(...a.map(toInt64)), 'any'),
  min: goFunc(['any'], (...a: GoValue[]) => Math.min(...a.map(toInt64)), 'any'),
  addf: floats((...xs) => xs.reduce((s, x) => s + x, 0)),
  subf: floats((a, ...xs) => xs.reduce((s, x) => s - x, a ?? 0)),
  mulf: floats((...xs) => xs.reduce((s, x) => s * x, 1)),
  divf: floats((a, ...xs) => xs.reduce((s, x) => s / x, a ?? 0)),
  maxf: floats((...xs) => Math.max(...xs)),
  minf: floats((...xs) => Math.min(...xs)),
  floor: goFunc(['any'], (v: GoValue) => new GoFloat(Math.floor(toFloat64(v)))),
  ceil: goFunc(['any'], (v: GoValue) => new GoFloat(Math.ceil(toFloat64(v)))),
  round: goFunc(['any', 'int'], (v: GoValue, p: number, ...rest: GoValue[]) => {
    const half = rest.length ? toFloat64(rest[0]) : 0.5;
    const scale = 10 ** p;
    const x = toFloat64(v) * scale;
    const r = x - Math.floor(x) >= half ? Math.ceil(x) : Math.floor(x);
    return new GoFloat(r / scale);
  }, 'any'),
  toDecimal: goFunc(['any'], (v: GoValue) => parseInt(strval(v), 8) || 0),
};

// ---------------------------------------------------------------------------
// Sprig: encoding, hashing, paths, environment, dates

function hash(alg: string) {
  return s1((s) => createHash(alg).update(s).digest('hex'));
}

function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Go encoding/json of a template value (HTML-escaped like json.Marshal). */
function toJson(v: GoValue, indent = ''): string {
  return JSON.stringify(toJsonValue(v), undefined, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function toJsonValue(v: GoValue): unknown {
  if (v === undefined) return null;
  if (v instanceof GoFloat) return v.value;
  if (v instanceof GoTime) return sprintValue(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries(sortedKeys(v).map((k) => [k, toJsonValue(v.get(k))]));
  return v;
}

function fromJsonValue(v: unknown): GoValue {
  if (typeof v === 'number') return new GoFloat(v);
  if (Array.isArray(v)) return v.map(fromJsonValue);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, fromJsonValue(x)]));
  return v as GoValue;
}

function toTime(v: GoValue): GoTime {
  if (v instanceof GoTime) return v;
  const sec = toInt64(v);
  return new GoTime(sec * 1000, 0);
}

function nowTime(): GoTime {
  return new GoTime(Date.now(), 0);
}

const MISC: Record<string, GoFunc> = {
  b64enc: s1((s) => Buffer.from(s).toString('base64')),
  b64dec: s1((s) => Buffer.from(s, 'base64').toString('utf8')),
  sha1sum: hash('sha1'),
  sha256sum: hash('sha256'),
  sha512sum: hash('sha512'),
  adler32sum: s1((s) => String(adler32(s))),
  uuidv4: goFunc([], () => randomUUID()),
  toJson: goFunc(['any'], (v: GoValue) => toJson(v)),
  toPrettyJson: goFunc(['any'], (v: GoValue) => toJson(v, '  ')),
  toRawJson: goFunc(['any'], (v: GoValue) => JSON.stringify(toJsonValue(v))),
  fromJson: s1((s) => {
    try {
      return fromJsonValue(JSON.parse(s));
    } catch {
      return new Map();
    }
  }),
  base: s1((s) => path.posix.basename(s) || '.'),
  dir: s1((s) => path.posix.dirname(s)),
  ext: s1((s) => path.posix.extname(s)),
  clean: s1((s) => path.posix.normalize(s).replace(/(.)\/$/, '$1')),
  isAbs: s1((s) => s.startsWith('/')),
  env: s1((s) => process.env[s] ?? ''),
  expandenv: s1((s) => s.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_m, a, b) => process.env[a ?? b] ?? '')),
  now: goFunc([], nowTime),
  unixEpoch: goFunc(['any'], (t: GoValue) => String(Math.floor(toTime(t).ms / 1000))),
  date: goFunc(['string', 'any'], (fmt: string, t: GoValue) => formatGoTime(fmt, toTime(t))),
  htmlDate: goFunc(['any'], (t: GoValue) => formatGoTime('2006-01-02', toTime(t))),
  dateInZone: goFunc(['string', 'any', 'string'], (fmt: string, t: GoValue) => formatGoTime(fmt, toTime(t))),
  toDate: s2((fmt, s) => {
    const p = parseGoTime(fmt, s);
    return new GoTime(p.ms, p.ns);
  }),
  duration: goFunc(['any'], (v: GoValue) => formatDurationNs(BigInt(toInt64(v)) * 1_000_000_000n)),
  toFloat: goFunc(['any'], (v: GoValue) => formatFloat(toFloat64(v), 'g', -1)),
};

/** Go's builtins plus Sprig's functions, as Alloy's template stages start from. */
export function sprigFuncMap(): Map<string, GoFunc> {
  return new Map(Object.entries({ ...STRINGS, ...REGEX, ...LOGIC, ...LISTS, ...MATH, ...MISC, ...BUILTINS }));
}
