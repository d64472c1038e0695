/**
 * Per-series work remembered by position in a producer's batches. A scrape
 * loop sends its target's series in the same order every scrape (with the
 * same label objects, see common/metric-samples.ts), so what was worked out
 * for sample i of the last batch usually holds for sample i of the next:
 * comparing the label object at each position with the one remembered there
 * reads two arrays in order, where a WeakMap lookup per sample hashes and
 * misses the CPU caches once the table holds a large target's series.
 * A position that differs falls back to the caller's own lookup and is
 * remembered anew, so the result is the same for any batch.
 *
 * Producers are told apart by the label object of their batch's first
 * sample; a few are remembered, the least recently used one is forgotten.
 */
import type { SeriesLabels } from '../../common/metric-samples.js';

/** Producers (e.g. scrape targets) remembered at once. */
const PRODUCERS = 4;

export class PositionRun<T> {
  /** The label object last seen at each position, and what was worked out for it. */
  readonly labels: SeriesLabels[] = [];
  readonly items: T[] = [];
  /** Positions [0, length) hold remembered work. */
  length = 0;
  /** Free for the owner (e.g. the WAL segment the remembered work is valid for). */
  tag = -1;
  lastUse = 0;

  /** What was remembered for `labels` at position `i`, if that is what stood there. */
  at(i: number, labels: SeriesLabels): T | undefined {
    return i < this.length && this.labels[i] === labels ? this.items[i] : undefined;
  }

  /** Remembers `item` for `labels` at position `i` (positions are visited in order from 0). */
  set(i: number, labels: SeriesLabels, item: T): void {
    this.labels[i] = labels;
    this.items[i] = item;
    if (i >= this.length) this.length = i + 1;
  }

  /** Forgets everything (the label objects too, so that they can go). */
  clear(): void {
    this.labels.length = 0;
    this.items.length = 0;
    this.length = 0;
    this.tag = -1;
  }
}

export class SeriesPositions<T> {
  private readonly runs: PositionRun<T>[] = [];
  private uses = 0;

  /** The run of the producer whose batches start with `series[0]`; a forgotten (empty) one for a new producer. */
  runFor(series: readonly SeriesLabels[]): PositionRun<T> {
    const first = series[0];
    let run = this.runs.find((r) => r.length > 0 && r.labels[0] === first);
    if (!run) {
      if (this.runs.length < PRODUCERS) this.runs.push((run = new PositionRun<T>()));
      else run = this.runs.reduce((a, b) => (b.lastUse < a.lastUse ? b : a));
      run.clear();
    }
    run.lastUse = ++this.uses;
    return run;
  }

  /** Forgets every producer's positions. */
  clear(): void {
    for (const run of this.runs) run.clear();
  }
}
