/**
 * YAML decoding with Go gopkg.in/yaml.v3 semantics for an untyped target
 * (encoding.from_yaml). The `yaml` package parses (anchors, flow/block
 * styles, multi-line scalars); scalar resolution follows yaml.v3: only
 * true/false/null spellings of YAML 1.2 are special, ints parse like Go
 * ParseInt base 0 (`0755` is octal, `0x1f` hex, underscores ignored), merge
 * keys `<<` are honoured, timestamps stay strings, only the first document
 * counts. Error texts imitate yaml.v3's `yaml: line N: ...` form.
 */
import { createRequire } from 'node:module';
import type { Alias, Document, LineCounter, Node as YamlNode, Pair, Scalar } from 'yaml';
import {
  NULL,
  arrayValue,
  boolValue,
  capsuleValue,
  floatValue,
  intValue,
  objectValue,
  stringValue,
  uintValue,
  type Value,
} from '../value.js';
import { parseGoFloat, parseGoInt, parseGoUint, quote } from '../../go/strconv.js';
import { STD_ALPHABET, base64Decode } from './base64.js';

type YamlLibrary = typeof import('yaml');
let yamlLibrary: YamlLibrary | undefined;
/** The yaml package loads on the first decode: most configs never call encoding.from_yaml. */
const yaml = (): YamlLibrary => (yamlLibrary ??= createRequire(import.meta.url)('yaml') as YamlLibrary);

/** Decodes the first YAML document of `text` (null when there is none). */
export function parseYaml(text: string): Value {
  const lines = new (yaml().LineCounter)();
  // Like yaml.v3 Unmarshal, only the first document is read.
  const doc = yaml().parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines, prettyErrors: false })[0];
  if (!doc) return NULL;
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line ?? 1;
    throw new Error(`yaml: line ${line}: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return new YamlConverter(doc, lines).node(doc.contents as YamlNode | null);
}

const STR_TAG = 'tag:yaml.org,2002:str';
const BINARY_TAG = 'tag:yaml.org,2002:binary';
const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** The YAML 1.2 core spellings yaml.v3 resolves by lookup. */
const SPECIAL_PLAIN = new Map<string, () => Value>([
  ...['true', 'True', 'TRUE'].map((s) => [s, () => boolValue(true)] as const),
  ...['false', 'False', 'FALSE'].map((s) => [s, () => boolValue(false)] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, () => NULL] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, () => floatValue(NaN)] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, () => floatValue(Infinity)] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, () => floatValue(-Infinity)] as const),
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Resolves a plain (unquoted, untagged) scalar like yaml.v3 resolve(). */
export function resolvePlainScalar(s: string): Value {
  const special = SPECIAL_PLAIN.get(s);
  if (special) return special();
  const first = s[0] ?? '';
  if (first === '.') {
    const f = parseGoFloat(s);
    return f.ok ? floatValue(f.value) : stringValue(s);
  }
  if (!/[-+0-9]/.test(first)) return stringValue(s);
  return resolveNumber(s.replaceAll('_', '')) ?? stringValue(s);
}

function resolveNumber(plain: string): Value | undefined {
  const i = parseGoInt(plain);
  if (i !== undefined) return intValue(i);
  const u = parseGoUint(plain);
  if (u !== undefined) return uintValue(u);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = parseGoFloat(plain);
    if (f.ok) return floatValue(f.value);
  }
  return undefined;
}

/** A mapping with non-string keys: Go map[interface {}]interface {}, a capsule in Alloy. */
class GeneralMap {
  readonly capsuleType = 'map[interface {}]interface {}';
  constructor(readonly entries: ReadonlyArray<readonly [Value, Value]>) {}
}

class YamlConverter {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  node(n: YamlNode | null | undefined): Value {
    if (n === null || n === undefined) return NULL;
    if (yaml().isAlias(n)) return this.node((n as Alias).resolve(this.doc) as YamlNode | undefined);
    if (yaml().isScalar(n)) return this.scalar(n);
    if (yaml().isSeq(n)) return arrayValue(n.items.map((item) => this.node(item as YamlNode)));
    if (yaml().isMap(n)) return this.mapping(n.items as Pair<YamlNode, YamlNode>[]);
    return NULL;
  }

  private scalar(n: Scalar): Value {
    const text = String(n.value ?? '');
    if (n.tag === STR_TAG) return stringValue(text);
    if (n.tag === BINARY_TAG) return stringValue(Buffer.from(base64Decode(text.replace(/\s/g, ''), STD_ALPHABET)).toString('utf8'));
    if (n.type !== 'PLAIN' && n.tag === undefined) return stringValue(text);
    return resolvePlainScalar(text);
  }

  private mapping(pairs: Pair<YamlNode, YamlNode>[]): Value {
    const entries: [Value, Value, number][] = [];
    const merges: YamlNode[] = [];
    for (const pair of pairs) {
      if (isMergeKey(pair.key)) merges.push(pair.value as YamlNode);
      else entries.push([this.node(pair.key), this.node(pair.value), this.lineOf(pair.key)]);
    }
    this.checkDuplicates(entries);
    const merged = this.mergedEntries(merges, new Set(entries.map(([k]) => keyId(k))));
    const all = [...entries.map(([k, v]) => [k, v] as const), ...merged];
    if (all.every(([k]) => k.type === 'string')) {
      return objectValue(new Map(all.map(([k, v]) => [(k as Value & { type: 'string' }).value, v])));
    }
    return capsuleValue(new GeneralMap(all));
  }

  /** Entries brought in by `<<` keys; explicit keys win, earlier merged maps win over later ones. */
  private mergedEntries(merges: YamlNode[], explicit: Set<string>): (readonly [Value, Value])[] {
    const out = new Map<string, readonly [Value, Value]>();
    const sources = merges.flatMap((m) => {
      const target = yaml().isAlias(m) ? ((m as Alias).resolve(this.doc) as YamlNode) : m;
      return yaml().isSeq(target) ? (target.items as YamlNode[]) : [target];
    });
    for (const source of sources) {
      const v = this.node(source);
      if (v.type !== 'object') throw new Error('yaml: map merge requires map or sequence of maps as the value');
      for (const [k, val] of v.fields) {
        if (!explicit.has(`s:${k}`) && !out.has(k)) out.set(k, [stringValue(k), val]);
      }
    }
    return [...out.values()];
  }

  private checkDuplicates(entries: [Value, Value, number][]): void {
    const seen = new Map<string, number>();
    for (const [k, , line] of entries) {
      const id = keyId(k);
      const first = seen.get(id);
      if (first !== undefined) {
        const shown = k.type === 'string' ? quote(k.value) : id.slice(2);
        throw new Error(`yaml: unmarshal errors:\n  line ${line}: mapping key ${shown} already defined at line ${first}`);
      }
      seen.set(id, line);
    }
  }

  private lineOf(n: YamlNode | null): number {
    const offset = n?.range?.[0];
    return offset === undefined ? 0 : this.lines.linePos(offset).line;
  }
}

function isMergeKey(key: unknown): boolean {
  if (!yaml().isScalar(key)) return false;
  return key.tag === MERGE_TAG || (key.type === 'PLAIN' && key.tag === undefined && key.value === '<<');
}

/** Identity of a resolved key for duplicate detection. */
function keyId(k: Value): string {
  switch (k.type) {
    case 'string': return `s:${k.value}`;
    case 'number': return `n:${String(k.value)}`;
    case 'bool': return `b:${k.value}`;
    case 'null': return 'z:null';
    default: return `o:${JSON.stringify(k)}`;
  }
}
