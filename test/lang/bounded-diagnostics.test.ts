/**
 * Reports stay bounded whatever the input (issue 15 item 1): a parse keeps
 * the first MAX_LISTED_DIAGNOSTICS diagnostics and counts the rest; every
 * printed form lists at most that many and ends with Go's
 * "(and N more diagnostics)"; excerpts of huge lines show a window around
 * the column.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_LISTED_DIAGNOSTICS,
  boundDiagnostics,
  diagnosticsMessage,
  formatDiagnosticLines,
  omittedDiagnostics,
  type Diagnostic,
} from '../../src/lang/diag.js';
import { renderDiagnostics } from '../../src/lang/diag-printer.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';

function diag(line: number, column: number, message = 'boom'): Diagnostic {
  return { severity: 'error', message, start: { file: 'f.alloy', line, column, offset: -1 } };
}

describe('a parse of garbage', () => {
  it('keeps the first 100 diagnostics of 100,000 NUL bytes and counts the rest', () => {
    const { diagnostics } = parseFile(new SourceFile('z.alloy', new Uint8Array(100_000)));
    expect(diagnostics).toHaveLength(MAX_LISTED_DIAGNOSTICS + 1);
    expect(diagnostics[0]!.message).toBe('illegal character NUL');
    expect(diagnostics.filter((d) => d.message === 'illegal character U+0000').length).toBeGreaterThan(40);
    // Two scanner errors per byte (as Alloy's scanner), plus the parser's one for the line.
    expect(diagnostics[MAX_LISTED_DIAGNOSTICS]!.omitted).toBe(2 * 100_000 + 1 - MAX_LISTED_DIAGNOSTICS);
  });

  it('keeps every diagnostic below the limit', () => {
    const { diagnostics } = parseFile(SourceFile.fromString('x.alloy', 'a = @\nb = @\n'));
    expect(diagnostics.every((d) => d.omitted === undefined)).toBe(true);
  });
});

describe('bounded report forms', () => {
  const many = [...Array.from({ length: 150 }, (_, i) => diag(i + 1, 1)), omittedDiagnostics(1000)];

  it('Diagnostics.Error(): the first one and the count of all others, counted ones included', () => {
    expect(diagnosticsMessage(many)).toBe('f.alloy:1:1: boom (and 1149 more diagnostics)');
    expect(diagnosticsMessage([omittedDiagnostics(3)])).toBe('(and 3 more diagnostics)');
  });

  it('the one-per-line form of fmt', () => {
    const lines = formatDiagnosticLines(many);
    expect(lines).toHaveLength(MAX_LISTED_DIAGNOSTICS + 1);
    expect(lines.at(-1)).toBe('(and 1050 more diagnostics)');
    expect(formatDiagnosticLines([diag(1, 2)])).toEqual(['f.alloy:1:2: boom']);
  });

  it('the pretty report', () => {
    const source = Array.from({ length: 150 }, (_, i) => `line${i + 1}`).join('\n');
    const out = renderDiagnostics(many, new Map([['f.alloy', source]]));
    expect(out.match(/^Error: /gm)).toHaveLength(MAX_LISTED_DIAGNOSTICS);
    expect(out.endsWith('\n100 | line100\n    | ^\n101 | line101\n\n(and 1050 more diagnostics)\n')).toBe(true);
  });

  it('boundDiagnostics sums the counted entries wherever they stand', () => {
    const { listed, more } = boundDiagnostics([omittedDiagnostics(5), diag(1, 1), omittedDiagnostics(7)], 10);
    expect([listed.length, more]).toEqual([1, 12]);
  });
});

describe('excerpts of huge lines', () => {
  it('show a window around the column, carets still under the right character', () => {
    const line = `${'x'.repeat(5000)}@${'y'.repeat(5000)}`;
    const out = renderDiagnostics([diag(1, 5001, 'bad')], new Map([['f.alloy', line]]));
    const [, , excerpt, carets] = out.split('\n');
    expect(excerpt).toBe(`1 | …${'x'.repeat(120)}@${'y'.repeat(119)}…`);
    expect(carets!.indexOf('^')).toBe(excerpt!.indexOf('@'));
    expect(out.length).toBeLessThan(1000);
  });

  it('never cut inside a UTF-8 sequence', () => {
    const line = `${'é'.repeat(3000)}@`;
    const out = renderDiagnostics([diag(1, 6001, 'bad')], new Map([['f.alloy', line]]));
    expect(out).not.toContain('\ufffd');
    expect(out).toContain('é@\n');
  });

  it('leave lines up to 1000 bytes whole, as Alloy prints them', () => {
    const line = `${'x'.repeat(999)}@`;
    const out = renderDiagnostics([diag(1, 1000, 'bad')], new Map([['f.alloy', line]]));
    expect(out).toContain(`1 | ${line}\n  | ${' '.repeat(999)}^\n`);
  });
});
