/**
 * The part of LogQL that stage.match accepts: a stream selector
 * (`{app="a", env=~"prod|dev"}`) followed by line filters (`|= "x"`,
 * `!= "x"`, `|~ "re"`, `!~ "re"`, `|> "<_> pattern"`, `!> …`, each with
 * optional `or` alternatives). Label matchers use Prometheus semantics
 * (regexps anchored as `^(?s:re)$`, a missing label is ""); line-filter
 * regexps are unanchored. Like Alloy's own LogQL subset (and unlike Loki's
 * query parser), a selector whose matchers all accept "" is allowed;
 * pattern filters, `or` and backquoted strings come from Loki's grammar.
 */
import { unescapeGoString } from '../../../go/strconv.js';
import { Re2Regexp } from '../../../go/regexp/regexp.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  matches(labelValue: string): boolean;
}

export interface LogSelector {
  readonly matchers: readonly LabelMatcher[];
  /** True when the line passes every line filter (undefined when there is none). */
  readonly lineFilter: ((line: string) => boolean) | undefined;
  /** Whether labels (missing ones read as "") and line both match. */
  matches(labels: Readonly<Record<string, string>>, line: string): boolean;
}

export class LogQLSyntaxError extends Error {}

type FilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** Parses a selector with optional line filters; throws LogQLSyntaxError. */
export function parseLogSelector(text: string): LogSelector {
  const p = new SelectorParser(text);
  const matchers = p.selector();
  const filters: ((line: string) => boolean)[] = [];
  while (!p.atEnd()) filters.push(p.lineFilter());
  const lineFilter = filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : (line: string) => filters.every((f) => f(line));
  return {
    matchers,
    lineFilter,
    matches(labels, line) {
      for (const m of matchers) if (!m.matches(labels[m.name] ?? '')) return false;
      return lineFilter === undefined || lineFilter(line);
    },
  };
}

function labelMatcher(name: string, op: MatchOp, value: string): LabelMatcher {
  let test: (v: string) => boolean;
  if (op === '=' || op === '!=') test = (v) => v === value;
  else {
    const re = compile(`^(?s:${value})$`);
    test = (v) => re.test(v);
  }
  const negate = op === '!=' || op === '!~';
  return { name, op, value, matches: negate ? (v) => !test(v) : test };
}

function compile(pattern: string): Re2Regexp {
  try {
    return Re2Regexp.compile(pattern);
  } catch (err) {
    throw new LogQLSyntaxError((err as Error).message);
  }
}

function lineFilterFor(op: FilterOp, values: string[]): (line: string) => boolean {
  let any: (line: string) => boolean;
  if (op === '|=' || op === '!=') any = (line) => values.some((v) => line.includes(v));
  else {
    const tests = values.map((v): ((line: string) => boolean) => {
      if (op === '|~' || op === '!~') {
        const re = compile(v);
        return (line) => re.test(line);
      }
      const p = parsePattern(v);
      return (line) => p.test(line);
    });
    any = (line) => tests.some((test) => test(line));
  }
  return op.startsWith('!') ? (line) => !any(line) : any;
}

// ---------------------------------------------------------------------------
// Loki patterns: `<_> - <user> [<_>] "<method> <path> <_>"`

/** A parsed pattern: literal texts and captures (`<name>`, or `<_>` which captures nothing). */
export interface LokiPattern {
  /** Names of the named captures, in order. */
  readonly names: readonly string[];
  /**
   * Loki's extraction: captures in order; a capture whose following literal
   * is missing takes the rest of the input and ends the match. Null when the
   * leading literal does not start the input.
   */
  matches(input: string): string[] | null;
  /** Loki's line filter test: every literal found in order, a trailing literal at the very end. */
  test(input: string): boolean;
}

type PatternPart = { literal: string } | { capture: string | undefined };

/** Parses a Loki pattern; throws LogQLSyntaxError like Loki's pattern parser. */
export function parsePattern(text: string): LokiPattern {
  const parts: PatternPart[] = [];
  const names: string[] = [];
  const re = /<([A-Za-z_][A-Za-z0-9_]*)>/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ literal: text.slice(last, m.index) });
    else if (parts.length > 0 && 'capture' in parts[parts.length - 1]!) throw new LogQLSyntaxError('found consecutive capture: invalid expression');
    const name = m[1] === '_' ? undefined : m[1]!;
    if (name !== undefined && names.includes(name)) throw new LogQLSyntaxError(`duplicate capture name (${name}): invalid expression`);
    if (name !== undefined) names.push(name);
    parts.push({ capture: name });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  if (!parts.some((p) => 'capture' in p)) throw new LogQLSyntaxError('at least one capture is required: invalid expression');
  return { names, matches: (input) => matchPattern(parts, input), test: (input) => testPattern(parts, input) };
}

