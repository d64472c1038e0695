/**
 * Go text/template's executor with Go's semantics for the value model of
 * ../fmt.ts: missing map keys are "no value" (printed as `<no value>`, false
 * in conditions), pipelines pass the previous result as the last argument,
 * `range` iterates slices, maps (in key order) and integers, and functions
 * are type-checked like Go's reflection-based calls
 * (text/template/exec.go, funcs.go).
 */
import { GoFloat, GoNamedString, GoUint, goTypeName, sortedKeys, sprintValue, type GoValue } from '../fmt.js';
import { TemplateError } from './errors.js';
import type { Arg, Node, Pipe } from './parser.js';

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
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  if (v instanceof GoUint) return v.value !== 0n;
  if (v instanceof GoNamedString) return v.value !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

export class Exec {
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

/** A value's type as Go's reflection errors name it (nil is an empty interface here). */
function typeName(v: GoValue): string {
  return v === null || v === undefined ? 'interface {}' : goTypeName(v);
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
  if (v instanceof Map) return sortedKeys(v).map((k) => [k, v.get(k)]);
  if (typeof v === 'number') return Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
  fail(`range can't iterate over ${sprintValue(v)}`);
}
