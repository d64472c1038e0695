import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogSettings, Logger } from '../../../../src/runtime/logger.js';
import { crc32, crc32Portable } from '../../../../src/components/common/wal/crc32.js';
import { Wal, WalFullError, type WalFs, type WalReader } from '../../../../src/components/common/wal/wal.js';
import { pumpWal } from '../../../../src/components/common/wal/pump.js';
import { mountTmpfs, unmountTmpfs } from '../../../support/tmpfs.js';

let dir: string;
let lines: string[];
let logger: Logger;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'wal-test-'));
  lines = [];
  logger = new Logger(new LogSettings({ level: 'debug', format: 'logfmt', write: (l) => lines.push(l), sinks: [] }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = (i: number): Buffer => Buffer.from(`record-${i}-${'x'.repeat(i % 37)}`);

/** Reads every record available now (without waiting for more). */
function drain(reader: WalReader, expected: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < expected; i++) {
    const r = reader.poll();
    if (!r) break;
    out.push(r.payload.toString());
  }
  return out;
}

/** node:fs, except that creating a segment file fails with ENOSPC while `diskFull()` says so. */
function segmentCreationFails(diskFull: () => boolean): WalFs {
  return {
    ...fs,
    writeFileSync: ((file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView) => {
      if (diskFull() && /\d{8}$/.test(String(file))) throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC' });
      fs.writeFileSync(file, data);
    }) as WalFs['writeFileSync'],
  };
}

function segmentFiles(): string[] {
  return readdirSync(dir).filter((n) => /^\d{8}$/.test(n)).sort();
}

describe('crc32', () => {
  it('agrees with zlib and the table implementation', () => {
    for (const s of ['', 'a', 'hello world', 'x'.repeat(10_000)]) {
      const b = Buffer.from(s);
      expect(crc32(b)).toBe(zlibCrc32(b));
      expect(crc32Portable(b)).toBe(zlibCrc32(b));
    }
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('Wal', () => {
  it('replays unacknowledged records after a reopen, and only those', async () => {
    const wal = Wal.open({ dir, logger, segmentBytes: 200 });
    for (let i = 0; i < 20; i++) await wal.append(payload(i));
    const reader = wal.reader('a');
    const first = drain(reader, 5);
    expect(first).toEqual([0, 1, 2, 3, 4].map((i) => payload(i).toString()));
    // Acknowledge the first 5 only; reads past them are not acknowledged.
    const r5 = await reader.next();
    expect(r5!.payload.toString()).toBe(payload(5).toString());
    wal.close();
    const reopened = Wal.open({ dir, logger, segmentBytes: 200 });
    expect(drain(reopened.reader('a'), 30)).toEqual(Array.from({ length: 20 }, (_, i) => payload(i).toString()));
    reopened.close();
  });

  it('truncates segments once every consumer acknowledged past them', async () => {
    const wal = Wal.open({ dir, logger, segmentBytes: 100 });
    const a = wal.reader('a');
    const b = wal.reader('b');
    for (let i = 0; i < 30; i++) await wal.append(payload(i));
    expect(segmentFiles().length).toBeGreaterThan(3);
    let last;
    for (let i = 0; i < 30; i++) last = (await a.next())!.end;
    a.ack(last!);
    wal.truncate();
    // b has acknowledged nothing: every segment stays.
    expect(wal.stats.droppedRecords).toBe(0);
    expect(drain(b, 30)).toHaveLength(30);
    b.ack(last!);
    wal.truncate();
    expect(segmentFiles()).toHaveLength(1);
    expect(statSync(path.join(dir, segmentFiles()[0]!)).size).toBe(0);
    wal.close();
    const reopened = Wal.open({ dir, logger });
    expect(drain(reopened.reader('a'), 5)).toEqual([]);
    reopened.close();
  });

  it('keeps every complete record when the last segment is torn at 100 random offsets', async () => {
    const records = Array.from({ length: 40 }, (_, i) => payload(i));
    const wal = Wal.open({ dir, logger, segmentBytes: 1 << 20 });
    for (const r of records) await wal.append(r);
    wal.close();
    const file = path.join(dir, segmentFiles()[0]!);
    const whole = readFileSync(file);
    // Record ends, to know how many records a cut keeps.
    const ends: number[] = [];
    for (let off = 0; off < whole.length; ) ends.push((off += 8 + whole.readUInt32LE(off)));
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let trial = 0; trial < 100; trial++) {
      const cut = Math.floor(random() * whole.length);
      writeFileSync(file, whole.subarray(0, cut));
      rmSync(path.join(dir, 'consumers.json'), { force: true });
      const complete = ends.filter((e) => e <= cut).length;
      const w = Wal.open({ dir, logger });
      const got = drain(w.reader('r'), records.length);
      expect(got, `cut at ${cut}`).toEqual(records.slice(0, complete).map(String));
      // The torn tail was cut off: new records follow the last complete one.
      await w.append(Buffer.from('after'));
      w.close();
      const again = Wal.open({ dir, logger });
      expect((drain(again.reader('r2'), records.length + 1)).at(-1)).toBe('after');
      again.close();
    }
  });

  it('quarantines a corrupt segment that is not the last, with one error line, and keeps going', async () => {
    const wal = Wal.open({ dir, logger, segmentBytes: 100 });
    for (let i = 0; i < 20; i++) await wal.append(payload(i));
    wal.close();
    const files = segmentFiles();
    expect(files.length).toBeGreaterThan(2);
    const victim = path.join(dir, files[1]!);
    const bytes = readFileSync(victim);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(victim, bytes);
    const reopened = Wal.open({ dir, logger });
    expect(readdirSync(dir)).toContain(`${files[1]}.corrupt`);
    expect(lines.filter((l) => l.includes('corrupt'))).toHaveLength(1);
    const got = drain(reopened.reader('a'), 20);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toContain(payload(19).toString());
    expect(reopened.stats.corruptSegments).toBe(1);
    reopened.close();
    // Opening again does not find it again (no crash loop, no repeated line).
    Wal.open({ dir, logger }).close();
    expect(lines.filter((l) => l.includes('corrupt'))).toHaveLength(1);
  });

  it('drops the oldest segments past the disk budget and counts their records', async () => {
    const wal = Wal.open({ dir, logger, segmentBytes: 200, maxBytes: 1000 });
    const reader = wal.reader('slow');
    for (let i = 0; i < 200; i++) await wal.append(payload(i));
    expect(wal.stats.bytes).toBeLessThanOrEqual(1000);
    const kept = drain(reader, 200);
    expect(wal.stats.droppedRecords).toBeGreaterThan(0);
    expect(kept.length + wal.stats.droppedRecords).toBe(200);
    // What is kept is the newest data, in order.
    expect(kept.at(-1)).toBe(payload(199).toString());
    expect(kept[0]).toBe(payload(200 - kept.length).toString());
    wal.close();
  });

  it('on a full disk refuses appends (backpressure) without losing what it holds, and recovers', async () => {
    let failWrites = false;
    const injected: WalFs = {
      ...fs,
      writeSync: ((fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => {
        if (failWrites) {
          // A partial write, then the disk is full.
          fs.writeSync(fd, buffer, offset, Math.min(3, length), position);
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return fs.writeSync(fd, buffer, offset, length, position);
      }) as WalFs['writeSync'],
    };
    const states: boolean[] = [];
    const wal = Wal.open({ dir, logger, fs: injected, fullWaitMs: 50, onFull: (full) => states.push(full) });
    for (let i = 0; i < 5; i++) await wal.append(payload(i));
    failWrites = true;
    await expect(wal.append(payload(5))).rejects.toBeInstanceOf(WalFullError);
    expect(wal.isFull).toBe(true);
    expect(states).toEqual([true]);
    failWrites = false;
    await wal.append(payload(6));
    expect(states).toEqual([true, false]);
    wal.close();
    const reopened = Wal.open({ dir, logger });
    expect(drain(reopened.reader('a'), 10)).toEqual([0, 1, 2, 3, 4, 6].map((i) => payload(i).toString()));
    expect(reopened.stats.tornBytes).toBe(0);
    reopened.close();
  });

  it('opens on a disk full before it starts (no room for its directory) and finishes opening once there is room', async () => {
    let diskFull = true;
    const enospc = (): never => {
      throw Object.assign(new Error('ENOSPC: no space left on device, mkdir'), { code: 'ENOSPC' });
    };
    const injected: WalFs = { ...fs, mkdirSync: ((...a: Parameters<typeof fs.mkdirSync>) => (diskFull ? enospc() : fs.mkdirSync(...a))) as WalFs['mkdirSync'] };
    const walDir = path.join(dir, 'wal');
    const states: boolean[] = [];
    const wal = Wal.open({ dir: walDir, logger, fs: injected, fullWaitMs: 50, onFull: (full) => states.push(full) });
    const reader = wal.reader('a');
    await expect(wal.append(payload(0))).rejects.toBeInstanceOf(WalFullError);
    expect(wal.isFull).toBe(true);
    expect(states).toEqual([true]);
    diskFull = false;
    await wal.append(payload(1));
    expect(states).toEqual([true, false]);
    expect(drain(reader, 5)).toEqual([payload(1).toString()]);
    wal.close();
    expect(lines.join('\n')).toMatch(/WAL: disk full at open/);
  });

  it('opens a log whose new segment cannot be created (full disk), keeps its records readable, and writes the new segment once there is room', async () => {
    const first = Wal.open({ dir, logger, newSegmentAtOpen: true });
    for (let i = 0; i < 3; i++) await first.append(payload(i));
    first.close();
    expect(segmentFiles()).toEqual(['00000000']);
    let diskFull = true;
    const injected = segmentCreationFails(() => diskFull);
    const wal = Wal.open({ dir, logger, fs: injected, fullWaitMs: 50, newSegmentAtOpen: true });
    // Records of the earlier process are in segment 0; this process's own start at segment 1.
    expect(wal.firstOwnSegment).toBe(1);
    const reader = wal.reader('a');
    expect(drain(reader, 5)).toEqual([0, 1, 2].map((i) => payload(i).toString()));
    wal.truncate(); // cannot rotate either: no throw
    await expect(wal.append(payload(3))).rejects.toBeInstanceOf(WalFullError);
    diskFull = false;
    await wal.append(payload(4));
    expect(wal.currentSegment).toBe(1);
    expect(segmentFiles()).toEqual(['00000000', '00000001']);
    expect(drain(reader, 5)).toEqual([payload(4).toString()]);
    wal.close();
  });

  it('writes a record once when the segment past the disk budget cannot be started for lack of space', async () => {
    let diskFull = false;
    const injected = segmentCreationFails(() => diskFull);
    const wal = Wal.open({ dir, logger, fs: injected, fullWaitMs: 50, maxBytes: 64 });
    await wal.append(payload(0));
    diskFull = true;
    // Past the 64-byte budget: the log would start a new segment after the write, and cannot.
    await wal.append(Buffer.alloc(100, 'y'));
    diskFull = false;
    await wal.append(payload(1));
    const got = drain(wal.reader('a'), 10);
    expect(got.filter((p) => p === 'y'.repeat(100))).toHaveLength(1);
    expect(got.at(-1)).toBe(payload(1).toString());
    wal.close();
  });

  it('hands a caught-up reader the memo of a record just written, and the file to a reader further behind or after a reopen', async () => {
    // Each memo counts 100 bytes: the budget holds two.
    const wal = Wal.open({ dir, logger, maxMemoBytes: 250 });
    const near = wal.reader('near');
    const far = wal.reader('far');
    const appendWithMemo = (i: number) => wal.appendBuilt(() => ({ payload: payload(i), memo: () => ({ value: `memo-${i}`, bytes: 100 }) }));
    await appendWithMemo(0);
    const first = near.poll()!;
    expect(first.memo?.value).toBe('memo-0');
    expect(first.payload.length).toBe(0);
    for (let i = 1; i < 5; i++) await appendWithMemo(i);
    // 'near' is 4 records behind now: the memos of records 1 and 2 were let go, 3 and 4 are held.
    const nearNext = [1, 2, 3, 4].map(() => near.poll()!);
    expect(nearNext.map((r) => r.memo?.value ?? r.payload.toString())).toEqual([payload(1).toString(), payload(2).toString(), 'memo-3', 'memo-4']);
    // 'far' has read nothing: the file up to record 2, then the memos still held; positions are the same either way.
    const farAll = [0, 1, 2, 3, 4].map(() => far.poll()!);
    expect(farAll.map((r) => r.memo?.value ?? r.payload.toString())).toEqual([payload(0), payload(1), payload(2)].map(String).concat(['memo-3', 'memo-4']));
    expect(farAll.map((r) => r.end)).toEqual([first, ...nearNext].map((r) => r.end));
    near.ack(nearNext[0]!.end);
    far.ack(farAll[1]!.end);
    wal.close();
    // After a reopen the memos are gone: the unacknowledged records come from the file.
    const reopened = Wal.open({ dir, logger, maxMemoBytes: 250 });
    expect(drain(reopened.reader('near'), 10)).toEqual([2, 3, 4].map((i) => payload(i).toString()));
    reopened.close();
  });

  it('pumps records with acknowledgements in order, never past an undelivered one', async () => {
    const wal = Wal.open({ dir, logger });
    for (let i = 0; i < 10; i++) await wal.append(payload(i));
    const delivered: string[] = [];
    const abort = new AbortController();
    const pending: ((err: Error) => void)[] = [];
    const run = pumpWal(
      wal.reader('p'),
      {
        maxInFlight: 4,
        deliver: (p) => {
          const s = p.toString();
          // Record 2 is never delivered.
          if (s === payload(2).toString()) return new Promise<void>((_, reject) => pending.push(reject));
          delivered.push(s);
          return Promise.resolve();
        },
      },
      abort.signal,
    );
    await new Promise((r) => setTimeout(r, 50));
    // The window holds 4 records: 0, 1, 2 (stuck), 3, then waits.
    expect(delivered).toEqual([0, 1, 3, 4, 5].slice(0, delivered.length).map((i) => payload(i).toString()));
    abort.abort();
    pending.forEach((p) => p(new Error('endpoint stopped')));
    await run;
    wal.close();
    const reopened = Wal.open({ dir, logger });
    const replay = drain(reopened.reader('p'), 10);
    // Acknowledged up to record 1 at most before 2 settled; 2 onwards are read again.
    expect(replay[0]).toBe(payload(2).toString());
    reopened.close();
  });

  it('bounds the payload bytes in flight besides the record count, always letting one record go', async () => {
    const wal = Wal.open({ dir, logger });
    const big = Buffer.alloc(3000, 'b');
    for (let i = 0; i < 6; i++) await wal.append(i === 0 ? Buffer.alloc(10_000, 'h') : big);
    const held: (() => void)[] = [];
    const abort = new AbortController();
    const run = pumpWal(wal.reader('p'), { maxInFlight: 8, maxInFlightBytes: 7000, deliver: () => new Promise<void>((resolve) => held.push(resolve)) }, abort.signal);
    await new Promise((r) => setTimeout(r, 30));
    // The first record alone is over the bound: it goes, nothing else.
    expect(held).toHaveLength(1);
    held[0]!();
    await new Promise((r) => setTimeout(r, 30));
    // 3000 + 3000 reach 6000 < 7000, the third makes 9000: three in flight, then it waits.
    expect(held).toHaveLength(4);
    held.slice(1).forEach((resolve) => resolve());
    await new Promise((r) => setTimeout(r, 30));
    expect(held).toHaveLength(6);
    held.slice(4).forEach((resolve) => resolve());
    abort.abort();
    await run;
    wal.close();
  });
});

// A real full disk: a 256 KiB tmpfs (needs the right to mount; the injected-ENOSPC test above runs everywhere).
const tmpfs = mountTmpfs('size=256k', 'wal-tmpfs-');
if (!tmpfs) console.warn('[skip] WAL on a full tmpfs: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)');

describe.skipIf(!tmpfs)('Wal on a full tmpfs', () => {
  afterAll(() => unmountTmpfs(tmpfs!));

  it('refuses appends once the disk is full, keeps every record it accepted, and takes more once space is freed', async () => {
    const walDir = path.join(tmpfs!, 'wal');
    const states: boolean[] = [];
    const wal = Wal.open({ dir: walDir, logger, segmentBytes: 32 * 1024, fullWaitMs: 20, onFull: (full) => states.push(full) });
    const reader = wal.reader('r');
    const record = Buffer.alloc(4000, 'y');
    let accepted = 0;
    for (;;) {
      try {
        await wal.append(Buffer.concat([Buffer.from(`${accepted}:`), record]));
        accepted++;
      } catch (err) {
        expect(err).toBeInstanceOf(WalFullError);
        break;
      }
      if (accepted > 1000) throw new Error('the tmpfs never filled up');
    }
    expect(wal.isFull).toBe(true);
    expect(states).toEqual([true]);
    expect(accepted).toBeGreaterThan(10);
    // Every accepted record is readable, in order; delivering them frees space.
    let last;
    for (let i = 0; i < accepted; i++) {
      const r = reader.poll()!;
      expect(r.payload.toString('latin1', 0, String(i).length + 1)).toBe(`${i}:`);
      last = r.end;
    }
    expect(reader.poll()).toBeUndefined();
    reader.ack(last!);
    wal.truncate();
    await wal.append(Buffer.from('after the disk had room again'));
    expect(states).toEqual([true, false]);
    expect(reader.poll()!.payload.toString()).toBe('after the disk had room again');
    wal.close();
  });
});
