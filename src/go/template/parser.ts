/**
 * Go text/template's parser: the tree of text, actions and control
 * structures, with Go's parse-time checks (unknown functions, undefined
 * variables, misplaced end/else) (text/template/parse/parse.go).
 */
import { GoFloat, type GoValue } from '../fmt.js';
import { parseGoFloat, parseGoInt, parseGoUint, unquote } from '../strconv.js';
import { TemplateError } from './errors.js';
import { T, type Token } from './lexer.js';

// ---------------------------------------------------------------------------
// Tree

export type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  | { k: 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | undefined }
  | { k: 'template'; name: string; pipe: Pipe | undefined }
  | { k: 'break' | 'continue' };

export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Arg[][];
}

export type Arg =
  | { k: 'field'; idents: string[] }
  | { k: 'var'; name: string; idents: string[] }
  | { k: 'dot' }
  | { k: 'nil' }
  | { k: 'const'; value: GoValue }
  | { k: 'func'; name: string }
  | { k: 'pipe'; pipe: Pipe; idents: string[] };

// ---------------------------------------------------------------------------
// Parser

/** What the parser needs of a function map: which names are defined. */
export interface FunctionNames {
  has(name: string): boolean;
}

export class Parser {
  private i = 0;
  private readonly vars: string[][] = [['$']];
  readonly defines = new Map<string, Node[]>();

  constructor(
    private readonly toks: Token[],
    private readonly funcs: FunctionNames,
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
    const name = unquoteToken(nameTok);
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
    this.defines.set(unquoteToken(nameTok), list);
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
        return { k: 'const', value: unquoteToken(t) };
      case T.LParen:
        return { k: 'pipe', pipe: this.parsePipe(T.RParen), idents: [] };
      default:
        this.fail(`unexpected ${JSON.stringify(t.v)} in operand`);
    }
  }
}

/** Names the executor implements itself (short-circuiting and/or, and the comparisons). */
const BUILTIN_NAMES = new Set(['and', 'or', 'call']);

/** A string, raw string or character token's value (strconv.Unquote). */
function unquoteToken(t: Token): string {
  try {
    return unquote(t.v);
  } catch {
    throw new TemplateError(`template: invalid syntax: ${t.v}`);
  }
}

/** A number or character constant: an int when it is an integer literal that fits, else a float64. */
function parseNumber(t: Token): GoValue {
  if (t.t === T.Char) return unquoteToken(t).codePointAt(0)!;
  const text = t.v.replace(/_/g, '');
  if (text.endsWith('i')) throw new TemplateError(`template: complex numbers are not supported: ${t.v}`);
  const isFloatSyntax = /[.eEpP]/.test(text) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(text);
  const n = isFloatSyntax ? floatLiteral(text) : intLiteral(text);
  if (Number.isNaN(n)) throw new TemplateError(`template: bad number syntax: "${t.v}"`);
  return isFloatSyntax || !Number.isSafeInteger(n) ? new GoFloat(n) : n;
}

function intLiteral(text: string): number {
  const n = parseGoInt(text, 0) ?? parseGoUint(text, 0);
  return n === undefined ? NaN : Number(n);
}

function floatLiteral(text: string): number {
  const f = parseGoFloat(text);
  return f.ok ? f.value : NaN;
}
