/**
 * Loads Chevrotain from its single-file ESM bundle.
 *
 * The package's only export ("." → lib/src/api.js) pulls in hundreds of small
 * modules (lodash-es) and costs ~170 ms at every process start; the bundle the
 * package also ships (lib/chevrotain.mjs, same code) loads in under 10 ms. The
 * package entry is the fallback should the bundle ever go missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function loadChevrotain(): Promise<Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain');
    const bundle = path.resolve(path.dirname(entry), '..', 'chevrotain.mjs');
    if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    // fall back to the package entry below
  }
  return import('chevrotain');
}

export const chevrotain: Chevrotain = await loadChevrotain();
