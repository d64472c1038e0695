/**
 * Go text/template: lexing and parsing (with Go's parse-time checks, e.g.
 * unknown functions and variables), and execution with Go's semantics for
 * the value model of go-fmt.ts: missing map keys are "no value" (printed as
 * `<no value>`, false in conditions), `{{- -}}` trims spaces, pipelines pass
 * the previous result as the last argument, `range` iterates slices, maps (in
 * key order) and integers, and functions are type-checked like Go's
 * reflection-based calls.
 *
 * Functions come from a FuncMap (see go-template-funcs.ts for the builtins
 * and Sprig's functions); a parsed Template is immutable and reusable.
 */
import { GoFloat, sprintValue, unescapeGoString, type GoValue } from '../fmt.js';

// ---------------------------------------------------------------------------
// Functions

/** How an argument is converted before a call, like reflect's assignability checks. */
export type ParamKind = 'string' | 'int' | 'float' | 'bool' | 'any' | 'value';

export interface GoFunc {
  readonly params: readonly ParamKind[];
  /** Kind of the variadic tail, if the function is variadic. */
  readonly variadic?: ParamKind;
  readonly fn: (...args: never[]) => GoValue;
}

export type FuncMap = ReadonlyMap<string, GoFunc>;

/** Declares a function for a FuncMap. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function goFunc(params: ParamKind[], fn: (...args: any[]) => GoValue, variadic?: ParamKind): GoFunc {
  return variadic ? { params, variadic, fn } : { params, fn };
}

export class TemplateError extends Error {}

// ---------------------------------------------------------------------------
// Lexer

const enum T {
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

interface Token {
  readonly t: T;
  readonly v: string;
  readonly pos: number;
}

const SPACE = /[ \t\r\n]/;

function lex(src: string): Token[] {
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

// ---------------------------------------------------------------------------
// AST

type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  | { k: 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  | { k: 'template'; name: string; pipe: Pipe | undefined }
  | { k: 'break' | 'continue' };

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Arg[][];
}

type Arg =
  | { k: 'field'; idents: string[] }
  | { k: 'var'; name: string; idents: string[] }
  | { k: 'dot' }
  | { k: 'nil' }
  | { k: 'const'; value: GoValue }
  | { k: 'func'; name: string }
  | { k: 'pipe'; pipe: Pipe; idents: string[] };

// ---------------------------------------------------------------------------
// Parser

class Parser {
  private i = 0;
  private readonly vars: string[][] = [['$']];
  readonly defines = new Map<string, Node[]>();

  constructor(
    private readonly toks: Token[],
    private readonly funcs: FuncMap,
  ) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    return this.toks[this.i++]!;
  }

  /** Next token that is not a space. */
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.t === T.Space) t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  private fail(msg: string): never {
    throw new TemplateError(`template: ${msg}`);
  }

  parseTop(): Node[] {
    const list: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === T.EOF) return list;
      if (t.t === T.Left && this.isKeyword('define')) {
        this.parseDefine();
        continue;
      }
      const [node, end] = this.parseItem();
      if (end) this.fail(`unexpected {{${end}}}`);
      if (node) list.push(node);
    }
  }

  private isKeyword(word: string): boolean {
    const save = this.i;
    this.next();
    const t = this.nextNonSpace();
    this.i = save;
    return t.t === T.Ident && t.v === word;
  }

  /** One text or action node; or the terminating keyword (end/else) found instead. */
  private parseItem(): [Node | undefined, string | undefined] {
    const t = this.next();
    if (t.t === T.Text) return [{ k: 'text', text: t.v }, undefined];
    if (t.t !== T.Left) this.fail(`unexpected ${t.v}`);
    const kw = this.peekNonSpace();
    if (kw.t === T.Ident) {
      switch (kw.v) {
        case 'end':
          this.nextNonSpace();
          this.expectRight();
          return [undefined, 'end'];
        case 'else':
          this.nextNonSpace();
          return [undefined, 'else'];
        case 'if':
        case 'with':
        case 'range':
          this.nextNonSpace();
          return [this.parseControl(kw.v), undefined];
        case 'template':
        case 'block':
          this.nextNonSpace();
          return [this.parseTemplate(kw.v === 'block'), undefined];
        case 'break':
        case 'continue':
          this.nextNonSpace();
          this.expectRight();
          return [{ k: kw.v }, undefined];
        case 'define':
          this.fail('unexpected define');
      }
    }
    return [{ k: 'action', pipe: this.parsePipe(T.Right) }, undefined];
  }

  private expectRight(): void {
    const t = this.nextNonSpace();
    if (t.t !== T.Right) this.fail(`unexpected ${JSON.stringify(t.v)} in action`);
  }

  private parseList(): [Node[], string] {
    const list: Node[] = [];
    for (;;) {
      if (this.peek().t === T.EOF) this.fail('unexpected EOF');
      const [node, end] = this.parseItem();
      if (end) return [list, end];
      list.push(node!);
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range'): Node {
    this.vars.push([]);
    const pipe = this.parsePipe(T.Right, kind === 'range');
    const [list, end] = this.parseList();
    let elseList: Node[] | undefined;
    if (end === 'else') elseList = this.parseElse(kind);
    this.vars.pop();
    return { k: kind, pipe, list, elseList };
  }

  /** After `{{else`: either `}}` and a list up to `{{end}}`, or `if …` / `with …` chaining. */
  private parseElse(kind: 'if' | 'with' | 'range'): Node[] {
    const t = this.peekNonSpace();
    if ((kind === 'if' || kind === 'with') && t.t === T.Ident && t.v === kind) {
      this.nextNonSpace();
      return [this.parseControl(kind)];
    }
    this.expectRight();
    const [list, end] = this.parseList();
    if (end !== 'end') this.fail('expected end; found {{else}}');
    return list;
  }

  private parseTemplate(isBlock: boolean): Node {
    const nameTok = this.nextNonSpace();
    if (nameTok.t !== T.String && nameTok.t !== T.RawString) this.fail('unexpected name in template clause');
    const name = unquote(nameTok);
    let pipe: Pipe | undefined;
    if (this.peekNonSpace().t !== T.Right) pipe = this.parsePipe(T.Right);
    else this.expectRight();
    if (isBlock) {
      const [list, end] = this.parseList();
      if (end !== 'end') this.fail('unexpected {{else}} in block');
      this.defines.set(name, list);
    }
    return { k: 'template', name, pipe };
  }

  private parseDefine(): void {
    this.next();
    this.nextNonSpace();
    const nameTok = this.nextNonSpace();
    if (nameTok.t !== T.String && nameTok.t !== T.RawString) this.fail('name of define must be a string');
    this.expectRight();
    const saved = this.vars.splice(0);
    this.vars.push(['$']);
    const [list, end] = this.parseList();
    this.vars.splice(0, this.vars.length, ...saved);
    if (end !== 'end') this.fail('unexpected {{else}} in define');
    this.defines.set(unquote(nameTok), list);
  }

  private parsePipe(end: T.Right | T.RParen, allowTwo = false): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [] };
    this.parseDecl(pipe, allowTwo);
    for (;;) {
      const t = this.peekNonSpace();
      if (t.t === end) {
        this.nextNonSpace();
        break;
      }
      pipe.cmds.push(this.parseCommand(end));
    }
    if (pipe.cmds.length === 0) this.fail('missing value for command');
    return pipe;
  }

  /** `$x :=`, `$x =`, `$i, $v :=` (range only). */
  private parseDecl(pipe: Pipe, allowTwo: boolean): void {
    const save = this.i;
    const first = this.nextNonSpace();
    if (first.t !== T.Variable) {
      this.i = save;
      return;
    }
    const names = [first.v];
    let op = this.nextNonSpace();
    if (op.t === T.Comma && allowTwo) {
      const second = this.nextNonSpace();
      if (second.t !== T.Variable) this.fail('range can only initialize variables');
      names.push(second.v);
      op = this.nextNonSpace();
    }
    if (op.t !== T.Declare && op.t !== T.Assign) {
      this.i = save;
      return;
    }
    pipe.decl = names;
    pipe.assign = op.t === T.Assign;
    if (op.t === T.Declare) this.vars[this.vars.length - 1]!.push(...names);
    else for (const n of names) this.checkVariable(n);
  }

  private checkVariable(name: string): void {
    if (!this.vars.some((scope) => scope.includes(name))) this.fail(`undefined variable "${name}"`);
  }

  private parseCommand(end: T.Right | T.RParen): Arg[] {
    const args: Arg[] = [];
    for (;;) {
      const t = this.peekNonSpace();
      if (t.t === end) break;
      if (t.t === T.Pipe) {
        this.nextNonSpace();
        if (args.length === 0) this.fail('missing command');
        break;
      }
      this.nextNonSpace();
      args.push(this.parseOperand(t));
    }
    if (args.length === 0) this.fail('empty command');
    return args;
  }

  private parseOperand(t: Token): Arg {
    const arg = this.parseTerm(t);
    const idents = this.fieldChain();
    if (idents.length === 0) return arg;
    if (arg.k === 'field' || arg.k === 'var' || arg.k === 'pipe') return { ...arg, idents: [...arg.idents, ...idents] };
    if (arg.k === 'dot') return { k: 'field', idents };
    this.fail(`unexpected . after term`);
  }

  /** `.a.b` directly after a term (no space). */
  private fieldChain(): string[] {
    const idents: string[] = [];
    while (this.peek().t === T.Field) idents.push(this.next().v.slice(1));
    return idents;
  }

  private parseTerm(t: Token): Arg {
    switch (t.t) {
      case T.Ident:
        if (!this.funcs.has(t.v) && !BUILTIN_NAMES.has(t.v)) this.fail(`function "${t.v}" not defined`);
        return { k: 'func', name: t.v };
      case T.Dot:
        return { k: 'dot' };
      case T.Nil:
        return { k: 'nil' };
      case T.Variable:
        this.checkVariable(t.v);
        return { k: 'var', name: t.v, idents: [] };
      case T.Field:
        return { k: 'field', idents: [t.v.slice(1)] };
      case T.Bool:
        return { k: 'const', value: t.v === 'true' };
      case T.Number:
      case T.Char:
        return { k: 'const', value: parseNumber(t) };
      case T.String:
      case T.RawString:
        return { k: 'const', value: unquote(t) };
      case T.LParen:
        return { k: 'pipe', pipe: this.parsePipe(T.RParen), idents: [] };
      default:
        this.fail(`unexpected ${JSON.stringify(t.v)} in operand`);
    }
  }
}

