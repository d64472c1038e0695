/**
 * stage.timestamp: sets the entry timestamp from an extracted value parsed
 * with a Go layout, a named Go layout or a Unix format. On failure (and, by
 * default, on a value equal to the previous one) the "fudge" action moves
 * the timestamp 1 ns past the last one set for the same stream, so entries
 * keep their order.
 */
import { describeSchema, attr, optional, schema, t } from '../../../lang/schema.js';
import { parseGoIntOrThrow } from '../../../go/strconv.js';
import { addYears, GoLayout, NAMED_LAYOUTS, parseGoTime, TimeZone, type Instant } from '../../../go/time.js';
import { labelsString, type Labels } from '../../common/log-entries.js';
import { extractedText, sameLabels, type Entry } from './entry.js';
import { defineStage, eachEntry } from './stage.js';

/** Named layouts the stage accepts (others are read as Go layouts themselves). */
const NAMED = new Set(['ANSIC', 'UnixDate', 'RubyDate', 'RFC822', 'RFC822Z', 'RFC850', 'RFC1123', 'RFC1123Z', 'RFC3339', 'RFC3339Nano']);

/** Streams whose last timestamp is remembered for fudging. */
const MAX_STREAMS = 10_000;

type Parser = (value: string) => Instant;

const Config = schema(
  {
    source: attr(t.string),
    format: attr(t.string),
    fallback_formats: attr(t.list(t.string), []),
    location: optional(t.string),
    action_on_failure: attr(t.oneOf('fudge', 'skip'), 'fudge'),
    action_on_duplicate_timestamp: attr(t.oneOf('fudge', 'keep'), 'fudge'),
  },
  (c) => {
    if (c.source === '') return 'timestamp source value is required if timestamp is specified';
    if (c.format === '') return 'timestamp format is required';
    if (c.location !== undefined) {
      try {
        TimeZone.load(c.location);
      } catch (err) {
        return `invalid location specified: ${(err as Error).message}`;
      }
    }
    return undefined;
  },
);

const INT64 = /^[+-]?\d+$/;

/** Go strconv.ParseInt(s, 10, 64), with its error texts. */
function parseInt64(s: string): bigint {
  return parseGoIntOrThrow(s, 10);
}

function fromNanos(total: bigint): Instant {
  let ms = total / 1_000_000n;
  let ns = total % 1_000_000n;
  if (ns < 0n) {
    ns += 1_000_000n;
    ms -= 1n;
  }
  return { ms: Number(ms), ns: Number(ns) };
}

/** `Unix`: seconds, optionally with one `.fraction` (scaled to nanoseconds like Alloy does, via float64). */
function parseUnixSeconds(s: string): Instant {
  const parts = s.split('.');
  if (parts.length > 2) throw new Error('invalid');
  const sec = parseInt64(parts[0]!);
  if (parts.length === 1) return fromNanos(sec * 1_000_000_000n);
  const frac = parts[1]!;
  const nsec = BigInt(Math.trunc(Number(parseInt64(frac)) * 10 ** (9 - frac.length)));
  return fromNanos(sec * 1_000_000_000n + nsec);
}

function unixParser(scaleNs: bigint): Parser {
  return (s) => {
    if (scaleNs === 1_000_000n && s.length < 16 && INT64.test(s)) return { ms: Number(s), ns: 0 };
    return fromNanos(parseInt64(s) * scaleNs);
  };
}

/** The parser for one `format` value; a Go layout is split into elements once, here. */
function parserFor(format: string, zone: TimeZone | undefined, now: () => Date): Parser {
  if (NAMED.has(format)) {
    const layout = GoLayout.of(NAMED_LAYOUTS[format]!);
    return (s) => parseGoTime(layout, s);
  }
  switch (format) {
    case 'Unix':
      return parseUnixSeconds;
    case 'UnixMs':
      return unixParser(1_000_000n);
    case 'UnixUs':
      return unixParser(1_000n);
    case 'UnixNs':
      return unixParser(1n);
  }
  const layout = GoLayout.of(format);
  if (!format.includes('06')) return (s) => parseWithoutYear(layout, s, zone, now());
  return (s) => parseGoTime(layout, s, zone);
}

