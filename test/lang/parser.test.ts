/**
 * Parser tests: tree shapes and byte offsets, comment groups, the reference
 * parser's error messages and recovery, and the fixtures under
 * test/fixtures/parse (valid files and error files with exact diagnostics).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endPos, startPos, type BlockStmt, type Expr, type File, type Stmt } from '../../src/lang/ast.js';
import type { Diagnostic } from '../../src/lang/diag.js';
import { parseExpression, parseFile } from '../../src/lang/parser.js';
import { NO_POS, SourceFile } from '../../src/lang/position.js';
import { Tok, tokName } from '../../src/lang/token.js';
import { fixturesDir } from '../cli/repo-paths.js';

const parse = (text: string) => parseFile(SourceFile.fromString('test.alloy', text));
const messages = (ds: Diagnostic[]) => ds.map((d) => `${d.start.line}:${d.start.column}: ${d.message}`);

/** A compact S-expression of an expression tree: `(+ 1 (* 2 3))`, `(call f 1)`. */
function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'Ident': return e.name;
    case 'Literal': return e.value;
    case 'Array': return `[${e.elements.map(sexpr).join(' ')}]`;
    case 'Object': return `{${e.fields.map((f) => `${f.quoted ? JSON.stringify(f.name.name) : f.name.name}=${sexpr(f.value)}`).join(' ')}}`;
    case 'Access': return `(. ${sexpr(e.value)} ${e.name.name})`;
    case 'Index': return `(index ${sexpr(e.value)} ${sexpr(e.index)})`;
    case 'Call': return `(call ${[e.value, ...e.args].map(sexpr).join(' ')})`;
    case 'Unary': return `(${tokName(e.op)} ${sexpr(e.value)})`;
    case 'Binary': return `(${tokName(e.op)} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'Paren': return `(paren ${sexpr(e.inner)})`;
  }
}

function expr(text: string): string {
  const { expr: e, diagnostics } = parseExpression(SourceFile.fromString('', text));
  expect(messages(diagnostics)).toEqual([]);
  return sexpr(e!);
}

describe('expressions', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'],
    ['-2 ^ 2', '(^ (- 2) 2)'],
    ['!a || b && c', '(|| (! a) (&& b c))'],
    ['1 < 2 < 3', '(< (< 1 2) 3)'],
    ['a == b != c', '(!= (== a b) c)'],
    ['- - !x', '(- (- (! x)))'],
    ['a.b[0](1, 2,).c', '(. (call (index (. a b) 0) 1 2) c)'],
    ['(1 + 2) * 3', '(* (paren (+ 1 2)) 3)'],
    ['[]', '[]'],
    ['[1, [2], {}]', '[1 [2] {}]'],
    ['{a = 1, "b.c" = 2, `d` = 3,}', '{a=1 "b.c"=2 "d"=3}'],
    ['f()', '(call f)'],
    ['1 +\n 2', '(+ 1 2)'],
    ['[\n1,\n2,\n]', '[1 2]'],
    ['true || null', '(|| true null)'],
  ])('%s', (text, want) => {
    expect(expr(text)).toBe(want);
  });

  it('keeps literal text verbatim', () => {
    const { expr: e } = parseExpression(SourceFile.fromString('', '[1.5e3, "a\\tb", `raw`, 010, false]'));
    expect(e?.kind === 'Array' && e.elements.map((x) => (x.kind === 'Literal' ? [tokName(x.tok), x.value] : x.kind))).toEqual([
      ['FLOAT', '1.5e3'],
      ['STRING', '"a\\tb"'],
      ['STRING', '`raw`'],
      ['NUMBER', '010'],
      ['BOOL', 'false'],
    ]);
  });

  it('keeps quoted object keys unescaped (reference quirk) and `""` as is', () => {
    const { expr: e } = parseExpression(SourceFile.fromString('', '{"a\\tb" = 1, "" = 2}'));
    expect(e?.kind === 'Object' && e.fields.map((f) => [f.name.name, f.quoted])).toEqual([
      ['a\\tb', true],
      ['""', false],
    ]);
  });

  it('records byte offsets of every part', () => {
    // Offsets:        0123456789012345678901
    const text = 'é = f(x[1], -y.z) ^ 2';
    const { file, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    const attr = file.body[0]!;
    expect(attr.kind === 'Attribute' && attr.name).toEqual({ kind: 'Ident', name: 'é', pos: 0 });
    const value = (attr as { value: Expr }).value;
    expect(value.kind).toBe('Binary');
    if (value.kind !== 'Binary' || value.left.kind !== 'Call') throw new Error('unexpected shape');
    const call = value.left;
    expect([startPos(value), value.opPos, endPos(value)]).toEqual([5, 19, 21]);
    expect([call.lParen, call.rParen]).toEqual([6, 17]);
    const [index, neg] = call.args;
    expect(index?.kind === 'Index' && [index.lBrack, index.rBrack, endPos(index)]).toEqual([8, 10, 10]);
    expect(neg?.kind === 'Unary' && [neg.opPos, endPos(neg)]).toEqual([13, 16]);
  });

  it('reports what follows a complete expression', () => {
    const { expr: e, diagnostics } = parseExpression(SourceFile.fromString('', '1 2'));
    expect(e).toBeUndefined();
    expect(messages(diagnostics)).toEqual(['1:3: expected TERMINATOR, got NUMBER']);
  });
});

describe('statements', () => {
  it('parses blocks with dotted names, labels and nested bodies', () => {
    const { file, diagnostics } = parse('prometheus.exporter.redis "local" {\n  addr = "x"\n  inner {}\n}\nplain {\n}\n');
    expect(diagnostics).toEqual([]);
    const [outer, plain] = file.body as BlockStmt[];
    expect(outer).toMatchObject({ kind: 'Block', name: ['prometheus', 'exporter', 'redis'], label: 'local', namePos: 0, labelPos: 26, lCurly: 34 });
    expect(outer!.body.map((s) => s.kind)).toEqual(['Attribute', 'Block']);
    expect(outer!.rCurly).toBe(60);
    expect(plain).toMatchObject({ name: ['plain'], label: '', labelPos: NO_POS });
  });

  it('treats an empty label like no label but keeps its position', () => {
    const { file, diagnostics } = parse('b "" {}\n');
    expect(diagnostics).toEqual([]);
    expect(file.body[0]).toMatchObject({ label: '', labelPos: 2 });
  });

  it('accepts blank lines, comments and a missing final newline', () => {
    const { file, diagnostics } = parse('\n\n// c\na = 1\n\n\nb { }');
    expect(diagnostics).toEqual([]);
    expect(file.body.map((s: Stmt) => s.kind)).toEqual(['Attribute', 'Block']);
  });
});

describe('comment groups', () => {
  const groups = (f: File) => f.comments.map((g) => g.map((c) => c.text));

  it('groups adjacent comments and splits at blank lines and tokens', () => {
    const { file } = parse('// a\n// b\n\n// c\nx = 1 // d\n// e\n/* f\n*/ /* g */\ny = 2 /* h */\n');
    expect(groups(file)).toEqual([['// a', '// b'], ['// c'], ['// d', '// e', '/* f\n*/', '/* g */'], ['/* h */']]);
  });

  it('records offsets and drops CRs from the text', () => {
    const { file } = parse('a = 1 // x\r\n/* y\r\n*/\r\n');
    expect(file.comments).toEqual([[{ pos: 6, end: 11, text: '// x' }, { pos: 12, end: 20, text: '/* y\n*/' }]]);
  });
});

describe('errors', () => {
  it.each([
    ['a = 1 b = 2\n', ['1:7: expected TERMINATOR, got IDENT']],
    ['block\n{\n}\n', ['1:6: expected block label, got TERMINATOR']],
    ['a = [1\n]\n', ["1:7: missing ',' in expression list"]],
    ['a = {b = 1\n}\n', ["1:11: missing ',' in field list"]],
    ['a = 1 +\n', ['2:1: expected expression, got EOF']],
    ['a = + 1 + + 2\n', ['1:5: expected expression, got +']],
    ['x = foo "l" { }\n', ['1:5: cannot use a block as an expression']],
    ['x = foo "l" 5\n', ['1:13: expected {, got NUMBER']],
    ['b.c "l" = 1\n', ['1:1: attribute names may only consist of a single identifier with no "."']],
    ['a "l" = 1\n', ['1:3: attribute names may not have labels']],
    ['1 = 2\n', ['1:1: expected identifier, got NUMBER']],
    ['a.{}\n', ['1:3: expected identifier, got {']],
    ['a.5 {}\n', ['1:2: expected block label, got FLOAT']],
    ['a b {}\n', ['1:3: expected block label, got IDENT']],
    // The terminator is taken as the (bad) label, so the body error comes at EOF.
    ['a.b\n', ['1:4: expected block label, got TERMINATOR', '2:1: expected block body, got EOF']],
    ['a\n', ['1:2: expected block label, got TERMINATOR', '2:1: expected attribute assignment or block body, got EOF']],
    ['a = {]\n', ['1:6: expected }, got ]']],
    ['a = [1 2 3 4]\n', ["1:8: missing ',' in expression list"]],
    ['b {\n  x = 1\n', ['3:1: expected }, got EOF']],
    ['a = "x\\q" + \'y\'\n', ['1:8: unknown escape sequence', "1:13: illegal single-quoted string; use double quotes", '1:13: expected expression, got ILLEGAL']],
    ['a = 1 | 2 & 3\n', ['1:8: missing second | in ||', '1:12: missing second & in &&']],
    ['\u0000', ['1:1: illegal character NUL', '1:1: illegal character U+0000', '1:1: expected identifier, got ILLEGAL']],
  ])('%j', (text, want) => {
    expect(messages(parse(text).diagnostics)).toEqual(want);
  });

  it('keeps only the first parser error of a line but every lexical error', () => {
    expect(messages(parse('a = ) ) )\nb = # #\n').diagnostics)).toEqual([
      '1:5: expected expression, got )',
      "2:5: illegal character U+0023 '#'",
      '2:5: expected expression, got ILLEGAL',
      "2:7: illegal character U+0023 '#'",
    ]);
  });

  it('sets ranges where the reference does', () => {
    const [dotted] = parse('a.bc = 1\n').diagnostics;
    expect([dotted?.start.offset, dotted?.end?.offset]).toEqual([0, 3]);
    const [labelled] = parse('a "lbl" = 1\n').diagnostics;
    expect([labelled?.start.offset, labelled?.end?.offset]).toEqual([2, 6]);
    const [block] = parse('x = y.z { }\n').diagnostics;
    expect([block?.start.offset, block?.end?.offset, block?.message]).toEqual([4, 10, 'cannot use a block as an expression']);
  });

  it('names the file in diagnostics and always returns a tree', () => {
    const { file, diagnostics } = parseFile(SourceFile.fromString('main.alloy', 'a = 1\nb = (\nc = 3\n'));
    expect(diagnostics[0]?.start.file).toBe('main.alloy');
    expect(file.body.map((s) => (s.kind === 'Attribute' ? s.name.name : '?'))).toEqual(['a', 'b']);
  });

  it('survives absurd nesting with a diagnostic', () => {
    const deep = 'a = ' + '['.repeat(100_000) + '\n';
    const { diagnostics } = parse(deep);
    expect(diagnostics.length).toBeGreaterThan(0);
  });
});

describe('fixtures', () => {
  const dir = path.join(fixturesDir, 'parse');
  const validFiles = readdirSync(path.join(dir, 'valid')).filter((f) => f.endsWith('.alloy'));
  it.each(validFiles)('valid/%s parses cleanly and deterministically', (f) => {
    const bytes = readFileSync(path.join(dir, 'valid', f));
    const first = parseFile(new SourceFile(f, bytes));
    expect(messages(first.diagnostics)).toEqual([]);
    const again = parseFile(new SourceFile(f, bytes));
    expect(JSON.stringify(again.file.body)).toBe(JSON.stringify(first.file.body));
  });

  const expected = JSON.parse(readFileSync(path.join(dir, 'errors', 'index.json'), 'utf8')) as Record<string, unknown>;
  const errorFiles = Object.keys(expected).filter((k) => k.endsWith('.alloy'));
  it.each(errorFiles)('errors/%s reports exactly the expected diagnostics', (f) => {
    const { diagnostics } = parseFile(new SourceFile(f, readFileSync(path.join(dir, 'errors', f))));
    const got = diagnostics.map((d) => ({ line: d.start.line, column: d.start.column, offset: d.start.offset, message: d.message }));
    expect(got).toEqual(expected[f]);
  });

  it('valid/unicode.alloy keeps Unicode names and raw strings', () => {
    const { file } = parseFile(new SourceFile('u', readFileSync(path.join(dir, 'valid', 'unicode.alloy'))));
    const [decl, empty] = file.body as BlockStmt[];
    expect(decl).toMatchObject({ name: ['déclaration'], label: 'ŝtage' });
    expect(decl!.body.map((s) => (s.kind === 'Attribute' ? s.name.name : ''))).toEqual(['名前', 'a۰۱۸']);
    expect(empty!.body[0]).toMatchObject({ value: { kind: 'Literal', tok: Tok.STRING, value: '`multi\nline ${not_interpolated}`' } });
  });
});