/** Names the executor implements itself (short-circuiting and/or, and the comparisons). */
const BUILTIN_NAMES = new Set(['and', 'or', 'call']);

function unquote(t: Token): string {
  if (t.t === T.RawString) return t.v.slice(1, -1).replace(/\r/g, '');
  try {
    return unescapeGoString(t.v.slice(1, -1));
  } catch {
    throw new TemplateError(`template: invalid syntax: ${t.v}`);
  }
}

function parseNumber(t: Token): GoValue {
  if (t.t === T.Char) return unquote({ ...t, t: T.String }).codePointAt(0)!;
  const text = t.v.replace(/_/g, '');
  if (text.endsWith('i')) throw new TemplateError(`template: complex numbers are not supported: ${t.v}`);
  const isFloatSyntax = /[.eEpP]/.test(text) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(text);
  const n = isFloatSyntax ? Number(text) : parseIntLiteral(text);
  if (Number.isNaN(n)) throw new TemplateError(`template: bad number syntax: "${t.v}"`);
  return isFloatSyntax || !Number.isSafeInteger(n) ? new GoFloat(n) : n;
}

function parseIntLiteral(text: string): number {
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (/^0\d/.test(body)) n = parseInt(body.slice(1), 8);
  else n = Number(body);
  return neg ? -n : n;
}

