/**
 * From loki.source.file's targets to the files to tail (grafana/alloy
 * internal/component/loki/source/file/resolver.go): `__path__`
 * as written, or — with `file_match.enabled` — expanded like local.file_match
 * does (globPathTarget: doublestar glob minus `__path_exclude__`, absolute).
 * Labels are the target's public ones (no `__*`).
 */
import type { Labels } from '../../common/log-entries.js';
import { globPathTarget, nonReservedLabels, PATH_LABEL } from '../../common/targets.js';

export const FILENAME_LABEL = 'filename';

export interface ResolvedTarget {
  readonly path: string;
  /** The target's labels without `__*` ones. */
  readonly labels: Labels;
}

/** Every target as is: `__path__` names one file. */
export function resolveStatic(targets: readonly Labels[]): ResolvedTarget[] {
  return targets.map((t) => ({ path: t[PATH_LABEL] ?? '', labels: nonReservedLabels(t) }));
}

/** Every target's `__path__` expanded as a glob; failures are reported and skipped. */
export async function resolveGlobs(targets: readonly Labels[], onError: (err: Error) => void): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  for (const target of targets) {
    const labels = nonReservedLabels(target);
    try {
      for (const file of await globPathTarget(target)) out.push({ path: file, labels });
    } catch (err) {
      onError(err as Error);
    }
  }
  return out;
}
