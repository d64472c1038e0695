/**
 * How prometheus.remote_write keeps sample batches in its WAL. As in
 * Prometheus' tsdb/record, series are written once and samples refer to
 * them by a numeric reference: a record carries the definitions (reference
 * → label set) of the series it is the first in its segment to use, then its
 * samples as (reference, value, timestamp), values as raw float64 bytes so
 * staleness markers keep their NaN payload.
 *
 * Each segment is self-contained — a series is defined again in every
 * segment that uses it — so dropping old segments (truncation, disk budget,
 * keepalive, quarantine) never leaves a sample without its series, and no
 * checkpoint is needed. Segments are large (32 MiB) so that a segment's
 * definitions are a small part of it. References are unique within one
 * process, and the log starts a new segment at open (newSegmentAtOpen), so a
 * segment never mixes two processes' references.
 *
 * Decoding a record this process wrote needs no parsing of labels: the
 * reference leads to the very label set the scrape passed in (which the
 * queues cache their per-series work by). A record written before a restart
 * is decoded with the definitions of its segment, read from the segment's
 * start when the reader resumes in the middle of it.
 *
 * Layout (little endian), version 2: u8 version | u32 definitions |
 * (u32 reference | u32 length | JSON of the label set)* | u32 samples |
 * zero padding to a multiple of 8 bytes | f64 values | f64 timestamps |
 * u32 reference per sample. The padding lets a decoded batch's arrays be
 * views of the record read back (no copies: a large scrape's record is
 * megabytes, and churning such buffers is what raises peak RSS). Version 1
 * (label sets written in every record, no references) is still read.
 */
import type { SampleBatch, SeriesLabels } from '../../common/metric-samples.js';
import type { BuiltRecord } from '../../common/wal/wal.js';
import { SeriesPositions } from './series-positions.js';

const VERSION_SELF_CONTAINED = 1;
const VERSION_REFS = 2;
/** Label sets decoded from records of earlier processes, shared by identity; cleared past this size. */
const INTERNED_MAX = 200_000;
/** Records up to this size are built in one reused buffer (larger ones, as a segment's first with its definitions, in their own). */
const SCRATCH_MAX_BYTES = 8 * 1024 * 1024;
/** A first guess of a definition's size (reference, length, JSON of a label set). */
const DEFINITION_GUESS_BYTES = 128;

/** What the codec needs of the log. */
export interface SegmentSource {
  /** The first segment this process writes. */
  readonly firstOwnSegment: number;
  /** The oldest segment still in the log. */
  firstSegment(): number;
  /** Every record of a segment, from its start. */
  recordsOf(index: number): Buffer[];
}

/**
 * This process's series references, in parallel arrays indexed by reference
 * rather than an object, a Map entry and a WeakMap entry to an object per
 * series (~145 bytes each: 14 MiB for a 100,000-series target; here ~50).
 * A reference no segment in the log uses any more is forgotten and reused
 * for the next new series: no record left refers to it.
 */
class OwnSeries {
  /** Label set → reference, for the label objects producers hand out. */
  private readonly idOf = new WeakMap<SeriesLabels, number>();
  /** Reference → label set; undefined for a free reference. */
  private labels: (SeriesLabels | undefined)[] = [];
  /** The segment whose records define each series (-1: none yet). */
  definedIn = new Int32Array(1024);
  /** The last segment a record using each series went to. */
  lastUsed = new Int32Array(1024);
  /** The encode call that last listed each series for definition (to define it once per record). */
  listedBy = new Uint32Array(1024);
  /** References free for new series; those forgotten by the last call of forgetUsedBefore wait for the next one (a record of a segment just dropped may still be decoding). */
  private free: number[] = [];
  private freedLast: number[] = [];

  labelsOf(id: number): SeriesLabels | undefined {
    return this.labels[id];
  }

  /** The reference of a label set, new (not defined anywhere yet) if it has none. */
  idFor(labels: SeriesLabels): number {
    const known = this.idOf.get(labels);
    if (known !== undefined) return known;
    const id = this.free.pop() ?? this.labels.length;
    if (id >= this.definedIn.length) this.grow();
    this.labels[id] = labels;
    this.idOf.set(labels, id);
    this.definedIn[id] = -1;
    this.lastUsed[id] = -1;
    this.listedBy[id] = 0;
    return id;
  }

  /** Forgets the series whose last use is in a segment before `first` (all gone from the log). */
  forgetUsedBefore(first: number): void {
    const { labels, lastUsed } = this;
    for (const id of this.freedLast) this.free.push(id);
    this.freedLast = [];
    for (let id = 0; id < labels.length; id++) {
      const l = labels[id];
      if (l === undefined || lastUsed[id]! >= first) continue;
      this.idOf.delete(l);
      labels[id] = undefined;
      this.freedLast.push(id);
    }
  }

