/**
 * Loki's push request (grafana/loki pkg/push/push.proto) written straight from log batches (their
 * parallel arrays, no entry objects), then snappy block-compressed. Also the
 * stream label string and the entry sizes batching counts.
 *
 *   PushRequest      { repeated StreamAdapter streams = 1; }
 *   StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; }
 *   EntryAdapter     { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
 *   LabelPairAdapter { string name = 1; string value = 2; }
 *   Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 */
import { compressSync } from 'snappy';
import { quote } from '../../../go/strconv.js';
import type { Labels, LogBatch, RawLines, StructuredMetadata } from '../../common/log-entries.js';

/** The label that selects a tenant; like every `__` label it never reaches Loki. */
export const TENANT_LABEL = '__tenant_id__';

/**
 * Loki's stream selector for a label set: names sorted, `__*` labels left out,
 * values quoted the way Go's strconv.Quote does (grafana/alloy
 * internal/component/common/loki/client/batch.go labelsMapToString).
 */
export function streamLabelString(labels: Labels): string {
  const names = Object.keys(labels)
    .filter((n) => !n.startsWith('__'))
    .sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    out += `${names[i]}=${quote(labels[names[i]!]!)}`;
  }
  return out + '}';
}

/** A pushed batch with its sizes measured once, shared by every endpoint it goes to. */
export interface SizedBatch {
  readonly batch: LogBatch;
  /** The stream label string sent to Loki. */
  readonly stream: string;
  /**
   * Each entry's size as Alloy counts it against batch_size: the line's UTF-8
   * length plus the protobuf size of each structured-metadata pair (labels
   * are not counted).
   */
  readonly entrySizes: Uint32Array;
  /** Sum of entrySizes. */
  readonly totalSize: number;
}

export function sizeBatch(batch: LogBatch, stream: string): SizedBatch {
  if (batch.raw) return sizeRawBatch(batch, batch.raw, stream);
  const { lines, metadata } = batch;
  const entrySizes = new Uint32Array(lines.length);
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const md = metadata?.[i];
    total += entrySizes[i] = Buffer.byteLength(lines[i]!) + (md ? metadataSize(md) : 0);
  }
  return { batch, stream, entrySizes, totalSize: total };
}

/** A raw batch's entry sizes are its lines' byte lengths (raw batches carry no metadata). */
function sizeRawBatch(batch: LogBatch, raw: RawLines, stream: string): SizedBatch {
  const { bounds } = raw;
  const entrySizes = new Uint32Array(bounds.length >>> 1);
  let total = 0;
  for (let i = 0; i < entrySizes.length; i++) total += entrySizes[i] = bounds[2 * i + 1]! - bounds[2 * i]!;
  return { batch, stream, entrySizes, totalSize: total };
}

/** Sum of the encoded sizes of a metadata set's LabelPairAdapter messages (without their field headers). */
function metadataSize(md: StructuredMetadata): number {
  let size = 0;
  for (const name in md) size += pairBodySize(Buffer.byteLength(name), Buffer.byteLength(md[name]!));
  return size;
}

/** Entries [start, end) of one sized batch. */
export interface EntryRun {
  readonly source: SizedBatch;
  readonly start: number;
  readonly end: number;
}

/** Stream label string → the runs of entries of that stream, in order. */
export type StreamRuns = ReadonlyMap<string, readonly EntryRun[]>;

// Field headers: (field number << 3) | wire type — 2 for length-delimited, 0 for varints.
const TAG_STREAMS = 0x0a;
const TAG_LABELS = 0x0a;
const TAG_ENTRIES = 0x12;
const TAG_TIMESTAMP = 0x0a;
const TAG_LINE = 0x12;
const TAG_METADATA = 0x1a;
const TAG_SECONDS = 0x08;
const TAG_NANOS = 0x10;
const TAG_NAME = 0x0a;
const TAG_VALUE = 0x12;

/** The snappy block-compressed request body. */
export function encodePushRequest(streams: StreamRuns): Buffer {
  return compressSync(encodePushRequestProtobuf(streams, protobufScratch));
}

/**
 * Requests up to this size are written into one buffer kept for the next
 * (the body that is sent and retried is the compressed copy): a fresh
 * megabyte per batch would be malloc'd and freed only when V8 collects it,
 * which kept the process's malloc heap tens of MiB larger.
 */
const SCRATCH_REQUEST_BYTES = 4 * 1024 * 1024;
let scratchRequest = Buffer.alloc(0);

