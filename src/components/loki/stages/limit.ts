/**
 * stage.limit: a token bucket (`rate` per second, `burst` deep, initially
 * full). Without `drop` the stage waits for tokens, which back-pressures the
 * sender; with `drop` the excess is dropped, optionally with one bucket per
 * value of `by_label_name` (entries without that label pass).
 */
import { describeSchema, attr, schema, t } from '../../../lang/schema.js';
import type { Entry } from './entry.js';
import { defineStage, filterEntries, type Stage } from './stage.js';

const DROP_REASON = 'ratelimit_drop_stage';
const MIN_DISTINCT_LABELS = 10_000;

const Config = schema(
  {
    rate: attr(t.float),
    burst: attr(t.int),
    drop: attr(t.bool, false),
    by_label_name: attr(t.string, ''),
    max_distinct_labels: attr(t.int, MIN_DISTINCT_LABELS),
  },
  (c) => {
    if (c.rate <= 0 || c.burst <= 0) return 'limit stage failed to parse rate or burst';
    if (c.by_label_name !== '' && !c.drop) return 'When ratelimiting by label, drop must be true';
    return undefined;
  },
);

/** golang.org/x/time/rate's limiter, reduced to what the stage uses. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Takes a token if one is available. */
  allow(): boolean {
    this.refill(Date.now());
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Reserves `n` tokens; returns how many milliseconds to wait until they are all available. */
  reserve(n: number): number {
    this.refill(Date.now());
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
}

/** Two generations of buckets: a new generation starts when the current one is full. */
class BucketsByValue {
  private old = new Map<string, TokenBucket>();
  private current = new Map<string, TokenBucket>();

  constructor(
    private readonly maxSize: number,
    private readonly create: () => TokenBucket,
    private readonly onRollover: () => void,
  ) {}

  get(key: string): TokenBucket {
    let b = this.current.get(key);
    if (b) return b;
    b = this.old.get(key) ?? this.create();
    this.current.set(key, b);
    if (this.current.size >= this.maxSize) {
      this.old = this.current;
      this.current = new Map();
      this.onRollover();
    }
    return b;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const limitStage = defineStage({
  name: 'stage.limit',
  schema: Config,
  build(c, ctx): Stage {
    const dropped = ctx.dropped(DROP_REASON);
    if (c.by_label_name !== '') {
      const byLabel = ctx.counter('loki_process_dropped_lines_by_label_total', 'A count of all log lines dropped as a result of a pipeline stage', ['label_name', 'label_value']);
      const buckets = new BucketsByValue(Math.max(c.max_distinct_labels, MIN_DISTINCT_LABELS), () => new TokenBucket(c.rate, c.burst), () => byLabel.reset());
      return filterEntries((e: Entry) => {
        const value = e.labels[c.by_label_name];
        if (value === undefined || buckets.get(value).allow()) return true;
        dropped.inc();
        byLabel.inc({ label_name: c.by_label_name, label_value: value });
        return false;
      });
    }
    const bucket = new TokenBucket(c.rate, c.burst);
    if (c.drop) {
      return filterEntries(() => {
        if (bucket.allow()) return true;
        dropped.inc();
        return false;
      });
    }
    return {
      process(entries) {
        const wait = bucket.reserve(entries.length);
        return wait > 0 ? sleep(wait).then(() => entries) : entries;
      },
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  rate: 'Entries allowed per second.',
  burst: 'Entries allowed in a burst above the rate.',
  drop: 'Drop entries over the limit instead of waiting.',
  by_label_name: 'Apply a separate limit per value of this label.',
  max_distinct_labels: 'Most label values tracked with by_label_name.',
}, 'Limits the rate of entries, waiting or dropping.');
