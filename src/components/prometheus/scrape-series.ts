/**
 * One target's series cache: turns scrape bodies into samples, as
 * Prometheus' scrape cache does.
 *
 * - Keyed by the raw series bytes (`name{labels}` as exposed): a series seen
 *   before costs a hash lookup and a byte comparison, no allocation; only a
 *   new series is fully parsed,
 *   validated, merged with the target's labels (honor_labels) and turned into
 *   a SeriesLabels object, which is then reused for every later sample.
 * - Staleness: a series that had a sample in the previous scrape and has
 *   none in this one gets a staleness marker at this scrape's timestamp;
 *   a failed scrape marks every series of the last successful one stale.
 *   Series exposed with their own timestamps are left out (unless
 *   track_timestamps_staleness), as Prometheus does.
 * - Entries not seen in a successful scrape are dropped, so the cache holds
 *   what the target exposes now.
 */
import { isValidLabelName } from '../common/relabel.js';
import { METRIC_NAME_LABEL, seriesLabelsOf, type MetricMetadata, type MetricType, type SampleBatchBuilder, type SeriesLabels } from '../common/metrics-model.js';
import { ExpositionParser, type ExpositionFormat } from '../common/prom-text.js';

export interface SeriesOptions {
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly trackTimestampsStaleness: boolean;
  /** 0 = unlimited. */
  readonly sampleLimit: number;
  readonly validation: 'legacy' | 'utf8';
}

export interface ScrapeCounts {
  /** Samples in the body. */
  readonly scraped: number;
  /** Samples appended (after duplicates). */
  readonly appended: number;
  /** Series seen for the first time. */
  readonly added: number;
}

interface Entry {
  /** The series bytes as exposed (latin1). */
  readonly key: string;
  readonly labels: SeriesLabels;
  /** The scrape iteration that last had a sample of this series. */
  seen: number;
  /** The next entry whose key has the same hash. */
  next: Entry | undefined;
}

/** A scrape that must be reported as failed (up = 0). */
export class ScrapeError extends Error {}

export class TargetSeries {
  /** Series hash → entries with that hash. */
  private readonly entries = new Map<number, Entry>();
  private entryCount = 0;
  /** Label strings of the cached series (see intern); rebuilt when series are dropped. */
  private strings = new Map<string, string>();
  /** Series with a tracked sample in the last successful scrape. */
  private previous: Entry[] = [];
  private iteration = 0;
  private metadata: ReadonlyMap<string, MetricMetadata> = new Map();

  constructor(
    private readonly targetLabels: SeriesLabels,
    private readonly options: SeriesOptions,
  ) {}

  /** The families' metadata from the last successful scrape (the same object while it does not change). */
  get familyMetadata(): ReadonlyMap<string, MetricMetadata> {
    return this.metadata;
  }

  /** How many series the target exposed last time (to size the next batch). */
  get lastSize(): number {
    return this.previous.length;
  }

  /**
   * Appends a scrape's samples (and markers for series that went away) to
   * `out`. Throws (a ScrapeError or a parse error) without touching the
   * staleness state; the caller then discards `out` and calls markAllStale.
   */
  appendScrape(body: Buffer, format: ExpositionFormat, timestampMs: number, out: SampleBatchBuilder): ScrapeCounts {
    const iteration = ++this.iteration;
    const parser = new ExpositionParser(body, format);
    const metadata = new MetadataCollector();
    const current = new Array<Entry>(this.previous.length);
    let tracked = 0;
    const { honorTimestamps, trackTimestampsStaleness } = this.options;
    let scraped = 0;
    let added = 0;
    let appended = 0;
    while (parser.next()) {
      if (parser.kind !== 'sample') {
        metadata.record(parser);
        continue;
      }
      scraped++;
      let entry = this.lookup(parser);
      if (entry === undefined) {
        entry = this.insert(parser);
        added++;
      }
      if (entry.seen === iteration) continue; // a duplicate: Prometheus rejects all but the first
      entry.seen = iteration;
      appended++;
      const own = parser.timestampMs;
      const hasOwn = own === own; // not NaN
      out.add(entry.labels, parser.value, hasOwn && honorTimestamps ? own : timestampMs);
      if (!hasOwn || !honorTimestamps || trackTimestampsStaleness) current[tracked++] = entry;
    }
    const limit = this.options.sampleLimit;
    if (limit > 0 && appended > limit) throw new ScrapeError(`sample limit exceeded (${appended} > ${limit})`);
    for (const entry of this.previous) if (entry.seen !== iteration) out.addStale(entry.labels, timestampMs);
    current.length = tracked;
    this.previous = current;
    this.metadata = metadata.result(this.metadata);
    this.dropUnseen(iteration, appended);
    return { scraped, appended, added };
  }

