/**
 * Cutting and joining OTLP data by item count (spans, metric data points, log
 * records), for batching: the collector's batch processor splits at these
 * units too (processor/batchprocessor splittraces.go, splitmetrics.go,
 * splitlogs.go). Containers are copied shallowly; items are shared, never
 * changed.
 */
import type {
  AnySignalData,
  LogsData,
  Metric,
  MetricsData,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  Signal,
  TracesData,
} from './model.js';
import { metricPoints } from './model.js';

/** A FIFO of one signal's resources that hands out batches of a given item count. */
export interface ItemQueue {
  readonly count: number;
  push(data: AnySignalData, items: number): void;
  /** Takes up to `n` items (all when n <= 0) from the front. */
  take(n: number): { data: AnySignalData; items: number };
}

/** Traces and logs: resource → scope → items, one unit per item. */
class FlatQueue<R, S> implements ItemQueue {
  private readonly resources: R[] = [];
  count = 0;

  constructor(
    private readonly resourcesOf: (d: AnySignalData) => R[],
    private readonly scopesOf: (r: R) => S[],
    private readonly itemsOf: (s: S) => unknown[],
    private readonly withScopes: (r: R, scopes: S[]) => R,
    private readonly withItems: (s: S, items: unknown[]) => S,
    private readonly make: (resources: R[]) => AnySignalData,
  ) {}

  push(data: AnySignalData, items: number): void {
    for (const r of this.resourcesOf(data)) this.resources.push(r);
    this.count += items;
  }

  take(n: number): { data: AnySignalData; items: number } {
    if (n <= 0 || n >= this.count) return this.takeAll();
    const out: R[] = [];
    let left = n;
    while (left > 0 && this.resources.length > 0) {
      const r = this.resources[0]!;
      const { taken, rest, items } = this.cutResource(r, left);
      if (taken) out.push(taken);
      left -= items;
      if (rest) this.resources[0] = rest;
      else this.resources.shift();
    }
    this.count -= n - left;
    return { data: this.make(out), items: n - left };
  }

  private takeAll(): { data: AnySignalData; items: number } {
    const items = this.count;
    const data = this.make(this.resources.splice(0));
    this.count = 0;
    return { data, items };
  }

  /** Splits one resource after `n` items. */
  private cutResource(r: R, n: number): { taken?: R; rest?: R; items: number } {
    const scopes = this.scopesOf(r);
    const takenScopes: S[] = [];
    let left = n;
    let i = 0;
    for (; i < scopes.length && left > 0; i++) {
      const s = scopes[i]!;
      const items = this.itemsOf(s);
      if (items.length <= left) {
        takenScopes.push(s);
        left -= items.length;
        continue;
      }
      takenScopes.push(this.withItems(s, items.slice(0, left)));
      const restScopes = [this.withItems(s, items.slice(left)), ...scopes.slice(i + 1)];
      return { taken: this.withScopes(r, takenScopes), rest: this.withScopes(r, restScopes), items: n };
    }
    const restScopes = scopes.slice(i);
    return {
      taken: this.withScopes(r, takenScopes),
      ...(restScopes.length > 0 ? { rest: this.withScopes(r, restScopes) } : {}),
      items: n - left,
    };
  }
}

const POINT_FIELDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** A metric with only data points [from, to). */
function metricSlice(m: Metric, from: number, to: number): Metric {
  for (const f of POINT_FIELDS) {
    const body = m[f] as { dataPoints?: unknown[] | null } | null | undefined;
    if (body?.dataPoints) return { ...m, [f]: { ...body, dataPoints: body.dataPoints.slice(from, to) } } as Metric;
  }
  return m;
}

/** Metrics: the unit is the data point, so a metric may be cut between its points. */
function metricsQueue(): ItemQueue {
  const inner = new FlatQueue<ResourceMetrics, { scope?: unknown; metrics?: Metric[] | null }>(
    (d) => (d as MetricsData).resourceMetrics ?? [],
    (r) => (r.scopeMetrics ?? []) as { metrics?: Metric[] | null }[],
    (s) => pointRefs(s.metrics ?? []),
    (r, scopes) => ({ ...r, scopeMetrics: scopes as ResourceMetrics['scopeMetrics'] }),
    (s, refs) => ({ ...s, metrics: joinRefs(refs as PointRef[]) }),
    (resources) => ({ resourceMetrics: resources }),
  );
  return inner;
}

/** One data point of a metric, as a splittable unit. */
interface PointRef {
  readonly metric: Metric;
  readonly index: number;
}

const refsCache = new WeakMap<Metric[], PointRef[]>();

function pointRefs(metrics: Metric[]): PointRef[] {
  let refs = refsCache.get(metrics);
  if (refs) return refs;
  refs = [];
  for (const metric of metrics) {
    const n = metricPoints(metric);
    // Metrics without data points count as no item and are not forwarded.
    for (let i = 0; i < n; i++) refs.push({ metric, index: i });
  }
  refsCache.set(metrics, refs);
  return refs;
}

function joinRefs(refs: PointRef[]): Metric[] {
  const out: Metric[] = [];
  let i = 0;
  while (i < refs.length) {
    const metric = refs[i]!.metric;
    const from = refs[i]!.index;
    let j = i;
    while (j + 1 < refs.length && refs[j + 1]!.metric === metric) j++;
    const to = refs[j]!.index + 1;
    out.push(from === 0 && to >= metricPoints(metric) ? metric : metricSlice(metric, from, to));
    i = j + 1;
  }
  return out;
}

export function itemQueue(signal: Signal): ItemQueue {
  if (signal === 'traces') {
    return new FlatQueue<ResourceSpans, NonNullable<ResourceSpans['scopeSpans']>[number]>(
      (d) => (d as TracesData).resourceSpans ?? [],
      (r) => r.scopeSpans ?? [],
      (s) => s.spans ?? [],
      (r, scopes) => ({ ...r, scopeSpans: scopes }),
      (s, items) => ({ ...s, spans: items as NonNullable<typeof s.spans> }),
      (resources) => ({ resourceSpans: resources }),
    );
  }
  if (signal === 'logs') {
    return new FlatQueue<ResourceLogs, NonNullable<ResourceLogs['scopeLogs']>[number]>(
      (d) => (d as LogsData).resourceLogs ?? [],
      (r) => r.scopeLogs ?? [],
      (s) => s.logRecords ?? [],
      (r, scopes) => ({ ...r, scopeLogs: scopes }),
      (s, items) => ({ ...s, logRecords: items as NonNullable<typeof s.logRecords> }),
      (resources) => ({ resourceLogs: resources }),
    );
  }
  return metricsQueue();
}
