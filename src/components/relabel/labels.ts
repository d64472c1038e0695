/**
 * The label set a relabel run edits, with Prometheus' `labels.Builder`
 * semantics: an empty value is the same as no label (setting "" deletes),
 * iteration works on a snapshot (labels created while iterating are not
 * visited), original labels come first in sorted order, then changed or
 * added ones in the order they were set.
 */
import { compareStrings } from '../../lang/value.js';

export { goToLower, goToUpper } from '../../go/strings.js';

export type Labels = Readonly<Record<string, string>>;

/** Which label names a consumer accepts (Prometheus model/labels: legacy or UTF-8 validation). */
export type LabelNameScheme = 'utf8' | 'legacy';

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Prometheus' label name check: legacy `[a-zA-Z_][a-zA-Z0-9_]*`, or any non-empty valid UTF-8. */
export function isValidLabelName(name: string, scheme: LabelNameScheme): boolean {
  return scheme === 'legacy' ? LEGACY_NAME.test(name) : name !== '' && !LONE_SURROGATE.test(name);
}

export class LabelBuilder {
  /** The starting labels, sorted by name, without empty values. */
  private base: [string, string][] = [];
  private readonly added = new Map<string, string>();
  private readonly deleted = new Set<string>();

  reset(labels: Labels): this {
    this.base = Object.entries(labels).filter(([, v]) => v !== '');
    this.base.sort((a, b) => compareStrings(a[0], b[0]));
    this.added.clear();
    this.deleted.clear();
    return this;
  }

  get(name: string): string {
    const set = this.added.get(name);
    if (set !== undefined) return set;
    if (this.deleted.has(name)) return '';
    return this.baseValue(name) ?? '';
  }

  set(name: string, value: string): void {
    if (value === '') this.delete(name);
    else this.added.set(name, value);
  }

  delete(name: string): void {
    this.added.delete(name);
    this.deleted.add(name);
  }

  /** Calls `f` for every current label, over a snapshot taken first. */
  forEach(f: (name: string, value: string) => void): void {
    const added = [...this.added];
    const deleted = this.deleted.size > 0 ? new Set(this.deleted) : undefined;
    for (const [name, value] of this.base) {
      if (!deleted?.has(name) && !this.addedIn(added, name)) f(name, value);
    }
    for (const [name, value] of added) f(name, value);
  }

  /** The resulting labels, keys sorted by name. */
  labels(): Record<string, string> {
    const out: [string, string][] = [];
    for (const [name, value] of this.base) if (!this.deleted.has(name) && !this.added.has(name)) out.push([name, value]);
    out.push(...this.added);
    out.sort((a, b) => compareStrings(a[0], b[0]));
    return Object.fromEntries(out);
  }

  private addedIn(added: readonly [string, string][], name: string): boolean {
    return added.length > 0 && added.some(([n]) => n === name);
  }

  private baseValue(name: string): string | undefined {
    // Label sets are small: a linear scan beats building an index per run.
    for (const [n, v] of this.base) if (n === name) return v;
    return undefined;
  }
}
