/**
 * Cutting and joining OTLP data by item count (spans, metric data points, log
 * records), for batching: the collector's batch processor splits at these
 * units too (processor/batchprocessor splittraces.go, splitmetrics.go,
 * splitlogs.go). Containers are copied shallowly; items are shared, never
 * changed. Encoded traces and logs are cut without decoding (wire-cut.ts).
 */
import type { Metric, ResourceLogs, ResourceMetrics, ResourceSpans, Signal } from './model.js';
import { metricPoints } from './model.js';
import { decodeSegment, Payload, type Segment } from './payload.js';
import { cutEncodedResource } from './wire-cut.js';

/** A FIFO of one signal's data that hands out batches of a given item count. */
export interface ItemQueue {
  readonly count: number;
  push(payload: Payload): void;
  /** Takes up to `n` items (all when n <= 0) from the front. */
  take(n: number): Payload;
}

/** Cuts one decoded resource after `n` items (n < its items). */
type Cutter = (resource: object, n: number) => { taken: object; rest: object };

/** Resource → scope → items, for traces and logs. */
function flatCutter<R extends object, S>(scopesOf: (r: R) => S[], itemsOf: (s: S) => unknown[], withScopes: (r: R, scopes: S[]) => R, withItems: (s: S, items: unknown[]) => S): Cutter {
  return (resource, n) => {
    const r = resource as R;
    const scopes = scopesOf(r);
    const taken: S[] = [];
    let left = n;
    for (let i = 0; i < scopes.length; i++) {
      const s = scopes[i]!;
      const items = itemsOf(s);
      if (items.length <= left) {
        taken.push(s);
        left -= items.length;
        if (left === 0) return { taken: withScopes(r, taken), rest: withScopes(r, scopes.slice(i + 1)) };
        continue;
      }
      taken.push(withItems(s, items.slice(0, left)));
      return { taken: withScopes(r, taken), rest: withScopes(r, [withItems(s, items.slice(left)), ...scopes.slice(i + 1)]) };
    }
    return { taken: r, rest: withScopes(r, []) };
  };
}

class SegmentQueue implements ItemQueue {
  private readonly segments: Segment[] = [];
  count = 0;

  constructor(
    private readonly signal: Signal,
    private readonly cut: Cutter,
  ) {}

  push(payload: Payload): void {
    for (const s of payload.segments) this.segments.push(s);
    this.count += payload.items;
  }

  take(n: number): Payload {
    if (n <= 0 || n >= this.count) {
      this.count = 0;
      return Payload.fromSegments(this.signal, this.segments.splice(0));
    }
    const out: Segment[] = [];
    let left = n;
    while (left > 0 && this.segments.length > 0) {
      const s = this.segments[0]!;
      if (s.items <= left) {
        out.push(s);
        this.segments.shift();
        left -= s.items;
        continue;
      }
      const { taken, rest } = this.cutSegment(s, left);
      out.push(taken);
      this.segments[0] = rest;
      left = 0;
    }
    this.count -= n - left;
    return Payload.fromSegments(this.signal, out);
  }

  /**
   * Cuts the resource that straddles a batch boundary: traces and logs that
   * are still encoded are cut on the wire (wire-cut.ts); metrics, whose unit
   * is a data point inside a metric, and decoded data are cut decoded.
   */
  private cutSegment(s: Segment, n: number): { taken: Segment; rest: Segment } {
    if (s.bytes && this.signal !== 'metrics') {
      const { taken, rest } = cutEncodedResource(s.bytes, n);
      return { taken: { bytes: taken, items: n }, rest: { bytes: rest, items: s.items - n } };
    }
    const resource = s.resource ?? decodeSegment(this.signal, s.bytes!);
    const { taken, rest } = this.cut(resource, n);
    return { taken: { resource: taken, items: n }, rest: { resource: rest, items: s.items - n } };
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
const metricsCutter: Cutter = flatCutter<ResourceMetrics, { scope?: unknown; metrics?: Metric[] | null }>(
  (r) => (r.scopeMetrics ?? []) as { metrics?: Metric[] | null }[],
  (s) => pointRefs(s.metrics ?? []),
  (r, scopes) => ({ ...r, scopeMetrics: scopes as ResourceMetrics['scopeMetrics'] }),
  (s, refs) => ({ ...s, metrics: joinRefs(refs as PointRef[]) }),
);

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

const CUTTERS: Record<Signal, Cutter> = {
  traces: flatCutter<ResourceSpans, NonNullable<ResourceSpans['scopeSpans']>[number]>(
    (r) => r.scopeSpans ?? [],
    (s) => s.spans ?? [],
    (r, scopes) => ({ ...r, scopeSpans: scopes }),
    (s, items) => ({ ...s, spans: items as NonNullable<typeof s.spans> }),
  ),
  logs: flatCutter<ResourceLogs, NonNullable<ResourceLogs['scopeLogs']>[number]>(
    (r) => r.scopeLogs ?? [],
    (s) => s.logRecords ?? [],
    (r, scopes) => ({ ...r, scopeLogs: scopes }),
    (s, items) => ({ ...s, logRecords: items as NonNullable<typeof s.logRecords> }),
  ),
  metrics: metricsCutter,
};

export function itemQueue(signal: Signal): ItemQueue {
  return new SegmentQueue(signal, CUTTERS[signal]);
}
