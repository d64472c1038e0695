#!/usr/bin/env node
/**
 * Generates src/runtime/alloy-component-names.ts: the name, stability and
 * community flag of every component Grafana Alloy registers, read from
 * Alloy's Go source at one commit.
 *
 * Usage: node scripts/gen-alloy-components.mjs GIT_DIR [COMMIT]
 *   GIT_DIR  a clone of github.com/grafana/alloy (bare or not)
 *   COMMIT   default 66ebea856dffb242f921775e9552a133f60dc5c1, the snapshot
 *            ../shared/conformance was taken from
 *
 * What counts as registered: a `component.Register(component.Registration{`
 * call in a package under internal/component/ that internal/component/all
 * imports (the packages linked into the alloy binary; test components
 * elsewhere are not), in files built for linux/amd64. `Name:` is a string
 * literal or a constant of the same package.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_COMMIT = '66ebea856dffb242f921775e9552a133f60dc5c1';
const MODULE = 'github.com/grafana/alloy/';
const OUTPUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'runtime', 'alloy-component-names.ts');

const STABILITY = {
  StabilityGenerallyAvailable: 'generally-available',
  StabilityPublicPreview: 'public-preview',
  StabilityExperimental: 'experimental',
};

function git(gitDir, ...args) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
}

/** Directories (relative to the repository) that internal/component/all imports. */
function linkedPackages(gitDir, commit) {
  const files = git(gitDir, 'ls-tree', '--name-only', commit, 'internal/component/all/').split('\n');
  const dirs = new Set();
  for (const file of files.filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
    for (const m of git(gitDir, 'show', `${commit}:${file}`).matchAll(/"github\.com\/grafana\/alloy\/(internal\/component\/[^"]+)"/g)) {
      dirs.add(m[1]);
    }
  }
  return dirs;
}

/**
 * The platform judged: Alloy's linux/amd64 build (the image's). Files for
 * other platforms (build constraints, _GOOS/_GOARCH suffixes) register
 * placeholders, sometimes with another stability level.
 */
const BUILD_TAGS = new Set(['linux', 'amd64', 'unix', 'gc', 'cgo']);
const KNOWN_OS = ['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'linux', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows'];
const KNOWN_ARCH = ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mips64', 'mips64le', 'mipsle', 'ppc64', 'ppc64le', 'riscv64', 's390x', 'wasm'];

/** Whether a //go:build expression holds for BUILD_TAGS (Go's syntax: tags, !, &&, ||, parentheses). */
function buildConstraintHolds(expr) {
  if (!/^[\w.!&|() ]+$/.test(expr)) throw new Error(`unexpected build constraint ${expr}`);
  const js = expr.replace(/[\w.]+/g, (tag) => String(BUILD_TAGS.has(tag) || /^go1\.\d+$/.test(tag)));
  return Function(`return (${js});`)();
}

/** Whether the file is compiled for BUILD_TAGS, by its name suffix and //go:build line. */
function builtForPlatform(file, text) {
  // As go/build's goodOSArchFile: the part before the first `_` never counts.
  const parts = path.posix.basename(file, '.go').split('_').slice(1);
  const last = parts.at(-1);
  const beforeLast = parts.at(-2);
  if (KNOWN_ARCH.includes(last) && (last !== 'amd64' || (KNOWN_OS.includes(beforeLast) && beforeLast !== 'linux'))) return false;
  if (KNOWN_OS.includes(last) && last !== 'linux') return false;
  const constraint = /^\/\/go:build (.+)$/m.exec(text.slice(0, text.indexOf('\npackage ') + 1));
  return !constraint || buildConstraintHolds(constraint[1].trim());
}

/** Go source files (not tests) by package directory, under internal/component/. */
function sourcesByPackage(gitDir, commit) {
  const byDir = new Map();
  for (const file of git(gitDir, 'ls-tree', '-r', '--name-only', commit, 'internal/component/').split('\n')) {
    if (!file.endsWith('.go') || file.endsWith('_test.go')) continue;
    const dir = path.posix.dirname(file);
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir).push(file);
  }
  return byDir;
}

/** The text of a Go composite literal starting at `open` (the `{`), braces balanced. */
function literalAt(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error('unbalanced registration literal');
}

/** String constants of a package: `name = "..."` in const or var declarations. */
function stringConstants(sources) {
  const out = new Map();
  for (const text of sources) {
    for (const m of text.matchAll(/^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s*(?:string\s*)?=\s*"([^"]+)"/gm)) out.set(m[1], m[2]);
  }
  return out;
}

function registrations(gitDir, commit) {
  const linked = linkedPackages(gitDir, commit);
  const found = new Map();
  for (const [dir, files] of sourcesByPackage(gitDir, commit)) {
    if (!linked.has(dir)) continue;
    const sources = files.map((f) => [f, git(gitDir, 'show', `${commit}:${f}`)]).filter(([f, text]) => builtForPlatform(f, text)).map(([, text]) => text);
    const constants = stringConstants(sources);
    for (const text of sources) {
      for (const m of text.matchAll(/component\.Register\(component\.Registration\{/g)) {
        const body = literalAt(text, m.index + m[0].length - 1);
        const nameField = /\bName:\s*(?:"([^"]+)"|([A-Za-z_]\w*))/.exec(body);
        const name = nameField?.[1] ?? constants.get(nameField?.[2] ?? '');
        if (!name) throw new Error(`${dir}: cannot resolve the Name of a registration`);
        const community = /Community:\s*true/.test(body);
        // Community components have no stability level (featuregate.StabilityUndefined).
        const stability = community ? 'undefined' : STABILITY[/Stability:\s*featuregate\.(\w+)/.exec(body)?.[1]];
        if (!stability) throw new Error(`${name}: no known stability`);
        if (found.has(name)) throw new Error(`${name}: registered twice for linux/amd64`);
        found.set(name, { name, stability, community });
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function render(list, commit) {
  const lines = list.map((c) => `  [${JSON.stringify(c.name)}, ${c.community ? 'COMMUNITY' : `'${c.stability}'`}],`);
  return `// Generated by scripts/gen-alloy-components.mjs from grafana/alloy at ${commit}: do not edit.
// Every component Alloy registers (component.Register in the packages internal/component/all imports):
// [name, stability level, or COMMUNITY for community components (they have none)]. ${list.length} components.
import type { Stability } from './component.js';

export const ALLOY_COMPONENT_SOURCE_COMMIT = '${commit}';

export const COMMUNITY = 'community';

export const ALLOY_REGISTERED_COMPONENTS: ReadonlyArray<readonly [name: string, stability: Stability | typeof COMMUNITY]> = [
${lines.join('\n')}
];
`;
}

const [gitDir, commit = DEFAULT_COMMIT] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: node scripts/gen-alloy-components.mjs GIT_DIR [COMMIT]');
  process.exit(2);
}
const list = registrations(path.resolve(gitDir), commit);
writeFileSync(OUTPUT, render(list, commit));
console.log(`${path.relative(process.cwd(), OUTPUT)}: ${list.length} components from ${MODULE.slice(0, -1)}@${commit.slice(0, 8)}`);
