/** Argument types and helpers shared by several stages. */
import { t, type ArgType } from '../../../lang/schema.js';
import { NULL, objectValue, stringValue, type Value } from '../../../lang/value.js';
import { Re2Regexp } from '../../../go/regexp/regexp.js';

/** A `source` naming an extracted value: Alloy rejects the empty string. */
export const sourceName = t.checked('string', (s) => {
  if (s === '') throw new Error('source cannot be empty');
});

/** A Go regular expression argument, validated at decode time (kept as text; stages compile it). */
export const regexpText = t.checked('string', (s) => {
  Re2Regexp.compile(s);
});

/** A non-empty Go regular expression argument. */
export const nonEmptyRegexpText = t.checked('string', (s) => {
  if (s === '') throw new Error('regular expression must not be empty');
  Re2Regexp.compile(s);
});

/** Compiles a regexp that decoding already validated. */
export function compileRegexp(s: string): Re2Regexp {
  return Re2Regexp.compile(s);
}

/** Label names as `values` maps write them: an empty source means "same as the key". */
export function sourcesOf(values: Record<string, string | null>): [string, string][] {
  return Object.entries(values).map(([name, src]) => [name, src === null || src === '' ? name : src]);
}

/** `map(string)` whose values may also be null (Go `map[string]*string`). */
export const nullableStringMap: ArgType<Record<string, string | null>> = {
  name: 'map(string)',
  desc: { kind: 'map', elem: { kind: 'any' } },
  from: ((m: Record<string, Value>) => {
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(m)) {
      if (v.type === 'null') out[k] = null;
      else if (v.type === 'string') out[k] = v.value;
      else throw new Error(`expected string, got ${v.type}`);
    }
    return out;
  }) as (d: never) => Record<string, string | null>,
  to: (m) => objectValue(Object.entries(m).map(([k, v]) => [k, v === null ? NULL : stringValue(v)] as const)),
};

/** The longest prefix of `s` of at most `max` UTF-8 bytes that ends on a character boundary. */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  const buf = Buffer.from(s);
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // do not split a character
  return buf.subarray(0, end).toString('utf8');
}
