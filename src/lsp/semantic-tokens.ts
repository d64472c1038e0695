/**
 * Semantic tokens for a whole document (LSP `textDocument/semanticTokens/full`):
 * block names (components as `class`, config blocks as `keyword`), labels,
 * attribute and object keys, references (component ids, `argument.*`),
 * stdlib functions, strings, numbers, booleans/null and comments, taken from
 * the syntax tree rather than guessed by a grammar.
 */
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type { Body, Expr, Ident } from '../lang/ast.js';
import { Tok } from '../lang/token.js';
import type { AlloyDocument } from './documents.js';
import type { SchemaIndex } from './schemas.js';

const TYPES = ['class', 'keyword', 'variable', 'property', 'function', 'namespace', 'string', 'number', 'comment'] as const;
type TokenType = (typeof TYPES)[number];
const MODIFIERS = ['declaration', 'defaultLibrary'] as const;
type Modifier = (typeof MODIFIERS)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Token {
  start: number;
  end: number;
  type: TokenType;
  modifiers: Modifier[];
}

export function semanticTokens(doc: AlloyDocument, schemas: SchemaIndex): SemanticTokens {
  const tokens: Token[] = [];
  const add = (start: number, end: number, type: TokenType, ...modifiers: Modifier[]) => tokens.push({ start, end, type, modifiers });
  for (const group of doc.file.comments) for (const c of group) add(c.pos, c.end, 'comment');
  bodyTokens(doc.file.body, schemas, add);
  tokens.sort((a, b) => a.start - b.start);
  return { data: encode(doc, tokens) };
}

type Add = (start: number, end: number, type: TokenType, ...modifiers: Modifier[]) => void;

function bodyTokens(body: Body, schemas: SchemaIndex, add: Add): void {
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') {
      add(stmt.name.pos, identEnd(stmt.name), 'property');
      exprTokens(stmt.value, add);
      continue;
    }
    const name = stmt.name.join('.');
    const known = schemas.get(name);
    add(stmt.namePos, stmt.namePos + Buffer.byteLength(name), known?.kind === 'config' ? 'keyword' : 'class');
    if (stmt.label !== '') add(stmt.labelPos, stmt.labelPos + Buffer.byteLength(stmt.label) + 2, 'variable', 'declaration');
    bodyTokens(stmt.body, schemas, add);
  }
}

/** Iterative (an expression may nest very deeply); tokens are sorted afterwards. */
function exprTokens(root: Expr, add: Add): void {
  const pending: Expr[] = [root];
  for (let e = pending.pop(); e !== undefined; e = pending.pop()) {
    switch (e.kind) {
      case 'Literal':
        add(e.pos, e.pos + Buffer.byteLength(e.value), literalType(e.tok));
        break;
      case 'Ident':
        add(e.pos, identEnd(e), 'variable');
        break;
      case 'Access':
        add(e.name.pos, identEnd(e.name), 'property');
        pending.push(e.value);
        break;
      case 'Call':
        pending.push(...e.args);
        if (!calleeTokens(e.value, add)) pending.push(e.value);
        break;
      case 'Array':
        pending.push(...e.elements);
        break;
      case 'Object':
        for (const f of e.fields) {
          // A quoted key is a string: its position is the text inside the quotes.
          if (!f.quoted) add(f.name.pos, identEnd(f.name), 'property');
          pending.push(f.value);
        }
        break;
      case 'Index':
        pending.push(e.value, e.index);
        break;
      case 'Unary':
        pending.push(e.value);
        break;
      case 'Paren':
        pending.push(e.inner);
        break;
      case 'Binary':
        pending.push(e.left, e.right);
        break;
    }
  }
}

/** `string.format(…)`: the namespace, then the function; false when the callee is not a plain name. */
function calleeTokens(callee: Expr, add: Add): boolean {
  if (callee.kind === 'Ident') {
    add(callee.pos, identEnd(callee), 'function', 'defaultLibrary');
    return true;
  }
  if (callee.kind === 'Access' && callee.value.kind === 'Ident') {
    add(callee.value.pos, identEnd(callee.value), 'namespace', 'defaultLibrary');
    add(callee.name.pos, identEnd(callee.name), 'function', 'defaultLibrary');
    return true;
  }
  return false;
}

function literalType(tok: Tok): TokenType {
  if (tok === Tok.STRING) return 'string';
  if (tok === Tok.NUMBER || tok === Tok.FLOAT) return 'number';
  return 'keyword';
}

function identEnd(id: Ident): number {
  return id.pos + Buffer.byteLength(id.name);
}

/** LSP's relative encoding: line delta, start delta, length, type, modifier bits; multi-line tokens are split per line. */
function encode(doc: AlloyDocument, tokens: Token[]): number[] {
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  for (const t of tokens) {
    const typeIndex = TYPES.indexOf(t.type);
    const bits = t.modifiers.reduce((m, mod) => m | (1 << MODIFIERS.indexOf(mod)), 0);
    const range = doc.lines.range(t.start, t.end);
    for (let line = range.start.line; line <= range.end.line; line++) {
      const startChar = line === range.start.line ? range.start.character : 0;
      const endChar = line === range.end.line ? range.end.character : lineLength(doc, line);
      if (endChar <= startChar) continue;
      data.push(line - prevLine, line === prevLine ? startChar - prevChar : startChar, endChar - startChar, typeIndex, bits);
      prevLine = line;
      prevChar = startChar;
    }
  }
  return data;
}

/** UTF-16 length of a line (without its newline). */
function lineLength(doc: AlloyDocument, line: number): number {
  const next = doc.source.lineStarts[line + 1];
  return doc.lines.position(next === undefined ? doc.source.bytes.length : next - 1).character;
}
