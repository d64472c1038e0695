/** Paths shared by tests: the repository root and the read-only conformance data. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const conformanceDir = path.resolve(repoRoot, '..', 'shared', 'conformance');
export const hasConformance = existsSync(conformanceDir);
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');

/**
 * Imports a module of src/ if its source file exists yet (modules written in
 * parallel by other people), else returns undefined so tests can skip.
 */
export async function importIfPresent<T>(srcRelative: string): Promise<T | undefined> {
  const file = path.join(repoRoot, 'src', srcRelative.replace(/\.js$/, '.ts'));
  if (!existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as T;
}