// ---------------------------------------------------------------------------
// Execution

/** Thrown inside range bodies for break/continue. */
class LoopControl {
  constructor(readonly kind: 'break' | 'continue') {}
}

/** Go's truth: non-zero numbers, non-empty strings, slices and maps, true. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

class Exec {
  private out = '';
  private vars: { name: string; value: GoValue }[] = [];
  private depth = 0;

  constructor(
    private readonly funcs: FuncMap,
    private readonly defines: ReadonlyMap<string, Node[]>,
  ) {}

  run(list: Node[], data: GoValue): string {
    this.vars = [{ name: '$', value: data }];
    this.walkList(list, data);
    return this.out;
  }

  private fail(msg: string): never {
    throw new TemplateError(`template: ${msg}`);
  }

  private walkList(list: Node[], dot: GoValue): void {
    for (const node of list) this.walk(node, dot);
  }

  private walk(node: Node, dot: GoValue): void {
    switch (node.k) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const v = this.evalPipe(node.pipe, dot);
        if (node.pipe.decl.length === 0) this.out += printable(v);
        return;
      }
      case 'if':
      case 'with':
        return this.walkIfOrWith(node, dot);
      case 'range':
        return this.walkRange(node, dot);
      case 'template':
        return this.walkTemplate(node.name, node.pipe ? this.evalPipe(node.pipe, dot) : undefined);
      case 'break':
      case 'continue':
        throw new LoopControl(node.k);
    }
  }

  private inScope(f: () => void): void {
    const mark = this.vars.length;
    try {
      f();
    } finally {
      this.vars.length = mark;
    }
  }

  private walkIfOrWith(node: Extract<Node, { k: 'if' | 'with' }>, dot: GoValue): void {
    this.inScope(() => {
      const v = this.evalPipe(node.pipe, dot);
      if (isTrue(v)) this.walkList(node.list, node.k === 'with' ? v : dot);
      else if (node.elseList) this.walkList(node.elseList, dot);
    });
  }

  private walkRange(node: Extract<Node, { k: 'range' }>, dot: GoValue): void {
    this.inScope(() => {
      const v = this.evalPipe(node.pipe, dot, true);
      const items = rangeItems(v, (m) => this.fail(m));
      if (items.length === 0) {
        if (node.elseList) this.walkList(node.elseList, dot);
        return;
      }
      const mark = this.vars.length;
      for (const [key, elem] of items) {
        this.vars.length = mark;
        if (node.pipe.decl.length === 1) this.vars.push({ name: node.pipe.decl[0]!, value: elem });
        else if (node.pipe.decl.length === 2) this.vars.push({ name: node.pipe.decl[0]!, value: key }, { name: node.pipe.decl[1]!, value: elem });
        try {
          this.walkList(node.list, elem);
        } catch (err) {
          if (!(err instanceof LoopControl)) throw err;
          if (err.kind === 'break') break;
        }
      }
    });
  }

  private walkTemplate(name: string, dot: GoValue): void {
    const list = this.defines.get(name);
    if (!list) this.fail(`no such template "${name}"`);
    if (++this.depth > 100000) this.fail('exceeded maximum template depth');
    const saved = this.vars;
    this.vars = [{ name: '$', value: dot }];
    try {
      this.walkList(list, dot);
    } finally {
      this.vars = saved;
      this.depth--;
    }
  }

  /** A pipeline's value; declarations/assignments bind it (range binds per element instead). */
  private evalPipe(pipe: Pipe, dot: GoValue, isRange = false): GoValue {
    let value: GoValue | typeof MISSING = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(cmd, dot, value);
    const result = value === MISSING ? undefined : value;
    if (!isRange || pipe.decl.length === 0) {
      for (const name of pipe.decl) {
        if (pipe.assign) this.setVar(name, result);
        else this.vars.push({ name, value: result });
      }
    }
    return result;
  }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  private evalCommand(cmd: Arg[], dot: GoValue, final: GoValue | typeof MISSING): GoValue {
    const first = cmd[0]!;
    if (first.k === 'func') return this.callFunction(first.name, cmd.slice(1), dot, final);
    if (cmd.length > 1 || final !== MISSING) {
      if (first.k === 'field' || first.k === 'var') {
        const name = first.idents[first.idents.length - 1] ?? first.k;
        this.fail(`${name} is not a method but has arguments`);
      }
      this.fail(`can't give argument to non-function ${describe(first)}`);
    }
    return this.evalArg(first, dot);
  }

  private evalArg(arg: Arg, dot: GoValue): GoValue {
    switch (arg.k) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'const':
        return arg.value;
      case 'field':
        return this.fieldChain(dot, arg.idents);
      case 'var':
        return this.fieldChain(this.varValue(arg.name), arg.idents);
      case 'pipe':
        return this.fieldChain(this.evalPipe(arg.pipe, dot), arg.idents);
      case 'func':
        return this.callFunction(arg.name, [], dot, MISSING);
    }
  }

  private fieldChain(receiver: GoValue, idents: string[]): GoValue {
    let v = receiver;
    for (const name of idents) v = this.field(v, name);
    return v;
  }

  private field(receiver: GoValue, name: string): GoValue {
    if (receiver === undefined) return undefined;
    if (receiver instanceof Map) return receiver.get(name);
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private callFunction(name: string, args: Arg[], dot: GoValue, final: GoValue | typeof MISSING): GoValue {
    if (name === 'and' || name === 'or') return this.andOr(name, args, dot, final);
    if (name === 'call') this.fail('error calling call: functions are not values in alloy-ts templates');
    const f = this.funcs.get(name)!;
    const values: GoValue[] = args.map((a) => this.evalArg(a, dot));
    const given = final === MISSING ? values : [...values, final];
    const kinds = args.map((a) => a.k);
    checkArity(name, f, given.length, args.length);
    const argv = given.map((v, i) => convertArg(v, paramKind(f, i), kinds[i], (m) => this.fail(m)));
    try {
      return f.fn(...(argv as never[]));
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }

  /** and/or evaluate arguments lazily and return the deciding one. */
  private andOr(name: 'and' | 'or', args: Arg[], dot: GoValue, final: GoValue | typeof MISSING): GoValue {
    const count = args.length + (final === MISSING ? 0 : 1);
    if (count < 1) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let v: GoValue = undefined;
    for (let i = 0; i < count; i++) {
      v = i < args.length ? this.evalArg(args[i]!, dot) : (final as GoValue);
      if (isTrue(v) === (name === 'or')) return v;
    }
    return v;
  }
}

const MISSING = Symbol('missing');

function paramKind(f: GoFunc, i: number): ParamKind {
  return i < f.params.length ? f.params[i]! : f.variadic!;
}

function checkArity(name: string, f: GoFunc, n: number, written: number): void {
  if (f.variadic !== undefined) {
    if (n < f.params.length) throw new TemplateError(`template: wrong number of args for ${name}: want at least ${f.params.length} got ${written}`);
  } else if (n !== f.params.length) {
    throw new TemplateError(`template: wrong number of args for ${name}: want ${f.params.length} got ${n}`);
  }
}

/** Go's argument checks: literals must fit the parameter, values must be assignable to it. */
function convertArg(v: GoValue, kind: ParamKind, written: Arg['k'] | undefined, fail: (m: string) => never): GoValue {
  if (kind === 'value') return v;
  if (v === undefined) {
    if (kind === 'any') return null;
    fail(`invalid value; expected ${goKindName(kind)}`);
  }
  if (kind === 'any') return v;
  const ok =
    (kind === 'string' && typeof v === 'string') ||
    (kind === 'int' && typeof v === 'number') ||
    (kind === 'float' && v instanceof GoFloat) ||
    (kind === 'bool' && typeof v === 'boolean');
  if (ok) return kind === 'float' ? (v as GoFloat).value : v;
  if (written === 'const') fail(`expected ${goKindName(kind)}; found ${sprintValue(v)}`);
  return fail(`wrong type for value; expected ${goKindName(kind)}; got ${typeName(v)}`);
}

function goKindName(kind: ParamKind): string {
  return kind === 'float' ? 'float64' : kind;
}

function typeName(v: GoValue): string {
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoFloat) return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Map) return 'map[string]interface {}';
  return 'interface {}';
}

