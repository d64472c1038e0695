/**
 * From a discovered target to what a scrape loop needs (Prometheus'
 * PopulateLabels in scrape/target.go): defaults for `job`, `__scrape_interval__`,
 * `__scrape_timeout__`, `__metrics_path__`, `__scheme__` and `__param_*`
 * where the target has none, per-target overrides through those labels,
 * `instance` defaulting to `__address__`, `__meta_*` removed; the labels not
 * starting with `__` are the ones attached to every series.
 */
import { compareStrings } from '../../../lang/value.js';
import { labelsString } from '../../common/log-entries.js';
import { seriesHash, seriesLabelsOf, type SeriesLabels } from '../../common/metric-samples.js';
import { formatPromDuration, parsePromDuration } from '../duration.js';

/** The component-level settings a target is populated with. */
export interface TargetDefaults {
  readonly jobName: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly metricsPath: string;
  readonly scheme: string;
  readonly params: Readonly<Record<string, readonly string[]>>;
}

export interface ScrapeTarget {
  /** Identity for diffing target lists: every label, `__*` included, after defaults. */
  readonly key: string;
  /** Labels attached to every series of the target (no `__*`). */
  readonly labels: SeriesLabels;
  /** The discovered labels, for debug info. */
  readonly discovered: Readonly<Record<string, string>>;
  readonly address: string;
  readonly url: URL;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

const PARAM_PREFIX = '__param_';
const META_PREFIX = '__meta_';

/** The populated target, or an error message (Prometheus' wording) when the target cannot be scraped. */
export function populateTarget(discovered: Readonly<Record<string, string>>, d: TargetDefaults): ScrapeTarget | { error: string } {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(discovered)) if (v !== '') all[k] = v;
  const defaults: [string, string][] = [
    ['job', d.jobName],
    ['__scrape_interval__', formatPromDuration(d.intervalMs)],
    ['__scrape_timeout__', formatPromDuration(d.timeoutMs)],
    ['__metrics_path__', d.metricsPath],
    ['__scheme__', d.scheme],
  ];
  for (const [name, values] of Object.entries(d.params)) if (values.length > 0) defaults.push([PARAM_PREFIX + name, values[0]!]);
  for (const [name, value] of defaults) if (all[name] === undefined && value !== '') all[name] = value;

  const address = all['__address__'];
  if (!address) return { error: 'no address' };
  const timing = intervalAndTimeout(all);
  if ('error' in timing) return timing;
  for (const name of Object.keys(all)) if (name.startsWith(META_PREFIX)) delete all[name];
  all['instance'] ??= address;

  const url = targetUrl(all, d.params);
  if (typeof url === 'string') return { error: url };
  const kept = Object.entries(all).filter(([name]) => !name.startsWith('__'));
  const key = labelsString(sortedRecord(all));
  return { key, labels: seriesLabelsOf(kept), discovered, address, url, ...timing };
}

function intervalAndTimeout(labels: Record<string, string>): { intervalMs: number; timeoutMs: number } | { error: string } {
  const interval = parsePromDuration(labels['__scrape_interval__'] ?? '');
  if (interval === undefined) return { error: `error parsing scrape interval: not a valid duration string: ${JSON.stringify(labels['__scrape_interval__'])}` };
  if (interval === 0) return { error: 'scrape interval cannot be 0' };
  const timeout = parsePromDuration(labels['__scrape_timeout__'] ?? '');
  if (timeout === undefined) return { error: `error parsing scrape timeout: not a valid duration string: ${JSON.stringify(labels['__scrape_timeout__'])}` };
  if (timeout === 0) return { error: 'scrape timeout cannot be 0' };
  if (timeout > interval) {
    return { error: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(labels['__scrape_timeout__'])} > ${JSON.stringify(labels['__scrape_interval__'])})` };
  }
  return { intervalMs: interval, timeoutMs: timeout };
}

/** `<scheme>://<address><metrics_path>?<params, __param_* labels replacing the first value>`. */
function targetUrl(labels: Record<string, string>, params: Readonly<Record<string, readonly string[]>>): URL | string {
  const query = new Map<string, string[]>(Object.entries(params).map(([k, v]) => [k, [...v]]));
  for (const [name, value] of Object.entries(labels)) {
    if (!name.startsWith(PARAM_PREFIX)) continue;
    const key = name.slice(PARAM_PREFIX.length);
    const values = query.get(key);
    if (values && values.length > 0) values[0] = value;
    else query.set(key, [value]);
  }
  const text = `${labels['__scheme__']}://${labels['__address__']}${labels['__metrics_path__'] ?? ''}`;
  if (!URL.canParse(text)) return `invalid target URL ${JSON.stringify(text)}`;
  const url = new URL(text);
  // Go's url.Values.Encode sorts by key.
  for (const key of [...query.keys()].sort()) for (const v of query.get(key)!) url.searchParams.append(key, v);
  return url;
}

function sortedRecord(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort(compareStrings)) out[k] = labels[k]!;
  return out;
}

/**
 * How long after a start at `nowMs` the target's first scrape is: the
 * target's own phase within the interval, from a hash of its labels and URL
 * and the agent's seed, so every target keeps its slot across restarts and
 * agents spread their targets differently (Prometheus' Target.offset).
 */
export function scrapeOffsetMs(target: ScrapeTarget, seed: number, nowMs: number): number {
  const interval = target.intervalMs;
  const phase = ((seriesHash(`${target.key}${target.url.href}`) ^ seed) >>> 0) % interval;
  const base = interval - (nowMs % interval);
  const next = base + phase;
  return next > interval ? next - interval : next;
}