  private grow(): void {
    const size = this.definedIn.length * 2;
    this.definedIn = grownInt32(this.definedIn, size);
    this.lastUsed = grownInt32(this.lastUsed, size);
    const listed = new Uint32Array(size);
    listed.set(this.listedBy);
    this.listedBy = listed;
  }
}

function grownInt32(from: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const to = new Int32Array(size);
  to.set(from);
  return to;
}

export class SampleBatchCodec {
  private readonly own = new OwnSeries();
  /** References by position in each producer's batches (see SeriesPositions), valid for the segment in their tag. */
  private readonly positions = new SeriesPositions<number>();
  private encodeCalls = 0;
  private prunedBelow = 0;
  /** Definitions of records written before this process started, per segment. */
  private readonly earlier = new Map<number, Map<number, SeriesLabels>>();
  private readonly interned = new Map<string, SeriesLabels>();
  private scratch = Buffer.alloc(0);
  private idScratch = new Uint32Array(0);

  constructor(
    private readonly log: SegmentSource,
    /** Told how many samples a record had whose series could not be found (not expected: segments define their series). */
    private readonly onMissing: (samples: number) => void = () => {},
  ) {}

  /**
   * The record of `batch` for segment `segment`; its commit marks the series
   * it defines as defined there. The payload is valid until the next call
   * (the log writes it at once).
   */
  encode(batch: SampleBatch, segment: number): BuiltRecord {
    this.forgetGoneSeries();
    const call = ++this.encodeCalls;
    const n = batch.length;
    if (this.idScratch.length < n) this.idScratch = new Uint32Array(Math.max(n, this.idScratch.length * 2));
    const ids = this.idScratch;
    const defined: number[] = [];
    const own = this.own;
    // A producer's positions remembered for this segment (and written there) hold series defined in it and marked used in it.
    const run = n > 0 ? this.positions.runFor(batch.series) : undefined;
    if (run && run.tag !== segment) run.clear();
    if (run) run.tag = -1; // valid again once this record is written
    for (let i = 0; i < n; i++) {
      const labels = batch.series[i]!;
      const known = run!.at(i, labels);
      if (known !== undefined) {
        ids[i] = known;
        continue;
      }
      const id = own.idFor(labels);
      own.lastUsed[id] = segment;
      ids[i] = id;
      run!.set(i, labels, id);
      if (own.definedIn[id] === segment || own.listedBy[id] === call) continue;
      own.listedBy[id] = call;
      defined.push(id);
    }
    const samplesBytes = 4 + 7 + 20 * n;
    // Definitions are written as they are made (each JSON string is garbage at once); the buffer grows if the guess is short.
    let out = this.buffer(5 + defined.length * DEFINITION_GUESS_BYTES + samplesBytes);
    let o = out.writeUInt8(VERSION_REFS, 0);
    o = out.writeUInt32LE(defined.length, o);
    for (const id of defined) {
      const json = JSON.stringify(own.labelsOf(id));
      const room = o + 8 + 3 * json.length + samplesBytes;
      if (room > out.length) out = grown(out, o, room);
      o = out.writeUInt32LE(id, o);
      const length = out.write(json, o + 4);
      o = out.writeUInt32LE(length, o) + length;
    }
    o = out.writeUInt32LE(n, o);
    const pad = padding(o);
    out.fill(0, o, o + pad);
    o += pad;
    o += Buffer.from(batch.values.buffer, batch.values.byteOffset, 8 * n).copy(out, o);
    o += Buffer.from(batch.timestamps.buffer, batch.timestamps.byteOffset, 8 * n).copy(out, o);
    o += Buffer.from(ids.buffer, 0, 4 * n).copy(out, o);
    return {
      payload: out.subarray(0, o),
      commit: () => {
        for (const id of defined) own.definedIn[id] = segment;
        if (run) run.tag = segment;
      },
    };
  }

