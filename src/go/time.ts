/**
 * Go's reference-time layouts ("2006-01-02T15:04:05.000Z07:00"): parsing
 * with time.Parse / time.ParseInLocation semantics and formatting with
 * Time.Format, plus the named layouts (RFC3339, ANSIC …).
 *
 * A layout is split once into chunks (literal prefix + one layout element),
 * so parsing many values with the same layout does no layout scanning.
 * Instants are `{ ms, ns }`: whole milliseconds since the epoch and the
 * nanoseconds within that millisecond, the log batch model's representation.
 */
import { goQuote } from './strconv.js';

export interface Instant {
  /** Milliseconds since the Unix epoch (whole). */
  ms: number;
  /** Nanoseconds within the millisecond, 0–999999. */
  ns: number;
}

/** A parsed time: the instant plus the calendar fields as seen in its zone. */
export interface ParsedTime extends Instant {
  /** Year as written (0 when the layout has none), in the parsed zone. */
  year: number;
  month: number;
  /** Zone offset in seconds east of UTC the value was interpreted in. */
  offset: number;
  /** The wall-clock time as seconds (read as UTC) and its nanoseconds. */
  wall: number;
  nsec: number;
  /** The offset came from the value (or is UTC), not from the location's rules. */
  fixedOffset: boolean;
}

/** Go's named layouts (time.ANSIC …). */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  Layout: '01/02 03:04:05PM \'06 -0700',
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

// ---------------------------------------------------------------------------
// Layout elements

const enum Std {
  None,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  /** Literal text before the element. */
  readonly prefix: string;
  readonly std: Std;
  /** The element as written in the layout (for error messages). */
  readonly text: string;
  /** Fractional seconds: digit count, and the separator ('.' or ','). */
  readonly digits: number;
  readonly sep: string;
}

const ZERO_STD: Record<string, Std> = {
  '01': Std.ZeroMonth,
  '02': Std.ZeroDay,
  '03': Std.ZeroHour12,
  '04': Std.ZeroMinute,
  '05': Std.ZeroSecond,
  '06': Std.Year,
};

/** Offset elements, longest first as Go tries them. */
const TZ_ELEMENTS: readonly [string, Std][] = [
  ['-07:00:00', Std.NumColonSecondsTZ],
  ['-070000', Std.NumSecondsTz],
  ['-07:00', Std.NumColonTZ],
  ['-0700', Std.NumTZ],
  ['-07', Std.NumShortTZ],
  ['Z07:00:00', Std.ISO8601ColonSecondsTZ],
  ['Z070000', Std.ISO8601SecondsTZ],
  ['Z07:00', Std.ISO8601ColonTZ],
  ['Z0700', Std.ISO8601TZ],
  ['Z07', Std.ISO8601ShortTZ],
];

const isLower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const isDigitAt = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** The first layout element in `layout` starting at `from`: [index, length, std, digits]. */
function nextElement(layout: string, from: number): [number, number, Std, number] | undefined {
  for (let i = from; i < layout.length; i++) {
    const found = elementAt(layout, i);
    if (found) return [i, found[0], found[1], found[2] ?? 0];
  }
  return undefined;
}

