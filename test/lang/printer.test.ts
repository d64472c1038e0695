import { describe, expect, it } from 'vitest';
import type { AttributeStmt, BlockStmt, Comment, Expr, File, Ident, ObjectField, Stmt } from '../../src/lang/ast.js';
import { NO_POS, SourceFile } from '../../src/lang/position.js';
import { formatFile, printExpr } from '../../src/lang/printer.js';
import { Tok } from '../../src/lang/token.js';

/**
 * Hand-built ASTs: `Src` hands out byte offsets of successive occurrences of
 * text in the source (ASCII sources only), so positions match a real parse.
 */
class Src {
  private cursor = 0;
  readonly file: SourceFile;
  constructor(readonly text: string) {
    this.file = SourceFile.fromString('test.alloy', text);
  }
  /** Offset of the next occurrence of `needle` after the previous one found. */
  at(needle: string): number {
    const i = this.text.indexOf(needle, this.cursor);
    if (i < 0) throw new Error(`${needle} not found after ${this.cursor}`);
    this.cursor = i + needle.length;
    return i;
  }
  ident(name: string): Ident {
    return { kind: 'Ident', name, pos: this.at(name) };
  }
  num(text: string): Expr {
    return { kind: 'Literal', tok: Tok.NUMBER, value: text, pos: this.at(text) };
  }
  str(text: string): Expr {
    return { kind: 'Literal', tok: Tok.STRING, value: text, pos: this.at(text) };
  }
  attr(name: string, value: (s: Src) => Expr): AttributeStmt {
    const n = this.ident(name);
    this.at('=');
    return { kind: 'Attribute', name: n, value: value(this) };
  }
  block(name: string, label: string, body: (s: Src) => Stmt[]): BlockStmt {
    const namePos = this.at(name);
    const labelPos = label ? this.at(`"${label}"`) : NO_POS;
    const lCurly = this.at('{');
    const stmts = body(this);
    return { kind: 'Block', name: name.split('.'), namePos, label, labelPos, body: stmts, lCurly, rCurly: this.at('}') };
  }
  object(fields: [string, (s: Src) => Expr][]): Expr {
    const lCurly = this.at('{');
    const fs: ObjectField[] = fields.map(([k, v]) => {
      const quoted = k.startsWith('"');
      const pos = this.at(k);
      const name: Ident = { kind: 'Ident', name: quoted ? k.slice(1, -1) : k, pos };
      this.at('=');
      return { name, quoted, value: v(this) };
    });
    return { kind: 'Object', fields: fs, lCurly, rCurly: this.at('}') };
  }
  array(elements: ((s: Src) => Expr)[]): Expr {
    const lBrack = this.at('[');
    const es = elements.map((e) => e(this));
    return { kind: 'Array', elements: es, lBrack, rBrack: this.at(']') };
  }
  comments(): Comment[][] {
    const groups: Comment[][] = [];
    const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
    // Like Alloy's parser: a group is a run of comments with only blanks and
    // at most one line break between them.
    let prevEnd = -1;
    for (const m of this.text.matchAll(re)) {
      const c: Comment = { pos: m.index, end: m.index + m[0].length, text: m[0] };
      const between = prevEnd < 0 ? 'x' : this.text.slice(prevEnd, c.pos);
      if (/^[ \t]*\n?[ \t]*$/.test(between)) groups[groups.length - 1]!.push(c);
      else groups.push([c]);
      prevEnd = c.end;
    }
    return groups;
  }
  fileOf(body: Stmt[]): File {
    return { kind: 'File', source: this.file, body, comments: this.comments() };
  }
}

function fmt(text: string, build: (s: Src) => Stmt[]): string {
  const s = new Src(text);
  return formatFile(s.fileOf(build(s)));
}

