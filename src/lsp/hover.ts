/**
 * Hover: what the name under the cursor is — a component or block (one-line
 * description, stability, exports), an argument (type, default, required),
 * a reference to an export (its type), a stdlib function (signature).
 */
import type { Hover } from 'vscode-languageserver';
import { endPos, startPos, type AttributeStmt, type BlockStmt } from '../lang/ast.js';
import { exprTraversals } from '../lang/references.js';
import { fieldDescription, type AttrField, type BlockSchema } from '../lang/schema.js';
import { bodyContext } from './context.js';
import { displayName, type AlloyDocument } from './documents.js';
import { blockChainAt, componentPrefix, identEnd, scopeAt, type DeclareInfo, type FileModel } from './model.js';
import { attrSummary, blockSummary, fieldOf, type KnownBlock, type SchemaIndex } from './schemas.js';
import { stdlibEntry } from './stdlib.js';

export function hoverAt(doc: AlloyDocument, model: FileModel, schemas: SchemaIndex, offset: number): Hover | undefined {
  const chain = blockChainAt(doc.file.body, offset);
  const inner = chain[chain.length - 1];
  if (!inner) return undefined;
  const names = chain.map((b) => b.name.join('.'));
  const header = inner.lCurly;
  if (offset < header) return markdown(doc, blockHover(names, schemas, model), inner.namePos, header);
  const attribute = inner.body.find((s): s is AttributeStmt => s.kind === 'Attribute' && startPos(s) <= offset && offset <= endPos(s));
  if (!attribute) return undefined;
  const nameEnd = identEnd(attribute.name.pos, attribute.name.name);
  if (offset <= nameEnd) return markdown(doc, attributeHover(names, attribute.name.name, schemas, model), attribute.name.pos, nameEnd);
  return referenceHover(doc, model, schemas, attribute, offset);
}

function markdown(doc: AlloyDocument, text: string | undefined, start: number, end: number): Hover | undefined {
  if (!text) return undefined;
  return { contents: { kind: 'markdown', value: text }, range: doc.lines.range(start, end) };
}

function blockHover(names: string[], schemas: SchemaIndex, model: FileModel): string | undefined {
  const ctx = bodyContext(names, schemas, model);
  const name = names[names.length - 1]!;
  if (ctx.names.length === 0) return describeKnown(schemas.get(name)!);
  if (ctx.names.length === 1) {
    if (ctx.known) return describeKnown(ctx.known);
    if (ctx.custom) return describeDeclare(ctx.custom);
    return `**${name}**\n\nNot a component alloy-ts knows.`;
  }
  const parent = bodyContext(names.slice(0, -1), schemas, model).schema;
  const field = parent ? fieldOf(parent, name) : undefined;
  if (field?.kind !== 'block') return undefined;
  return lines(`**${name}** — ${blockSummary(field)}`, fieldDescription(parent!, name));
}

export function describeKnown(block: KnownBlock): string {
  const kind = block.kind === 'component' ? `component · ${block.stability}` : 'config block';
  const exports = block.exports ? Object.entries(block.exports.fields) : [];
  const exportLines = exports.map(([n, f]) => `- \`${n}\`: ${f.kind === 'attr' ? f.type.name : 'block'}${exportNote(block.exports!, n)}`);
  return lines(`**${block.name}** (${kind})`, block.description, exportLines.length ? `Exports:\n${exportLines.join('\n')}` : undefined);
}

function describeDeclare(declare: DeclareInfo): string {
  const args = [...declare.arguments.keys()].map((a) => `- \`${a}\``);
  const exports = [...declare.exports.keys()].map((e) => `- \`${e}\``);
  return lines(
    `**${declare.stmt.label}** (custom component, declared ${declare.moduleUri ? `in ${displayName(declare.moduleUri)}` : 'in this file'})`,
    args.length ? `Arguments:\n${args.join('\n')}` : undefined,
    exports.length ? `Exports:\n${exports.join('\n')}` : undefined,
  );
}

function attributeHover(names: string[], attribute: string, schemas: SchemaIndex, model: FileModel): string | undefined {
  const ctx = bodyContext(names, schemas, model);
  if (ctx.custom) {
    const arg = ctx.custom.arguments.get(attribute);
    return arg ? argumentBlockHover(arg) : undefined;
  }
  const field = ctx.schema ? fieldOf(ctx.schema, attribute) : undefined;
  if (field?.kind !== 'attr') return undefined;
  return attrHover(ctx.schema!, attribute, field);
}

export function attrHover(schema: BlockSchema, name: string, field: AttrField): string {
  return lines(`**${name}**: \`${attrSummary(field)}\``, fieldDescription(schema, name));
}

function exportNote(exports: BlockSchema, name: string): string {
  const text = fieldDescription(exports, name);
  return text ? ` — ${text}` : '';
}

function argumentBlockHover(arg: BlockStmt): string {
  const comment = arg.body.find((s): s is AttributeStmt => s.kind === 'Attribute' && s.name.name === 'comment');
  const optional = arg.body.some((s) => s.kind === 'Attribute' && s.name.name === 'optional');
  const commentText = comment?.value.kind === 'Literal' ? comment.value.value : undefined;
  return lines(`**${arg.label}** (argument${optional ? '' : ', may be required'})`, commentText);
}

function referenceHover(doc: AlloyDocument, model: FileModel, schemas: SchemaIndex, attribute: AttributeStmt, offset: number): Hover | undefined {
  const traversal = exprTraversals(attribute.value).find((t) => t.parts.some((p) => p.pos <= offset && offset <= identEnd(p.pos, p.name)));
  if (!traversal) return undefined;
  const parts = traversal.parts;
  const start = parts[0]!.pos;
  const last = parts[parts.length - 1]!;
  const end = identEnd(last.pos, last.name);
  const scope = scopeAt(model, offset);
  const match = componentPrefix(scope, traversal);
  if (match) {
    const known = schemas.get(match.stmt.name.join('.'));
    const exported = parts[match.length]?.name;
    const field = exported ? known?.exports?.fields[exported] : undefined;
    if (field?.kind === 'attr') return markdown(doc, lines(`**${match.id}.${exported}**: \`${field.type.name}\``, fieldDescription(known!.exports!, exported!), `Export of ${known!.name}.`), start, end);
    if (known) return markdown(doc, describeKnown(known), start, end);
    const custom = model.declares.get(match.stmt.name.join('.'));
    return custom ? markdown(doc, describeDeclare(custom), start, end) : undefined;
  }
  if (parts[0]!.name === 'argument' && parts[1] && scope.owner?.arguments.has(parts[1].name)) {
    return markdown(doc, argumentBlockHover(scope.owner.arguments.get(parts[1].name)!), start, end);
  }
  const entry = stdlibEntry(parts.map((p) => p.name).join('.'));
  if (!entry) return undefined;
  return markdown(doc, lines(`\`${entry.name}\`: \`${entry.signature}\``, entry.description), start, end);
}

function lines(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => !!p).join('\n\n');
}
