/**
 * Token kinds of the Alloy language. The printed names are the ones Alloy uses
 * in diagnostics ("expected IDENT, got TERMINATOR", "expected {, got STRING").
 */
export const enum Tok {
  ILLEGAL,
  EOF,
  COMMENT,
  IDENT,
  NUMBER,
  FLOAT,
  STRING,
  BOOL,
  NULL,
  OR, // ||
  AND, // &&
  NOT, // !
  ASSIGN, // =
  EQ, // ==
  NEQ, // !=
  LT, // <
  LTE, // <=
  GT, // >
  GTE, // >=
  ADD, // +
  SUB, // -
  MUL, // *
  DIV, // /
  MOD, // %
  POW, // ^
  LCURLY, // {
  RCURLY, // }
  LPAREN, // (
  RPAREN, // )
  LBRACK, // [
  RBRACK, // ]
  COMMA, // ,
  DOT, // .
  TERMINATOR,
}

const NAMES: readonly string[] = [
  'ILLEGAL', 'EOF', 'COMMENT', 'IDENT', 'NUMBER', 'FLOAT', 'STRING', 'BOOL', 'NULL',
  '||', '&&', '!', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^',
  '{', '}', '(', ')', '[', ']', ',', '.', 'TERMINATOR',
];

/** The name Alloy prints for a token kind. */
export function tokName(t: Tok): string {
  return NAMES[t] ?? 'ILLEGAL';
}

/** Binary operator precedence (token.BinaryPrecedence); 0 = not a binary operator. */
export function binaryPrecedence(t: Tok): number {
  switch (t) {
    case Tok.OR: return 1;
    case Tok.AND: return 2;
    case Tok.EQ: case Tok.NEQ: case Tok.LT: case Tok.LTE: case Tok.GT: case Tok.GTE: return 3;
    case Tok.ADD: case Tok.SUB: return 4;
    case Tok.MUL: case Tok.DIV: case Tok.MOD: return 5;
    case Tok.POW: return 6;
    default: return 0;
  }
}