describe('formatFile on hand-built ASTs', () => {
  it('aligns attributes of a block', () => {
    const out = fmt('logging {\n  level = "debug"\n    format = "logfmt"\n}\n', (s) => [
      s.block('logging', '', (s) => [s.attr('level', (s) => s.str('"debug"')), s.attr('format', (s) => s.str('"logfmt"'))]),
    ]);
    expect(out).toBe('logging {\n\tlevel  = "debug"\n\tformat = "logfmt"\n}\n');
  });

  it('prints an empty block as `{ }` and re-quotes labels', () => {
    const out = fmt('a.b "x" {\n\n}\n', (s) => [s.block('a.b', 'x', () => [])]);
    expect(out).toBe('a.b "x" { }\n');
  });

  it('always puts a blank line before a block but not after it', () => {
    const out = fmt('x { }\ny { }\nz = 1\n', (s) => [
      s.block('x', '', () => []),
      s.block('y', '', () => []),
      s.attr('z', (s) => s.num('1')),
    ]);
    expect(out).toBe('x { }\n\ny { }\nz = 1\n');
  });

  it('collapses blank lines between attributes to one', () => {
    const out = fmt('b {\na = 1\n\n\n\nbb = 2\n}\n', (s) => [
      s.block('b', '', (s) => [s.attr('a', (s) => s.num('1')), s.attr('bb', (s) => s.num('2'))]),
    ]);
    expect(out).toBe('b {\n\ta = 1\n\n\tbb = 2\n}\n');
  });

  it('aligns trailing comments', () => {
    const out = fmt('b {\na = 1 // one\nbbb = 22 // two\n}\n', (s) => [
      s.block('b', '', (s) => [s.attr('a', (s) => s.num('1')), s.attr('bbb', (s) => s.num('22'))]),
    ]);
    expect(out).toBe('b {\n\ta   = 1  // one\n\tbbb = 22 // two\n}\n');
  });

  it('keeps leading and trailing comments of the file', () => {
    const out = fmt('// head\n\nb { }\n// tail\n', (s) => [s.block('b', '', () => [])]);
    expect(out).toBe('// head\n\nb { }\n// tail\n');
  });

  it('formats one-line objects without inner spaces and multi-line ones with a trailing comma', () => {
    const out = fmt('b {\no = { a = 1, bb = 2 }\np = {\n a = 1,\n  ccc = 2 \n}\n}\n', (s) => [
      s.block('b', '', (s) => [
        s.attr('o', (s) => s.object([['a', (s) => s.num('1')], ['bb', (s) => s.num('2')]])),
        s.attr('p', (s) => s.object([['a', (s) => s.num('1')], ['ccc', (s) => s.num('2')]])),
      ]),
    ]);
    expect(out).toBe('b {\n\to = {a = 1, bb = 2}\n\tp = {\n\t\ta   = 1,\n\t\tccc = 2,\n\t}\n}\n');
  });

  it('breaks arrays where the source breaks them', () => {
    const out = fmt('b {\nx = [1,2,\n3,\n]\n}\n', (s) => [
      s.block('b', '', (s) => [s.attr('x', (s) => s.array([(s) => s.num('1'), (s) => s.num('2'), (s) => s.num('3')]))]),
    ]);
    expect(out).toBe('b {\n\tx = [1, 2,\n\t\t3,\n\t]\n}\n');
  });

  it('re-quotes object keys with %q', () => {
    const out = fmt('b {\nx = {"a\\tb" = 1}\n}\n', (s) => [
      s.block('b', '', (s) => [s.attr('x', (s) => s.object([['"a\\tb"', (s) => s.num('1')]]))]),
    ]);
    expect(out).toBe('b {\n\tx = {"a\\\\tb" = 1}\n}\n');
  });
});