function elementAt(l: string, i: number): [number, Std, number?] | undefined {
  const rest = (n: number) => l.slice(i, i + n);
  switch (l[i]) {
    case 'J':
      if (rest(7) === 'January') return [7, Std.LongMonth];
      if (rest(3) === 'Jan' && !isLower(l[i + 3])) return [3, Std.Month];
      return undefined;
    case 'M':
      if (rest(6) === 'Monday') return [6, Std.LongWeekDay];
      if (rest(3) === 'Mon' && !isLower(l[i + 3])) return [3, Std.WeekDay];
      if (rest(3) === 'MST') return [3, Std.TZ];
      return undefined;
    case '0':
      if (l[i + 1]! >= '1' && l[i + 1]! <= '6') return [2, ZERO_STD[rest(2)]!];
      if (rest(3) === '002') return [3, Std.ZeroYearDay];
      return undefined;
    case '1':
      return l[i + 1] === '5' ? [2, Std.Hour] : [1, Std.NumMonth];
    case '2':
      return rest(4) === '2006' ? [4, Std.LongYear] : [1, Std.Day];
    case '_':
      if (l[i + 1] === '2') return rest(5) === '_2006' ? undefined : [2, Std.UnderDay];
      return rest(3) === '__2' ? [3, Std.UnderYearDay] : undefined;
    case '3':
      return [1, Std.Hour12];
    case '4':
      return [1, Std.Minute];
    case '5':
      return [1, Std.Second];
    case 'P':
      return l[i + 1] === 'M' ? [2, Std.PM] : undefined;
    case 'p':
      return l[i + 1] === 'm' ? [2, Std.pm] : undefined;
    case '-':
    case 'Z':
      for (const [text, std] of TZ_ELEMENTS) if (l.startsWith(text, i)) return [text.length, std];
      return undefined;
    case '.':
    case ',':
      return fractionAt(l, i);
  }
  return undefined;
}

/** `.000`, `,999` …: a run of one repeated 0 or 9 not followed by another digit. */
function fractionAt(l: string, i: number): [number, Std, number] | undefined {
  const ch = l[i + 1];
  if (ch !== '0' && ch !== '9') return undefined;
  let j = i + 1;
  while (l[j] === ch) j++;
  if (isDigitAt(l, j)) return undefined;
  return [j - i, ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i - 1];
}

/** A layout split into chunks; the last chunk has Std.None and holds the trailing literal. */
export class GoLayout {
  private static readonly cache = new Map<string, GoLayout>();
  readonly chunks: readonly Chunk[];
  /** Whether the layout has a year element (else Alloy fills in the current year). */
  readonly hasYear: boolean;
  /** RFC3339 or RFC3339Nano: canonical values take `parseRFC3339` (both layouts accept the same values). */
  readonly rfc3339: boolean;

  private constructor(readonly layout: string) {
    const chunks: Chunk[] = [];
    let pos = 0;
    for (;;) {
      const el = nextElement(layout, pos);
      if (!el) {
        chunks.push({ prefix: layout.slice(pos), std: Std.None, text: '', digits: 0, sep: '' });
        break;
      }
      const [at, len, std, digits] = el;
      chunks.push({ prefix: layout.slice(pos, at), std, text: layout.slice(at, at + len), digits, sep: layout[at]! });
      pos = at + len;
    }
    this.chunks = chunks;
    this.hasYear = chunks.some((c) => c.std === Std.Year || c.std === Std.LongYear);
    this.rfc3339 = layout === NAMED_LAYOUTS.RFC3339 || layout === NAMED_LAYOUTS.RFC3339Nano;
  }

  static of(layout: string): GoLayout {
    let l = GoLayout.cache.get(layout);
    if (!l) {
      l = new GoLayout(layout);
      if (GoLayout.cache.size < 1000) GoLayout.cache.set(layout, l);
    }
    return l;
  }
}

// ---------------------------------------------------------------------------
// Parsing

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export class GoTimeParseError extends Error {}

/** Fields gathered while parsing one value. */
class Fields {
  year = 0;
  month = -1;
  day = -1;
  yday = -1;
  hour = 0;
  min = 0;
  sec = 0;
  nsec = 0;
  pm = false;
  am = false;
  /** Offset east of UTC in seconds, when the value had a numeric zone. */
  zoneOffset: number | undefined = undefined;
  zoneName = '';
  utc = false;
}

/** A cursor over the value being parsed. */
interface Cursor {
  s: string;
  i: number;
}

/**
 * Go time.ParseInLocation: `zone` is used for values without a zone (and to
 * resolve zone abbreviations); undefined means time.Parse (UTC).
 */
