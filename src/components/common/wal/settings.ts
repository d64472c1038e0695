/**
 * Agent-wide WAL settings read from the environment (as ALLOY_TS_MEMORY_LIMIT
 * is): not component arguments, so configs stay exactly Alloy's.
 *
 * - ALLOY_TS_WAL_MAX_BYTES: disk budget of each component's WAL (bytes, or
 *   with a KiB/MiB/GiB suffix); past it the oldest segments are dropped and
 *   counted. Unset: unbounded, as Alloy.
 * - ALLOY_TS_WAL=off: writers keep data in memory only (for measuring the
 *   WAL's cost; Alloy's remote_write has no such switch).
 */
const UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };

export function walDiskBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ALLOY_TS_WAL_MAX_BYTES?.trim();
  if (!raw) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/.exec(raw);
  if (!m) throw new Error(`ALLOY_TS_WAL_MAX_BYTES: ${JSON.stringify(raw)} is not a size (e.g. 512MiB)`);
  return Math.floor(Number(m[1]) * UNITS[m[2] ?? '']!);
}

export function walDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.ALLOY_TS_WAL === 'off';
}
