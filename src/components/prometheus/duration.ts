/**
 * Prometheus durations ("1m", "1h30m", "500ms", "1d"): prometheus/common
 * model.Duration — units largest first, each at most once, milliseconds the
 * finest. Used by scrape targets and by the Prometheus/Promtail converter.
 */

const UNITS_MS: readonly [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = PROM_DURATION.exec(text);
  if (!m || text === '') return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS_MS[i]![1];
  return ms;
}

export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = '';
  let rest = ms;
  for (const [unit, size] of UNITS_MS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
