// Builds the language benchmark corpus: every parseable file of
// ../shared/examples-real, each followed by a newline, repeated until the
// whole is about 3 MB (60 copies = 3.18 MB / 117,600 lines, the size the
// reference figure for Alloy's Go formatter was measured on).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.resolve(repoRoot, '..', 'shared', 'examples-real');
const fallbackDir = path.join(repoRoot, 'examples');
const NOT_PARSEABLE = new Set(['scen-routing.alloy']);

export function buildLangCorpus(copies = 60) {
  const dir = existsSync(examplesDir) ? examplesDir : fallbackDir;
  const files = readdirSync(dir).filter((f) => f.endsWith('.alloy') && !NOT_PARSEABLE.has(f)).sort();
  const one = files.map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/\n*$/, '\n')).join('\n');
  const text = Array.from({ length: copies }, () => one).join('\n');
  const out = path.join(repoRoot, '.bench');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'corpus.alloy');
  writeFileSync(file, text);
  return { file, bytes: Buffer.byteLength(text), lines: text.split('\n').length - 1, source: dir };
}
