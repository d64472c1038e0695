/**
 * Receive-time timestamps for log sources that stamp entries with "now"
 * (loki.source.api, loki.source.syslog). Go's time.Now() differs between two
 * calls; Date.now() does not within a millisecond, and Loki drops an entry
 * whose stream, timestamp and line equal an earlier one's. So the clock
 * counts nanoseconds up within a millisecond: every entry gets its own,
 * increasing timestamp.
 */
export class EntryClock {
  private lastMs = 0;
  private lastNs = -1;

  /** The next timestamp as [ms, ns within the ms]. */
  next(): [number, number] {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastNs = 0;
    } else if (++this.lastNs > 999_999) {
      this.lastMs++;
      this.lastNs = 0;
    }
    return [this.lastMs, this.lastNs];
  }

  /** Fills `ms`/`ns` from `start` on with consecutive timestamps. */
  fill(ms: Float64Array, ns: Int32Array, start = 0): void {
    for (let i = start; i < ms.length; i++) {
      const [m, n] = this.next();
      ms[i] = m;
      ns[i] = n;
    }
  }
}
