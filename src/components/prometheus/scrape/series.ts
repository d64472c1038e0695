/**
 * One target's series cache: turns scrape bodies into samples, as
 * Prometheus' scrape cache does.
 *
 * - Keyed by the raw series bytes (`name{labels}` as exposed), kept in a
 *   SeriesTable (parallel arrays, no object per series): a series seen
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
import { isValidLabelName } from '../../relabel/rules.js';
import { METRIC_NAME_LABEL, seriesLabelsOf, type MetricMetadata, type MetricType, type SampleBatchBuilder, type SeriesLabels } from '../../common/metric-samples.js';
import { SeriesTable } from './series-table.js';
import { ExpositionLines, type ExpositionParser, type ExpositionFormat } from './text-parser.js';

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

/** One scrape in progress (TargetSeries.begin). */
export interface ScrapeAppender {
  /** Parses the next chunk of the body (the caller may reuse it afterwards). */
  write(chunk: Buffer): void;
  /** The body is complete. */
  end(): ScrapeCounts;
  /** The scrape failed: releases what it collected. */
  abandon(): void;
}

/** The state of a scrape between the parts of its body. */
class ScrapeState {
  readonly metadata = new MetadataCollector();
  tracked = 0;
  scraped = 0;
  added = 0;
  appended = 0;
  /** The slot of the last sample's series: the next one is usually the slot after it (SeriesTable.find). */
  lastSlot = -1;

  constructor(
    readonly iteration: number,
    /** The series (slots) with a tracked sample in this scrape: current[0, tracked). */
    public current: Int32Array,
    readonly timestampMs: number,
    readonly out: SampleBatchBuilder,
  ) {}
}

/** A scrape that must be reported as failed (up = 0). */
export class ScrapeError extends Error {}

export class TargetSeries {
  private readonly table = new SeriesTable();
  /** Label strings of the cached series (see intern); rebuilt when series are dropped. */
  private strings = new Map<string, string>();
  /** Series with a tracked sample in the last successful scrape: previous[0, previousCount). */
  private previous: Int32Array = new Int32Array(16);
  private previousCount = 0;
  /**
   * The array before `previous`, filled again by the next scrape: two arrays
   * alternate, rather than a target-sized one being allocated per scrape.
   */
  private spare: Int32Array = new Int32Array(16);
  private iteration = 0;
  private metadata: ReadonlyMap<string, MetricMetadata> = new Map();

  private readonly targetPairs: [string, string][];
  private readonly targetNames: ReadonlySet<string>;

  constructor(
    private readonly targetLabels: SeriesLabels,
    private readonly options: SeriesOptions,
  ) {
    this.targetPairs = Object.entries(targetLabels);
    this.targetNames = new Set(Object.keys(targetLabels));
  }

  /** The families' metadata from the last successful scrape (the same object while it does not change). */
  get familyMetadata(): ReadonlyMap<string, MetricMetadata> {
    return this.metadata;
  }

  /** How many series the target exposed last time (to size the next batch). */
  get lastSize(): number {
    return this.previousCount;
  }

  /**
   * Starts a scrape whose body arrives in chunks: `write` each as it is
   * received (it is parsed at once, so no whole body is ever held), then
   * `end`, which appends the markers for series that went away and returns
   * the counts. A throw from either (a ScrapeError or a parse error), or a
   * fetch that fails part way, leaves the staleness state untouched: the
   * caller calls `abandon`, discards `out` and calls markAllStale.
   */
  begin(format: ExpositionFormat, timestampMs: number, out: SampleBatchBuilder): ScrapeAppender {
    const scrape = new ScrapeState(++this.iteration, this.spare, timestampMs, out);
    const lines = new ExpositionLines(format, (parser) => this.consume(parser, scrape));
    return {
      write: (chunk) => lines.write(chunk),
      end: () => {
        lines.end();
        return this.complete(scrape);
      },
      abandon: () => {
        this.spare = scrape.current; // stays the spare array
      },
    };
  }

