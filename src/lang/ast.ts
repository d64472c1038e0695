/**
 * The syntax tree. Every node records 0-based byte offsets into its file
 * (`SourceFile.position` gives line/column). Shapes follow Alloy's syntax/ast
 * package so the printer and evaluator can mirror Alloy's behaviour.
 */
import type { SourceFile } from './position.js';
import type { Tok } from './token.js';

/** `// text` or `/* text *\/`; text is verbatim with CRs removed. */
export interface Comment {
  /** Byte offset of the first `/`. */
  pos: number;
  /** Byte offset just after the comment. */
  end: number;
  text: string;
}

/** Consecutive comments with no blank line or token between them. */
export type CommentGroup = Comment[];

export interface File {
  kind: 'File';
  source: SourceFile;
  body: Body;
  /** Every comment of the file in source order, grouped as Alloy groups them. */
  comments: CommentGroup[];
}

export type Body = Stmt[];

export type Stmt = AttributeStmt | BlockStmt;

export interface AttributeStmt {
  kind: 'Attribute';
  name: Ident;
  value: Expr;
}

export interface BlockStmt {
  kind: 'Block';
  /** Dotted name split into parts: `prometheus.exporter.redis` → 3 parts. */
  name: string[];
  namePos: number;
  /** Unquoted label, "" when absent (Alloy treats `""` like no label). */
  label: string;
  /** Offset of the label's opening quote, NO_POS when absent. */
  labelPos: number;
  body: Body;
  lCurly: number;
  rCurly: number;
}

export type Expr =
  | Ident
  | LiteralExpr
  | ArrayExpr
  | ObjectExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

export interface Ident {
  kind: 'Ident';
  name: string;
  pos: number;
}

export interface LiteralExpr {
  kind: 'Literal';
  /** Tok.NUMBER, FLOAT, STRING, BOOL or NULL. */
  tok: Tok;
  /** Source text exactly as written (quotes included for strings). */
  value: string;
  pos: number;
}

export interface ArrayExpr {
  kind: 'Array';
  elements: Expr[];
  lBrack: number;
  rBrack: number;
}

export interface ObjectField {
  /** Key text; for a quoted key the quotes are stripped but nothing is unescaped (Alloy quirk). */
  name: Ident;
  quoted: boolean;
  value: Expr;
}

export interface ObjectExpr {
  kind: 'Object';
  fields: ObjectField[];
  lCurly: number;
  rCurly: number;
}

export interface AccessExpr {
  kind: 'Access';
  value: Expr;
  name: Ident;
}

export interface IndexExpr {
  kind: 'Index';
  value: Expr;
  lBrack: number;
  index: Expr;
  rBrack: number;
}

export interface CallExpr {
  kind: 'Call';
  value: Expr;
  lParen: number;
  args: Expr[];
  rParen: number;
}

export interface UnaryExpr {
  kind: 'Unary';
  /** Tok.NOT or Tok.SUB. */
  op: Tok;
  opPos: number;
  value: Expr;
}

export interface BinaryExpr {
  kind: 'Binary';
  op: Tok;
  opPos: number;
  left: Expr;
  right: Expr;
}

export interface ParenExpr {
  kind: 'Paren';
  lParen: number;
  inner: Expr;
  rParen: number;
}

export type Node = File | Stmt | Expr | ObjectField;

/** Offset of a node's first byte (Go ast.StartPos). Iterative: deep chains must not overflow the stack. */
export function startPos(node: Node): number {
  let n: Node = node;
  for (;;) {
    if (!('kind' in n)) {
      n = n.name;
      continue;
    }
    switch (n.kind) {
      case 'File': return 0;
      case 'Attribute': return n.name.pos;
      case 'Block': return n.namePos;
      case 'Ident': case 'Literal': return n.pos;
      case 'Array': return n.lBrack;
      case 'Object': return n.lCurly;
      case 'Unary': return n.opPos;
      case 'Paren': return n.lParen;
      case 'Access': case 'Index': case 'Call': n = n.value; break;
      case 'Binary': n = n.left; break;
    }
  }
}

/** Offset of a node's last byte (Go ast.EndPos: the position of its final character). Iterative. */
export function endPos(node: Node): number {
  let n: Node = node;
  for (;;) {
    if (!('kind' in n)) {
      n = n.value;
      continue;
    }
    switch (n.kind) {
      case 'File': {
        const last = n.body[n.body.length - 1];
        if (!last) return 0;
        n = last;
        break;
      }
      case 'Attribute': n = n.value; break;
      case 'Block': return n.rCurly;
      case 'Ident': return n.pos + utf8Length(n.name) - 1;
      case 'Literal': return n.pos + utf8Length(n.value) - 1;
      case 'Array': return n.rBrack;
      case 'Object': return n.rCurly;
      case 'Access': n = n.name; break;
      case 'Index': return n.rBrack;
      case 'Call': return n.rParen;
      case 'Unary': n = n.value; break;
      case 'Binary': n = n.right; break;
      case 'Paren': return n.rParen;
    }
  }
}

/**
 * Byte length of a string in UTF-8. Most names and literals are ASCII, whose
 * length is the byte length; a loop over them is cheaper than a call into
 * Buffer.byteLength for each of the tens of thousands of nodes of a file.
 */
export function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s);
  return s.length;
}
