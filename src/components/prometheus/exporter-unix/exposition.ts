/**
 * The metric families of one scrape of prometheus.exporter.unix, rendered in
 * the Prometheus text format (0.0.4) as node_exporter's client_golang
 * registry renders them: families sorted by name, each family's series sorted
 * by their label values in label-name order, label pairs sorted by name,
 * empty label values written out, numbers as Go's
 * strconv.FormatFloat(v, 'g', -1, 64).
 */
import { formatFloat } from '../../../go/strconv.js';

export type FamilyType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

interface Series {
  /** Label values in the family's sorted label-name order, for sorting. */
  readonly sortKey: string;
  readonly line: string;
}

/** One metric family: a name, a type, a help text and fixed label names. */
export class Family {
  readonly series: Series[] = [];
  /** Label names sorted, and where each caller-order label goes. */
  private readonly sortedNames: readonly string[];
  private readonly order: readonly number[];

  constructor(
    readonly name: string,
    readonly type: FamilyType,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    this.order = labelNames.map((_, i) => i).sort((a, b) => compare(labelNames[a]!, labelNames[b]!));
    this.sortedNames = this.order.map((i) => labelNames[i]!);
  }

  /** Adds one series; `labelValues` follow `labelNames`. An undefined value (a source that was not there) adds nothing. */
  add(value: number | undefined, ...labelValues: string[]): void {
    if (value === undefined) return;
    this.addSample(this.name, value, labelValues);
  }

  /** Adds a sample under a suffixed name (histogram/summary parts), with extra label pairs last. */
  addSample(sampleName: string, value: number, labelValues: readonly string[], extra?: readonly [string, string]): void {
    let labels = '';
    let sortKey = '';
    for (let k = 0; k < this.order.length; k++) {
      const v = labelValues[this.order[k]!] ?? '';
      labels += `${k === 0 ? '' : ','}${this.sortedNames[k]}="${escapeLabelValue(v)}"`;
      sortKey += `${v}\u0000`;
    }
    if (extra) labels += `${labels ? ',' : ''}${extra[0]}="${escapeLabelValue(extra[1])}"`;
    const line = labels ? `${sampleName}{${labels}} ${formatValue(value)}` : `${sampleName} ${formatValue(value)}`;
    this.series.push({ sortKey, line });
  }
}

/** Adds a series whose label names are its own (families whose series differ in labels, as power_supply_info). */
export function addLabelled(family: Family, value: number, pairs: readonly (readonly [string, string])[]): void {
  const sorted = [...pairs].sort((a, b) => compare(a[0], b[0]));
  const labels = sorted.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(',');
  family.series.push({ sortKey: sorted.map(([n, v]) => `${n}\u0001${v}`).join('\u0000'), line: `${family.name}{${labels}} ${formatValue(value)}` });
}

/** The families of one scrape, keyed by name. */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /**
   * The family `name`, created on first use. A second declaration with other
   * metadata keeps the first (client_golang would refuse the scrape; a
   * collector declares each of its families once).
   */
  family(name: string, type: FamilyType, help: string, labelNames: readonly string[] = []): Family {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = new Family(name, type, help, labelNames)));
    return f;
  }

  /** Shorthand for a family with one series and no labels. */
  single(name: string, type: FamilyType, help: string, value: number | undefined): void {
    if (value === undefined) return;
    this.family(name, type, help).add(value);
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  names(): string[] {
    return [...this.families.keys()];
  }

  render(): string {
    const out: string[] = [];
    for (const name of [...this.families.keys()].sort(compare)) {
      const f = this.families.get(name)!;
      if (f.series.length === 0) continue;
      out.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`);
      const series = f.series.length > 1 ? [...f.series].sort((a, b) => compare(a.sortKey, b.sortKey)) : f.series;
      for (const s of series) out.push(s.line);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

function escapeHelp(v: string): string {
  return /[\\\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : v;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64); small integers (the common case) take a shortcut. */
export function formatValue(v: number): string {
  if (Number.isInteger(v) && v > -1e6 && v < 1e6 && !Object.is(v, -0)) return String(v);
  return formatFloat(v, 'g', -1);
}