  /** The samples of one part of the body: runs once per sample, so the state is kept in locals meanwhile. */
  private consume(parser: ExpositionParser, scrape: ScrapeState): void {
    const { iteration, out, timestampMs, metadata } = scrape;
    const { honorTimestamps, trackTimestampsStaleness } = this.options;
    const table = this.table;
    let { tracked, scraped, added, appended, current, lastSlot } = scrape;
    try {
      table.expectNext(parser, lastSlot + 1);
      while (parser.next()) {
        if (parser.kind !== 'sample') {
          metadata.record(parser);
          continue;
        }
        scraped++;
        let slot = parser.matchedExpected ? lastSlot + 1 : table.find(parser, lastSlot + 1);
        if (slot < 0) {
          slot = table.add(parser, this.seriesFor(parser));
          added++;
        }
        lastSlot = slot;
        table.expectNext(parser, slot + 1);
        if (table.seen[slot] === iteration) continue; // a duplicate: Prometheus rejects all but the first
        table.seen[slot] = iteration;
        appended++;
        const own = parser.timestampMs;
        const hasOwn = own === own; // not NaN
        out.add(table.labels[slot]!, parser.value, hasOwn && honorTimestamps ? own : timestampMs);
        if (!hasOwn || !honorTimestamps || trackTimestampsStaleness) {
          if (tracked === current.length) current = grownSlots(current, table.size);
          current[tracked++] = slot;
        }
      }
    } finally {
      scrape.current = current;
      scrape.tracked = tracked;
      scrape.scraped = scraped;
      scrape.added = added;
      scrape.appended = appended;
      scrape.lastSlot = lastSlot;
    }
  }

  /** After the last part: the sample limit, markers for series gone since the last scrape, and the new staleness state. */
  private complete(scrape: ScrapeState): ScrapeCounts {
    const { iteration, current, tracked, appended, timestampMs, out } = scrape;
    const limit = this.options.sampleLimit;
    if (limit > 0 && appended > limit) throw new ScrapeError(`sample limit exceeded (${appended} > ${limit})`);
    // Indexed loops: this runs once per series and scrape, and a for-of here
    // allocated an iterator result per element.
    const { previous, previousCount, table } = this;
    for (let i = 0; i < previousCount; i++) {
      const slot = previous[i]!;
      if (table.seen[slot] !== iteration) out.addStale(table.labels[slot]!, timestampMs);
    }
    this.spare = previous;
    this.previous = current;
    this.previousCount = tracked;
    this.metadata = scrape.metadata.result(this.metadata);
    this.dropUnseen(iteration, appended);
    return { scraped: scrape.scraped, appended, added: scrape.added };
  }

  /** Staleness markers for every series of the last successful scrape (failed scrape, target gone). */
  markAllStale(timestampMs: number, out: SampleBatchBuilder): void {
    const { previous, table } = this;
    for (let i = 0; i < this.previousCount; i++) out.addStale(table.labels[previous[i]!]!, timestampMs);
    this.previousCount = 0;
  }

  /** A new series' labels: validated, strings interned, merged with the target's (allocating little: a large target has many). */
  private seriesFor(parser: ExpositionParser): SeriesLabels {
    const { name, labels } = parser.seriesLabels();
    const scheme = this.options.validation;
    if (!isValidLabelName(name, scheme)) throw new ScrapeError(`invalid metric name or label names: ${parser.seriesKey()}`);
    let conflicts = false;
    for (let i = 0; i < labels.length; i++) {
      const pair = labels[i]!;
      const n = pair[0];
      if (!isValidLabelName(n, scheme) || n === METRIC_NAME_LABEL) throw new ScrapeError(`invalid metric name or label names: ${parser.seriesKey()}`);
      if (this.targetNames.has(n)) conflicts = true;
      pair[0] = this.intern(n);
      pair[1] = this.intern(pair[1]);
    }
    labels.push([METRIC_NAME_LABEL, this.intern(name)]);
    if (conflicts) return seriesLabelsOf(withTargetLabels(labels, this.targetLabels, this.options.honorLabels));
    // Without a name in common, either way of honouring labels gives the union.
    for (let i = 0; i < this.targetPairs.length; i++) labels.push(this.targetPairs[i]!);
    return seriesLabelsOf(labels);
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

  /** Drops the series the last successful scrape did not have; the tracked ones are renumbered with them. */
  private dropUnseen(iteration: number, seenCount: number): void {
    if (this.table.size <= seenCount) return;
    this.strings = new Map(); // the kept series' strings are interned again as new series come
    const renumber = this.table.compact(iteration);
    const previous = this.previous;
    for (let i = 0; i < this.previousCount; i++) previous[i] = renumber[previous[i]!]!;
  }
}

/** A larger array of series slots, holding the first ones (sized for the table: a scrape tracks each series once). */
function grownSlots(slots: Int32Array, tableSize: number): Int32Array {
  const grown = new Int32Array(Math.max(tableSize, slots.length * 2));
  grown.set(slots);
  return grown;
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
