/**
 * Prometheus remote-write v1 (Prometheus prompb/remote.proto, prompb/types.proto): the `prometheus.WriteRequest`
 * protobuf written straight from sample arrays, then snappy block-compressed.
 *
 *   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *
 * A series' labels are encoded once (`encodeLabels`) and kept as a latin1
 * string of the bytes — compact, and copied into a request with one native
 * write — because a writer sends the same series every scrape. Each sample
 * becomes its own TimeSeries, as Prometheus' queue manager sends them. The
 * request size is computed first so the body is written into one exact
 * buffer. Values are copied as raw bytes, so staleness markers keep their
 * NaN payload. Fields holding proto3 defaults are left out, as gogo-protobuf
 * (Prometheus' encoder) does.
 */
import { compressSync } from 'snappy';
import type { MetricMetadata, MetricType } from '../../common/metric-samples.js';

const TAG_TIMESERIES = 0x0a; // WriteRequest.timeseries, length-delimited
const TAG_METADATA = 0x1a; // WriteRequest.metadata
const TAG_LABEL = 0x0a; // TimeSeries.labels
const TAG_SAMPLE = 0x12; // TimeSeries.samples
const TAG_NAME = 0x0a; // Label.name
const TAG_VALUE = 0x12; // Label.value
const TAG_SAMPLE_VALUE = 0x09; // Sample.value, 64-bit
const TAG_SAMPLE_TIMESTAMP = 0x10; // Sample.timestamp, varint
const TAG_META_TYPE = 0x08;
const TAG_META_FAMILY = 0x12;
const TAG_META_HELP = 0x22;
const TAG_META_UNIT = 0x2a;

/** prompb MetricMetadata.MetricType numbers. */
const METRIC_TYPE_NUMBER: Record<MetricType, number> = {
  unknown: 0, counter: 1, gauge: 2, histogram: 3, gaugehistogram: 4, summary: 5, info: 6, stateset: 7,
};

/** Protobuf headers ahead of the request's content: content-type, encoding and version. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

/**
 * The `labels` fields of a TimeSeries for the labels `names` (which must
 * already be sorted) of `labels`, as a latin1 string holding the encoded
 * bytes. Runs once per new series, so it works in a shared scratch buffer
 * and allocates only the string it returns.
 */
export function encodeLabels(names: readonly string[], labels: Readonly<Record<string, string>>): string {
  let size = 0;
  for (let i = 0; i < names.length; i++) {
    const body = fieldSize(utf8Length(names[i]!)) + fieldSize(utf8Length(labels[names[i]!]!));
    size += 1 + varintSize(body) + body;
  }
  if (labelScratch.length < size) labelScratch = Buffer.allocUnsafe(Math.max(size, 2 * labelScratch.length));
  const w = new ByteWriter(labelScratch);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = labels[name]!;
    const n = utf8Length(name);
    const v = utf8Length(value);
    w.byte(TAG_LABEL);
    w.varint(fieldSize(n) + fieldSize(v));
    w.stringField(TAG_NAME, name, n);
    w.stringField(TAG_VALUE, value, v);
  }
  return labelScratch.toString('latin1', 0, size);
}

let labelScratch = Buffer.allocUnsafe(4096);

/** Buffer.byteLength(s, 'utf8') without leaving JavaScript (lone surrogates count 3, as the encoder writes U+FFFD). */
function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** A series as a writer sends it: its encoded labels (see encodeLabels). */
export interface EncodedSeries {
  readonly labels: string;
}

/** Samples [0, count) of parallel arrays, one TimeSeries each. */
export interface SampleRun {
  readonly series: readonly EncodedSeries[];
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
  readonly count: number;
}

/**
 * Memory an encoder may reuse from one request to the next: the protobuf is
 * compressed synchronously right after it is written, so one buffer per
 * sender serves every request instead of a fresh one each time.
 */
export class EncodeScratch {
  private buf = Buffer.allocUnsafe(0);

  take(size: number): Buffer {
    if (this.buf.length < size) this.buf = Buffer.allocUnsafe(Math.max(size, this.buf.length * 2));
    return this.buf.subarray(0, size);
  }
}

