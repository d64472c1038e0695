/**
 * stage.json: parses the line (or an extracted value) as a JSON object and
 * extracts JMESPath expressions (and, with `regex`, every top-level key whose
 * name matches). Plain field paths such as `a.b` skip the JMESPath
 * interpreter: they are looked up directly, with the same null results.
 */
import { compile, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { describeSchema, attr, optional, schema, t } from '../../../lang/schema.js';
import { compileRegexp, regexpText, sourceName } from './common.js';
import { extractedText, type Entry, type Extracted } from './entry.js';
import { defineStage, filterEntries, type StageContext } from './stage.js';

type Search = (data: JSONValue) => JSONValue;

const Config = schema(
  {
    expressions: optional(t.map(t.string)),
    regex: optional(regexpText),
    source: optional(sourceName),
    drop_malformed: attr(t.bool, false),
  },
  (c) => {
    if (Object.keys(c.expressions ?? {}).length === 0 && !c.regex) return 'JMES expression is required';
    for (const [name, expr] of Object.entries(c.expressions ?? {})) {
      try {
        compile(expr === '' ? name : expr);
      } catch (err) {
        return `could not compile JMES expression: ${(err as Error).message}`;
      }
    }
    return undefined;
  },
);

/** A compiled expression: a direct field path when possible, else the interpreter. */
function compileSearch(expr: string): Search {
  const ast = compile(expr);
  const path = fieldPath(ast as unknown as JmesNode);
  if (path) return (data) => lookupPath(data, path);
  return (data) => TreeInterpreter.search(ast, data);
}

interface JmesNode {
  type: string;
  name?: string;
  left?: JmesNode;
  right?: JmesNode;
}

function fieldPath(n: JmesNode): string[] | undefined {
  if (n.type === 'Field' && typeof n.name === 'string') return [n.name];
  if (n.type !== 'Subexpression' || !n.left || !n.right) return undefined;
  const left = fieldPath(n.left);
  const right = fieldPath(n.right);
  return left && right ? [...left, ...right] : undefined;
}

function lookupPath(data: JSONValue, path: readonly string[]): JSONValue {
  let cur: JSONValue = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return null;
    cur = Object.hasOwn(cur, key) ? (cur[key] as JSONValue) : null;
  }
  return cur ?? null;
}

/** JMESPath result → extracted value: scalars as they are, arrays/objects as compact JSON. */
export function jsonExtracted(v: JSONValue | undefined): Extracted {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return goJSON(v);
}

/** JSON as Go's encoder writes it: compact, with <, >, & and U+2028/9 escaped. */
export function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Parses a JSON object; undefined when the text is not an object (Go fails to unmarshal into a map). */
function parseObject(text: string): Record<string, JSONValue> | null | undefined {
  try {
    const v = JSON.parse(text) as JSONValue;
    if (v === null) return null;
    return typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export const jsonStage = defineStage({
  name: 'stage.json',
  schema: Config,
  build(c, _ctx: StageContext) {
    const searches = Object.entries(c.expressions ?? {}).map(([name, expr]) => [name, compileSearch(expr === '' ? name : expr)] as const);
    const keyRegex = c.regex ? compileRegexp(c.regex) : undefined;
    const source = c.source;
    /** False only for malformed input (the entry is then dropped if drop_malformed). */
    const extract = (e: Entry): boolean => {
      const input = source === undefined ? e.line : extractedText(e, source);
      if (input === undefined) return true;
      const data = parseObject(input);
      if (data === undefined) return false;
      const extracted = e.extracted;
      for (const [name, search] of searches) {
        try {
          extracted.set(name, jsonExtracted(search(data)));
        } catch {
          // Alloy skips an expression that fails at run time.
        }
      }
      if (keyRegex && data) for (const k of Object.keys(data)) if (keyRegex.test(k)) extracted.set(k, jsonExtracted(data[k]));
      return true;
    };
    return filterEntries((e) => extract(e) || !c.drop_malformed);
  },
});

/**
 * stage.split_json: an entry whose line (or source value) is a top-level
 * JSON array becomes one entry per element, each element's JSON text as
 * the line; other entries pass unchanged.
 */
export const splitJsonStage = defineStage({
  name: 'stage.split_json',
  schema: schema({ source: optional(sourceName) }),
  build(c) {
    return {
      process(entries) {
        const out: Entry[] = [];
        for (const e of entries) {
          const elements = splitArray(c.source === undefined ? e.line : extractedText(e, c.source));
          if (!elements) out.push(e);
          else for (const text of elements) out.push(e.clone(text));
        }
        return out;
      },
    };
  },
});

/** The elements of a JSON array as their own JSON texts, or undefined when the text is no array. */
function splitArray(text: string | undefined): string[] | undefined {
  if (text === undefined || !/^[ \t\r\n]*\[/.test(text)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Array.isArray(v) ? v.map((x) => JSON.stringify(x)) : undefined;
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  expressions: 'Extracted value names mapped to JMESPath expressions (an empty expression uses the name).',
  regex: 'Regular expression selecting the top-level keys to extract.',
  source: 'Name of the extracted value to read; the log line when unset.',
  drop_malformed: 'Drop entries whose line is not valid JSON.',
}, 'Parses the line (or an extracted value) as JSON and extracts values with JMESPath.');
describeSchema(splitJsonStage.schema, {
  source: 'Extracted value holding a JSON array; the log line when unset.',
}, 'Splits a JSON array into one entry per element.');
