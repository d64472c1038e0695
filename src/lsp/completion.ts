/**
 * Completion. The place of the cursor is read from the tokens before it
 * (the scanner copes with the half-written text the parser may reject):
 * which blocks are open, and whether the cursor is where a statement
 * starts or inside an attribute's value.
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { fieldDescription, type AttrField, type BlockSchema } from '../lang/schema.js';
import { renderAlloy } from '../lang/render.js';
import { scanAll } from '../lang/scanner.js';
import { Tok } from '../lang/token.js';
import { bodyContext, type BodyContext } from './context.js';
import type { AlloyDocument } from './documents.js';
import { blockChainAt, scopeAt, type FileModel, type Scope } from './model.js';
import { attrSummary, blockSummary, bodyFields, fieldOf, listElement, type KnownBlock, type SchemaIndex } from './schemas.js';
import { stdlibEntries } from './stdlib.js';

/** Where the cursor is, from the tokens before it. */
export interface CursorPlace {
  /** Names of the open blocks, outermost first. */
  blocks: string[];
  /** The attribute whose value the cursor is in; undefined at a statement start. */
  attribute?: string;
  /** Inside an object literal or call in the value (the expected type is then unknown). */
  nested: boolean;
}

type Frame = { kind: 'block'; name: string } | { kind: 'list' | 'object' | 'call' };

export function cursorPlace(bytes: Uint8Array, offset: number): CursorPlace {
  const tokens = scanAll(bytes.subarray(0, offset), () => {});
  const stack: Frame[] = [];
  let attribute: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    switch (tok.tok) {
      case Tok.LCURLY: {
        const header = attribute === undefined ? blockHeader(tokens, i) : undefined;
        stack.push(header ?? { kind: 'object' });
        break;
      }
      case Tok.LBRACK: stack.push({ kind: 'list' }); break;
      case Tok.LPAREN: stack.push({ kind: 'call' }); break;
      case Tok.RCURLY: case Tok.RBRACK: case Tok.RPAREN:
        if (stack.pop()?.kind === 'block') attribute = undefined;
        break;
      case Tok.ASSIGN:
        if (isBlockLevel(stack) && tokens[i - 1]?.tok === Tok.IDENT) attribute = tokens[i - 1]!.lit;
        break;
      case Tok.TERMINATOR:
        if (isBlockLevel(stack) && tok.end < offset) attribute = undefined;
        break;
    }
  }
  const blocks = stack.filter((f): f is Frame & { kind: 'block' } => f.kind === 'block').map((f) => f.name);
  // Lists keep the attribute's element type; inside objects and calls it is unknown.
  const nested = stack.some((f) => f.kind === 'object' || f.kind === 'call');
  return { blocks, attribute, nested };
}

/** Block headers are `name.parts ["label"] {` at a statement start; other `{` open objects. */
function blockHeader(tokens: ReturnType<typeof scanAll>, brace: number): Frame | undefined {
  let i = brace - 1;
  if (tokens[i]?.tok === Tok.STRING) i--;
  const parts: string[] = [];
  while (tokens[i]?.tok === Tok.IDENT) {
    parts.unshift(tokens[i]!.lit);
    if (tokens[i - 1]?.tok !== Tok.DOT) break;
    i -= 2;
  }
  if (parts.length === 0) return undefined;
  const before = tokens[i - 1]?.tok;
  if (before !== undefined && before !== Tok.TERMINATOR && before !== Tok.LCURLY && before !== Tok.RCURLY) return undefined;
  return { kind: 'block', name: parts.join('.') };
}

function isBlockLevel(stack: Frame[]): boolean {
  const top = stack[stack.length - 1];
  return top === undefined || top.kind === 'block';
}

export function completionsAt(doc: AlloyDocument, model: FileModel, schemas: SchemaIndex, offset: number): CompletionItem[] {
  const place = cursorPlace(doc.source.bytes, offset);
  const word = typedWord(doc, offset);
  const range = doc.lines.range(offset - Buffer.byteLength(word), offset);
  const ctx = bodyContext(place.blocks, schemas, model);
  const items = place.attribute === undefined ? statementItems(doc, model, schemas, ctx, offset) : valueItems(doc, model, schemas, ctx, place, offset);
  for (const item of items) item.textEdit = { range, newText: item.insertText ?? item.label };
  return items;
}