/** A layout without a year: the year is taken from "now" (last year for December values read in January). */
export function parseWithoutYear(layout: string | GoLayout, s: string, zone: TimeZone | undefined, now: Date): Instant {
  const p = parseGoTime(layout, s, zone);
  if (p.year !== 0) throw new Error(`timestamp '${s}' is expected to not contain the year date component`);
  const nowMonth = now.getUTCMonth() + 1;
  let year = now.getUTCFullYear();
  if (p.month === 12 && nowMonth === 1) year--;
  else if (p.month === 1 && nowMonth === 12) year++;
  return addYears(p, year, zone);
}

/** Tries `format`, then each fallback; the first success wins. */
function combinedParser(c: { format: string; fallback_formats: string[]; location?: string | undefined }, now: () => Date): Parser {
  const zone = c.location !== undefined ? TimeZone.load(c.location) : undefined;
  const parsers = [c.format, ...c.fallback_formats].map((f) => parserFor(f, zone, now));
  if (parsers.length === 1) return parsers[0]!;
  return (s) => {
    let firstError: unknown;
    for (const p of parsers) {
      try {
        return p(s);
      } catch (err) {
        firstError ??= err;
      }
    }
    throw firstError;
  };
}

/** Last timestamps per stream (by label string); the least recently used stream is forgotten first. */
class LastTimestamps {
  private readonly map = new Map<string, { parsed: Instant | undefined; set: Instant }>();
  private newest = '';

  get(key: string) {
    const v = this.map.get(key);
    if (v && key !== this.newest) this.touch(key, v);
    return v;
  }

  put(key: string, parsed: Instant | undefined, set: Instant): void {
    const v = this.map.get(key);
    if (v) {
      v.parsed = parsed;
      v.set = set;
      if (key !== this.newest) this.touch(key, v);
      return;
    }
    this.touch(key, { parsed, set });
    if (this.map.size > MAX_STREAMS) this.map.delete(this.map.keys().next().value!);
  }

  private touch(key: string, v: { parsed: Instant | undefined; set: Instant }): void {
    this.map.delete(key);
    this.map.set(key, v);
    this.newest = key;
  }
}

/** labelsString of entries' labels, remembered for the last few label sets seen. */
class StreamKey {
  private readonly recent: { labels: Labels; key: string }[] = [];

  of(labels: Labels): string {
    for (const r of this.recent) if (r.labels === labels || sameLabels(labels, r.labels)) return r.key;
    const key = labelsString(labels);
    if (this.recent.length >= 8) this.recent.pop();
    this.recent.unshift({ labels, key });
    return key;
  }
}

const plusOneNano = (t: Instant): Instant => (t.ns === 999_999 ? { ms: t.ms + 1, ns: 0 } : { ms: t.ms, ns: t.ns + 1 });
const sameInstant = (a: Instant, b: Instant) => a.ms === b.ms && a.ns === b.ns;

export const timestampStage = defineStage({
  name: 'stage.timestamp',
  schema: Config,
  build(c) {
    const parse = combinedParser(c, () => new Date());
    const fudge = c.action_on_failure === 'fudge';
    const last = new LastTimestamps();
    const streamKey = new StreamKey();
    const setTime = (e: Entry, t: Instant) => {
      e.ms = t.ms;
      e.ns = t.ns;
    };
    return eachEntry((e) => {
      const parsed = tryParse(parse, extractedText(e, c.source));
      if (!fudge) {
        if (parsed) setTime(e, parsed);
        return;
      }
      const key = streamKey.of(e.labels);
      const prev = last.get(key);
      let t = parsed;
      if (!t) t = prev ? plusOneNano(prev.set) : undefined;
      else if (c.action_on_duplicate_timestamp === 'fudge' && prev?.parsed && sameInstant(prev.parsed, t)) t = plusOneNano(prev.set);
      if (!t) return;
      setTime(e, t);
      last.put(key, parsed ?? prev?.parsed, t);
    });
  },
});

function tryParse(parse: Parser, value: string | undefined): Instant | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  source: 'Extracted value holding the time.',
  format: 'Layout of the time: a Go layout, a name such as RFC3339, or Unix, UnixMs, UnixUs, UnixNs.',
  fallback_formats: 'Layouts tried when format does not parse.',
  location: 'IANA time zone of times written without one.',
  action_on_failure: 'On a parse failure: fudge the timestamp or skip the stage.',
  action_on_duplicate_timestamp: 'What to do when the timestamp equals the previous entry\'s.',
}, 'Sets the entry\'s timestamp from an extracted value.');
