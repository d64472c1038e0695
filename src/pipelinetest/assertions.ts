/**
 * Checking what a pipeline delivered (grafana/alloy internal/pipelinetest/
 * harness/assertion.go): `count` — exactly N entries match; `contains` — at
 * least one does. Labels and structured metadata match exactly, or with
 * `mode: partial` as a subset. A failure reads as the expectation, what came
 * closest, and the whole snapshot.
 */
import { NAMED_LAYOUTS, parseGoTime } from '../go/time.js';
import type { SunkEntry } from './components.js';
import type { SunkSample } from './remote-write.js';
import type { LokiAssertion, LokiMatch, MapMatch, MetricAssertion, MetricMatch } from './schema.js';

/** RFC3339(Nano) text → Unix nanoseconds. */
export function rfc3339Ns(text: string): bigint {
  const t = parseGoTime(NAMED_LAYOUTS['RFC3339Nano']!, text);
  return BigInt(t.ms) * 1_000_000n + BigInt(t.ns);
}

function mapMatches(actual: Record<string, string>, want: MapMatch): boolean {
  for (const [k, v] of Object.entries(want.values)) if (actual[k] !== v) return false;
  return want.partial || Object.keys(actual).length === Object.keys(want.values).length;
}

export function entryMatches(e: SunkEntry, m: LokiMatch): boolean {
  if (m.line !== undefined && e.line !== m.line) return false;
  if (m.timestamp !== undefined && e.timestampNs !== rfc3339Ns(m.timestamp)) return false;
  if (m.labels && !mapMatches(e.labels, m.labels)) return false;
  if (m.structuredMetadata && !mapMatches(e.structuredMetadata, m.structuredMetadata)) return false;
  return true;
}

/** Why `a` does not hold for `entries`, or undefined when it does. */
export function checkAssertion(a: LokiAssertion, entries: readonly SunkEntry[]): string | undefined {
  const matching = entries.filter((e) => entryMatches(e, a.match)).length;
  if (a.type === 'count') {
    if (matching === a.count) return undefined;
    return `count: expected ${a.count} matching entries${describeMatch(a.match)}, got ${matching}`;
  }
  if (matching > 0) return undefined;
  const closest = closestEntry(entries, a.match);
  return `contains: no entry matched${describeMatch(a.match)}` + (closest ? `\n    closest: ${renderEntry(closest)}\n    differs in: ${differences(closest, a.match).join(', ')}` : '');
}

function describeMatch(m: LokiMatch): string {
  const parts: string[] = [];
  if (m.labels) parts.push(`labels ${m.labels.partial ? '⊇' : '='} ${renderMap(m.labels.values)}`);
  if (m.line !== undefined) parts.push(`line = ${JSON.stringify(m.line)}`);
  if (m.timestamp !== undefined) parts.push(`timestamp = ${m.timestamp}`);
  if (m.structuredMetadata) parts.push(`structured_metadata ${m.structuredMetadata.partial ? '⊇' : '='} ${renderMap(m.structuredMetadata.values)}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

function differences(e: SunkEntry, m: LokiMatch): string[] {
  const out: string[] = [];
  if (m.labels && !mapMatches(e.labels, m.labels)) out.push('labels');
  if (m.line !== undefined && e.line !== m.line) out.push('line');
  if (m.timestamp !== undefined && e.timestampNs !== rfc3339Ns(m.timestamp)) out.push('timestamp');
  if (m.structuredMetadata && !mapMatches(e.structuredMetadata, m.structuredMetadata)) out.push('structured_metadata');
  return out;
}

function closestEntry(entries: readonly SunkEntry[], m: LokiMatch): SunkEntry | undefined {
  let best: SunkEntry | undefined;
  let bestMisses = Infinity;
  for (const e of entries) {
    const misses = differences(e, m).length;
    if (misses < bestMisses) [best, bestMisses] = [e, misses];
  }
  return best;
}

function renderMap(m: Record<string, string>): string {
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join(', ')}}`;
}

function renderTime(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = ns % 1_000_000_000n;
  const iso = new Date(ms).toISOString().slice(0, 19);
  return frac === 0n ? `${iso}Z` : `${iso}.${String(frac).padStart(9, '0').replace(/0+$/, '')}Z`;
}

export function renderEntry(e: SunkEntry): string {
  const meta = Object.keys(e.structuredMetadata).length > 0 ? ` metadata=${renderMap(e.structuredMetadata)}` : '';
  return `${renderTime(e.timestampNs)} ${renderMap(e.labels)} ${JSON.stringify(e.line)}${meta}`;
}

/** Every entry received, one per line (bounded: the first `limit`). */
export function renderSnapshot(entries: readonly SunkEntry[], limit = 50): string {
  if (entries.length === 0) return '  (no entries received)';
  const shown = entries.slice(0, limit).map((e) => `  ${renderEntry(e)}`);
  if (entries.length > limit) shown.push(`  … and ${entries.length - limit} more`);
  return shown.join('\n');
}

// ---------------------------------------------------------------------------
// Metrics (alloy-ts): a series matches by name, labels (the name aside) and,
// when given, a sample value; `count` counts matching series, not samples,
// since a scraped series repeats every interval.

function seriesKey(labels: Record<string, string>): string {
  return renderMap(labels);
}

function sampleMatches(s: SunkSample, m: MetricMatch): boolean {
  const { __name__: name = '', ...labels } = s.labels;
  if (m.name !== undefined && name !== m.name) return false;
  if (m.labels && !mapMatches(labels, m.labels)) return false;
  if (m.value !== undefined && !(s.value === m.value || (Number.isNaN(s.value) && Number.isNaN(m.value)))) return false;
  return true;
}

function describeMetricMatch(m: MetricMatch): string {
  const parts: string[] = [];
  if (m.name !== undefined) parts.push(`name = ${m.name}`);
  if (m.labels) parts.push(`labels ${m.labels.partial ? '⊇' : '='} ${renderMap(m.labels.values)}`);
  if (m.value !== undefined) parts.push(`value = ${m.value}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

export function checkMetricAssertion(a: MetricAssertion, samples: readonly SunkSample[]): string | undefined {
  const series = new Set(samples.filter((s) => sampleMatches(s, a.match)).map((s) => seriesKey(s.labels)));
  if (a.type === 'count') {
    return series.size === a.count ? undefined : `metrics count: expected ${a.count} matching series${describeMetricMatch(a.match)}, got ${series.size}`;
  }
  return series.size > 0 ? undefined : `metrics contains: no sample matched${describeMetricMatch(a.match)}`;
}

/** Every series received with its latest value (bounded). */
export function renderSeries(samples: readonly SunkSample[], limit = 50): string {
  const latest = new Map<string, SunkSample>();
  for (const s of samples) latest.set(seriesKey(s.labels), s);
  const lines = [...latest.entries()].slice(0, limit).map(([key, s]) => `  ${key} ${s.value}`);
  if (latest.size > limit) lines.push(`  … and ${latest.size - limit} more series`);
  return lines.join('\n');
}
