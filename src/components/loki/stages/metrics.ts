/**
 * stage.metrics: counters, gauges and histograms updated from extracted
 * values, one series per label set of the entries (minus `__` and invalid
 * label names), exposed on /metrics through the component's registry.
 * Series not updated for `max_idle_duration` are removed after the next
 * collection, as Alloy does.
 */
import type { Registry } from 'prom-client';
import { describeSchema, attr, enumBlocks, schema, t, type Infer } from '../../../lang/schema.js';
import { formatFloat } from '../../../go/strconv.js';
import { labelsString, type Labels } from '../../common/log-entries.js';
import { parseDurationNs } from '../../../lang/units.js';
import { extractedString, isValidLabelName, type Entry, type Extracted } from './entry.js';
import { defineStage, eachEntry, type StageContext } from './stage.js';

const DEFAULT_PREFIX = 'loki_process_custom_';

const common = {
  name: attr(t.string),
  description: attr(t.string, ''),
  prefix: attr(t.string, DEFAULT_PREFIX),
  source: attr(t.string, ''),
  value: attr(t.string, ''),
  max_idle_duration: attr(t.duration, '5m'),
};

const idleCheck = (c: { max_idle_duration: number }) => (c.max_idle_duration < 1000 ? 'max_idle_duration must be greater or equal than 1s' : undefined);

const CounterConfig = schema({ ...common, action: attr(t.string), match_all: attr(t.bool, false), count_entry_bytes: attr(t.bool, false) }, (c) => {
  if (c.action !== 'inc' && c.action !== 'add') return "the 'action' counter field must be either 'inc' or 'add'";
  if (c.match_all && c.value !== '') return "a 'counter' metric supports either 'match_all' or a 'value', but not both";
  if (c.count_entry_bytes && (!c.match_all || c.action !== 'add')) {
    return "the 'count_entry_bytes' counter field must be specified along with match_all set to true or action set to 'add'";
  }
  return idleCheck(c);
});

const GAUGE_ACTIONS = ['set', 'inc', 'dec', 'add', 'sub'];

const GaugeConfig = schema({ ...common, action: attr(t.string) }, (c) =>
  GAUGE_ACTIONS.includes(c.action) ? idleCheck(c) : "the 'action' gauge field must be one of 'set', 'inc', 'dec', 'add' or 'sub'",
);

const HistogramConfig = schema({ ...common, buckets: attr(t.list(t.float)) }, idleCheck);

const Config = schema({
  metrics: enumBlocks({ 'metric.counter': CounterConfig, 'metric.gauge': GaugeConfig, 'metric.histogram': HistogramConfig }),
});

type CommonConfig = Infer<typeof HistogramConfig> | Infer<typeof CounterConfig> | Infer<typeof GaugeConfig>;

// ---------------------------------------------------------------------------
// Values

const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** Alloy's getFloat: numbers, booleans (1/0), float strings and Go durations (in seconds). */
export function metricValue(v: Extracted | number | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return undefined;
  if (GO_FLOAT.test(v)) {
    const lower = v.toLowerCase().replace(/^\+/, '');
    if (lower.endsWith('nan')) return Number.NaN;
    if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
    return Number(v);
  }
  try {
    return Number(parseDurationNs(v)) / 1e9;
  } catch {
    return undefined;
  }
}

/** Labels of a series: the entry's, without `__*` and invalid names. */
function seriesLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (!k.startsWith('__') && isValidLabelName(k)) out[k] = labels[k]!;
  return out;
}

// ---------------------------------------------------------------------------
// Collectors (prom-client metric objects with per-series expiry)

interface Series {
  labels: Record<string, string>;
  value: number;
  /** Histogram: cumulative counts per bucket, sum, count. */
  buckets?: number[];
  sum?: number;
  lastModSec: number;
}

type MetricType = 'counter' | 'gauge' | 'histogram';

class ExpiringMetric {
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();
  private lastLabels: Labels | undefined;
  private lastSeries: Series | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly maxAgeSec: number,
    private readonly bucketBounds: number[] = [],
  ) {}

  /** The series for an entry's labels (cached while consecutive entries share the label object). */
  with(labels: Labels): Series {
    if (labels === this.lastLabels && this.lastSeries) return this.touch(this.lastSeries);
    const clean = seriesLabels(labels);
    const key = labelsString(clean);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: clean, value: 0, lastModSec: 0 };
      if (this.type === 'histogram') Object.assign(s, { buckets: this.bucketBounds.map(() => 0), sum: 0 });
      this.series.set(key, s);
    }
    this.lastLabels = labels;
    this.lastSeries = s;
    return this.touch(s);
  }

  private touch(s: Series): Series {
    s.lastModSec = Math.floor(Date.now() / 1000);
    return s;
  }

  observe(s: Series, v: number): void {
    s.value++;
    s.sum! += v;
    this.bucketBounds.forEach((b, i) => {
      if (v <= b) s.buckets![i]!++;
    });
  }

  /** prom-client's collection hook: every series, then expired ones are removed. */
  get() {
    const values = [...this.series.values()].flatMap((s) => this.samples(s));
    const now = Math.floor(Date.now() / 1000);
    for (const [k, s] of this.series) if (now - s.lastModSec >= this.maxAgeSec) this.series.delete(k);
    this.lastLabels = undefined;
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  private samples(s: Series) {
    if (this.type !== 'histogram') return [{ labels: s.labels, value: s.value }];
    return [
      ...this.bucketBounds.map((b, i) => ({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: formatFloat(b, 'g', -1) }, value: s.buckets![i]! })),
      { metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.value },
      { metricName: `${this.name}_sum`, labels: s.labels, value: s.sum! },
      { metricName: `${this.name}_count`, labels: s.labels, value: s.value },
    ];
  }

  reset(): void {
    this.series.clear();
    this.lastLabels = undefined;
  }
}

