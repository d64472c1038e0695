/**
 * remote_write's WAL records with series references, written to and read from
 * a real Wal: exact replay in process (the scrape's own label objects), one
 * definition per series per segment, replay after a restart (also resuming in
 * the middle of a segment, after old segments were deleted, and after a torn
 * last record).
 */
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchOf, isStaleAt, seriesLabelsOf, valueBits, type SampleBatch, type SeriesLabels } from '../../../src/components/common/metric-samples.js';
import { Wal, type WalRecord } from '../../../src/components/common/wal/wal.js';
import { SampleBatchCodec } from '../../../src/components/prometheus/remote-write/wal-records.js';
import { LogSettings, Logger } from '../../../src/runtime/logger.js';

let dir: string;
const logger = new Logger(new LogSettings({ level: 'error', format: 'logfmt', write: () => {}, sinks: [] }));
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rw-wal-records-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(segmentBytes = 1024 * 1024): { wal: Wal; codec: SampleBatchCodec; missing: number[] } {
  const wal = Wal.open({ dir, logger, segmentBytes, newSegmentAtOpen: true });
  const missing: number[] = [];
  return { wal, codec: new SampleBatchCodec(wal, (n) => missing.push(n)), missing };
}

async function append(wal: Wal, codec: SampleBatchCodec, batch: SampleBatch): Promise<void> {
  await wal.appendBuilt((segment) => codec.encode(batch, segment));
}

function readAll(wal: Wal, consumer = 'c'): WalRecord[] {
  const reader = wal.reader(consumer);
  const out: WalRecord[] = [];
  for (let r = reader.poll(); r; r = reader.poll()) out.push(r);
  return out;
}

const a = seriesLabelsOf([['__name__', 'up'], ['job', 'x']]);
const b = seriesLabelsOf([['__name__', 'temp'], ['room', 'ünïcode "quoted"']]);

function sample(labels: SeriesLabels, value: number, timestampMs: number) {
  return { labels, value, timestampMs };
}

/** Label sets as plain objects (records of an earlier process decode to equal, not identical, objects). */
const plain = (batch: SampleBatch) => batch.series.map((s) => ({ ...s }));

