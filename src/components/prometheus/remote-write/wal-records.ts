/**
 * How prometheus.remote_write keeps a sample batch in its WAL: one record per
 * batch, self-contained (its series' label sets, then the samples as raw
 * float64 bytes, so staleness markers keep their NaN payload). Prometheus
 * writes separate series and samples records with series references
 * (tsdb/record); a self-contained record needs no series checkpoint to be
 * replayed after segments were deleted, at the cost of repeating labels.
 *
 * Layout (little endian): u8 version | u32 series | (u32 length | JSON of the
 * label set)* | u32 samples | u32 series index per sample | f64 values | f64 timestamps.
 */
import type { SampleBatch, SeriesLabels } from '../../common/metric-samples.js';

const VERSION = 1;
/** Decoded label sets shared by identity (the queues cache per-series work by it); cleared past this size. */
const INTERNED_MAX = 200_000;

export class SampleBatchCodec {
  private readonly encoded = new WeakMap<SeriesLabels, Buffer>();
  private readonly interned = new Map<string, SeriesLabels>();

  encode(batch: SampleBatch): Buffer {
    const index = new Map<SeriesLabels, number>();
    const labelBytes: Buffer[] = [];
    const seriesIdx = new Uint32Array(batch.length);
    let labelsSize = 0;
    for (let i = 0; i < batch.length; i++) {
      const labels = batch.series[i]!;
      let at = index.get(labels);
      if (at === undefined) {
        at = labelBytes.length;
        index.set(labels, at);
        const bytes = this.labelsOf(labels);
        labelBytes.push(bytes);
        labelsSize += 4 + bytes.length;
      }
      seriesIdx[i] = at;
    }
    const n = batch.length;
    const out = Buffer.allocUnsafe(1 + 4 + labelsSize + 4 + 4 * n + 16 * n);
    let o = out.writeUInt8(VERSION, 0);
    o = out.writeUInt32LE(labelBytes.length, o);
    for (const b of labelBytes) {
      o = out.writeUInt32LE(b.length, o);
      o += b.copy(out, o);
    }
    o = out.writeUInt32LE(n, o);
    o += Buffer.from(seriesIdx.buffer, 0, 4 * n).copy(out, o);
    o += Buffer.from(batch.values.buffer, batch.values.byteOffset, 8 * n).copy(out, o);
    Buffer.from(batch.timestamps.buffer, batch.timestamps.byteOffset, 8 * n).copy(out, o);
    return out;
  }

  decode(record: Buffer): SampleBatch {
    if (record.readUInt8(0) !== VERSION) throw new Error(`unknown WAL record version ${record.readUInt8(0)}`);
    let o = 1;
    const seriesCount = record.readUInt32LE(o);
    o += 4;
    const table: SeriesLabels[] = new Array<SeriesLabels>(seriesCount);
    for (let s = 0; s < seriesCount; s++) {
      const length = record.readUInt32LE(o);
      o += 4;
      table[s] = this.intern(record.toString('utf8', o, o + length));
      o += length;
    }
    const n = record.readUInt32LE(o);
    o += 4;
    // Copies, so the typed arrays are aligned and own their buffers (receivers may reuse them).
    const idx = new Uint32Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 4 * n));
    o += 4 * n;
    const values = new Float64Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 8 * n));
    o += 8 * n;
    const timestamps = new Float64Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 8 * n));
    const series = new Array<SeriesLabels>(n);
    for (let i = 0; i < n; i++) series[i] = table[idx[i]!]!;
    return { length: n, series, values, timestamps };
  }

  private labelsOf(labels: SeriesLabels): Buffer {
    let bytes = this.encoded.get(labels);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(labels));
      this.encoded.set(labels, bytes);
    }
    return bytes;
  }

  private intern(json: string): SeriesLabels {
    let labels = this.interned.get(json);
    if (!labels) {
      if (this.interned.size >= INTERNED_MAX) this.interned.clear();
      labels = Object.freeze(JSON.parse(json) as Record<string, string>);
      this.interned.set(json, labels);
    }
    return labels;
  }
}
