/**
 * Deterministic fuzzing of the scanner and parser: mutated real inputs
 * (conformance files, examples-real, our fixtures) and random bytes. Parsing
 * must never throw, must finish quickly, must report positions inside the
 * file, and must be deterministic; clean files must also format.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { File } from '../../src/lang/ast.js';
import type { Diagnostic } from '../../src/lang/diag.js';
import { parseExpression, parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { formatFile } from '../../src/lang/printer.js';
import { conformanceDir, fixturesDir, repoRoot } from '../cli/repo-paths.js';

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every .alloy file below `dir` (recursively), if it exists. */
function alloyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return alloyFiles(p);
    return name.endsWith('.alloy') ? [p] : [];
  });
}

const MAX_SEED_BYTES = 16_000;
const seedFiles = [
  ...alloyFiles(path.join(conformanceDir, 'parse')),
  ...alloyFiles(path.join(conformanceDir, 'fmt')),
  ...alloyFiles(path.resolve(repoRoot, '..', 'shared', 'examples-real')),
  ...alloyFiles(path.join(fixturesDir, 'parse')),
].sort();
const seeds = seedFiles.map((f) => readFileSync(f).subarray(0, MAX_SEED_BYTES));

/** Fragments worth inserting: tokens, half tokens, and bytes that stress the scanner. */
const FRAGMENTS = [
  '{', '}', '(', ')', '[', ']', ',', '.', '=', '==', '!', '-', '+', '^', '||', '|', '&', '"', '`', "'", '\\', '/*', '*/',
  '//', '\n', '\r\n', ' ', 'a', 'true', 'null', '1', '.5', '1e', '0x1', '"\\x', '"\\u12', 'block "l" {', 'x = ', '#',
  '\u00e9', '\uFEFF', '\u0000', '\u2026',
].map((s) => Buffer.from(s, 'utf8'));

function mutate(input: Buffer, rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  let out = input;
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(out.length + 1);
    switch (pick(6)) {
      case 0: // flip a byte
        if (out.length > 0) {
          out = Buffer.from(out);
          out[Math.min(at, out.length - 1)] = pick(256);
        }
        break;
      case 1: // insert a fragment
        out = Buffer.concat([out.subarray(0, at), FRAGMENTS[pick(FRAGMENTS.length)]!, out.subarray(at)]);
        break;
      case 2: // delete a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + pick(40))]);
        break;
      case 3: // truncate
        out = out.subarray(0, at);
        break;
      case 4: // duplicate a slice
        out = Buffer.concat([out.subarray(0, at), out.subarray(pick(out.length + 1), at), out.subarray(at)]);
        break;
      default: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256))), out.subarray(at)]);
    }
  }
  return out;
}

function randomBytes(rand: () => number): Buffer {
  const n = Math.floor(rand() * 200);
  // Half of them drawn from a small alphabet of syntax characters, so they get past the scanner.
  const alphabet = Buffer.from('ab1.{}[]()=,"` \n+-!|&/*^<>');
  const ascii = rand() < 0.5;
  return Buffer.from(Array.from({ length: n }, () => (ascii ? alphabet[Math.floor(rand() * alphabet.length)]! : Math.floor(rand() * 256))));
}

/** Positions must lie inside the file and agree with its line table. */
function checkPositions(source: SourceFile, diagnostics: Diagnostic[]): void {
  for (const [i, d] of diagnostics.entries()) {
    // Past the listing limit, one last entry stands for the rest, without a position.
    if (d.omitted !== undefined) {
      expect([i, d.omitted]).toEqual([diagnostics.length - 1, expect.any(Number)]);
      continue;
    }
    expect(d.start.offset).toBeGreaterThanOrEqual(0);
    expect(d.start.offset).toBeLessThanOrEqual(source.bytes.length);
    const p = source.position(d.start.offset)!;
    expect([d.start.line, d.start.column]).toEqual([p.line, p.column]);
    expect(d.message).not.toMatch(/^internal parser error/);
  }
}

const treeJson = (f: File) => JSON.stringify({ body: f.body, comments: f.comments });

describe('fuzz', () => {
  it(`parses ${seeds.length} seed files and their mutants without failing`, () => {
    const rand = prng(0xa110c);
    const inputs: Buffer[] = [];
    for (let i = 0; i < 2500; i++) {
      const seed = seeds.length > 0 ? seeds[i % seeds.length]! : Buffer.alloc(0);
      inputs.push(i < seeds.length ? seed : mutate(seed, rand));
    }
    for (let i = 0; i < 500; i++) inputs.push(randomBytes(rand));

    let clean = 0;
    let slowest = 0;
    for (const bytes of inputs) {
      const source = new SourceFile('fuzz.alloy', bytes);
      const started = performance.now();
      const { file, diagnostics } = parseFile(source);
      slowest = Math.max(slowest, performance.now() - started);
      checkPositions(source, diagnostics);
      if (diagnostics.length > 0) continue;
      clean++;
      expect(treeJson(parseFile(new SourceFile('fuzz.alloy', bytes)).file)).toBe(treeJson(file));
      expect(() => formatFile(file)).not.toThrow();
    }
    console.log(`fuzz: ${inputs.length} inputs, ${clean} without diagnostics, slowest parse ${slowest.toFixed(1)} ms`);
    expect(slowest).toBeLessThan(1000);
  });

  it('parses mutated expressions without failing', () => {
    const rand = prng(42);
    const exprs = ['a.b[0](1, -2) ^ 3', '{ a = [1, 2,], "k" = `v` }', '!(x || y) && z >= 1.5e3', 'f(\n1,\n)'];
    for (let i = 0; i < 1000; i++) {
      const bytes = mutate(Buffer.from(exprs[i % exprs.length]!), rand);
      const source = new SourceFile('', bytes);
      const { expr, diagnostics } = parseExpression(source);
      checkPositions(source, diagnostics);
      expect(expr === undefined).toBe(diagnostics.length > 0);
    }
  });
});
