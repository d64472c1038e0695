/**
 * `json_path(json, path)`: JSONPath in the dialect of Go's ojg `jp` package,
 * which Alloy uses. A path may start with `$`, `@`, a bare name or `.`
 * (`.a`, `a.b`, `$..x`, `[0]`, `[-1]`, `['a','b']`, `[1:3]`, `[*]`,
 * `[?(@.name == "x")].value`). Filters support comparisons, `=~` with a
 * /regex/, `&&`, `||`, `!`, arithmetic and `length()`. JSON integers stay
 * ints (ojg keeps int64). Results are returned in document order; object
 * members are visited in sorted key order.
 */
import {
  NULL,
  arrayValue,
  boolValue,
  compareStrings,
  floatValue,
  intValue,
  numberAsFloat,
  stringValue,
  valuesEqual,
  type Value,
} from '../value.js';
import { parseJson } from './json.js';

/** Evaluates `path` against the JSON document `json`; no match gives []. */
export function jsonPath(json: string, path: string): Value {
  const expr = new PathParser(path).parsePath(true);
  const data = parseJson(json, { integers: true });
  return arrayValue(evalPath(expr, data, data));
}

// ---------------------------------------------------------------------------
// Path model

type Frag =
  | { kind: 'root' }
  | { kind: 'current' }
  | { kind: 'child'; names: string[] }
  | { kind: 'nth'; indexes: number[] }
  | { kind: 'wildcard' }
  | { kind: 'descent' }
  | { kind: 'slice'; start?: number; end?: number; step: number }
  | { kind: 'filter'; cond: Cond };

type Cond =
  | { kind: 'value'; value: Value }
  | { kind: 'path'; frags: Frag[] }
  | { kind: 'regex'; re: RegExp }
  | { kind: 'not'; arg: Cond }
  | { kind: 'length'; arg: Cond }
  | { kind: 'op'; op: string; left: Cond; right: Cond };

// ---------------------------------------------------------------------------
// Parsing

/** Characters that may appear in a bare child name (ojg tokenMap). */
function isTokenChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  if (c.charCodeAt(0) >= 0x80) return true;
  return /[A-Za-z0-9#%:;?^_{|}~]/.test(c);
}

const BINARY_OPS: [string, number][] = [
  ['||', 1], ['&&', 2], ['==', 3], ['!=', 3], ['<=', 3], ['>=', 3], ['=~', 3], ['<', 3], ['>', 3],
  ['+', 4], ['-', 4], ['*', 5], ['/', 5],
];

class PathParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  private fail(msg: string): never {
    throw new Error(`${msg} at ${this.pos + 1} in ${this.src}`);
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  /** A whole path; at top level it must consume the entire input. */
  parsePath(top: boolean): Frag[] {
    const frags: Frag[] = [];
    for (let first = true; ; first = false) {
      const f = this.nextFrag(first, frags[frags.length - 1]?.kind === 'descent');
      if (!f) break;
      frags.push(f);
    }
    if (top && this.pos < this.src.length) this.fail('parse error');
    return frags;
  }