function protobufScratch(size: number): Buffer {
  if (size > SCRATCH_REQUEST_BYTES) return Buffer.allocUnsafe(size);
  if (scratchRequest.length < size) scratchRequest = Buffer.allocUnsafe(Math.min(SCRATCH_REQUEST_BYTES, Math.max(size, scratchRequest.length * 2)));
  return scratchRequest.subarray(0, size);
}

/**
 * The uncompressed protobuf, written in two passes over the entries: sizes
 * first (a line's UTF-8 length is the entry size sizeBatch already measured,
 * unless the entry has metadata), then every field straight into one buffer
 * of the exact size, a line with one native write. Against protobufjs's
 * Writer (an operation object per field, then a copy) this halved the
 * encoder's CPU on the file pipeline (bench/file-vs-promtail.mjs) and leaves
 * protobufjs unloaded in log pipelines. Fields holding proto3 defaults
 * (empty strings, zero numbers) are left out; the labels and timestamp
 * messages are always written, as before. Numbers are written as protobufjs
 * writes them (int64 seconds from a JavaScript number, negative int32 nanos
 * as ten bytes).
 */
export function encodePushRequestProtobuf(streams: StreamRuns, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  let entries = 0;
  for (const runs of streams.values()) for (const run of runs) entries += run.end - run.start;
  // Each entry's body size and line length, from the first pass to the second.
  const { entryBodies, lineBytes } = sizeScratch(entries);
  const streamBodies: number[] = [];
  let size = 0;
  let e = 0;
  for (const [labels, runs] of streams) {
    let body = fieldSize(Buffer.byteLength(labels));
    for (const run of runs) {
      const { ms, ns, metadata } = run.source.batch;
      const sizes = run.source.entrySizes;
      for (let i = run.start; i < run.end; i++, e++) {
        const md = metadata?.[i];
        const lb = md ? Buffer.byteLength(run.source.batch.lines[i]!) : sizes[i]!;
        lineBytes[e] = lb;
        let entry = fieldSize(timestampBodySize(ms[i]!, ns[i]!)) + (lb > 0 ? fieldSize(lb) : 0);
        if (md) entry += metadataFieldsSize(md);
        entryBodies[e] = entry;
        body += fieldSize(entry);
      }
    }
    streamBodies.push(body);
    size += fieldSize(body);
  }
  const buf = allocate(size);
  let pos = 0;
  let s = 0;
  e = 0;
  for (const [labels, runs] of streams) {
    buf[pos++] = TAG_STREAMS;
    pos = writeVarint32(buf, pos, streamBodies[s++]!);
    pos = writeString(buf, pos, TAG_LABELS, labels, Buffer.byteLength(labels));
    for (const run of runs) {
      const { batch } = run.source;
      if (batch.raw) pos = writeRawEntries(buf, pos, batch, batch.raw, run, entryBodies, e);
      else pos = writeEntries(buf, pos, batch, run, entryBodies, lineBytes, e);
      e += run.end - run.start;
    }
  }
  if (pos !== size) throw new Error(`loki push encoder: wrote ${pos} bytes, expected ${size}`);
  return buf;
}

/** Entries [run.start, run.end) of a batch of strings; `e` indexes the per-entry sizes of the first pass. */
function writeEntries(buf: Buffer, pos: number, batch: LogBatch, run: EntryRun, entryBodies: Uint32Array, lineBytes: Uint32Array, e: number): number {
  const { ms, ns, lines, metadata } = batch;
  for (let i = run.start; i < run.end; i++, e++) {
    buf[pos++] = TAG_ENTRIES;
    pos = writeVarint32(buf, pos, entryBodies[e]!);
    pos = writeTimestamp(buf, pos, ms[i]!, ns[i]!);
    const lb = lineBytes[e]!;
    if (lb > 0) pos = writeString(buf, pos, TAG_LINE, lines[i]!, lb);
    const md = metadata?.[i];
    if (md) pos = writeMetadata(buf, pos, md);
  }
  return pos;
}

/** The same for raw lines: each line's bytes copied as read. */
function writeRawEntries(buf: Buffer, pos: number, batch: LogBatch, raw: RawLines, run: EntryRun, entryBodies: Uint32Array, e: number): number {
  const { ms, ns } = batch;
  const { bytes, bounds } = raw;
  for (let i = run.start; i < run.end; i++, e++) {
    buf[pos++] = TAG_ENTRIES;
    pos = writeVarint32(buf, pos, entryBodies[e]!);
    pos = writeTimestamp(buf, pos, ms[i]!, ns[i]!);
    const start = bounds[2 * i]!;
    const end = bounds[2 * i + 1]!;
    if (end > start) {
      buf[pos++] = TAG_LINE;
      pos = writeVarint32(buf, pos, end - start);
      pos += bytes.copy(buf, pos, start, end);
    }
  }
  return pos;
}