  /** Staleness markers for every series of the last successful scrape (failed scrape, target gone). */
  markAllStale(timestampMs: number, out: SampleBatchBuilder): void {
    for (const entry of this.previous) out.addStale(entry.labels, timestampMs);
    this.previous = [];
  }

  private seriesFor(parser: ExpositionParser): SeriesLabels {
    const { name, labels } = parser.seriesLabels();
    const scheme = this.options.validation;
    if (!isValidLabelName(name, scheme) || labels.some(([n]) => !isValidLabelName(n, scheme) || n === METRIC_NAME_LABEL)) {
      throw new ScrapeError(`invalid metric name or label names: ${parser.seriesKey()}`);
    }
    const pairs: [string, string][] = [[METRIC_NAME_LABEL, this.intern(name)]];
    for (const [n, v] of labels) pairs.push([this.intern(n), this.intern(v)]);
    return seriesLabelsOf(withTargetLabels(pairs, this.targetLabels, this.options.honorLabels));
  }

  /**
   * One string object per distinct name or value: the series of a family
   * share their metric name and most label values, so this divides the
   * memory of label strings many times over for large targets.
   */
  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  private lookup(parser: ExpositionParser): Entry | undefined {
    let entry = this.entries.get(parser.seriesHash);
    while (entry !== undefined && !parser.seriesEquals(entry.key)) entry = entry.next;
    return entry;
  }

  private insert(parser: ExpositionParser): Entry {
    const entry: Entry = { key: parser.seriesKey(), labels: this.seriesFor(parser), seen: 0, next: this.entries.get(parser.seriesHash) };
    this.entries.set(parser.seriesHash, entry);
    this.entryCount++;
    return entry;
  }

  private dropUnseen(iteration: number, seenCount: number): void {
    if (this.entryCount <= seenCount) return;
    this.strings = new Map(); // the kept series' strings are interned again as new series come
    for (const [hash, head] of this.entries) {
      let kept: Entry | undefined;
      for (let e: Entry | undefined = head; e !== undefined; ) {
        const next: Entry | undefined = e.next;
        if (e.seen === iteration) {
          e.next = kept;
          kept = e;
        } else this.entryCount--;
        e = next;
      }
      if (kept) this.entries.set(hash, kept);
      else this.entries.delete(hash);
    }
  }
}

/**
 * Attaches the target's labels to a scraped series. honor_labels keeps the
 * scraped value on a conflict; otherwise the target wins and the scraped
 * value moves to `exported_<name>` (prefixed again while that is taken,
 * shortest names first — Prometheus' resolveConflictingExposedLabels).
 */
export function withTargetLabels(scraped: readonly (readonly [string, string])[], target: SeriesLabels, honorLabels: boolean): [string, string][] {
  const labels = new Map<string, string>(scraped);
  if (honorLabels) {
    for (const [name, value] of Object.entries(target)) if (!labels.get(name)) labels.set(name, value);
    return [...labels];
  }
  const conflicts: [string, string][] = [];
  for (const [name, value] of Object.entries(target)) {
    const existing = labels.get(name);
    if (existing) conflicts.push([name, existing]);
    labels.set(name, value);
  }
  conflicts.sort((a, b) => a[0].length - b[0].length);
  for (const [name, value] of conflicts) {
    let exported = name;
    do exported = `exported_${exported}`;
    while (labels.get(exported));
    labels.set(exported, value);
  }
  return [...labels];
}

/** Report series (`up`, …) get exactly the target's labels. */
export function reportSeries(name: string, target: SeriesLabels): SeriesLabels {
  return seriesLabelsOf([[METRIC_NAME_LABEL, name], ...Object.entries(target)]);
}

const TYPE_NAMES: Record<string, MetricType> = { untyped: 'unknown' };

/** Collects TYPE / HELP / UNIT lines of one scrape into family metadata. */
class MetadataCollector {
  private readonly families = new Map<string, { type: MetricType; help: string; unit: string }>();

  record(parser: ExpositionParser): void {
    let m = this.families.get(parser.metaName);
    if (!m) this.families.set(parser.metaName, (m = { type: 'unknown', help: '', unit: '' }));
    if (parser.kind === 'type') m.type = TYPE_NAMES[parser.metaText] ?? (parser.metaText as MetricType);
    else if (parser.kind === 'help') m.help = parser.metaText;
    else if (parser.kind === 'unit') m.unit = parser.metaText;
  }

  /** This scrape's metadata, or `previous` itself when nothing changed. */
  result(previous: ReadonlyMap<string, MetricMetadata>): ReadonlyMap<string, MetricMetadata> {
    if (previous.size !== this.families.size) return this.families;
    for (const [family, m] of this.families) {
      const p = previous.get(family);
      if (!p || p.type !== m.type || p.help !== m.help || p.unit !== m.unit) return this.families;
    }
    return previous;
  }
}
