/** Document symbols (the outline), folding ranges and formatting. */
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange, type TextEdit } from 'vscode-languageserver';
import { endPos, startPos, type Body, type Expr, type Stmt } from '../lang/ast.js';
import { formatFileBytes } from '../lang/printer.js';
import type { AlloyDocument } from './documents.js';
import { isComponentBlock } from './model.js';

export function documentSymbols(doc: AlloyDocument): DocumentSymbol[] {
  return bodySymbols(doc, doc.file.body);
}

function bodySymbols(doc: AlloyDocument, body: Body): DocumentSymbol[] {
  return body.map((stmt) => statementSymbol(doc, stmt));
}

function statementSymbol(doc: AlloyDocument, stmt: Stmt): DocumentSymbol {
  if (stmt.kind === 'Attribute') {
    const nameEnd = stmt.name.pos + Buffer.byteLength(stmt.name.name);
    return { name: stmt.name.name, kind: SymbolKind.Property, range: doc.lines.range(startPos(stmt), endPos(stmt) + 1), selectionRange: doc.lines.range(stmt.name.pos, nameEnd) };
  }
  const name = stmt.name.join('.');
  const nameEnd = stmt.namePos + Buffer.byteLength(name);
  return {
    name: stmt.label === '' ? name : `${name} "${stmt.label}"`,
    kind: symbolKind(stmt.name.join('.'), isComponentBlock(stmt)),
    range: doc.lines.range(stmt.namePos, stmt.rCurly + 1),
    selectionRange: doc.lines.range(stmt.namePos, nameEnd),
    children: bodySymbols(doc, stmt.body),
  };
}

function symbolKind(name: string, component: boolean): SymbolKind {
  if (name === 'declare' || name.startsWith('import.')) return SymbolKind.Module;
  if (name === 'argument') return SymbolKind.Variable;
  if (name === 'export') return SymbolKind.Constant;
  return component ? SymbolKind.Class : SymbolKind.Struct;
}

/** Blocks, multi-line arrays and objects, and comment groups spanning lines. */
export function foldingRanges(doc: AlloyDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (start: number, end: number, kind?: FoldingRangeKind) => {
    const startLine = doc.source.line(start) - 1;
    const endLine = doc.source.line(end) - 1;
    if (endLine > startLine) out.push(kind ? { startLine, endLine, kind } : { startLine, endLine });
  };
  const pending: (Stmt | Expr)[] = [...doc.file.body];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.kind === 'Block') {
      add(node.lCurly, node.rCurly);
      pending.push(...node.body);
    } else if (node.kind === 'Attribute') pending.push(node.value);
    else if (node.kind === 'Array') {
      add(node.lBrack, node.rBrack);
      pending.push(...node.elements);
    } else if (node.kind === 'Object') {
      add(node.lCurly, node.rCurly);
      pending.push(...node.fields.map((f) => f.value));
    } else if (node.kind === 'Call') pending.push(...node.args);
  }
  for (const group of doc.file.comments) {
    if (group.length > 0) add(group[0]!.pos, group[group.length - 1]!.end - 1, FoldingRangeKind.Comment);
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}

/**
 * The whole document formatted exactly as `alloy-ts fmt` formats it (same
 * parser, same printer); nothing when the file does not parse or is
 * already formatted.
 */
export function formatDocument(doc: AlloyDocument): TextEdit[] {
  if (doc.parse.diagnostics.length > 0) return [];
  let formatted: Buffer;
  try {
    formatted = formatFileBytes(doc.file);
  } catch {
    return []; // the printer refuses some trees; `fmt` then fails too
  }
  if (formatted.equals(doc.source.bytes)) return [];
  return [{ range: doc.lines.range(0, doc.source.bytes.length), newText: formatted.toString('utf8') }];
}