export function parseGoTime(layout: string | GoLayout, value: string, zone?: TimeZone): ParsedTime {
  const l = typeof layout === 'string' ? GoLayout.of(layout) : layout;
  if (l.rfc3339) {
    const fast = parseRFC3339(value);
    if (fast) return fast;
  }
  const f = new Fields();
  const cur: Cursor = { s: value, i: 0 };
  const fail = (chunk: Chunk, at: number, extra = ''): never => {
    const elem = chunk.text;
    const rest = value.slice(at);
    throw new GoTimeParseError(
      extra
        ? `parsing time ${goQuote(value)}${extra}`
        : `parsing time ${goQuote(value)} as ${goQuote(l.layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`,
    );
  };
  for (let k = 0; k < l.chunks.length; k++) {
    const chunk = l.chunks[k]!;
    if (!skipPrefix(cur, chunk.prefix)) {
      throw new GoTimeParseError(
        `parsing time ${goQuote(value)} as ${goQuote(l.layout)}: cannot parse ${goQuote(value.slice(cur.i))} as ${goQuote(chunk.prefix)}`,
      );
    }
    if (chunk.std === Std.None) {
      if (cur.i < value.length) throw new GoTimeParseError(`parsing time ${goQuote(value)}: extra text: ${goQuote(value.slice(cur.i))}`);
      break;
    }
    const hold = cur.i;
    const result = parseElement(chunk, cur, f, l.chunks[k + 1]?.std ?? Std.None);
    if (typeof result === 'string') fail(chunk, cur.i, `: ${result} out of range`);
    if (result === false) fail(chunk, hold);
  }
  return resolve(f, value, zone);
}

/** The value of the decimal digit at `i`, or -1. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two decimal digits at `i` as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * RFC3339(Nano) values in their canonical form, `2006-01-02T15:04:05[.frac](Z|±07:00)`
 * with every field in range, parsed without the general layout machinery (log
 * timestamps are mostly these, and Go special-cases them too). Undefined for
 * anything else, which the general parser then accepts or rejects with Go's
 * error; for the values accepted here both give the same result.
 */
function parseRFC3339(v: string): ParsedTime | undefined {
  if (v.length < 20 || v[4] !== '-' || v[7] !== '-' || v[10] !== 'T' || v[13] !== ':' || v[16] !== ':') return undefined;
  const hi = twoDigits(v, 0);
  const lo = twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  const hour = twoDigits(v, 11);
  const min = twoDigits(v, 14);
  const sec = twoDigits(v, 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) return undefined;
  const year = hi * 100 + lo;
  if (day > daysIn(month, year)) return undefined;
  let i = 19;
  let nsec = 0;
  if ((v[i] === '.' || v[i] === ',') && digitAt(v, i + 1) >= 0) {
    // Digits past the ninth are ignored, as in parseNanos.
    let n = 0;
    for (i++; digitAt(v, i) >= 0; i++) if (n++ < 9) nsec = nsec * 10 + digitAt(v, i);
    if (n < 9) nsec *= 10 ** (9 - n);
  }
  let offset = 0;
  if (v[i] === 'Z') i++;
  else {
    const sign = v[i];
    const h = twoDigits(v, i + 1);
    const m = twoDigits(v, i + 4);
    if ((sign !== '+' && sign !== '-') || v[i + 3] !== ':' || h < 0 || h > 24 || m < 0 || m > 60) return undefined;
    offset = (sign === '-' ? -1 : 1) * (h * 60 + m) * 60;
    i += 6;
  }
  if (i !== v.length) return undefined;
  const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  const t = instantOf(wall - offset, nsec);
  return { ms: t.ms, ns: t.ns, year, month, offset, wall, nsec, fixedOffset: true };
}

/** Go's skip(): spaces in the layout match any run of spaces (at least one where the value has a non-space). */
function skipPrefix(cur: Cursor, prefix: string): boolean {
  let p = 0;
  while (p < prefix.length) {
    if (prefix[p] === ' ') {
      if (cur.i < cur.s.length && cur.s[cur.i] !== ' ') return false;
      while (prefix[p] === ' ') p++;
      while (cur.s[cur.i] === ' ') cur.i++;
      continue;
    }
    if (cur.i >= cur.s.length || cur.s[cur.i] !== prefix[p]) return false;
    p++;
    cur.i++;
  }
  return true;
}

