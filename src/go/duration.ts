/**
 * Go's time.Duration text: time.ParseDuration and Duration.String
 * (https://pkg.go.dev/time#ParseDuration), on nanosecond counts as bigints,
 * plus millisecond conveniences for callers that keep time in ms.
 */
import { quote } from './strconv.js';

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const INT64_MAX = (1n << 63n) - 1n;

/** Parses a Go duration ("1m30s", "250ms", "-1.5h", "0") into nanoseconds; throws with Go's message. */
export function parseDurationNs(text: string): bigint {
  const fail = (): never => {
    throw new Error(`time: invalid duration ${quote(text)}`);
  };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') fail();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole = '', frac] = [m[1], m[2]];
    if (whole === '' && (frac === undefined || frac === '')) fail();
    s = s.slice(m[0].length);
    const unitMatch = /^[^\d.]+/.exec(s);
    if (!unitMatch) throw new Error(`time: missing unit in duration ${quote(text)}`);
    const unit = DURATION_UNITS[unitMatch[0]];
    if (unit === undefined) throw new Error(`time: unknown unit ${quote(unitMatch[0])} in duration ${quote(text)}`);
    s = s.slice(unitMatch[0].length);
    let value = BigInt(whole || '0') * unit;
    if (frac) value += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += value;
    if (total > INT64_MAX) fail();
  }
  return negative ? -total : total;
}

/** Parses a Go duration into milliseconds (fractional where needed). */
export function parseDurationMs(text: string): number {
  return Number(parseDurationNs(text)) / 1e6;
}

/** Go Duration.String() of a nanosecond count: "1h0m0s", "1.5s", "250ms", "0s". */
export function formatDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, scale] = u < 1_000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    out = fixed(u, scale) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fixed(u, 1_000_000_000n)}s`;
    if (h > 0n || m > 0n) out = `${m}m${out}`;
    if (h > 0n) out = `${h}h${out}`;
  }
  return negative ? `-${out}` : out;
}

export function formatDurationMs(ms: number): string {
  return formatDurationNs(BigInt(Math.round(ms * 1e6)));
}

/** `value / scale` with the fraction's trailing zeros removed ("1.5", "2"). */
function fixed(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const rest = value % scale;
  if (rest === 0n) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