  /** The batch of a record read from segment `segment`. Samples whose series cannot be found are left out. */
  decode(record: Buffer, segment: number): SampleBatch {
    const version = record.readUInt8(0);
    if (version === VERSION_SELF_CONTAINED) return this.decodeSelfContained(record);
    if (version !== VERSION_REFS) throw new Error(`unknown WAL record version ${version}`);
    const own = segment >= this.log.firstOwnSegment;
    let o = 1;
    const definitions = record.readUInt32LE(o);
    o += 4;
    let table: Map<number, SeriesLabels> | undefined;
    if (!own) table = this.earlierTable(segment);
    for (let d = 0; d < definitions; d++) {
      const id = record.readUInt32LE(o);
      const length = record.readUInt32LE(o + 4);
      o += 8;
      // This process knows its own series; only earlier ones are parsed.
      if (table && !table.has(id)) table.set(id, this.intern(record.toString('utf8', o, o + length)));
      o += length;
    }
    const n = record.readUInt32LE(o);
    o += 4;
    o += padding(o);
    const values = float64s(record, o, n);
    o += 8 * n;
    const timestamps = float64s(record, o, n);
    o += 8 * n;
    const ids = (record.byteOffset + o) % 4 === 0 ? new Uint32Array(record.buffer, record.byteOffset + o, n) : new Uint32Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 4 * n));
    const series = new Array<SeriesLabels>(n);
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const labels = table ? table.get(ids[i]!) : this.own.labelsOf(ids[i]!);
      if (labels) series[i] = labels;
      else missing++;
    }
    if (missing === 0) return { length: n, series, values, timestamps };
    this.onMissing(missing);
    return withoutMissing(series, values, timestamps);
  }

  private buffer(size: number): Buffer {
    if (size > SCRATCH_MAX_BYTES) return Buffer.allocUnsafeSlow(size);
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, Math.max(size, this.scratch.length * 2)));
    return this.scratch.subarray(0, size);
  }

  /** Series no segment in the log uses any more are dropped from the table (their label sets may go). */
  private forgetGoneSeries(): void {
    const first = this.log.firstSegment();
    if (first <= this.prunedBelow) return;
    this.prunedBelow = first;
    this.own.forgetUsedBefore(first);
    for (const segment of this.earlier.keys()) if (segment < first) this.earlier.delete(segment);
    if (this.earlier.size === 0) this.interned.clear();
  }

  /** The definitions of a segment written before this process: every record of it is read once, from the start. */
  private earlierTable(segment: number): Map<number, SeriesLabels> {
    let table = this.earlier.get(segment);
    if (table) return table;
    table = new Map();
    this.earlier.set(segment, table);
    for (const record of this.log.recordsOf(segment)) {
      if (record.readUInt8(0) !== VERSION_REFS) continue;
      let o = 1;
      const definitions = record.readUInt32LE(o);
      o += 4;
      for (let d = 0; d < definitions; d++) {
        const id = record.readUInt32LE(o);
        const length = record.readUInt32LE(o + 4);
        o += 8;
        if (!table.has(id)) table.set(id, this.intern(record.toString('utf8', o, o + length)));
        o += length;
      }
    }
    return table;
  }

  private decodeSelfContained(record: Buffer): SampleBatch {
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
    const idx = new Uint32Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 4 * n));
    o += 4 * n;
    const values = new Float64Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 8 * n));
    o += 8 * n;
    const timestamps = new Float64Array(record.buffer.slice(record.byteOffset + o, record.byteOffset + o + 8 * n));
    const series = new Array<SeriesLabels>(n);
    for (let i = 0; i < n; i++) series[i] = table[idx[i]!]!;
    return { length: n, series, values, timestamps };
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

/** A larger buffer holding the first `used` bytes of `buffer` (at least `needed` bytes, at least twice as many). */
function grown(buffer: Buffer, used: number, needed: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.max(needed, buffer.length * 2));
  buffer.copy(next, 0, 0, used);
  return next;
}

/** Bytes of zero padding after `offset` so that what follows starts at a multiple of 8. */
function padding(offset: number): number {
  return (8 - (offset % 8)) % 8;
}

/** `n` float64s at `offset` of the record: a view when aligned (records read back are), else a copy. */
function float64s(record: Buffer, offset: number, n: number): Float64Array {
  const at = record.byteOffset + offset;
  if (at % 8 === 0) return new Float64Array(record.buffer, at, n);
  return new Float64Array(record.buffer.slice(at, at + 8 * n));
}

/** The samples whose series is known (a series defined in a segment that is gone cannot be sent). */
function withoutMissing(series: (SeriesLabels | undefined)[], values: Float64Array, timestamps: Float64Array): SampleBatch {
  const keep: number[] = [];
  for (let i = 0; i < series.length; i++) if (series[i]) keep.push(i);
  return {
    length: keep.length,
    series: keep.map((i) => series[i]!),
    values: Float64Array.from(keep, (i) => values[i]!),
    timestamps: Float64Array.from(keep, (i) => timestamps[i]!),
  };
}