/** Parses one element; false for a syntax error, a string naming a field out of range. */
function parseElement(chunk: Chunk, cur: Cursor, f: Fields, nextStd: Std): boolean | string {
  const s = cur.s;
  switch (chunk.std) {
    case Std.Year: {
      if (!isDigitAt(s, cur.i) || !isDigitAt(s, cur.i + 1)) return false;
      const y = Number(s.slice(cur.i, cur.i + 2));
      cur.i += 2;
      f.year = y >= 69 ? y + 1900 : y + 2000;
      return true;
    }
    case Std.LongYear: {
      const p = s.slice(cur.i, cur.i + 4);
      if (!/^\d{4}$/.test(p)) return false;
      cur.i += 4;
      f.year = Number(p);
      return true;
    }
    case Std.Month:
    case Std.LongMonth: {
      const m = lookupName(chunk.std === Std.Month ? SHORT_MONTHS : LONG_MONTHS, cur);
      if (m < 0) return false;
      f.month = m + 1;
      return true;
    }
    case Std.WeekDay:
    case Std.LongWeekDay:
      return lookupName(chunk.std === Std.WeekDay ? SHORT_DAYS : LONG_DAYS, cur) >= 0;
    case Std.NumMonth:
    case Std.ZeroMonth: {
      const n = getNum(cur, chunk.std === Std.ZeroMonth);
      if (n < 0) return false;
      f.month = n;
      return n <= 0 || n > 12 ? 'month' : true;
    }
    case Std.Day:
    case Std.UnderDay:
    case Std.ZeroDay: {
      if (chunk.std === Std.UnderDay && s[cur.i] === ' ') cur.i++;
      const n = getNum(cur, chunk.std === Std.ZeroDay);
      if (n < 0) return false;
      f.day = n;
      return true;
    }
    case Std.UnderYearDay:
    case Std.ZeroYearDay: {
      for (let k = 0; k < 2; k++) if (chunk.std === Std.UnderYearDay && s[cur.i] === ' ') cur.i++;
      const n = getNum3(cur, chunk.std === Std.ZeroYearDay);
      if (n < 0) return false;
      f.yday = n;
      return true;
    }
    case Std.Hour: {
      const n = getNum(cur, false);
      if (n < 0) return false;
      f.hour = n;
      return n >= 24 ? 'hour' : true;
    }
    case Std.Hour12:
    case Std.ZeroHour12: {
      const n = getNum(cur, chunk.std === Std.ZeroHour12);
      if (n < 0) return false;
      f.hour = n;
      return n > 12 ? 'hour' : true;
    }
    case Std.Minute:
    case Std.ZeroMinute: {
      const n = getNum(cur, chunk.std === Std.ZeroMinute);
      if (n < 0) return false;
      f.min = n;
      return n >= 60 ? 'minute' : true;
    }
    case Std.Second:
    case Std.ZeroSecond:
      return parseSecond(chunk, cur, f, nextStd);
    case Std.PM:
    case Std.pm: {
      const p = s.slice(cur.i, cur.i + 2);
      const [pmText, amText] = chunk.std === Std.PM ? ['PM', 'AM'] : ['pm', 'am'];
      if (p === pmText) f.pm = true;
      else if (p === amText) f.am = true;
      else return false;
      cur.i += 2;
      return true;
    }
    case Std.TZ:
      return parseZoneName(cur, f);
    case Std.FracSecond0: {
      const n = 1 + chunk.digits;
      if (s.length - cur.i < n) return false;
      return parseNanos(cur, n, f);
    }
    case Std.FracSecond9: {
      if (!(s[cur.i] === '.' || s[cur.i] === ',') || !isDigitAt(s, cur.i + 1)) return true; // omitted
      let n = 1;
      while (isDigitAt(s, cur.i + n)) n++;
      return parseNanos(cur, n, f);
    }
    default:
      return parseOffset(chunk.std, cur, f);
  }
}

