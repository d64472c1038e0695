#!/usr/bin/env node
/**
 * npm's `prepare` script: builds dist/ from src/ with tsc, unless dist/ is
 * already newer than every source. `npm install` runs it, and so does the
 * first `npx alloy-ts …` in the checkout (npm exec prepares the project it
 * runs from): without this check that was a second, silent ~40 s build.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What the build reads: the sources and the compiler settings. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** Written by every build (tsc emits all outputs each time). */
const OUTPUT = path.join(root, 'dist', 'cli', 'main.js');

function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time under `target` (a file or a directory tree). */
function newest(target) {
  const info = statSync(target, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

const built = mtimeMs(OUTPUT);
const sources = Math.max(...INPUTS.map((p) => newest(path.join(root, p))));
if (built !== undefined && built >= sources) {
  console.error('alloy-ts: dist/ is up to date with src/, not rebuilding (npm run build forces a build)');
  process.exit(0);
}
console.error(`alloy-ts: building dist/ from src/ with tsc (${built === undefined ? 'no dist/ yet' : 'src/ changed'}); this takes a while`);
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
