/**
 * Go text/template's lexer: splits a template into text and the tokens of
 * its actions, trimming spaces around `{{-` and `-}}` and dropping comments
 * (https://pkg.go.dev/text/template, text/template/parse/lex.go).
 */
import { TemplateError } from './errors.js';

export const enum T {
  Text,
  Left,
  Right,
  Space,
  Ident,
  Field,
  Variable,
  Dot,
  String,
  RawString,
  Char,
  Number,
  Bool,
  Nil,
  Pipe,
  LParen,
  RParen,
  Declare,
  Assign,
  Comma,
  EOF,
}

export interface Token {
  readonly t: T;
  readonly v: string;
  readonly pos: number;
}

const SPACE = /[ \t\r\n]/;

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? undefined : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ t: T.Text, v: text, pos: i });
      break;
    }
    const trimLeft = src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) out.push({ t: T.Text, v: text, pos: i });
    let p = open + (trimLeft ? 3 : 2);
    const comment = /^[ \t\r\n]*\/\*/.exec(src.slice(p));
    if (comment && (trimLeft || comment[0] === '/*')) {
      const end = src.indexOf('*/', p);
      if (end < 0) throw new TemplateError('template: unclosed comment');
      p = end + 2;
      const close = /^( -)?}}/.exec(src.slice(p)) ?? /^[ \t\r\n]+-}}/.exec(src.slice(p));
      if (!close) throw new TemplateError('template: comment ends before closing delimiter');
      trimNext = close[0].includes('-');
      i = p + close[0].length;
      continue;
    }
    out.push({ t: T.Left, v: '{{', pos: open });
    const r = lexAction(src, p, out);
    trimNext = r.trim;
    i = r.end;
  }
  out.push({ t: T.EOF, v: '', pos: src.length });
  return out;
}

function lexAction(src: string, start: number, out: Token[]): { end: number; trim: boolean } {
  let p = start;
  let parens = 0;
  for (;;) {
    if (p >= src.length) throw new TemplateError('template: unclosed action');
    const rest = src.slice(p, p + 4);
    if (parens === 0 && SPACE.test(src[p]!) && src[p + 1] === '-' && src.startsWith('}}', p + 2)) {
      out.push({ t: T.Right, v: '}}', pos: p });
      return { end: p + 4, trim: true };
    }
    if (rest.startsWith('}}')) {
      if (parens > 0) throw new TemplateError('template: unclosed left paren');
      out.push({ t: T.Right, v: '}}', pos: p });
      return { end: p + 2, trim: false };
    }
    const c = src[p]!;
    const tok = (t: T, len: number) => {
      out.push({ t, v: src.slice(p, p + len), pos: p });
      p += len;
    };
    if (SPACE.test(c)) {
      const m = /^[ \t\r\n]+/.exec(src.slice(p))!;
      tok(T.Space, m[0].length);
    } else if (c === '|') tok(T.Pipe, 1);
    else if (c === '(') {
      parens++;
      tok(T.LParen, 1);
    } else if (c === ')') {
      if (--parens < 0) throw new TemplateError(`template: unexpected right paren`);
      tok(T.RParen, 1);
    } else if (c === ',') tok(T.Comma, 1);
    else if (c === ':' && src[p + 1] === '=') tok(T.Declare, 2);
    else if (c === '=') tok(T.Assign, 1);
    else if (c === '"') tok(T.String, quotedLength(src, p, '"'));
    else if (c === '`') tok(T.RawString, rawLength(src, p));
    else if (c === "'") tok(T.Char, quotedLength(src, p, "'"));
    else if (c === '$') tok(T.Variable, /^\$[\p{L}\p{Nd}_]*/u.exec(src.slice(p))![0].length);
    else if (c === '.' && /^\.\d/.test(src.slice(p, p + 2))) tok(T.Number, numberLength(src, p));
    else if (c === '.') {
      const m = /^\.[\p{L}\p{Nd}_]*/u.exec(src.slice(p))!;
      tok(m[0].length === 1 ? T.Dot : T.Field, m[0].length);
    } else if (/[-+0-9]/.test(c)) tok(T.Number, numberLength(src, p));
    else if (/[\p{L}_]/u.test(c)) {
      const m = /^[\p{L}\p{Nd}_]+/u.exec(src.slice(p))!;
      const word = m[0];
      tok(word === 'true' || word === 'false' ? T.Bool : word === 'nil' ? T.Nil : T.Ident, word.length);
    } else throw new TemplateError(`template: unrecognized character in action: ${JSON.stringify(c)}`);
  }
}

function quotedLength(src: string, p: number, q: string): number {
  let i = p + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === q) return i + 1 - p;
    else if (c === '\n') break;
    else i++;
  }
  throw new TemplateError(q === '"' ? 'template: unterminated quoted string' : 'template: unterminated character constant');
}

function rawLength(src: string, p: number): number {
  const end = src.indexOf('`', p + 1);
  if (end < 0) throw new TemplateError('template: unterminated raw quoted string');
  return end + 1 - p;
}

function numberLength(src: string, p: number): number {
  const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?/.exec(src.slice(p))!;
  if (m[0] === '' || m[0] === '+' || m[0] === '-') throw new TemplateError(`template: bad number syntax: ${JSON.stringify(src.slice(p, p + 2))}`);
  return m[0].length;
}