describe('upstream quirks', () => {
  // Upstream's walker adds the trailing comma whenever `)` is on another line
  // than the last argument, or than `(` when there are none. The `)` then
  // inherits the line of the `,` (the formfeed written before it is not
  // counted), so the comment below is two lines "later" and gets a blank line.
  it('`f(⏎)` prints as `f(,⏎)`', () => {
    const out = fmt('b {\n  x = f(\n  )\n  // c\n  y = 1\n}\n', (s) => [
      s.block('b', '', (s) => [
        s.attr('x', (s) => {
          const f = s.ident('f');
          return { kind: 'Call', value: f, lParen: s.at('('), args: [], rParen: s.at(')') };
        }),
        s.attr('y', (s) => s.num('1')),
      ]),
    ]);
    expect(out).toBe('b {\n\tx = f(,\n\t)\n\n\t// c\n\ty = 1\n}\n');
  });
});

describe('deep trees', () => {
  const N = 20000;

  it('walks long left-associative operator chains without recursion', () => {
    const text = Array(N).fill('1').join(' + ');
    let expr: Expr = { kind: 'Literal', tok: Tok.NUMBER, value: '1', pos: 0 };
    for (let i = 1; i < N; i++) {
      const right: Expr = { kind: 'Literal', tok: Tok.NUMBER, value: '1', pos: 4 * i };
      expr = { kind: 'Binary', op: Tok.ADD, opPos: 4 * i - 2, left: expr, right };
    }
    expect(printExpr(expr)).toBe(text);
  });

  it('walks long postfix and unary chains without recursion', () => {
    let expr: Expr = { kind: 'Ident', name: 'a', pos: 0 };
    for (let i = 0; i < N; i++) expr = { kind: 'Access', value: expr, name: { kind: 'Ident', name: 'b', pos: 2 + 2 * i } };
    expect(printExpr(expr)).toBe('a' + '.b'.repeat(N));
    let neg: Expr = { kind: 'Literal', tok: Tok.NUMBER, value: '1', pos: N };
    for (let i = N - 1; i >= 0; i--) neg = { kind: 'Unary', op: Tok.SUB, opPos: i, value: neg };
    expect(printExpr(neg)).toBe('-'.repeat(N) + '1');
  });
});

describe('printExpr', () => {
  it('prints binary expressions with single spaces', () => {
    const s = new Src('1+2*3');
    const one = s.num('1');
    const plus = s.at('+');
    const two = s.num('2');
    const times = s.at('*');
    const three = s.num('3');
    const e: Expr = {
      kind: 'Binary', op: Tok.ADD, opPos: plus, left: one,
      right: { kind: 'Binary', op: Tok.MUL, opPos: times, left: two, right: three },
    };
    expect(printExpr(e)).toBe('1 + 2 * 3');
  });

  it('prints objects compactly without a source', () => {
    const s = new Src('{\n  a = 1,\n}');
    const obj = s.object([['a', (s) => s.num('1')]]);
    expect(printExpr(obj)).toBe('{a = 1}');
    expect(printExpr(obj, s.file)).toBe('{\n\ta = 1,\n}');
  });

  it('prints access, index, call, unary and parens', () => {
    const s = new Src('f(-a.b[0], !(x))');
    const f = s.ident('f');
    const lParen = s.at('(');
    const minus = s.at('-');
    const a = s.ident('a');
    s.at('.');
    const b = s.ident('b');
    const lb = s.at('[');
    const zero = s.num('0');
    const rb = s.at(']');
    const not = s.at('!');
    const lp2 = s.at('(');
    const x = s.ident('x');
    const rp2 = s.at(')');
    const rParen = s.at(')');
    const e: Expr = {
      kind: 'Call', value: f, lParen, rParen,
      args: [
        { kind: 'Unary', op: Tok.SUB, opPos: minus, value: { kind: 'Index', value: { kind: 'Access', value: a, name: b }, lBrack: lb, index: zero, rBrack: rb } },
        { kind: 'Unary', op: Tok.NOT, opPos: not, value: { kind: 'Paren', lParen: lp2, inner: x, rParen: rp2 } },
      ],
    };
    expect(printExpr(e)).toBe('f(-a.b[0], !(x))');
  });
});