function matchPattern(parts: readonly PatternPart[], input: string): string[] | null {
  if (input === '') return null;
  let i = 0;
  let rest = input;
  const first = parts[0]!;
  if ('literal' in first) {
    if (!rest.startsWith(first.literal)) return null;
    rest = rest.slice(first.literal.length);
    i = 1;
  }
  const out: string[] = [];
  while (i < parts.length) {
    const capture = (parts[i] as { capture: string | undefined }).capture;
    const next = parts[i + 1] as { literal: string } | undefined;
    if (!next) {
      if (capture !== undefined) out.push(rest);
      return out;
    }
    const at = rest.indexOf(next.literal);
    if (at < 0) {
      if (capture !== undefined) out.push(rest);
      return out;
    }
    if (capture !== undefined) out.push(rest.slice(0, at));
    rest = rest.slice(at + next.literal.length);
    i += 2;
  }
  return out;
}

function testPattern(parts: readonly PatternPart[], input: string): boolean {
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!('literal' in p)) continue;
    const at = i === 0 ? (input.startsWith(p.literal) ? 0 : -1) : input.indexOf(p.literal, pos);
    if (at < 0) return false;
    pos = at + p.literal.length;
    if (i === parts.length - 1 && pos !== input.length) return input.endsWith(p.literal) && input.length - p.literal.length >= at;
  }
  return true;
}

class SelectorParser {
  private i = 0;

  constructor(private readonly src: string) {}

  private fail(msg: string): never {
    throw new LogQLSyntaxError(`parse error at line 1, col ${this.i + 1}: ${msg}`);
  }

  private skipSpace(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i]!)) this.i++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.src.length;
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (!this.src.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) this.fail(`syntax error: unexpected ${this.describeNext()}, expecting ${token}`);
  }

  private describeNext(): string {
    this.skipSpace();
    return this.i >= this.src.length ? 'end of input' : JSON.stringify(this.src.slice(this.i, this.i + 10));
  }

  selector(): LabelMatcher[] {
    this.expect('{');
    const matchers: LabelMatcher[] = [];
    if (this.eat('}')) this.fail('syntax error: unexpected }');
    do matchers.push(this.matcher());
    while (this.eat(','));
    this.expect('}');
    return matchers;
  }

  private matcher(): LabelMatcher {
    this.skipSpace();
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.i))?.[0];
    if (!name) this.fail(`syntax error: unexpected ${this.describeNext()}, expecting IDENTIFIER`);
    this.i += name.length;
    const op = (['=~', '!~', '!=', '='] as const).find((o) => this.eat(o));
    if (!op) this.fail(`syntax error: unexpected ${this.describeNext()}, expecting = or =~ or != or !~`);
    return labelMatcher(name, op, this.string());
  }

  lineFilter(): (line: string) => boolean {
    const op = (['|=', '!=', '|~', '!~', '|>', '!>'] as const).find((o) => this.eat(o));
    if (!op) {
      if (this.eat('|')) this.fail('only line filters are supported after the stream selector');
      this.fail(`syntax error: unexpected ${this.describeNext()}`);
    }
    const values = [this.string()];
    while (this.eatWord('or')) values.push(this.string());
    return lineFilterFor(op, values);
  }

  private eatWord(word: string): boolean {
    this.skipSpace();
    const m = new RegExp(`^${word}(?![A-Za-z0-9_])`).exec(this.src.slice(this.i));
    if (!m) return false;
    this.i += word.length;
    return true;
  }

  /** A double-quoted (Go escapes) or backquoted string. */
  private string(): string {
    this.skipSpace();
    const rest = this.src.slice(this.i);
    const raw = /^`([^`]*)`/.exec(rest);
    if (raw) {
      this.i += raw[0].length;
      return raw[1]!;
    }
    const quoted = /^"((?:[^"\\\n]|\\.)*)"/.exec(rest);
    if (!quoted) this.fail(`syntax error: unexpected ${this.describeNext()}, expecting STRING`);
    this.i += quoted[0].length;
    try {
      return unescapeGoString(quoted[1]!);
    } catch {
      this.fail('invalid string escape');
    }
  }
}
