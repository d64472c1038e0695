/**
 * The series of one target, keyed by their raw bytes (`name{labels}` as
 * exposed), in parallel arrays rather than an object and a Map entry per
 * series: a target of 100,000 series kept ~190 bytes per series in
 * Entry objects, key strings and Map buckets; here it is the key's bytes in
 * one shared buffer plus six 32-bit slots (and the label set, which
 * consumers share). Series are numbered by their slot; `compact` renumbers
 * the kept ones after series went away.
 *
 * Chained hashing: buckets[hash & mask] is the first slot with that bucket,
 * next[slot] the one after (-1 ends a chain).
 */
import type { SeriesLabels } from '../../common/metric-samples.js';
import type { ExpositionParser } from './text-parser.js';

const NONE = -1;
const INITIAL_SLOTS = 64;

export class SeriesTable {
  /** The series' raw bytes, back to back. */
  private keys: Buffer = Buffer.allocUnsafe(INITIAL_SLOTS * 64);
  private keyBytes = 0;
  private keyStart: Uint32Array = new Uint32Array(INITIAL_SLOTS);
  private keyLength: Uint32Array = new Uint32Array(INITIAL_SLOTS);
  private hashes: Int32Array = new Int32Array(INITIAL_SLOTS);
  private next: Int32Array = new Int32Array(INITIAL_SLOTS);
  /** The scrape iteration that last had a sample of each series. */
  seen: Uint32Array = new Uint32Array(INITIAL_SLOTS);
  labels: SeriesLabels[] = [];
  private buckets: Int32Array = new Int32Array(INITIAL_SLOTS * 2).fill(NONE);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * The slot of the parser's current series, or -1. `guess` is tried first:
   * a target exposes its series in the same order every scrape, so the slot
   * after the last one found is usually the answer, and checking it reads
   * the arrays in order instead of following a hash chain (a cache miss per
   * series on a large target).
   */
  find(parser: ExpositionParser, guess = NONE): number {
    const hash = parser.seriesHash;
    const { hashes, keys, keyStart, keyLength, next } = this;
    if (guess >= 0 && guess < this.count && hashes[guess] === hash && parser.seriesEqualsBytes(keys, keyStart[guess]!, keyLength[guess]!)) return guess;
    let slot = this.buckets[hash & (this.buckets.length - 1)]!;
    while (slot !== NONE && !(hashes[slot] === hash && parser.seriesEqualsBytes(keys, keyStart[slot]!, keyLength[slot]!))) slot = next[slot]!;
    return slot;
  }

  /** Has the parser expect the series in `slot` next (none if there is no such slot); see ExpositionParser.expectSeries. */
  expectNext(parser: ExpositionParser, slot: number): void {
    if (slot >= 0 && slot < this.count) parser.expectSeries(this.keys, this.keyStart[slot]!, this.keyLength[slot]!, this.hashes[slot]!);
    else parser.expectSeries(this.keys, 0, 0, 0);
  }

  /** Adds the parser's current series (not in the table) with its labels; returns its slot. */
  add(parser: ExpositionParser, labels: SeriesLabels): number {
    if (this.count === this.seen.length) this.growSlots();
    const length = parser.seriesLength;
    if (this.keyBytes + length > this.keys.length) this.keys = grown(this.keys, this.keyBytes, this.keyBytes + length);
    const slot = this.count++;
    parser.copySeries(this.keys, this.keyBytes);
    this.keyStart[slot] = this.keyBytes;
    this.keyLength[slot] = length;
    this.keyBytes += length;
    this.hashes[slot] = parser.seriesHash;
    this.seen[slot] = 0;
    this.labels[slot] = labels;
    this.link(slot);
    return slot;
  }

  /**
   * Keeps only the series seen in `iteration`, in their order, and returns
   * old slot → new slot (-1 for a dropped one) so the caller can renumber
   * what it holds.
   */
  compact(iteration: number): Int32Array {
    const renumber = new Int32Array(this.count).fill(NONE);
    const keys = Buffer.allocUnsafe(Math.max(this.keyBytes, INITIAL_SLOTS));
    let kept = 0;
    let bytes = 0;
    for (let slot = 0; slot < this.count; slot++) {
      if (this.seen[slot] !== iteration) continue;
      const start = this.keyStart[slot]!;
      const length = this.keyLength[slot]!;
      this.keys.copy(keys, bytes, start, start + length);
      this.keyStart[kept] = bytes;
      this.keyLength[kept] = length;
      this.hashes[kept] = this.hashes[slot]!;
      this.seen[kept] = iteration;
      this.labels[kept] = this.labels[slot]!;
      renumber[slot] = kept++;
      bytes += length;
    }
    this.keys = keys;
    this.keyBytes = bytes;
    this.labels.length = kept;
    this.count = kept;
    this.buckets.fill(NONE);
    for (let slot = 0; slot < kept; slot++) this.link(slot);
    return renumber;
  }

  private link(slot: number): void {
    const index = this.hashes[slot]! & (this.buckets.length - 1);
    this.next[slot] = this.buckets[index]!;
    this.buckets[index] = slot;
  }

  private growSlots(): void {
    const size = this.seen.length * 2;
    this.keyStart = grownU32(this.keyStart, size);
    this.keyLength = grownU32(this.keyLength, size);
    this.seen = grownU32(this.seen, size);
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.next = new Int32Array(size);
    this.buckets = new Int32Array(size * 2).fill(NONE);
    for (let slot = 0; slot < this.count; slot++) this.link(slot);
  }
}

function grownU32(a: Uint32Array, size: number): Uint32Array {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

function grown(buf: Buffer, used: number, needed: number): Buffer {
  const b = Buffer.allocUnsafe(Math.max(needed, buf.length * 2));
  buf.copy(b, 0, 0, used);
  return b;
}
