/**
 * Go-compatible units used by component arguments: durations (Go's
 * time.Duration text, implemented in go/duration.ts) and byte sizes
 * (alecthomas/units Base2Bytes, where KB = KiB = 1024).
 */
import { quote } from '../go/strconv.js';

export { formatDurationMs, formatDurationNs, parseDurationMs, parseDurationNs } from '../go/duration.js';

const SIZE_UNITS: Record<string, number> = {
  B: 1, KB: 1024, KIB: 1024, MB: 1024 ** 2, MIB: 1024 ** 2, GB: 1024 ** 3, GIB: 1024 ** 3,
  TB: 1024 ** 4, TIB: 1024 ** 4, PB: 1024 ** 5, PIB: 1024 ** 5, EB: 1024 ** 6, EIB: 1024 ** 6,
};

/** Parses a base-2 byte size ("1MiB", "512KB", "100B", "1.5GB"); throws on bad input. */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[(m[2] || 'B').toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`units: unknown unit ${quote(m?.[2] ?? text)} in ${quote(text)}`);
  return Math.round(Number(m[1]) * unit);
}

/** Formats a byte count the way Base2Bytes.String() does ("1MiB", "1536KiB", "100B"). */
export function formatBytes(n: number): string {
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (i < names.length - 1 && n !== 0 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${names[i]}`;
}
