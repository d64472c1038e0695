/**
 * The agent's memory allowance (`run --memory-limit` / ALLOY_TS_MEMORY_LIMIT)
 * and how it is split, so that the process stays under it under load.
 *
 * A Node process's resident memory is more than its JavaScript heap: the
 * young generation, compiled code, the binary's own pages, Buffers (socket
 * and file reads, compressed request bodies) and thread stacks live outside
 * V8's old space. So the old space gets half of the limit, and the buffers
 * and queues of components — which live inside that heap and are what grows
 * under a backlog — get a quarter of the limit between them. The other
 * quarter of the heap is the agent's own working set.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const MiB = 1024 * 1024;

/** Share of the limit given to V8's old space (`--max-old-space-size`). */
const HEAP_FRACTION = 0.5;

/** Share of the limit that component buffers and queues may hold in total. */
const BUFFER_FRACTION = 0.25;

/** Below this V8 cannot even start the agent, so the heap never gets less. */
const MIN_HEAP_MIB = 32;

/** Young-generation semi-space bounds: V8's 64-bit default is the upper one. */
const MIN_SEMI_SPACE_MIB = 1;
const MAX_SEMI_SPACE_MIB = 16;

/**
 * The V8 flags that go with a memory limit: old space for HEAP_FRACTION of
 * it, and a semi-space scaled down for small limits (the young generation
 * holds three of them, outside the old-space limit).
 */
export function v8FlagsForLimit(limitBytes: number): string[] {
  const { oldSpaceMiB, semiSpaceMiB } = heapSizesForLimit(limitBytes);
  return [`--max-old-space-size=${oldSpaceMiB}`, `--max-semi-space-size=${semiSpaceMiB}`];
}

/** The old-space and semi-space sizes (MiB) behind v8FlagsForLimit, for a heap created with them directly (a worker thread). */
export function heapSizesForLimit(limitBytes: number): { oldSpaceMiB: number; semiSpaceMiB: number } {
  return {
    oldSpaceMiB: Math.max(MIN_HEAP_MIB, Math.floor((limitBytes * HEAP_FRACTION) / MiB)),
    semiSpaceMiB: Math.min(MAX_SEMI_SPACE_MIB, Math.max(MIN_SEMI_SPACE_MIB, Math.floor(limitBytes / MiB / 64))),
  };
}

/**
 * The semi-space size the young generation is kept to when no memory limit
 * sets one. V8's own maximum (16 MiB, so up to 3 × 16 MiB of young
 * generation) costs tens of MiB of resident memory in an agent whose
 * allocations are mostly short-lived (a scrape, a batch), and bought no
 * measurable throughput on the metrics and logs benchmarks over 4 MiB;
 * 1 MiB did cost CPU there.
 */
export const DEFAULT_SEMI_SPACE_MIB = 4;

/**
 * The semi-space size for pipelines whose data lives until a receiver
 * acknowledges it (loki.write's batches). At 4 MiB those batches outlive
 * two scavenges and are promoted, filling the old generation until a
 * mark-compact: on bench/file-vs-promtail.mjs (1M lines, 5 alternating
 * pairs) 16 MiB semi-spaces took 2.26-2.81 CPU-s against 2.89-3.24 and
 * peaked at 141-157 MiB against 161-175 in 4 of 5 pairs. A 100k-series
 * scrape went the other way (peak RSS 350-374 MiB against 259-288), so a
 * component that prefers the small size outweighs any that prefers this.
 * Measured with batches of strings; since file and Docker lines travel as
 * raw bytes, 4 and 16 MiB gave the same file-pipeline peak within noise
 * (126–135 against 127–142 MiB, 4 pairs), so this stays for batches of text
 * (loki.process, pushed lines).
 */
export const HELD_BATCHES_SEMI_SPACE_MIB = 16;

/** How a component's allocations fare in the young generation (see preferYoungGeneration). */
export type YoungGenerationPreference = 'small' | 'held-batches';

const preferences: Record<YoungGenerationPreference, number> = { small: 0, 'held-batches': 0 };

/**
 * A running component states which young-generation size suits it; the cap
 * of capYoungGeneration (when one runs: `run` without a memory limit or
 * semi-space flags) follows the components present, re-read after every GC.
 * Returns the function that withdraws the preference (when it stops).
 */
export function preferYoungGeneration(kind: YoungGenerationPreference): () => void {
  preferences[kind]++;
  let withdrawn = false;
  return () => {
    if (withdrawn) return;
    withdrawn = true;
    preferences[kind]--;
  };
}

/** The semi-space cap for the components present, given the cap chosen at start. */
export function preferredSemiSpaceMiB(startCapMiB: number): number {
  return preferences['held-batches'] > 0 && preferences.small === 0 ? Math.max(startCapMiB, HELD_BATCHES_SEMI_SPACE_MIB) : startCapMiB;
}

/**
 * Keeps V8's young generation to `semiSpaceMiB` per semi-space in a Node
 * started without semi-space flags, without starting Node again. V8 fixes
 * `--max-semi-space-size` when it starts but reads `--semi-space-growth-factor`
 * each time a scavenge grows the young generation, so after every GC the
 * factor is set to 2 while the space is under the cap and to 1 once it is
 * there (and back to 2 if V8 shrinks it). The check runs after GCs, not
 * during them: a burst of growth within one synchronous stretch of code can
 * pass the cap, up to V8's own maximum. Returns a function that stops it.
 */
export function capYoungGeneration(semiSpaceMiB: number): () => void {
  let factor = 0;
  const adjust = (): void => {
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!newSpace) return;
    const capBytes = preferredSemiSpaceMiB(semiSpaceMiB) * MiB;
    // space_size is both semi-spaces: while it is at most one semi-space's
    // cap, doubling stays within the cap.
    const wanted = newSpace.space_size <= capBytes ? 2 : 1;
    if (wanted === factor) return;
    v8.setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
    factor = wanted;
  };
  adjust();
  const observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    v8.setFlagsFromString('--semi-space-growth-factor=2'); // V8's default
  };
}

/** One consumer's part of the buffer budget. */
export interface BudgetShare {
  /** Bytes this consumer may hold now; changes as other consumers come and go. */
  readonly bytes: number;
  /** Gives the share back (when the consumer has stopped holding anything). */
  release(): void;
}

interface Claim {
  readonly wanted: number;
  granted: number;
}

/**
 * Divides the buffer budget among the consumers that hold a share: each gets
 * what it wants when that fits, and the rest is split evenly among the
 * larger ones (max-min fairness), so the shares never add up to more than
 * the budget however many consumers there are.
 */
export class MemoryBudget {
  private readonly claims = new Set<Claim>();

  constructor(readonly limitBytes: number) {}

  /** Bytes that all shares together may hold. */
  get bufferBytes(): number {
    return Math.floor(this.limitBytes * BUFFER_FRACTION);
  }

  /** Takes a share for a consumer that would like to hold `wanted` bytes. */
  share(wanted: number): BudgetShare {
    const claim: Claim = { wanted, granted: 0 };
    this.claims.add(claim);
    this.allocate();
    return {
      get bytes() {
        return claim.granted;
      },
      release: () => {
        if (this.claims.delete(claim)) this.allocate();
      },
    };
  }

  private allocate(): void {
    let left = this.bufferBytes;
    let count = this.claims.size;
    for (const claim of [...this.claims].sort((a, b) => a.wanted - b.wanted)) {
      claim.granted = Math.floor(Math.min(claim.wanted, left / count));
      left -= claim.granted;
      count--;
    }
  }
}