describe('remote_write WAL records', () => {
  it('replay a batch exactly in process: the scrape’s own label objects, values, staleness markers, timestamps', async () => {
    const { wal, codec } = open();
    const batch = batchOf([sample(a, 1, 1000), sample(b, -0.5, 1001), { labels: a, value: 0, timestampMs: 2000, stale: true }, sample(b, Number.MAX_VALUE, 2001)]);
    await append(wal, codec, batch);
    const [record] = readAll(wal);
    const decoded = codec.decode(record!.payload, record!.end.segment);
    expect(decoded.length).toBe(4);
    expect(decoded.series[0]).toBe(a);
    expect(decoded.series[1]).toBe(b);
    expect(decoded.series[2]).toBe(a);
    expect(Array.from(decoded.timestamps)).toEqual([1000, 1001, 2000, 2001]);
    expect([decoded.values[0], decoded.values[1], decoded.values[3]]).toEqual([1, -0.5, Number.MAX_VALUE]);
    expect(isStaleAt(valueBits(decoded.values), 2)).toBe(true);
    expect(isStaleAt(valueBits(decoded.values), 0)).toBe(false);
    wal.close();
  });

  it('defines a series once per segment: later records in the segment carry only references', async () => {
    const { wal, codec } = open(600);
    const batch = batchOf([sample(a, 1, 1), sample(b, 2, 1)]);
    for (let i = 0; i < 12; i++) await append(wal, codec, batch);
    const records = readAll(wal);
    const segments = [...new Set(records.map((r) => r.end.segment))];
    expect(segments.length).toBeGreaterThan(1);
    for (const segment of segments) {
      const sizes = records.filter((r) => r.end.segment === segment).map((r) => r.payload.length);
      // The first record of each segment defines both series; the others are samples only (1 + 4 + 4, padding to 16, 20 × 2 bytes).
      expect(sizes[0]).toBeGreaterThan(56);
      expect(sizes.slice(1).every((s) => s === 56)).toBe(true);
    }
    wal.close();
  });

  it('decodes every record to its batch while producers alternate, change their series and order, and segments turn over', async () => {
    // The codec remembers references by position per producer (first series); every case where that memory is stale must still give the right series.
    const { wal, codec, missing } = open(2000);
    const series = Array.from({ length: 12 }, (_, i) => seriesLabelsOf([['__name__', `m${i}`], ['i', String(i)]]));
    const producers = [series.slice(0, 6), series.slice(6, 12)];
    const sent: SeriesLabels[][] = [];
    for (let round = 0; round < 30; round++) {
      const base = producers[round % 2]!;
      // Some rounds swap two series, drop the last one, or add one more.
      const list = [...base];
      if (round % 5 === 3) [list[1], list[2]] = [list[2]!, list[1]!];
      if (round % 7 === 4) list.pop();
      if (round % 4 === 1) list.push(series[(round * 5) % 12]!);
      sent.push(list);
      await append(wal, codec, batchOf(list.map((labels, i) => sample(labels, round * 100 + i, round))));
    }
    const records = readAll(wal);
    expect(new Set(records.map((r) => r.end.segment)).size).toBeGreaterThan(2);
    const decoded = records.map((r) => codec.decode(r.payload, r.end.segment));
    expect(decoded.map((batch) => batch.series)).toEqual(sent);
    decoded.forEach((batch, round) => expect(batch.series.every((labels, i) => labels === sent[round]![i])).toBe(true));
    expect(decoded.map((batch) => Array.from(batch.values))).toEqual(sent.map((list, round) => list.map((_, i) => round * 100 + i)));
    expect(missing).toEqual([]);
    wal.close();
    // The definitions each segment holds are enough on their own: a new process decodes every record.
    const second = open(2000);
    const replayed = readAll(second.wal).map((r) => second.codec.decode(r.payload, r.end.segment));
    expect(replayed.map(plain)).toEqual(sent.map((list) => list.map((labels) => ({ ...labels }))));
    expect(second.missing).toEqual([]);
    second.wal.close();
  });

  it('reuses the references of series gone from the log, and every record still decodes to its own series', async () => {
    const { wal, codec, missing } = open(400);
    const reader = wal.reader('c');
    const defined = new Set<number>();
    const decodedSeries: SeriesLabels[][] = [];
    const sentSeries: SeriesLabels[][] = [];
    // Generation g of 3 series each, 4 records per generation; everything is acknowledged and truncated as it goes.
    let generation: SeriesLabels[] = [];
    for (let round = 0; round < 40; round++) {
      if (round % 4 === 0) generation = [0, 1, 2].map((i) => seriesLabelsOf([['__name__', 'churn'], ['gen', String(round / 4)], ['i', String(i)]]));
      // A series of the first generation comes back now and then, after its reference was let go.
      const list = round % 13 === 12 ? [...generation, sentSeries[0]![0]!] : generation;
      sentSeries.push(list);
      await append(wal, codec, batchOf(list.map((labels, i) => sample(labels, round, i))));
      for (let r = reader.poll(); r; r = reader.poll()) {
        decodedSeries.push([...codec.decode(r.payload, r.end.segment).series]);
        // The references a record defines (version, count, then reference + length + JSON each).
        const count = r.payload.readUInt32LE(1);
        let o = 5;
        for (let d = 0; d < count; d++) {
          defined.add(r.payload.readUInt32LE(o));
          o += 8 + r.payload.readUInt32LE(o + 4);
        }
        reader.ack(r.end);
      }
      wal.truncate();
    }
    expect(decodedSeries).toEqual(sentSeries);
    decodedSeries.forEach((list, round) => expect(list.every((labels, i) => labels === sentSeries[round]![i])).toBe(true));
    expect(missing).toEqual([]);
    // 31 distinct series went through; references were reused, so far fewer numbers were needed.
    expect(Math.max(...defined)).toBeLessThan(20);
    wal.close();
  });

  it('replays after a restart, resuming in the middle of a segment and after older segments were deleted', async () => {
    const first = open(300);
    for (let i = 0; i < 10; i++) await append(first.wal, first.codec, batchOf([sample(a, i, 1000 + i), sample(b, -i, 1000 + i)]));
    const reader = first.wal.reader('c');
    // Delivered: the first segment and the first record of the second one.
    let last = reader.poll()!;
    while (last.end.segment === first.wal.firstSegment()) last = reader.poll()!;
    reader.ack(last.end);
    first.wal.truncate();
    first.wal.close();

    const second = open(300);
    expect(second.wal.firstOwnSegment).toBeGreaterThan(last.end.segment);
    const replayed = readAll(second.wal).map((r) => second.codec.decode(r.payload, r.end.segment));
    const values = replayed.flatMap((batch) => Array.from(batch.values));
    expect(replayed.every((batch) => batch.length === 2)).toBe(true);
    expect(replayed.map(plain)).toEqual(replayed.map(() => [{ ...a }, { ...b }]));
    // What was not acknowledged, in order, none twice.
    const firstValue = values[0]!;
    expect(values).toEqual(Array.from({ length: 10 - firstValue }, (_, i) => [firstValue + i, -(firstValue + i)]).flat());
    expect(second.missing).toEqual([]);
    // New records after the restart decode as well, to this process's own label objects.
    await append(second.wal, second.codec, batchOf([sample(b, 42, 5000)]));
    const fresh = readAll(second.wal, 'after').at(-1)!;
    expect(second.codec.decode(fresh.payload, fresh.end.segment).series[0]).toBe(b);
    second.wal.close();
  });

  it('keeps every complete record decodable when the last one was torn by a crash', async () => {
    const first = open();
    for (let i = 0; i < 5; i++) await append(first.wal, first.codec, batchOf([sample(a, i, i), sample(b, i, i)]));
    first.wal.close();
    const segment = path.join(dir, String(first.wal.currentSegment).padStart(8, '0'));
    truncateSync(segment, statSync(segment).size - 7);
    const second = open();
    const replayed = readAll(second.wal).map((r) => second.codec.decode(r.payload, r.end.segment));
    expect(replayed.map((batch) => batch.values[0])).toEqual([0, 1, 2, 3]);
    expect(replayed.map(plain)).toEqual(replayed.map(() => [{ ...a }, { ...b }]));
    second.wal.close();
  });
});
