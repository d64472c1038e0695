/**
 * The metrics data plane (in Prometheus, storage.Appender plays this part;
 * grafana/alloy internal/component/prometheus/fanout.go). Samples travel in batches of parallel arrays — one
 * series label set, value and timestamp per sample — so the hot path creates
 * no object per sample: label sets are long-lived objects owned by the
 * producer's series cache and shared by every batch that carries the series,
 * which also lets consumers cache per-series work by object identity.
 *
 * A receiver's `append(batch)` promise is both the backpressure (await it,
 * or bound how many are pending) and the acknowledgement: it resolves once
 * every sample was delivered (or definitively dropped) by every writer
 * downstream, and rejects when a writer stopped before it could. Once it has
 * resolved, no receiver holds on to the batch's arrays: the producer may
 * refill them (scrape loops do, so that a large target's arrays are not
 * allocated anew every scrape). Receivers copy what they keep.
 *
 * Staleness markers are Prometheus' special NaN (0x7ff0000000000002). A NaN's
 * payload survives only typed-array-to-typed-array copies (a JS number may be
 * canonicalised), so markers are written and tested on the raw bits and
 * values must only ever be copied between Float64Arrays.
 */
import { t } from '../../lang/schema.js';
import type { CapsulePayload } from '../../lang/value.js';
import { fnv1a } from './fnv.js';

/** Capsule type of metrics receivers, as Alloy names it. */
export const METRICS_RECEIVER_TYPE = 'storage.Appendable';

/**
 * A series' labels, `__name__` included: no empty values, keys in sorted
 * order. Producers reuse one object per series for as long as it lives.
 */
export type SeriesLabels = Readonly<Record<string, string>>;