function describe(a: Arg): string {
  if (a.k === 'const') return sprintValue(a.value);
  return a.k;
}

/** What `{{ x }}` prints: `<no value>` for a missing value, else fmt.Sprint. */
function printable(v: GoValue): string {
  if (v === undefined) return '<no value>';
  return sprintValue(v);
}

function rangeItems(v: GoValue, fail: (m: string) => never): [GoValue, GoValue][] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((e, i) => [i, e]);
  if (v instanceof Map) return [...v.keys()].sort().map((k) => [k, v.get(k)]);
  if (typeof v === 'number') return Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
  fail(`range can't iterate over ${sprintValue(v)}`);
}

// ---------------------------------------------------------------------------
// Public API

/** A parsed template. */
export class Template {
  private constructor(
    readonly source: string,
    private readonly root: Node[],
    private readonly defines: ReadonlyMap<string, Node[]>,
    private readonly funcs: FuncMap,
  ) {}

  /** Parses `source`; throws TemplateError with Go-like messages (unknown functions included). */
  static parse(source: string, funcs: FuncMap): Template {
    const parser = new Parser(lex(source), funcs);
    const root = parser.parseTop();
    return new Template(source, root, parser.defines, funcs);
  }

  /** Executes with `data` as dot; throws TemplateError on execution errors. */
  execute(data: GoValue): string {
    return new Exec(this.funcs, this.defines).run(this.root, data);
  }
}
