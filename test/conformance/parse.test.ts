/**
 * Parser conformance: `parse/index.json` (valid files, error files with exact
 * diagnostics, fuzz regressions) and `parse/expressions.json`, plus every
 * real-world config in ../shared/examples-real.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsMessage, type Diagnostic } from '../../src/lang/diag.js';
import { parseExpression, parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { conformanceDir, hasConformance, repoRoot } from '../cli/repo-paths.js';

interface ExpectedDiag {
  line: number;
  column: number;
  offset: number;
  message: string;
}
interface ParseIndex {
  valid: { file: string }[];
  errors: { file: string; expected_diagnostics: ExpectedDiag[] }[];
  fuzz: { file: string; expected_diagnostics: ExpectedDiag[] }[];
}
interface ExpressionsJson {
  valid: { cases: { name: string; expr: string }[] };
  invalid: { cases: { expr: string; expected_error: string }[] };
}

const parseDir = path.join(conformanceDir, 'parse');
const examplesDir = path.resolve(repoRoot, '..', 'shared', 'examples-real');
const hasExamples = existsSync(examplesDir);

const counts: Record<string, [number, number]> = {};
function record(group: string, ok: boolean): void {
  const c = (counts[group] ??= [0, 0]);
  c[1]++;
  if (ok) c[0]++;
}
afterAll(() => {
  for (const [group, [ok, total]] of Object.entries(counts)) console.log(`conformance ${group}: ${ok}/${total} passed`);
});

function parseBytes(name: string, file: string) {
  return parseFile(new SourceFile(name, readFileSync(file)));
}

const simplify = (ds: Diagnostic[]): ExpectedDiag[] =>
  ds.map((d) => ({ line: d.start.line, column: d.start.column, offset: d.start.offset, message: d.message }));

describe.skipIf(!hasConformance)('parse/index.json', () => {
  const index = hasConformance ? (JSON.parse(readFileSync(path.join(parseDir, 'index.json'), 'utf8')) as ParseIndex) : undefined;

  for (const c of index?.valid ?? []) {
    it(`valid: ${c.file}`, () => {
      const { diagnostics } = parseBytes(c.file, path.join(parseDir, c.file));
      record('parse/valid', diagnostics.length === 0);
      expect(simplify(diagnostics)).toEqual([]);
    });
  }
  for (const [group, cases] of [['errors', index?.errors ?? []], ['fuzz', index?.fuzz ?? []]] as const) {
    for (const c of cases) {
      it(`${group}: ${c.file}`, () => {
        const got = simplify(parseBytes(c.file, path.join(parseDir, c.file)).diagnostics);
        record(`parse/${group}`, JSON.stringify(got) === JSON.stringify(c.expected_diagnostics));
        expect(got).toEqual(c.expected_diagnostics);
      });
    }
  }
});

describe.skipIf(!hasConformance)('parse/expressions.json', () => {
  const data = hasConformance
    ? (JSON.parse(readFileSync(path.join(parseDir, 'expressions.json'), 'utf8')) as ExpressionsJson)
    : undefined;
  for (const c of data?.valid.cases ?? []) {
    it(`valid: ${c.name}`, () => {
      const { expr, diagnostics } = parseExpression(SourceFile.fromString('', c.expr));
      record('parse/expressions valid', diagnostics.length === 0 && expr !== undefined);
      expect(simplify(diagnostics)).toEqual([]);
      expect(expr).toBeDefined();
    });
  }
  for (const c of data?.invalid.cases ?? []) {
    it(`invalid: ${c.expr}`, () => {
      const { diagnostics } = parseExpression(SourceFile.fromString('', c.expr));
      const got = diagnostics.length ? diagnosticsMessage(diagnostics) : 'no error';
      record('parse/expressions invalid', got === c.expected_error);
      expect(got).toBe(c.expected_error);
    });
  }
});

describe.skipIf(!hasExamples)('examples-real', () => {
  const files = hasExamples ? readdirSync(examplesDir).filter((f) => f.endsWith('.alloy')).sort() : [];
  // scen-routing.alloy is truncated upstream (see the folder's README).
  const expectedErrors: Record<string, string[]> = { 'scen-routing.alloy': ['110:2: expected }, got EOF'] };
  for (const f of files) {
    it(f, () => {
      const got = parseBytes(f, path.join(examplesDir, f)).diagnostics.map(
        (d) => `${d.start.line}:${d.start.column}: ${d.message}`,
      );
      const want = expectedErrors[f] ?? [];
      record('examples-real', JSON.stringify(got) === JSON.stringify(want));
      expect(got).toEqual(want);
    });
  }
});

it.runIf(!hasConformance || !hasExamples)('reports skipped groups', () => {
  if (!hasConformance) console.log(`parse conformance skipped: ${conformanceDir} is absent`);
  if (!hasExamples) console.log(`examples-real skipped: ${examplesDir} is absent`);
});