export const METRIC_NAME_LABEL = '__name__';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** Metadata of a metric family, as scraped (TYPE, HELP, UNIT). */
export interface MetricMetadata {
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

export interface SampleBatch {
  readonly length: number;
  /** The series of each sample (index-aligned with values and timestamps). */
  readonly series: readonly SeriesLabels[];
  readonly values: Float64Array;
  /** Milliseconds since the epoch. */
  readonly timestamps: Float64Array;
  /** Metric family name → metadata, for the families this batch's source knows. */
  readonly metadata?: ReadonlyMap<string, MetricMetadata>;
}

export interface MetricsReceiver extends CapsulePayload {
  readonly capsuleType: typeof METRICS_RECEIVER_TYPE;
  append(batch: SampleBatch): Promise<void>;
}

export function metricsReceiver(append: (batch: SampleBatch) => Promise<void>): MetricsReceiver {
  return { capsuleType: METRICS_RECEIVER_TYPE, append };
}

/** The `forward_to` / exported `receiver` argument type. */
export const metricsReceiverType = t.capsule<MetricsReceiver>(METRICS_RECEIVER_TYPE);

/** Sends a batch to every receiver; resolves once all of them acknowledged it. */
export async function fanOutSamples(receivers: readonly MetricsReceiver[], batch: SampleBatch): Promise<void> {
  if (batch.length === 0 || receivers.length === 0) return;
  if (receivers.length === 1) return receivers[0]!.append(batch);
  await Promise.all(receivers.map((r) => r.append(batch)));
}

// ---------------------------------------------------------------------------
// Staleness markers

const STALE_HIGH = 0x7ff00000;
const STALE_LOW = 0x00000002;

/** A 32-bit view of a value array, for reading and writing staleness markers. */
export function valueBits(values: Float64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Whether sample `i` is a staleness marker (`bits` = valueBits(values); little-endian hosts). */
export function isStaleAt(bits: Uint32Array, i: number): boolean {
  return bits[2 * i + 1] === STALE_HIGH && bits[2 * i] === STALE_LOW;
}

export function setStaleAt(bits: Uint32Array, i: number): void {
  bits[2 * i] = STALE_LOW;
  bits[2 * i + 1] = STALE_HIGH;
}

/** A single staleness marker's value array (tests, and to compare against). */
export function staleValue(): Float64Array {
  const v = new Float64Array(1);
  setStaleAt(valueBits(v), 0);
  return v;
}

// ---------------------------------------------------------------------------
// Building batches

/** Collects samples into growing typed arrays; `finish()` hands them over as a batch. */
export class SampleBatchBuilder {
  /** Sized up front and filled by index: growing by push would reallocate a large array several times. */
  private series: SeriesLabels[];
  private values: Float64Array;
  private timestamps: Float64Array;
  private bits: Uint32Array;
  private n = 0;

  /**
   * `reuse`: a batch whose receivers all acknowledged it (see the file
   * comment), whose arrays are refilled when they can hold `expected`
   * samples.
   */
  constructor(expected = 64, reuse?: SampleBatch) {
    const size = Math.max(expected, 16);
    const capacity = reuse ? reusableCapacity(reuse) : 0;
    if (reuse && capacity >= size) {
      this.series = reuse.series as SeriesLabels[];
      this.series.length = capacity;
      this.values = new Float64Array(reuse.values.buffer, 0, capacity);
      this.timestamps = new Float64Array(reuse.timestamps.buffer, 0, capacity);
    } else {
      this.series = new Array<SeriesLabels>(size);
      this.values = new Float64Array(size);
      this.timestamps = new Float64Array(size);
    }
    this.bits = valueBits(this.values);
  }

  get length(): number {
    return this.n;
  }

  add(labels: SeriesLabels, value: number, timestampMs: number): void {
    if (this.n === this.values.length) this.grow();
    this.series[this.n] = labels;
    this.values[this.n] = value;
    this.timestamps[this.n++] = timestampMs;
  }

  addStale(labels: SeriesLabels, timestampMs: number): void {
    if (this.n === this.values.length) this.grow();
    this.series[this.n] = labels;
    setStaleAt(this.bits, this.n);
    this.timestamps[this.n++] = timestampMs;
  }

  /** Copies sample `i` of `batch` (bit-exact, so markers stay markers), with other labels. */
  copy(batch: SampleBatch, i: number, labels: SeriesLabels): void {
    if (this.n === this.values.length) this.grow();
    this.series[this.n] = labels;
    this.values[this.n] = batch.values[i]!;
    this.timestamps[this.n++] = batch.timestamps[i]!;
  }

  /** The batch; the builder starts empty again (the arrays now belong to the batch). */
  finish(metadata?: ReadonlyMap<string, MetricMetadata>): SampleBatch {
    this.series.length = this.n;
    const batch: SampleBatch = {
      length: this.n,
      series: this.series,
      values: this.values.subarray(0, this.n),
      timestamps: this.timestamps.subarray(0, this.n),
      ...(metadata && metadata.size > 0 ? { metadata } : {}),
    };
    // Builders are one-shot in practice: starting small again, rather than at
    // the finished batch's size, saves a batch-sized allocation per batch.
    this.series = new Array<SeriesLabels>(16);
    this.values = new Float64Array(16);
    this.timestamps = new Float64Array(16);
    this.bits = valueBits(this.values);
    this.n = 0;
    return batch;
  }

  private grow(): void {
    this.series.length = this.values.length * 2;
    const values = new Float64Array(this.values.length * 2);
    const timestamps = new Float64Array(values.length);
    values.set(this.values);
    timestamps.set(this.timestamps);
    this.values = values;
    this.timestamps = timestamps;
    this.bits = valueBits(values);
  }
}

/** How many samples a finished batch's arrays can hold again; 0 when they are not whole arrays of their own. */
function reusableCapacity(batch: SampleBatch): number {
  const { values, timestamps } = batch;
  if (values.byteOffset !== 0 || timestamps.byteOffset !== 0 || values.buffer === timestamps.buffer) return 0;
  return Math.min(values.buffer.byteLength, timestamps.buffer.byteLength) / 8;
}

/** A one-series batch (tests, low-rate sources). */
export function batchOf(samples: readonly { labels: SeriesLabels; value: number; timestampMs: number; stale?: boolean }[]): SampleBatch {
  const b = new SampleBatchBuilder(samples.length);
  for (const s of samples) {
    if (s.stale) b.addStale(s.labels, s.timestampMs);
    else b.add(s.labels, s.value, s.timestampMs);
  }
  return b.finish();
}

/** Sorts a label list by name and freezes it into a SeriesLabels object, dropping empty values. */
export function seriesLabelsOf(pairs: readonly (readonly [string, string])[]): SeriesLabels {
  // A stable insertion sort: label sets are short, and this runs for every
  // new series, where Array.prototype.sort allocated more than the object built.
  const sorted: (readonly [string, string])[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (pair[1] === '') continue;
    let j = sorted.length;
    for (; j > 0 && sorted[j - 1]![0] > pair[0]; j--) sorted[j] = sorted[j - 1]!;
    sorted[j] = pair;
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < sorted.length; i++) out[sorted[i]![0]] = sorted[i]![1];
  return Object.freeze(out);
}

/** A cheap, stable hash of a series' encoded labels, for sharding series (FNV-1a). */
export const seriesHash: (s: string) => number = fnv1a;
