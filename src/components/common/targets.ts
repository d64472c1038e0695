/**
 * Discovery targets (grafana/alloy internal/component/discovery/target.go): string → string maps passed between
 * components as `list(map(string))`. Labels starting with `__` are reserved:
 * they steer components (`__path__`, `__address__`) and never reach storage.
 * As in Alloy's target builder, a label whose value is "" does not exist.
 * Path targets (`__path__` globs) are expanded here for local.file_match and
 * loki.source.file.
 */
import path from 'node:path';
import type picomatchType from 'picomatch';
import { compareStrings } from '../../lang/value.js';

export { targetsType } from '../../lang/schema.js';

export type Target = Readonly<Record<string, string>>;

export const RESERVED_LABEL_PREFIX = '__';
/** A path target's file glob, and the glob of files to leave out. */
export const PATH_LABEL = '__path__';
export const PATH_EXCLUDE_LABEL = '__path_exclude__';

export function isReservedLabel(name: string): boolean {
  return name.startsWith(RESERVED_LABEL_PREFIX);
}

/** The target without reserved labels (Alloy's NonReservedLabelSet). */
export function nonReservedLabels(target: Target): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(target)) if (!isReservedLabel(name)) out[name] = target[name]!;
  return out;
}

/** A copy of `target` with `name` set ("" deletes it), empty labels left out, keys sorted. */
export function withLabel(target: Target, name: string, value: string): Record<string, string> {
  const entries = Object.entries(target).filter(([n, v]) => n !== name && v !== '');
  if (value !== '') entries.push([name, value]);
  entries.sort((a, b) => compareStrings(a[0], b[0]));
  return Object.fromEntries(entries);
}

/**
 * The absolute paths matching a path target's `__path__` glob and not its
 * `__path_exclude__` glob, sorted; directories included (callers stat).
 *
 * Globs are doublestar patterns (`**`, `{a,b}`, `*`, `?`, `[a-z]`, `[!a]`),
 * and `*` matches names starting with a dot, as in Go. tinyglobby walks the
 * directories (following symlinks, loops cut), picomatch tests exclusions:
 * the glob libraries Vite and friends rely on.
 */
export async function globPathTarget(target: Target, opts: { onlyFiles?: boolean } = {}): Promise<string[]> {
  const pattern = picomatchSyntax(target[PATH_LABEL] ?? '');
  if (pattern === '') return [];
  // Loaded on first use, so that `validate` and configs without globs never load them.
  const [{ glob }, { default: picomatch }] = await Promise.all([import('tinyglobby'), import('picomatch')]);
  const excluded = exclusionTest(picomatch, target[PATH_EXCLUDE_LABEL] ?? '');
  const matches = await glob(pattern, { absolute: true, dot: true, onlyFiles: opts.onlyFiles ?? false, expandDirectories: false });
  const out: string[] = [];
  for (const match of matches) {
    const file = match.length > 1 && match.endsWith('/') ? match.slice(0, -1) : match;
    if (!excluded(file)) out.push(file);
  }
  return out.sort();
}

/**
 * Tests a match against `__path_exclude__`. Go tests the path as its glob
 * returned it: absolute for an absolute pattern, relative to the working
 * directory otherwise.
 */
function exclusionTest(picomatch: typeof picomatchType, exclude: string): (file: string) => boolean {
  if (exclude === '') return () => false;
  const absolute = path.isAbsolute(exclude);
  const matches = picomatch(picomatchSyntax(absolute ? exclude : exclude.replace(/^\.\//, '')), { dot: true });
  return (file) => matches(absolute ? file : path.relative(process.cwd(), file));
}

/** Doublestar negates a class with `[!…]` as well as `[^…]`; picomatch only knows `[^…]`. */
function picomatchSyntax(pattern: string): string {
  return pattern.replace(/\\.|\[!/g, (m) => (m === '[!' ? '[^' : m));
}
