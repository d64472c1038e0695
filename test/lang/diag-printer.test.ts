import { describe, expect, it } from 'vitest';
import { diagnosticsMessage, formatDiagnostic, formatPos, type Diagnostic } from '../../src/lang/diag.js';
import { renderDiagnostics } from '../../src/lang/diag-printer.js';

function diag(line: number, column: number, end?: [number, number], file = 'f.alloy'): Diagnostic {
  const d: Diagnostic = { severity: 'error', message: 'boom', start: { file, line, column, offset: -1 } };
  if (end) d.end = { file, line: end[0], column: end[1], offset: -1 };
  return d;
}

function render(source: string | Uint8Array, d: Diagnostic, opts = {}): string {
  return renderDiagnostics([d], new Map([['f.alloy', source]]), opts);
}

describe('one-line forms (Go diag.go)', () => {
  it('formats positions with and without file names', () => {
    expect(formatPos({ file: 'a.alloy', line: 2, column: 3, offset: 9 })).toBe('a.alloy:2:3');
    expect(formatPos({ file: '', line: 2, column: 3, offset: 9 })).toBe('2:3');
    expect(formatPos({ file: 'a.alloy', line: 0, column: 0, offset: -1 })).toBe('a.alloy');
    expect(formatPos({ file: '', line: 0, column: 0, offset: -1 })).toBe('-');
    expect(formatPos(undefined)).toBe('-');
  });

  it('summarises lists like Diagnostics.Error()', () => {
    expect(diagnosticsMessage([])).toBe('no errors');
    expect(diagnosticsMessage([diag(1, 2)])).toBe('f.alloy:1:2: boom');
    expect(diagnosticsMessage([diag(1, 2), diag(3, 4), diag(5, 6)])).toBe('f.alloy:1:2: boom (and 2 more diagnostics)');
    expect(formatDiagnostic(diag(1, 2))).toBe('f.alloy:1:2: boom');
  });
});

describe('renderDiagnostics', () => {
  it('returns an empty string for no diagnostics', () => {
    expect(renderDiagnostics([], new Map())).toBe('');
  });

  it('colours headers only when asked', () => {
    const warn: Diagnostic = { ...diag(1, 1), severity: 'warning' };
    const out = renderDiagnostics([diag(1, 1), warn], new Map(), { color: true });
    expect(out).toBe(
      '\x1b[31;1mError: \x1b[0m\x1b[1mf.alloy:1:1: boom\n\x1b[0m\n' +
        '\x1b[33;1mWarning: \x1b[0m\x1b[1mf.alloy:1:1: boom\n\x1b[0m',
    );
  });

  it('drops CRs from the excerpt but keeps a caret column for them', () => {
    expect(render('ab\r\ncd\r\n', diag(1, 2, [1, 3]))).toBe('Error: f.alloy:1:2: boom\n\n1 | ab\n  |  ^^\n2 | cd\n');
  });

  it('steps one caret per UTF-8 character while columns count bytes', () => {
    // "é" is 2 bytes, so "x" is at byte column 4 but under the third character.
    expect(render('é=x', diag(1, 4))).toBe('Error: f.alloy:1:4: boom\n\n1 | é=x\n  |   ^\n');
  });

  it('shows invalid UTF-8 bytes as U+FFFD, one per byte', () => {
    const bytes = Uint8Array.from([0x61, 0xff, 0xfe, 0x62]);
    expect(render(bytes, diag(1, 4))).toBe('Error: f.alloy:1:4: boom\n\n1 | a\uFFFD\uFFFDb\n  |    ^\n');
  });

  it('honours the context line counts', () => {
    const src = 'l1\nl2\nl3\nl4\nl5';
    expect(render(src, diag(3, 1), { contextBefore: 0, contextAfter: 0 })).toBe(
      'Error: f.alloy:3:1: boom\n\n3 | l3\n  | ^\n',
    );
    expect(render(src, diag(3, 1), { contextBefore: 2, contextAfter: 5 })).toBe(
      'Error: f.alloy:3:1: boom\n\n1 | l1\n2 | l2\n3 | l3\n  | ^\n4 | l4\n5 | l5\n',
    );
  });

  it('draws multi-line ranges ending on the last line of the file', () => {
    expect(render('a {\n\tb\n}', diag(1, 3, [3, 1]))).toBe(
      'Error: f.alloy:1:3: boom\n\n1 |   a {\n  |  ___^\n2 | |     b\n3 | | }\n  | |_^\n',
    );
  });

  it('prints only the header when the range spans two files or has no position', () => {
    const cross: Diagnostic = { ...diag(1, 1), end: { file: 'g.alloy', line: 1, column: 2, offset: -1 } };
    expect(render('abc', cross)).toBe('Error: f.alloy:1:1: boom\n');
    expect(render('abc', diag(0, 0))).toBe('Error: f.alloy: boom\n');
  });

  it('shows the empty last line after a trailing newline as context', () => {
    expect(render('x = 1\n', diag(1, 5))).toBe('Error: f.alloy:1:5: boom\n\n1 | x = 1\n  |     ^\n2 | \n');
  });
});
