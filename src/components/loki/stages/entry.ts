/**
 * One log entry inside a loki.process pipeline, and Alloy's conversions of
 * extracted values.
 *
 * Entries of a batch share the batch's label object until a stage changes
 * labels (copy on write), and the extracted map is created on first use from
 * the labels the entry entered the pipeline with, so stages that only look
 * at lines or labels cost no per-entry allocation. Setting a label derives a
 * label set that is shared by every entry with the same base set and value
 * (see `derivedLabels`), so a stage.labels over a low-cardinality value does
 * not copy the labels per entry, and later regrouping compares by identity.
 */
import { formatFloat } from '../../../go/strconv.js';
import type { Labels, StructuredMetadata } from '../../common/log-entries.js';

/** Values of the extracted map: what JSON, regex and logfmt stages produce. */
export type Extracted = string | number | boolean | null;

/** How many label sets may be derived from one incoming label set (and those derived from it). */
const MAX_DERIVED_LABEL_SETS = 256;

interface Derivations {
  /** Shared by a root label set and every set derived from it, so a chain of setLabel calls stays bounded too. */
  readonly budget: { left: number };
  /** name → value → the base set with that label set. */
  readonly byName: Map<string, Map<string, Labels>>;
}

/**
 * Label sets derived by setting one label, per base set. Weakly held: the
 * derived sets live as long as the incoming batch's label object does.
 */
const derivedLabels = new WeakMap<Labels, Derivations>();

/** `base` with `name` set to `value`, shared with other entries; undefined once the budget is spent (high-cardinality values). */
function sharedWithLabel(base: Labels, name: string, value: string): Labels | undefined {
  let d = derivedLabels.get(base);
  if (!d) derivedLabels.set(base, (d = { budget: { left: MAX_DERIVED_LABEL_SETS }, byName: new Map() }));
  let byValue = d.byName.get(name);
  if (!byValue) d.byName.set(name, (byValue = new Map()));
  let derived = byValue.get(value);
  if (derived) return derived;
  if (d.budget.left <= 0) return undefined;
  d.budget.left--;
  derived = { ...base, [name]: value };
  byValue.set(value, derived);
  derivedLabels.set(derived, { budget: d.budget, byName: new Map() });
  return derived;
}

export class Entry {
  private ownLabels = false;
  private ownMetadata = false;
  private extractedMap: Map<string, Extracted> | undefined;

  constructor(
    /** Current labels; never mutate directly (use setLabel/deleteLabel). */
    public labels: Labels,
    public ms: number,
    public ns: number,
    public line: string,
    /** Current structured metadata; never mutate directly. */
    public metadata: StructuredMetadata | undefined,
    /** Labels the extracted map starts from (the entry's labels when it entered the pipeline). */
    private readonly initialLabels: Labels = labels,
  ) {}

  /** The extracted map, pre-filled with the initial labels. */
  get extracted(): Map<string, Extracted> {
    if (!this.extractedMap) {
      const m = new Map<string, Extracted>();
      for (const k in this.initialLabels) m.set(k, this.initialLabels[k]!);
      this.extractedMap = m;
    }
    return this.extractedMap;
  }

  /** Whether the extracted map was created (stages that only read can skip it). */
  get hasExtracted(): boolean {
    return this.extractedMap !== undefined;
  }

  /** Copies every current label into the extracted map (start of a nested pipeline). */
  copyLabelsToExtracted(): void {
    const m = this.extracted;
    for (const k in this.labels) m.set(k, this.labels[k]!);
  }

  setLabel(name: string, value: string): void {
    if (this.labels[name] === value) return;
    const shared = this.ownLabels ? undefined : sharedWithLabel(this.labels, name, value);
    if (shared) this.labels = shared;
    else this.writableLabels()[name] = value;
  }

  deleteLabel(name: string): void {
    if (!(name in this.labels)) return;
    delete this.writableLabels()[name];
  }

  private writableLabels(): Record<string, string> {
    if (!this.ownLabels) {
      this.labels = { ...this.labels };
      this.ownLabels = true;
    }
    return this.labels as Record<string, string>;
  }

  /** Sets one structured metadata pair (replacing a pair of the same name). */
  setMetadata(name: string, value: string): void {
    this.writableMetadata()[name] = value;
  }

  deleteMetadata(name: string): void {
    if (this.metadata && name in this.metadata) delete this.writableMetadata()[name];
  }

  private writableMetadata(): Record<string, string> {
    if (!this.ownMetadata) {
      this.metadata = { ...this.metadata };
      this.ownMetadata = true;
    }
    return this.metadata as Record<string, string>;
  }

  /** A copy with its own extracted map (multiline/CRI keep the first line's state). */
  clone(line: string): Entry {
    // Labels and metadata are now shared: both entries copy them before writing.
    this.ownLabels = false;
    this.ownMetadata = false;
    const e = new Entry(this.labels, this.ms, this.ns, line, this.metadata, this.initialLabels);
    if (this.extractedMap) e.extractedMap = new Map(this.extractedMap);
    return e;
  }
}

/**
 * Alloy's getString: strings as they are, numbers in shortest decimal form
 * without exponent, booleans as true/false; null (and anything else) does
 * not convert.
 */
export function extractedString(v: Extracted | undefined): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloat(v, 'f', -1);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return undefined;
  }
}

/** The string value of an extracted key, or undefined when absent or not convertible. */
export function extractedText(e: Entry, key: string): string | undefined {
  return extractedString(e.extracted.get(key));
}

/** Label names as Loki accepts them (legacy Prometheus names). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Label values must be valid UTF-8 (in JS terms: no lone surrogates). */
export function isValidLabelValue(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Shallow equality of two label sets. */
export function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
