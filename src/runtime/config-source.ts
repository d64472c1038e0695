/**
 * The loaded configuration as text, for the effective-config API
 * (grafana/alloy#6553, which Alloy lacks): every file in load order, with
 * secrets taken out. Literal values of attributes whose schema type is a
 * secret (`password`, `bearer_token`, `key_pem`, …, at any block depth,
 * config blocks and `declare` bodies included) become "(secret)" — the form
 * the component API shows — and passwords inside URLs are redacted as Go's
 * URL.Redacted does. Expressions (`sys.env("PW")`, references) are kept:
 * they name where a secret comes from without holding it.
 */
import type { AttributeStmt, Body, Expr } from '../lang/ast.js';
import { startPos, endPos } from '../lang/ast.js';
import type { BlockSchema, Field } from '../lang/schema.js';
import { redactUrlPasswords } from '../go/url.js';
import type { ComponentRegistry } from './component.js';
import { IMPORT_BLOCKS, SERVICE_BLOCKS, SINGLETON_CONFIG_BLOCKS } from './config-blocks.js';
import type { ConfigFile } from './loader.js';

export const SECRET_PLACEHOLDER = '"(secret)"';

interface Span {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

const TOP_LEVEL = { ...SERVICE_BLOCKS, ...SINGLETON_CONFIG_BLOCKS, ...IMPORT_BLOCKS } as unknown as Readonly<Record<string, BlockSchema<unknown>>>;

function isSecretField(field: Field | undefined): boolean {
  if (field?.kind !== 'attr') return false;
  const kind = field.type.desc.kind;
  return kind === 'secret' || kind === 'optional_secret';
}

/** String literals anywhere in an expression (a literal, or inside arrays/objects of them). */
function literalSpans(expr: Expr): Span[] {
  if (expr.kind === 'Literal') return expr.value.startsWith('"') || expr.value.startsWith('`') ? [{ start: startPos(expr), end: endPos(expr) + 1 }] : [];
  if (expr.kind === 'Array') return expr.elements.flatMap(literalSpans);
  if (expr.kind === 'Object') return expr.fields.flatMap((f) => literalSpans(f.value));
  if (expr.kind === 'Paren') return literalSpans(expr.inner);
  return [];
}

function collect(body: Body, schema: BlockSchema<unknown> | undefined, registry: ComponentRegistry, out: Span[]): void {
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') {
      if (isSecretField(schema?.fields[stmt.name.name])) out.push(...literalSpans((stmt as AttributeStmt).value));
      continue;
    }
    const name = stmt.name.join('.');
    if (schema === undefined) {
      // Top level or a declare body: components, config blocks, nested declares.
      if (name === 'declare') collect(stmt.body, undefined, registry, out);
      else collect(stmt.body, (registry.get(name)?.args as BlockSchema<unknown> | undefined) ?? TOP_LEVEL[name], registry, out);
      continue;
    }
    const field = schema.fields[name] ?? enumVariant(schema, stmt.name);
    if (field?.kind === 'block') collect(stmt.body, field.schema as BlockSchema<unknown>, registry, out);
    else if (field?.kind === 'enum') {
      const variant = field.variants[stmt.name.slice(1).join('.')];
      if (variant) collect(stmt.body, variant as BlockSchema<unknown>, registry, out);
    }
  }
}

/** `stage.json` inside loki.process: the enum field is named by the first part. */
function enumVariant(schema: BlockSchema<unknown>, name: readonly string[]): Field | undefined {
  const field = schema.fields[name[0]!];
  return field?.kind === 'enum' ? field : undefined;
}

/** One config file's text with its secrets replaced. */
export function redactedConfigText(file: ConfigFile, registry: ComponentRegistry): string {
  const spans: Span[] = [];
  collect(file.file.body, undefined, registry, spans);
  spans.sort((a, b) => a.start - b.start);
  const bytes = Buffer.from(file.source.bytes);
  const parts: Buffer[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    parts.push(bytes.subarray(at, s.start), Buffer.from(SECRET_PLACEHOLDER));
    at = s.end;
  }
  parts.push(bytes.subarray(at));
  return redactUrlPasswords(Buffer.concat(parts).toString('utf8'));
}
