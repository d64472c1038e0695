/**
 * From loki.source.file's targets to the files to tail (spec §5): `__path__`
 * as written, or — with `file_match.enabled` — as a doublestar glob minus
 * `__path_exclude__` matches, made absolute. Labels are the target's public
 * ones (no `__*`).
 */
import path from 'node:path';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import type { Labels } from '../common/logs.js';

export const PATH_LABEL = '__path__';
export const PATH_EXCLUDE_LABEL = '__path_exclude__';
export const FILENAME_LABEL = 'filename';

export interface ResolvedTarget {
  readonly path: string;
  /** The target's labels without `__*` ones. */
  readonly labels: Labels;
}

/** A target's labels without the reserved `__*` ones. */
export function publicLabels(target: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of Object.keys(target)) if (!name.startsWith('__')) out[name] = target[name]!;
  return out;
}

/** Every target as is: `__path__` names one file. */
export function resolveStatic(targets: readonly Labels[]): ResolvedTarget[] {
  return targets.map((t) => ({ path: t[PATH_LABEL] ?? '', labels: publicLabels(t) }));
}

/** Every target's `__path__` expanded as a glob; failures are reported and skipped. */
export async function resolveGlobs(targets: readonly Labels[], onError: (err: Error) => void): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  for (const target of targets) {
    const labels = publicLabels(target);
    const exclude = target[PATH_EXCLUDE_LABEL] ? picomatch(target[PATH_EXCLUDE_LABEL], { dot: true }) : undefined;
    let matches: string[];
    try {
      matches = await glob(target[PATH_LABEL] ?? '', { absolute: true, dot: true, expandDirectories: false, followSymbolicLinks: true });
    } catch (err) {
      onError(err as Error);
      continue;
    }
    for (const match of matches.sort()) {
      if (exclude?.(match)) continue;
      out.push({ path: path.resolve(match), labels });
    }
  }
  return out;
}