/** The uncompressed WriteRequest for `run` (and optional metadata), in `scratch` when given. */
export function encodeWriteRequestProtobuf(run: SampleRun | undefined, metadata: readonly FamilyMetadata[] = [], scratch?: EncodeScratch): Buffer {
  const sampleSizes = run ? new Uint32Array(run.count) : undefined;
  let size = 0;
  if (run) {
    const { series, values, timestamps } = run;
    for (let i = 0; i < run.count; i++) {
      const sample = sampleSize(values[i]!, timestamps[i]!);
      sampleSizes![i] = sample;
      const ts = series[i]!.labels.length + 1 + varintSize(sample) + sample;
      size += 1 + varintSize(ts) + ts;
    }
  }
  const metaSizes = metadata.map(metadataSize);
  for (const m of metaSizes) size += 1 + varintSize(m.body) + m.body;

  const w = new ByteWriter(scratch ? scratch.take(size) : Buffer.allocUnsafe(size));
  if (run) writeSamples(w, run, sampleSizes!);
  for (let i = 0; i < metadata.length; i++) writeMetadata(w, metadata[i]!, metaSizes[i]!);
  if (w.pos !== size) throw new Error(`remote write encoder: wrote ${w.pos} bytes, expected ${size}`);
  return w.buf;
}

/** The snappy-compressed request body. */
export function encodeWriteRequest(run: SampleRun | undefined, metadata: readonly FamilyMetadata[] = [], scratch?: EncodeScratch): Buffer {
  return compressSync(encodeWriteRequestProtobuf(run, metadata, scratch));
}

function writeSamples(w: ByteWriter, run: SampleRun, sampleSizes: Uint32Array): void {
  const { series, values, timestamps } = run;
  const valueBytes = new Uint8Array(values.buffer, values.byteOffset, values.length * 8);
  for (let i = 0; i < run.count; i++) {
    const labels = series[i]!.labels;
    const sample = sampleSizes[i]!;
    w.byte(TAG_TIMESERIES);
    w.varint(labels.length + 1 + varintSize(sample) + sample);
    w.latin1(labels);
    w.byte(TAG_SAMPLE);
    w.varint(sample);
    if (values[i] !== 0) {
      w.byte(TAG_SAMPLE_VALUE);
      w.bytes8(valueBytes, i * 8);
    }
    const ts = timestamps[i]!;
    if (ts !== 0) {
      w.byte(TAG_SAMPLE_TIMESTAMP);
      w.int64(ts);
    }
  }
}

/** Encoded size of a Sample message (without its header). */
function sampleSize(value: number, timestampMs: number): number {
  return (value !== 0 ? 9 : 0) + (timestampMs !== 0 ? 1 + int64Size(timestampMs) : 0);
}

// ---------------------------------------------------------------------------
// Metadata

export interface FamilyMetadata extends MetricMetadata {
  readonly family: string;
}

interface MetadataSize {
  readonly body: number;
  readonly family: number;
  readonly help: number;
  readonly unit: number;
}

function metadataSize(m: FamilyMetadata): MetadataSize {
  const family = Buffer.byteLength(m.family);
  const help = Buffer.byteLength(m.help);
  const unit = Buffer.byteLength(m.unit);
  const type = METRIC_TYPE_NUMBER[m.type];
  const body = (type !== 0 ? 2 : 0) + optionalFieldSize(family) + optionalFieldSize(help) + optionalFieldSize(unit);
  return { body, family, help, unit };
}

function writeMetadata(w: ByteWriter, m: FamilyMetadata, size: MetadataSize): void {
  w.byte(TAG_METADATA);
  w.varint(size.body);
  const type = METRIC_TYPE_NUMBER[m.type];
  if (type !== 0) {
    w.byte(TAG_META_TYPE);
    w.varint(type);
  }
  if (size.family > 0) w.stringField(TAG_META_FAMILY, m.family, size.family);
  if (size.help > 0) w.stringField(TAG_META_HELP, m.help, size.help);
  if (size.unit > 0) w.stringField(TAG_META_UNIT, m.unit, size.unit);
}

// ---------------------------------------------------------------------------
// Protobuf primitives

/** Size of a length-delimited field (one-byte tag) whose content is `bytes` long. */
function fieldSize(bytes: number): number {
  return 1 + varintSize(bytes) + bytes;
}

function optionalFieldSize(bytes: number): number {
  return bytes > 0 ? fieldSize(bytes) : 0;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Negative int64s are varints of their two's complement: always 10 bytes. */
function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Writes into a buffer of exactly the encoded size. */
class ByteWriter {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    const buf = this.buf;
    while (n >= 128) {
      buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
  }

  int64(n: number): void {
    if (n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  bytes8(src: Uint8Array, offset: number): void {
    const buf = this.buf;
    for (let k = 0; k < 8; k++) buf[this.pos++] = src[offset + k]!;
  }

  latin1(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  /** A string field whose UTF-8 length is already known. */
  stringField(tag: number, s: string, byteLength: number): void {
    this.byte(tag);
    this.varint(byteLength);
    if (byteLength !== s.length) {
      this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
      return;
    }
    // ASCII: copied here, cheaper than a call into Buffer.write for short strings.
    const buf = this.buf;
    for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
  }
}