/** Per-entry sizes kept between requests (a batch holds up to batch_size bytes of entries); larger requests get their own. */
const SCRATCH_ENTRIES = 1 << 16;
let scratch = { entryBodies: new Uint32Array(1024), lineBytes: new Uint32Array(1024) };

function sizeScratch(entries: number): { entryBodies: Uint32Array; lineBytes: Uint32Array } {
  if (entries <= scratch.entryBodies.length) return scratch;
  const sized = { entryBodies: new Uint32Array(entries), lineBytes: new Uint32Array(entries) };
  if (entries <= SCRATCH_ENTRIES) scratch = sized;
  return sized;
}

function varint32Size(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

// Timestamp{seconds int64, nanos int32} as protobufjs writes them: int64 from
// a number (LongBits.fromNumber), int32 negative as 10 bytes, both left out at 0.
let tsLo = 0;
let tsHi = 0;
function splitSeconds(seconds: number): void {
  const negative = seconds < 0;
  if (negative) seconds = -seconds;
  let lo = seconds >>> 0;
  let hi = ((seconds - lo) / 4294967296) >>> 0;
  if (negative) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 0xffffffff) {
      lo = 0;
      if (++hi > 0xffffffff) hi = 0;
    }
  }
  tsLo = lo;
  tsHi = hi;
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  let n = 5;
  for (let v = hi >>> 3; v > 0; v >>>= 7) n++;
  return Math.min(n, 10);
}

function timestampBodySize(ms: number, ns: number): number {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000 + ns;
  let size = 0;
  if (seconds !== 0) {
    splitSeconds(seconds);
    size += 1 + varint64Size(tsLo, tsHi);
  }
  if (nanos !== 0) size += 1 + (nanos < 0 ? 10 : varint32Size(nanos >>> 0));
  return size;
}

function writeTimestamp(buf: Buffer, pos: number, ms: number, ns: number): number {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000 + ns;
  buf[pos++] = TAG_TIMESTAMP;
  pos = writeVarint32(buf, pos, timestampBodySize(ms, ns));
  if (seconds !== 0) {
    splitSeconds(seconds);
    buf[pos++] = TAG_SECONDS;
    pos = writeVarint64(buf, pos, tsLo, tsHi);
  }
  if (nanos !== 0) {
    buf[pos++] = TAG_NANOS;
    if (nanos < 0) {
      splitSeconds(nanos);
      pos = writeVarint64(buf, pos, tsLo, tsHi);
    } else pos = writeVarint32(buf, pos, nanos >>> 0);
  }
  return pos;
}

function writeVarint32(buf: Buffer, pos: number, v: number): number {
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function writeVarint64(buf: Buffer, pos: number, lo: number, hi: number): number {
  while (hi) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

function writeString(buf: Buffer, pos: number, tag: number, s: string, bytes: number): number {
  buf[pos++] = tag;
  pos = writeVarint32(buf, pos, bytes);
  // An ASCII string (as many bytes as UTF-16 units) is written by the faster one-byte copy.
  return pos + buf.write(s, pos, bytes, bytes === s.length ? 'latin1' : 'utf8');
}

function metadataFieldsSize(md: StructuredMetadata): number {
  let size = 0;
  for (const name in md) size += fieldSize(pairBodySize(Buffer.byteLength(name), Buffer.byteLength(md[name]!)));
  return size;
}

function writeMetadata(buf: Buffer, pos: number, md: StructuredMetadata): number {
  for (const name in md) {
    const value = md[name]!;
    const nb = Buffer.byteLength(name);
    const vb = Buffer.byteLength(value);
    buf[pos++] = TAG_METADATA;
    pos = writeVarint32(buf, pos, pairBodySize(nb, vb));
    if (nb > 0) pos = writeString(buf, pos, TAG_NAME, name, nb);
    if (vb > 0) pos = writeString(buf, pos, TAG_VALUE, value, vb);
  }
  return pos;
}

/** Protobuf size of a LabelPairAdapter body (the name and value fields). */
function pairBodySize(nameBytes: number, valueBytes: number): number {
  return (nameBytes > 0 ? fieldSize(nameBytes) : 0) + (valueBytes > 0 ? fieldSize(valueBytes) : 0);
}

/** Size of a length-delimited field with a one-byte header. */
function fieldSize(bodyBytes: number): number {
  let lengthBytes = 1;
  for (let v = bodyBytes; v >= 128; v >>>= 7) lengthBytes++;
  return 1 + lengthBytes + bodyBytes;
}
