/** The memory budget: V8 flags for a limit, and max-min fair shares of the buffer budget. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEMI_SPACE_MIB, HELD_BATCHES_SEMI_SPACE_MIB, MemoryBudget, heapSizesForLimit, preferredSemiSpaceMiB, preferYoungGeneration, v8FlagsForLimit } from '../../src/runtime/memory.js';

const MiB = 1024 * 1024;

describe('v8FlagsForLimit', () => {
  it('gives the old space half the limit and scales the semi-space down for small limits', () => {
    expect(v8FlagsForLimit(2048 * MiB)).toEqual(['--max-old-space-size=1024', '--max-semi-space-size=16']);
    expect(v8FlagsForLimit(256 * MiB)).toEqual(['--max-old-space-size=128', '--max-semi-space-size=4']);
  });

  it('never goes below what V8 needs to start', () => {
    expect(v8FlagsForLimit(16 * MiB)).toEqual(['--max-old-space-size=32', '--max-semi-space-size=1']);
  });
});

describe('MemoryBudget', () => {
  it('keeps a quarter of the limit for buffers', () => {
    expect(new MemoryBudget(400 * MiB).bufferBytes).toBe(100 * MiB);
  });

  it('grants what fits and splits the rest evenly among the larger claims', () => {
    const budget = new MemoryBudget(400); // 100 bytes of buffers
    const small = budget.share(10);
    const large = budget.share(1000);
    const larger = budget.share(5000);
    expect([small.bytes, large.bytes, larger.bytes]).toEqual([10, 45, 45]);
  });

  it('gives a released share back to the others', () => {
    const budget = new MemoryBudget(400);
    const a = budget.share(1000);
    const b = budget.share(1000);
    expect([a.bytes, b.bytes]).toEqual([50, 50]);
    b.release();
    b.release(); // twice is harmless
    expect(a.bytes).toBe(100);
  });

  it('never grants more than the budget in total', () => {
    const budget = new MemoryBudget(4000);
    const shares = [7, 300, 90, 1e9, 250, 3].map((w) => budget.share(w));
    const total = shares.reduce((sum, s) => sum + s.bytes, 0);
    expect(total).toBeLessThanOrEqual(budget.bufferBytes);
    expect(shares.map((s) => s.bytes)).toEqual([7, 300, 90, 350, 250, 3]);
  });
});

describe('heapSizesForLimit', () => {
  it('gives the sizes behind v8FlagsForLimit (the worker thread of --memory-limit is created with them)', () => {
    expect(heapSizesForLimit(256 * 1024 * 1024)).toEqual({ oldSpaceMiB: 128, semiSpaceMiB: 4 });
    expect(v8FlagsForLimit(256 * 1024 * 1024)).toEqual(['--max-old-space-size=128', '--max-semi-space-size=4']);
  });
});

describe('young-generation preferences', () => {
  it('grows the cap for components holding batches until acknowledged, unless a component prefers it small', () => {
    expect(preferredSemiSpaceMiB(DEFAULT_SEMI_SPACE_MIB)).toBe(DEFAULT_SEMI_SPACE_MIB);
    const withdrawHeld = preferYoungGeneration('held-batches');
    expect(preferredSemiSpaceMiB(DEFAULT_SEMI_SPACE_MIB)).toBe(HELD_BATCHES_SEMI_SPACE_MIB);
    const withdrawSmall = preferYoungGeneration('small');
    expect(preferredSemiSpaceMiB(DEFAULT_SEMI_SPACE_MIB)).toBe(DEFAULT_SEMI_SPACE_MIB);
    withdrawSmall();
    withdrawSmall(); // withdrawing twice counts once
    expect(preferredSemiSpaceMiB(DEFAULT_SEMI_SPACE_MIB)).toBe(HELD_BATCHES_SEMI_SPACE_MIB);
    withdrawHeld();
    expect(preferredSemiSpaceMiB(DEFAULT_SEMI_SPACE_MIB)).toBe(DEFAULT_SEMI_SPACE_MIB);
  });
});