function typedWord(doc: AlloyDocument, offset: number): string {
  const lineStart = doc.source.lineStarts[doc.source.line(offset) - 1] ?? 0;
  return /[A-Za-z0-9_.]*$/.exec(doc.source.text(lineStart, offset))![0];
}

function statementItems(doc: AlloyDocument, model: FileModel, schemas: SchemaIndex, ctx: BodyContext, offset: number): CompletionItem[] {
  if (ctx.topLevel) return blockNameItems(model, schemas);
  const present = presentNames(doc, offset);
  if (ctx.custom) {
    return [...ctx.custom.arguments.keys()].filter((n) => !present.has(n)).map((name) => ({
      label: name,
      kind: CompletionItemKind.Field,
      detail: 'argument',
      insertText: `${name} = $0`,
      insertTextFormat: InsertTextFormat.Snippet,
    }));
  }
  if (!ctx.schema) return [];
  return fieldItems(ctx.schema, present);
}

/** Attributes already set in the body at the cursor, which are not offered again. */
function presentNames(doc: AlloyDocument, offset: number): Set<string> {
  const chain = blockChainAt(doc.file.body, offset);
  const inner = chain[chain.length - 1];
  const names = new Set<string>();
  if (!inner || offset <= inner.lCurly) return names;
  for (const stmt of inner.body) if (stmt.kind === 'Attribute') names.add(stmt.name.name);
  return names;
}

function fieldItems(schema: BlockSchema, present: Set<string>): CompletionItem[] {
  return bodyFields(schema).flatMap(({ name, field }): CompletionItem[] => {
    if (field.kind === 'attr') {
      if (present.has(name)) return [];
      return [{
        label: name,
        kind: CompletionItemKind.Field,
        detail: attrSummary(field),
        documentation: fieldDescription(schema, name),
        sortText: (field.required ? '0' : '1') + name,
        insertText: `${name} = ${valueSnippet(field)}`,
        insertTextFormat: InsertTextFormat.Snippet,
      }];
    }
    if (field.kind !== 'block') return [];
    return [{
      label: name,
      kind: CompletionItemKind.Struct,
      detail: blockSummary(field),
      documentation: fieldDescription(schema, name),
      sortText: (field.multiplicity === 'one' ? '0' : '2') + name,
      insertText: `${name}${field.labelled ? ' "${1:label}"' : ''} {\n\t$0\n}`,
      insertTextFormat: InsertTextFormat.Snippet,
    }];
  });
}

function valueSnippet(field: AttrField): string {
  if (field.defaultValue !== undefined) return `\${1:${escapeSnippet(renderAlloy(field.defaultValue))}}`;
  if (field.type.name === 'string' || field.type.name === 'duration') return '"$1"';
  if (field.type.name.startsWith('list(')) return '[$1]';
  return '$1';
}

function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}

