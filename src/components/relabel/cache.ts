/**
 * The per-component cache of relabel results, keyed by label set, as Alloy's
 * loki.relabel and prometheus.relabel keep one (an LRU of `max_cache_size`
 * label sets, purged when the rules change).
 *
 * Sources usually send every batch of a stream with the same labels object,
 * so the object itself is looked up first (no key to build); the LRU, keyed
 * by the label set's contents, catches equal label sets in new objects.
 */
import { compareStrings } from '../../lang/value.js';
import type { Labels } from './labels.js';

/** `undefined` result = the label set was dropped. */
type Result = Labels | undefined;

export class RelabelCache {
  private readonly lru = new Map<string, Result>();
  private byObject = new WeakMap<Labels, Result>();
  /** Whether the last `get` was answered from the cache. */
  lastWasHit = false;

  constructor(private maxSize: number) {}

  get size(): number {
    return this.lru.size;
  }

  /** The result for `labels`: cached, or computed by `relabel` and remembered. */
  get(labels: Labels, relabel: (labels: Labels) => Result): Result {
    if (this.byObject.has(labels)) {
      this.lastWasHit = true;
      return this.byObject.get(labels);
    }
    const key = labelSetKey(labels);
    this.lastWasHit = this.lru.has(key);
    let result: Result;
    if (this.lastWasHit) {
      result = this.lru.get(key);
      this.lru.delete(key); // re-inserted below as the most recently used
    } else result = relabel(labels);
    this.lru.set(key, result);
    this.evict();
    this.byObject.set(labels, result);
    return result;
  }

  /** Forgets one label set (prometheus.relabel does on a staleness marker); true if it was cached. */
  forget(labels: Labels): boolean {
    this.byObject.delete(labels);
    return this.lru.delete(labelSetKey(labels));
  }

  /** Forgets everything (the rules changed). */
  purge(): void {
    this.lru.clear();
    this.byObject = new WeakMap();
  }

  /** Changes the capacity, evicting the least recently used entries beyond it. */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evict();
  }

  private evict(): void {
    for (const key of this.lru.keys()) {
      if (this.lru.size <= this.maxSize) break;
      this.lru.delete(key);
    }
    // Entries evicted from the LRU may still answer by identity; that only saves work.
  }
}

/** An unambiguous string for a label set (names sorted, lengths prefixed). */
function labelSetKey(labels: Labels): string {
  const names = Object.keys(labels).sort(compareStrings);
  let key = '';
  for (const name of names) {
    const value = labels[name]!;
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}