function parseSecond(chunk: Chunk, cur: Cursor, f: Fields, nextStd: Std): boolean | string {
  const n = getNum(cur, chunk.std === Std.ZeroSecond);
  if (n < 0) return false;
  f.sec = n;
  if (n >= 60) return 'second';
  // A fraction in the value but none in the layout is still accepted.
  const s = cur.s;
  if ((s[cur.i] === '.' || s[cur.i] === ',') && isDigitAt(s, cur.i + 1) && nextStd !== Std.FracSecond0 && nextStd !== Std.FracSecond9) {
    let k = 2;
    while (isDigitAt(s, cur.i + k)) k++;
    return parseNanos(cur, k, f);
  }
  return true;
}

/** `.123456`: `n` bytes including the separator; digits past the ninth are ignored. */
function parseNanos(cur: Cursor, n: number, f: Fields): boolean | string {
  const s = cur.s;
  if (s[cur.i] !== '.' && s[cur.i] !== ',') return false;
  const digits = s.slice(cur.i + 1, cur.i + Math.min(n, 10));
  if (!/^\d+$/.test(digits)) return false;
  f.nsec = Number(digits) * 10 ** (9 - digits.length);
  cur.i += n;
  return true;
}

function parseOffset(std: Std, cur: Cursor, f: Fields): boolean | string {
  const s = cur.s.slice(cur.i);
  const iso = std >= Std.ISO8601TZ && std <= Std.ISO8601ColonSecondsTZ;
  if (iso && s[0] === 'Z') {
    cur.i++;
    f.utc = true;
    return true;
  }
  let sign: string, hh: string, mm: string, ss: string, used: number;
  if (std === Std.ISO8601ColonTZ || std === Std.NumColonTZ) {
    if (s.length < 6 || s[3] !== ':') return false;
    [sign, hh, mm, ss, used] = [s[0]!, s.slice(1, 3), s.slice(4, 6), '00', 6];
  } else if (std === Std.NumShortTZ || std === Std.ISO8601ShortTZ) {
    if (s.length < 3) return false;
    [sign, hh, mm, ss, used] = [s[0]!, s.slice(1, 3), '00', '00', 3];
  } else if (std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ) {
    if (s.length < 9 || s[3] !== ':' || s[6] !== ':') return false;
    [sign, hh, mm, ss, used] = [s[0]!, s.slice(1, 3), s.slice(4, 6), s.slice(7, 9), 9];
  } else if (std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTz) {
    if (s.length < 7) return false;
    [sign, hh, mm, ss, used] = [s[0]!, s.slice(1, 3), s.slice(3, 5), s.slice(5, 7), 7];
  } else {
    if (s.length < 5) return false;
    [sign, hh, mm, ss, used] = [s[0]!, s.slice(1, 3), s.slice(3, 5), '00', 5];
  }
  if (!/^\d\d$/.test(hh) || !/^\d\d$/.test(mm) || !/^\d\d$/.test(ss)) return false;
  if (sign !== '+' && sign !== '-') return false;
  cur.i += used;
  const [h, m, sec] = [Number(hh), Number(mm), Number(ss)];
  const offset = (h * 60 + m) * 60 + sec;
  f.zoneOffset = sign === '-' ? -offset : offset;
  if (h > 24) return 'time zone offset hour';
  if (m > 60) return 'time zone offset minute';
  if (sec > 60) return 'time zone offset second';
  return true;
}

function parseZoneName(cur: Cursor, f: Fields): boolean {
  const s = cur.s.slice(cur.i);
  if (s.startsWith('UTC')) {
    cur.i += 3;
    f.utc = true;
    return true;
  }
  const n = zoneNameLength(s);
  if (n <= 0) return false;
  f.zoneName = s.slice(0, n);
  cur.i += n;
  return true;
}

/** Go parseTimeZone: the length of a zone abbreviation at the start of `s`, or 0. */
function zoneNameLength(s: string): number {
  if (s.length < 3) return 0;
  if (s.startsWith('ChST') || s.startsWith('MeST')) return 4;
  if (s.startsWith('GMT')) return 3 + signedOffsetLength(s.slice(3));
  if (s[0] === '+' || s[0] === '-') return signedOffsetLength(s);
  let upper = 0;
  while (upper < 6 && upper < s.length && s[upper]! >= 'A' && s[upper]! <= 'Z') upper++;
  if (upper === 5) return s[4] === 'T' ? 5 : 0;
  if (upper === 4) return s[3] === 'T' || s.startsWith('WITA') ? 4 : 0;
  return upper === 3 ? 3 : 0;
}