function blockNameItems(model: FileModel, schemas: SchemaIndex): CompletionItem[] {
  const known = schemas.all().map((block): CompletionItem => ({
    label: block.name,
    kind: block.kind === 'component' ? CompletionItemKind.Class : CompletionItemKind.Keyword,
    detail: block.kind === 'component' ? `component · ${block.stability}` : 'config block',
    documentation: block.description,
    insertText: blockSnippet(block.name, block.labelled, block.args),
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  // Local declares by their label, those of imported modules as `namespace.name`.
  const custom = [...model.declares].map(([name, d]): CompletionItem => ({
    label: name,
    kind: CompletionItemKind.Class,
    detail: d.moduleUri ? 'custom component (imported module)' : 'custom component (declare)',
    insertText: `${name} "\${1:default}" {\n\t$0\n}`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
  return [...known, ...custom];
}

/** `name "label" {` with the required attributes already in place. */
function blockSnippet(name: string, labelled: boolean, args: BlockSchema): string {
  let tab = labelled ? 2 : 1;
  const required = Object.entries(args.fields)
    .filter((e): e is [string, AttrField] => e[1].kind === 'attr' && e[1].required)
    .map(([arg, field]) => `\t${arg} = ${valueSnippet(field).replace(/\$\{?1/, `\${${tab++}`).replace(/\$\{(\d+)\}/, '$$$1')}`);
  const label = labelled ? ' "${1:default}"' : '';
  return `${name}${label} {\n${required.length ? required.join('\n') + '\n' : '\t$0\n'}}`;
}

function valueItems(doc: AlloyDocument, model: FileModel, schemas: SchemaIndex, ctx: BodyContext, place: CursorPlace, offset: number): CompletionItem[] {
  const expected = place.nested ? undefined : expectedType(ctx, place.attribute!);
  const scope = scopeAt(model, offset);
  const items = exportItems(model, schemas, componentsInScope(doc, scope), expected);
  if (scope.owner) {
    for (const name of scope.owner.arguments.keys()) {
      items.push({ label: `argument.${name}.value`, kind: CompletionItemKind.Variable, detail: 'argument of this declare' });
    }
  }
  for (const entry of stdlibEntries()) {
    items.push({
      label: entry.name,
      kind: entry.isFunction ? CompletionItemKind.Function : CompletionItemKind.Constant,
      detail: entry.signature,
      documentation: entry.description,
      sortText: `9${entry.name}`,
      ...(entry.isFunction ? { insertText: `${entry.name}($1)`, insertTextFormat: InsertTextFormat.Snippet } : {}),
    });
  }
  return items;
}

function expectedType(ctx: BodyContext, attribute: string): string | undefined {
  const field = ctx.schema ? fieldOf(ctx.schema, attribute) : undefined;
  return field?.kind === 'attr' ? field.type.name : undefined;
}

/**
 * The components visible at the cursor by id. While the file does not
 * parse, the syntax tree stops at the first error; the block headers found
 * by the scanner (`name.parts "label" {` at a statement start) stand in for
 * the components after it.
 */
function componentsInScope(doc: AlloyDocument, scope: Scope): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [id, stmt] of scope.components) found.set(id, stmt.name);
  if (doc.parse.diagnostics.length === 0 || scope.owner) return found;
  const tokens = scanAll(doc.source.bytes, () => {});
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.tok !== Tok.LCURLY || tokens[i - 1]?.tok !== Tok.STRING) continue;
    const header = blockHeader(tokens, i);
    if (header?.kind !== 'block') continue;
    const label = unquote(tokens[i - 1]!.lit);
    found.set(`${header.name}.${label}`, header.name.split('.'));
  }
  return found;
}

/** `loki.write.default.receiver` and the like, of the expected type (or any type when unknown). */
function exportItems(model: FileModel, schemas: SchemaIndex, components: Map<string, string[]>, expected: string | undefined): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const [id, name] of components) {
    const known: KnownBlock | undefined = schemas.get(name.join('.'));
    const exports = known?.exports ? Object.entries(known.exports.fields) : [];
    for (const [name, field] of exports) {
      if (field.kind !== 'attr' || !typeFits(field.type.name, expected)) continue;
      items.push({ label: `${id}.${name}`, kind: CompletionItemKind.Reference, detail: field.type.name, sortText: `0${id}.${name}` });
    }
    const custom = model.declares.get(name.join('.'));
    for (const name of custom?.exports.keys() ?? []) {
      items.push({ label: `${id}.${name}`, kind: CompletionItemKind.Reference, detail: 'export of a custom component', sortText: `1${id}.${name}` });
    }
  }
  return items;
}

function typeFits(actual: string, expected: string | undefined): boolean {
  if (!expected || expected === 'any' || expected === 'list(any)') return true;
  return actual === expected || listElement(expected) === actual || (actual === 'list(map(string))' && expected === 'list(map(string))');
}

/** A label's text; Go escapes JSON does not know only matter in labels that are not identifiers anyway. */
function unquote(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}
