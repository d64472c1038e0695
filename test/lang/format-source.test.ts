/**
 * formatSource prints statements while the file is still being parsed; its
 * output and diagnostics must be exactly those of parseFile followed by
 * formatFileBytes, whatever the interleaving. Inputs: every .alloy file of
 * the conformance data and real examples (when ../shared is there), the
 * project's fmt fixtures, and a large file made of them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/lang/format-source.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { CommentsNotKnownYet, FileFormatter, formatFileBytes } from '../../src/lang/printer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = path.resolve(repoRoot, '..', 'shared');
const dirs = [
  ...['fmt', 'fmt-extra', 'diag', 'parse'].map((d) => path.join(shared, 'conformance', d)),
  path.join(shared, 'examples-real'),
  path.join(repoRoot, 'test', 'fixtures', 'fmt'),
];

function inputs(): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (const dir of dirs.filter((d) => existsSync(d))) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.alloy')) out.push([f, readFileSync(path.join(dir, f))]);
  }
  return out;
}

/** What `alloy-ts fmt` printed before interleaving: output, or the diagnostics. */
function reference(name: string, bytes: Buffer): { output?: string; diagnostics?: unknown } {
  const { file, diagnostics } = parseFile(new SourceFile(name, bytes));
  if (diagnostics.length > 0) return { diagnostics };
  return { output: formatFileBytes(file).toString('latin1') };
}

function interleaved(name: string, bytes: Buffer, lag?: number): { output?: string; diagnostics?: unknown } {
  const { output, diagnostics } = formatSource(new SourceFile(name, bytes), lag);
  if (diagnostics.length > 0) return { diagnostics };
  return { output: output!.toString('latin1') };
}

describe('formatSource', () => {
  const files = inputs();

  it('finds inputs', () => {
    expect(files.length).toBeGreaterThan(2); // the project's fixtures at least
  });

  it('gives the output and diagnostics of parseFile + formatFileBytes, with statements printed at once or late', () => {
    let printedWhileParsing = 0;
    let withDiagnostics = 0;
    for (const [name, bytes] of files) {
      const expected = reference(name, bytes);
      if (expected.diagnostics) withDiagnostics++;
      for (const lag of [0, 16, undefined]) {
        expect(interleaved(name, bytes, lag), `${name}, lag ${lag}`).toEqual(expected);
        if (lag === 0 && expected.output !== undefined && formatSource(new SourceFile(name, bytes), 0).interleaved) {
          printedWhileParsing++;
        }
      }
    }
    expect(printedWhileParsing).toBeGreaterThan(0);
    if (existsSync(shared)) expect(withDiagnostics).toBeGreaterThan(0);
  });

  it('prints a large file while parsing it, identically', () => {
    const one = Buffer.concat(files.filter(([, b]) => reference('x', b).output !== undefined).map(([, b]) => Buffer.concat([b, Buffer.from('\n\n')])));
    const big = Buffer.concat(Array.from({ length: Math.ceil(400_000 / one.length) }, () => one));
    const result = formatSource(new SourceFile('big.alloy', big));
    expect(result.interleaved).toBe(true);
    expect(result.output!.toString('latin1')).toBe(reference('big.alloy', big).output);
  });

  it('formats a file of comments only, or nothing', () => {
    for (const text of ['', '// only a comment\n', '/* a */\n\n// b']) {
      const bytes = Buffer.from(text);
      expect(interleaved('c.alloy', bytes, 0)).toEqual(reference('c.alloy', bytes));
    }
  });
});

describe('FileFormatter', () => {
  it('refuses to print past the comments known so far', () => {
    const source = SourceFile.fromString('t.alloy', 'a = 1 // one\nb = 2\n');
    const { file } = parseFile(source);
    const formatter = new FileFormatter(source, file.comments);
    formatter.commentsKnownUntil = 4; // `1` starts at offset 4
    expect(() => formatter.statement(file.body[0]!)).toThrow(CommentsNotKnownYet);
  });

  it('prints statement by statement what formatFileBytes prints', () => {
    const source = SourceFile.fromString('t.alloy', 'a = 1 // one\n\n\nb {\n  c = [1,\n 2]\n}\n// end\n');
    const { file } = parseFile(source);
    const formatter = new FileFormatter(source, file.comments);
    for (const stmt of file.body) formatter.statement(stmt);
    expect(formatter.finish().toString()).toBe(formatFileBytes(file).toString());
  });
});