function signedOffsetLength(s: string): number {
  const m = /^[+-](\d+)/.exec(s);
  if (!m || Number(m[1]) > 12) return 0;
  return m[0].length;
}

function lookupName(names: readonly string[], cur: Cursor): number {
  const rest = cur.s.slice(cur.i);
  for (let k = 0; k < names.length; k++) {
    const n = names[k]!;
    if (rest.length >= n.length && rest.slice(0, n.length).toLowerCase() === n.toLowerCase()) {
      cur.i += n.length;
      return k;
    }
  }
  return -1;
}

/** Go getnum: one or two digits (exactly two when fixed); -1 on error. */
function getNum(cur: Cursor, fixed: boolean): number {
  const s = cur.s;
  if (!isDigitAt(s, cur.i)) return -1;
  if (!isDigitAt(s, cur.i + 1)) {
    if (fixed) return -1;
    return s.charCodeAt(cur.i++) - 48;
  }
  const n = (s.charCodeAt(cur.i) - 48) * 10 + (s.charCodeAt(cur.i + 1) - 48);
  cur.i += 2;
  return n;
}

function getNum3(cur: Cursor, fixed: boolean): number {
  let n = 0;
  let k = 0;
  while (k < 3 && isDigitAt(cur.s, cur.i + k)) n = n * 10 + cur.s.charCodeAt(cur.i + k++) - 48;
  if (k === 0 || (fixed && k !== 3)) return -1;
  cur.i += k;
  return n;
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29;
  return DAYS_BEFORE[month]! - DAYS_BEFORE[month - 1]!;
}

/** Turns the parsed fields into an instant, as the end of Go's parse() does. */
function resolve(f: Fields, value: string, zone: TimeZone | undefined): ParsedTime {
  if (f.pm && f.hour < 12) f.hour += 12;
  else if (f.am && f.hour === 12) f.hour = 0;
  resolveYearDay(f, value);
  if (f.day < 1 || f.day > daysIn(f.month, f.year)) throw new GoTimeParseError(`parsing time ${goQuote(value)}: day out of range`);
  const wall = wallSeconds(f);
  let offset: number;
  if (f.utc) offset = 0;
  else if (f.zoneOffset !== undefined) offset = f.zoneOffset;
  else if (f.zoneName !== '') offset = zoneNameOffset(f.zoneName, wall, zone);
  else offset = zone ? zone.offsetForWall(wall) : 0;
  const fixedOffset = f.utc || f.zoneOffset !== undefined || f.zoneName !== '' || !zone;
  const t = instantOf(wall - offset, f.nsec);
  // Written out: an object spread here costs more than the whole parse.
  return { ms: t.ms, ns: t.ns, year: f.year, month: f.month, offset, wall, nsec: f.nsec, fixedOffset };
}

function instantOf(unixSec: number, nsec: number): Instant {
  return { ms: unixSec * 1000 + Math.floor(nsec / 1e6), ns: nsec % 1e6 };
}

/**
 * Go `t.AddDate(years, 0, 0)`: the same wall clock `years` later (Feb 29
 * becomes Mar 1), re-resolved in the location unless the offset was fixed.
 */
export function addYears(p: ParsedTime, years: number, zone?: TimeZone): Instant {
  const days = Math.floor(p.wall / 86400);
  const secOfDay = p.wall - days * 86400;
  const d = civilFromDays(days);
  const wall = daysFromCivil(d.year + years, d.month, d.day) * 86400 + secOfDay;
  const offset = p.fixedOffset || !zone ? p.offset : zone.offsetForWall(wall);
  return instantOf(wall - offset, p.nsec);
}

