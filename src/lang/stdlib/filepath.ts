/**
 * Go path/filepath Join and Clean for `file.path_join` (Unix separators;
 * Windows uses Node's win32 join as an approximation).
 */
import { posix, win32 } from 'node:path';

/** Go filepath.Clean on a slash-separated path. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const normalized = posix.normalize(p);
  // Go drops a trailing slash that Node keeps ("a/b/" → "a/b"), except for "/".
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** Go filepath.Join: empty elements are ignored; no elements (or all empty) give "". */
export function joinPath(parts: readonly string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  if (nonEmpty.length === 0) return '';
  if (process.platform === 'win32') return win32.join(...nonEmpty);
  return cleanPath(nonEmpty.join('/'));
}