  private nextFrag(first: boolean, afterDescent: boolean): Frag | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    if (c === '$' && first) return this.take({ kind: 'root' });
    if (c === '@' && first) return this.take({ kind: 'current' });
    if (c === '.') {
      this.pos++;
      return this.afterDot();
    }
    if (c === '*') return this.take({ kind: 'wildcard' });
    if (c === '[') {
      this.pos++;
      return this.bracket();
    }
    if (isTokenChar(c) && (first || afterDescent)) return { kind: 'child', names: [this.name()] };
    return undefined;
  }

  private take(f: Frag): Frag {
    this.pos++;
    return f;
  }

  private afterDot(): Frag {
    const c = this.peek();
    if (c === undefined) this.fail('not terminated');
    if (c === '*') return this.take({ kind: 'wildcard' });
    if (c === '.') return this.take({ kind: 'descent' });
    if (!isTokenChar(c)) this.fail(`an expression fragment can not start with a '${c}'`);
    return { kind: 'child', names: [this.name()] };
  }

  private name(): string {
    const start = this.pos;
    while (isTokenChar(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (this.peek() === ' ') this.pos++;
  }

  private expect(c: string, msg = 'not terminated'): void {
    this.skipSpace();
    if (this.peek() !== c) this.fail(msg);
    this.pos++;
  }

  private bracket(): Frag {
    this.skipSpace();
    const c = this.peek();
    if (c === undefined) this.fail('not terminated');
    if (c === '*') {
      this.pos++;
      this.expect(']');
      return { kind: 'wildcard' };
    }
    if (c === "'" || c === '"') return { kind: 'child', names: this.list(() => this.quoted()) };
    if (c === '?') {
      this.pos++;
      const cond = this.condition(0);
      this.expect(']');
      return { kind: 'filter', cond };
    }
    if (c === ':' || c === '-' || /[0-9]/.test(c)) return this.indexOrSlice();
    return this.fail('parse error');
  }

  /** Comma-separated items up to ']'. */
  private list<T>(item: () => T): T[] {
    const items = [item()];
    for (;;) {
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c === ']') return items;
      if (c !== ',') this.fail('invalid union syntax');
      this.skipSpace();
      items.push(item());
    }
  }

  private quoted(): string {
    const q = this.src[this.pos++]!;
    let out = '';
    for (;;) {
      const c = this.src[this.pos++];
      if (c === undefined || c === q) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.src[this.pos++];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };
      if (e !== undefined && simple[e] !== undefined) out += simple[e];
      else if (e === 'u' || e === 'U') {
        out += String.fromCharCode(parseInt(this.src.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else this.fail(`0x${(e ?? '').charCodeAt(0).toString(16)} (${e}) is not a valid escaped character`);
    }
  }

  private int(): number {
    const m = /^-?[0-9]+/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private indexOrSlice(): Frag {
    const start = this.peek() === ':' ? undefined : this.int();
    this.skipSpace();
    if (this.peek() === ':') return this.slice(start);
    const indexes = [start!];
    if (this.peek() === ',') {
      this.pos++;
      this.skipSpace();
      indexes.push(...this.list(() => this.int()));
      return { kind: 'nth', indexes };
    }
    this.expect(']', 'invalid bracket fragment');
    return { kind: 'nth', indexes };
  }

  private slice(start: number | undefined): Frag {
    this.pos++;
    const end = this.peek() === ':' || this.peek() === ']' ? undefined : this.int();
    let step = 1;
    if (this.peek() === ':') {
      this.pos++;
      if (this.peek() !== ']') step = this.int();
    }
    this.expect(']', 'invalid slice syntax');
    return { kind: 'slice', start, end, step };
  }

  // Filter conditions: precedence climbing over BINARY_OPS.

  private condition(minPrec: number): Cond {
    let left = this.operand();
    for (;;) {
      this.skipSpace();
      const op = BINARY_OPS.find(([o, p]) => p > minPrec && this.src.startsWith(o, this.pos));
      if (!op) return left;
      this.pos += op[0].length;
      left = { kind: 'op', op: op[0], left, right: this.condition(op[1]) };
    }
  }

  private operand(): Cond {
    this.skipSpace();
    const rest = this.src.slice(this.pos);
    const c = rest[0];
    if (c === '!' && rest[1] !== '=') {
      this.pos++;
      return { kind: 'not', arg: this.operand() };
    }
    if (c === '(') {
      this.pos++;
      const inner = this.condition(0);
      this.expect(')');
      return inner;
    }
    if (c === '@' || c === '$') return { kind: 'path', frags: this.parsePath(false) };
    if (c === "'" || c === '"') return { kind: 'value', value: stringValue(this.quoted()) };
    if (c === '/') return this.regex();
    if (rest.startsWith('length(')) {
      this.pos += 'length('.length;
      const arg = this.condition(0);
      this.expect(')');
      return { kind: 'length', arg };
    }
    const literal = /^(true|false|null|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)/.exec(rest);
    if (!literal) return this.fail('expected a value');
    this.pos += literal[0].length;
    return { kind: 'value', value: literalValue(literal[0]) };
  }

  private regex(): Cond {
    const start = ++this.pos;
    while (this.pos < this.src.length && this.src[this.pos] !== '/') this.pos += this.src[this.pos] === '\\' ? 2 : 1;
    const source = this.src.slice(start, this.pos);
    this.pos++;
    return { kind: 'regex', re: new RegExp(source) };
  }
}

function literalValue(text: string): Value {
  if (text === 'true' || text === 'false') return boolValue(text === 'true');
  if (text === 'null') return NULL;
  return /[.eE]/.test(text) ? floatValue(Number(text)) : intValue(BigInt(text));
}

// ---------------------------------------------------------------------------
// Evaluation

function evalPath(frags: Frag[], root: Value, current: Value): Value[] {
  let nodes: Value[] = [root];
  for (const f of frags) nodes = nodes.flatMap((n) => applyFrag(f, n, root, current));
  return nodes;
}

function children(v: Value): Value[] {
  if (v.type === 'array') return [...v.elements];
  if (v.type === 'object') return [...v.fields.keys()].sort(compareStrings).map((k) => v.fields.get(k)!);
  return [];
}

function descendants(v: Value): Value[] {
  return [v, ...children(v).flatMap(descendants)];
}

function applyFrag(f: Frag, v: Value, root: Value, current: Value): Value[] {
  switch (f.kind) {
    case 'root': return [root];
    case 'current': return [current];
    case 'wildcard': return children(v);
    case 'descent': return descendants(v);
    case 'child': return v.type === 'object' ? f.names.flatMap((n) => (v.fields.has(n) ? [v.fields.get(n)!] : [])) : [];
    case 'nth': return v.type === 'array' ? f.indexes.flatMap((i) => nth(v.elements, i)) : [];
    case 'slice': return v.type === 'array' ? sliceOf(v.elements, f) : [];
    case 'filter': return children(v).filter((c) => truthy(evalCond(f.cond, root, c)));
  }
}

function nth(elements: readonly Value[], i: number): Value[] {
  const idx = i < 0 ? elements.length + i : i;
  return idx >= 0 && idx < elements.length ? [elements[idx]!] : [];
}

function sliceOf(elements: readonly Value[], f: Frag & { kind: 'slice' }): Value[] {
  const n = elements.length;
  const norm = (i: number): number => (i < 0 ? Math.max(n + i, 0) : Math.min(i, n));
  const start = norm(f.start ?? 0);
  const end = norm(f.end ?? n);
  const out: Value[] = [];
  if (f.step > 0) for (let i = start; i < end; i += f.step) out.push(elements[i]!);
  else if (f.step < 0) for (let i = end - 1; i >= start; i += f.step) out.push(elements[i]!);
  return out;
}

/** A filter operand's value: a path yields its first match (undefined when none). */
function evalCond(c: Cond, root: Value, current: Value): Value | undefined {
  switch (c.kind) {
    case 'value': return c.value;
    case 'path': return evalPath(c.frags, root, current)[0];
    case 'regex': return undefined;
    case 'not': return boolValue(!truthy(evalCond(c.arg, root, current)));
    case 'length': return lengthOf(evalCond(c.arg, root, current));
    case 'op': return evalOp(c, root, current);
  }
}

function lengthOf(v: Value | undefined): Value | undefined {
  if (v?.type === 'string') return intValue([...v.value].length);
  if (v?.type === 'array') return intValue(v.elements.length);
  if (v?.type === 'object') return intValue(v.fields.size);
  return undefined;
}

function truthy(v: Value | undefined): boolean {
  return v?.type === 'bool' && v.value;
}

function evalOp(c: Cond & { kind: 'op' }, root: Value, current: Value): Value | undefined {
  const left = evalCond(c.left, root, current);
  if (c.op === '=~') return boolValue(left?.type === 'string' && c.right.kind === 'regex' && c.right.re.test(left.value));
  const right = evalCond(c.right, root, current);
  switch (c.op) {
    case '||': return boolValue(truthy(left) || truthy(right));
    case '&&': return boolValue(truthy(left) && truthy(right));
    case '==': return boolValue(left !== undefined && right !== undefined && valuesEqual(left, right));
    case '!=': return boolValue(!(left !== undefined && right !== undefined && valuesEqual(left, right)));
    case '<': case '<=': case '>': case '>=': return boolValue(ordered(left, c.op, right));
    default: return arithmetic(left, c.op, right);
  }
}

function ordered(a: Value | undefined, op: string, b: Value | undefined): boolean {
  let cmp: number;
  if (a?.type === 'number' && b?.type === 'number') cmp = numberAsFloat(a) - numberAsFloat(b);
  else if (a?.type === 'string' && b?.type === 'string') cmp = compareStrings(a.value, b.value);
  else return false;
  return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
}

function arithmetic(a: Value | undefined, op: string, b: Value | undefined): Value | undefined {
  if (a?.type !== 'number' || b?.type !== 'number') return undefined;
  const x = numberAsFloat(a);
  const y = numberAsFloat(b);
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
  return a.kind !== 'float' && b.kind !== 'float' && Number.isInteger(r) ? intValue(r) : floatValue(r);
}