function resolveYearDay(f: Fields, value: string): void {
  if (f.yday < 0) {
    if (f.month < 0) f.month = 1;
    if (f.day < 0) f.day = 1;
    return;
  }
  let yday = f.yday;
  let m = 0;
  let d = 0;
  if (isLeap(f.year)) {
    if (yday === 31 + 29) [m, d] = [2, 29];
    else if (yday > 31 + 29) yday--;
  }
  if (yday < 1 || yday > 365) throw new GoTimeParseError(`parsing time ${goQuote(value)}: day-of-year out of range`);
  if (m === 0) {
    m = Math.floor((yday - 1) / 31) + 1;
    if (DAYS_BEFORE[m]! < yday) m++;
    d = yday - DAYS_BEFORE[m - 1]!;
  }
  if (f.month >= 0 && f.month !== m) throw new GoTimeParseError(`parsing time ${goQuote(value)}: day-of-year does not match month`);
  if (f.day >= 0 && f.day !== d) throw new GoTimeParseError(`parsing time ${goQuote(value)}: day-of-year does not match day`);
  f.month = m;
  f.day = d;
}

/** Seconds since the epoch of the wall-clock fields read as UTC. */
function wallSeconds(f: Fields): number {
  return daysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.min * 60 + f.sec;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar date of a day count since the epoch. */
export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * A zone abbreviation: the location's own offset when it uses that name at
 * that time, else Go's fake zone (GMT±h, or offset 0).
 */
function zoneNameOffset(name: string, wall: number, zone: TimeZone | undefined): number {
  const z = zone ?? UTC;
  const guess = z.offsetForWall(wall);
  if (z.abbreviation(wall - guess) === name) return guess;
  if (name.length > 3 && name.startsWith('GMT')) return Number(name.slice(3)) * 3600;
  return 0;
}

// ---------------------------------------------------------------------------
// Zones

/** A time zone: UTC, a fixed offset or an IANA location (through Intl). */
export class TimeZone {
  private static readonly cache = new Map<string, TimeZone>();
  private readonly dtf: Intl.DateTimeFormat | undefined;
  private readonly abbr: Intl.DateTimeFormat | undefined;

  private constructor(
    readonly name: string,
    private readonly fixed: number | undefined,
  ) {
    if (fixed === undefined) {
      this.dtf = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
      this.abbr = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' });
    }
  }

  static fixedZone(name: string, offsetSeconds: number): TimeZone {
    return new TimeZone(name, offsetSeconds);
  }

  /** Go time.LoadLocation: "" and "UTC" are UTC, "Local" the process zone, else an IANA name. */
  static load(name: string): TimeZone {
    if (name === '' || name === 'UTC') return UTC;
    const key = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
    let z = TimeZone.cache.get(key);
    if (!z) {
      try {
        z = new TimeZone(key, undefined);
      } catch {
        throw new Error(`unknown time zone ${name}`);
      }
      TimeZone.cache.set(key, z);
    }
    return z;
  }

  /** Offset in seconds east of UTC at an instant (unix seconds). */
  offsetAt(unixSec: number): number {
    if (this.fixed !== undefined) return this.fixed;
    const parts = this.dtf!.formatToParts(new Date(unixSec * 1000));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const wall = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
    return wall - Math.floor(unixSec);
  }

  /** The offset for a wall-clock time (seconds as if UTC), resolving transitions like Go's Date. */
  offsetForWall(wall: number): number {
    if (this.fixed !== undefined) return this.fixed;
    const first = this.offsetAt(wall);
    const second = this.offsetAt(wall - first);
    return second;
  }

  /** The zone's abbreviation at an instant ("CET", "PST"; "GMT+1" where Intl has none). */
  abbreviation(unixSec: number): string {
    if (this.fixed !== undefined) return this.name;
    return this.abbr!.formatToParts(new Date(unixSec * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  }
}

export const UTC = TimeZone.fixedZone('UTC', 0);

// ---------------------------------------------------------------------------
// Formatting

/** Go Time.Format of an instant in `zone` (UTC by default). */
export function formatGoTime(layout: string | GoLayout, t: Instant, zone: TimeZone = UTC): string {
  const l = typeof layout === 'string' ? GoLayout.of(layout) : layout;
  const unixSec = Math.floor(t.ms / 1000);
  const offset = zone.offsetAt(unixSec);
  const local = unixSec + offset;
  const days = Math.floor(local / 86400);
  const secOfDay = local - days * 86400;
  const date = civilFromDays(days);
  const c: Calendar = {
    ...date,
    hour: Math.floor(secOfDay / 3600),
    min: Math.floor((secOfDay % 3600) / 60),
    sec: secOfDay % 60,
    nsec: (t.ms - unixSec * 1000) * 1e6 + t.ns,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: daysFromCivil(date.year, date.month, date.day) - daysFromCivil(date.year, 1, 1) + 1,
    offset,
    zoneName: zone.abbreviation(unixSec),
  };
  let out = '';
  for (const chunk of l.chunks) out += chunk.prefix + formatElement(chunk, c);
  return out;
}

interface Calendar {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  weekday: number;
  yday: number;
  offset: number;
  zoneName: string;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function formatElement(chunk: Chunk, c: Calendar): string {
  switch (chunk.std) {
    case Std.None:
      return '';
    case Std.Year:
      return pad(((c.year % 100) + 100) % 100, 2);
    case Std.LongYear:
      return c.year < 0 ? `-${pad(-c.year, 4)}` : pad(c.year, 4);
    case Std.Month:
      return SHORT_MONTHS[c.month - 1]!;
    case Std.LongMonth:
      return LONG_MONTHS[c.month - 1]!;
    case Std.NumMonth:
      return String(c.month);
    case Std.ZeroMonth:
      return pad(c.month, 2);
    case Std.WeekDay:
      return SHORT_DAYS[c.weekday]!;
    case Std.LongWeekDay:
      return LONG_DAYS[c.weekday]!;
    case Std.Day:
      return String(c.day);
    case Std.UnderDay:
      return c.day < 10 ? ` ${c.day}` : String(c.day);
    case Std.ZeroDay:
      return pad(c.day, 2);
    case Std.UnderYearDay:
      return String(c.yday).padStart(3, ' ');
    case Std.ZeroYearDay:
      return pad(c.yday, 3);
    case Std.Hour:
      return pad(c.hour, 2);
    case Std.Hour12:
      return String(c.hour % 12 === 0 ? 12 : c.hour % 12);
    case Std.ZeroHour12:
      return pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
    case Std.Minute:
      return String(c.min);
    case Std.ZeroMinute:
      return pad(c.min, 2);
    case Std.Second:
      return String(c.sec);
    case Std.ZeroSecond:
      return pad(c.sec, 2);
    case Std.PM:
      return c.hour >= 12 ? 'PM' : 'AM';
    case Std.pm:
      return c.hour >= 12 ? 'pm' : 'am';
    case Std.TZ:
      return c.zoneName || formatOffset(c.offset, false, false, false);
    case Std.FracSecond0:
      return chunk.sep + pad(c.nsec, 9).slice(0, chunk.digits);
    case Std.FracSecond9: {
      const digits = pad(c.nsec, 9).slice(0, chunk.digits).replace(/0+$/, '');
      return digits === '' ? '' : chunk.sep + digits;
    }
    default:
      return formatZone(chunk.std, c.offset);
  }
}

function formatZone(std: Std, offset: number): string {
  const iso = std >= Std.ISO8601TZ && std <= Std.ISO8601ColonSecondsTZ;
  if (iso && offset === 0) return 'Z';
  const colon = std === Std.ISO8601ColonTZ || std === Std.NumColonTZ || std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ;
  const short = std === Std.ISO8601ShortTZ || std === Std.NumShortTZ;
  const seconds = std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTz || std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ;
  return formatOffset(offset, colon, short, seconds);
}

function formatOffset(offset: number, colon: boolean, short: boolean, seconds: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  let out = sign + pad(Math.floor(abs / 3600), 2);
  if (short) return out;
  out += (colon ? ':' : '') + pad(Math.floor((abs % 3600) / 60), 2);
  if (seconds) out += (colon ? ':' : '') + pad(abs % 60, 2);
  return out;
}
