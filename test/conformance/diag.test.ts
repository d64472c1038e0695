/**
 * Pretty diagnostics against Alloy's own output: `diag/printer_cases.json`
 * (upstream printer tests) and `diag/parse_pretty.json` (parse errors as
 * `alloy validate` prints them), plus our own cases in test/fixtures/diag.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsMessage, type Diagnostic, type DiagPos } from '../../src/lang/diag.js';
import { renderDiagnostics } from '../../src/lang/diag-printer.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { conformanceDir, fixturesDir, hasConformance } from '../cli/repo-paths.js';

interface PrinterCase {
  name: string;
  files: Record<string, string>;
  diagnostics: {
    severity: 'error' | 'warning';
    file: string;
    start: [number, number];
    end: [number, number] | null;
    message: string;
  }[];
  expected: string;
}

interface PrettyCase {
  file: string;
  filename_used: string;
  error_string: string;
  pretty: string;
}

const passed = new Map<string, { pass: number; total: number }>();

function count(group: string, ok: boolean): void {
  const entry = passed.get(group) ?? { pass: 0, total: 0 };
  entry.total++;
  if (ok) entry.pass++;
  passed.set(group, entry);
}

afterAll(() => {
  for (const [group, { pass, total }] of passed) console.log(`[diag] ${group}: ${pass}/${total} passed`);
});

function pos(file: string, lc: [number, number]): DiagPos {
  return { file, line: lc[0], column: lc[1], offset: -1 };
}

function toDiagnostic(d: PrinterCase['diagnostics'][number]): Diagnostic {
  const diag: Diagnostic = { severity: d.severity, message: d.message, start: pos(d.file, d.start) };
  if (d.end) diag.end = pos(d.file, d.end);
  return diag;
}

function loadPrinterCases(file: string): PrinterCase[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: PrinterCase[] }).cases;
}

function printerGroup(group: string, file: string): void {
  describe(group, () => {
    for (const c of loadPrinterCases(file)) {
      it(c.name, () => {
        const files = new Map(Object.entries(c.files));
        const out = renderDiagnostics(c.diagnostics.map(toDiagnostic), files, { contextBefore: 1, contextAfter: 1 });
        count(group, out === c.expected);
        expect(out).toBe(c.expected);
      });
    }
  });
}

printerGroup('own printer cases', path.join(fixturesDir, 'diag', 'printer_cases.json'));

describe.skipIf(!hasConformance)(`conformance (${hasConformance ? 'present' : 'skipped: ../shared/conformance not found'})`, () => {
  if (!hasConformance) return;
  printerGroup('printer_cases.json', path.join(conformanceDir, 'diag', 'printer_cases.json'));

  describe('parse_pretty.json', () => {
    const cases = (JSON.parse(readFileSync(path.join(conformanceDir, 'diag', 'parse_pretty.json'), 'utf8')) as {
      cases: PrettyCase[];
    }).cases;
    for (const c of cases) {
      it(c.file, () => {
        const bytes = readFileSync(path.join(conformanceDir, 'parse', c.file));
        const { diagnostics } = parseFile(new SourceFile(c.filename_used, bytes));
        const pretty = renderDiagnostics(diagnostics, new Map([[c.filename_used, bytes]]));
        const ok = pretty === c.pretty && diagnosticsMessage(diagnostics) === c.error_string;
        count('parse_pretty.json', ok);
        expect(diagnosticsMessage(diagnostics)).toBe(c.error_string);
        expect(pretty).toBe(c.pretty);
      });
    }
  });
});