/** Registers a metric, or reuses one of the same name and type created by this pipeline. */
function registerMetric(ctx: StageContext, m: ExpiringMetric): ExpiringMetric {
  const registry: Registry = ctx.registry;
  const existing = registry.getSingleMetric(m.name) as unknown as ExpiringMetric | undefined;
  if (existing && ctx.ownedMetrics.includes(m.name)) {
    if (existing.type !== m.type) throw new Error(`metric ${m.name} is already defined as a ${existing.type}`);
    return existing;
  }
  if (existing) registry.removeSingleMetric(m.name);
  registry.registerMetric(m as never);
  ctx.ownedMetrics.push(m.name);
  return m;
}

// ---------------------------------------------------------------------------
// The stage

type Recorder = (e: Entry) => void;

function fullName(c: CommonConfig): string {
  return (c.prefix === '' ? DEFAULT_PREFIX : c.prefix) + c.name;
}

/** Reads the source value, checks `value`; undefined when the metric must not change. */
function sourceValue(c: CommonConfig, e: Entry): Extracted | undefined {
  const src = c.source === '' ? c.name : c.source;
  if (!e.extracted.has(src)) return undefined;
  const v = e.extracted.get(src)!;
  if (c.value !== '' && extractedString(v) !== c.value) return undefined;
  return v;
}

function counterRecorder(c: Infer<typeof CounterConfig>, ctx: StageContext): Recorder {
  const m = registerMetric(ctx, new ExpiringMetric(fullName(c), c.description, 'counter', c.max_idle_duration / 1000));
  const apply = (e: Entry, v: Extracted | number) => {
    if (c.action === 'inc') m.with(e.labels).value++;
    else {
      const f = metricValue(v);
      if (f !== undefined && f >= 0) m.with(e.labels).value += f;
    }
  };
  if (c.match_all) return (e) => apply(e, c.count_entry_bytes ? Buffer.byteLength(e.line) : null);
  return (e) => {
    const v = sourceValue(c, e);
    if (v !== undefined) apply(e, v);
  };
}

function gaugeRecorder(c: Infer<typeof GaugeConfig>, ctx: StageContext): Recorder {
  const m = registerMetric(ctx, new ExpiringMetric(fullName(c), c.description, 'gauge', c.max_idle_duration / 1000));
  return (e) => {
    const v = sourceValue(c, e);
    if (v === undefined) return;
    if (c.action === 'inc' || c.action === 'dec') {
      m.with(e.labels).value += c.action === 'inc' ? 1 : -1;
      return;
    }
    const f = metricValue(v);
    if (f === undefined) return;
    const s = m.with(e.labels);
    s.value = c.action === 'set' ? f : c.action === 'add' ? s.value + f : s.value - f;
  };
}

function histogramRecorder(c: Infer<typeof HistogramConfig>, ctx: StageContext): Recorder {
  const bounds = [...c.buckets].sort((a, b) => a - b);
  const m = registerMetric(ctx, new ExpiringMetric(fullName(c), c.description, 'histogram', c.max_idle_duration / 1000, bounds));
  return (e) => {
    const v = sourceValue(c, e);
    const f = v === undefined ? undefined : metricValue(v);
    if (f !== undefined) m.observe(m.with(e.labels), f);
  };
}

export const metricsStage = defineStage({
  name: 'stage.metrics',
  schema: Config,
  build(c, ctx) {
    const recorders = c.metrics.map((m) => {
      switch (m.name) {
        case 'metric.counter':
          return counterRecorder(m.value, ctx);
        case 'metric.gauge':
          return gaugeRecorder(m.value, ctx);
        default:
          return histogramRecorder(m.value, ctx);
      }
    });
    return eachEntry((e) => {
      for (const record of recorders) record(e);
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
const metricFieldDescriptions = {
  name: 'Name of the metric (without prefix).',
  description: 'Help text of the metric.',
  prefix: 'Prefix of the metric name.',
  source: 'Extracted value the metric reads; the metric name when unset.',
  value: 'Only entries whose source equals this value count.',
  max_idle_duration: 'Time without updates after which the series is removed.',
};
describeSchema(CounterConfig, {
  ...metricFieldDescriptions,
  action: 'inc counts entries or values; add adds the value.',
  match_all: 'Count every entry, whatever its extracted values.',
  count_entry_bytes: 'With match_all, add the size of the line instead of one.',
}, 'A counter computed from the entries.');
describeSchema(GaugeConfig, {
  ...metricFieldDescriptions,
  action: 'set, inc, dec, add or sub the extracted value.',
}, 'A gauge computed from the entries.');
describeSchema(HistogramConfig, {
  ...metricFieldDescriptions,
  buckets: 'Upper bounds of the histogram buckets.',
}, 'A histogram of extracted values.');
describeSchema(Config, {
}, 'Defines Prometheus metrics computed from the entries and their extracted values.');
