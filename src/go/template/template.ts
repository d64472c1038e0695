/**
 * Go text/template (https://pkg.go.dev/text/template): a parsed Template is
 * immutable and reusable. Lexing, parsing and execution live in lexer.ts,
 * parser.ts and exec.ts; the builtin and Sprig functions in funcs.ts.
 */
import type { GoValue } from '../fmt.js';
import { Exec, type FuncMap } from './exec.js';
import { lex } from './lexer.js';
import { Parser, type Node } from './parser.js';

export { goFunc, isTrue, type FuncMap, type GoFunc, type ParamKind } from './exec.js';
export { TemplateError } from './errors.js';

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
