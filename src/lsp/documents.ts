/**
 * Open documents and their parse. Each version is parsed once, on first
 * use, with the same parser `fmt`/`validate` use.
 */
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { File } from '../lang/ast.js';
import type { Diagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import { LineMap } from './positions.js';

export class AlloyDocument {
  readonly source: SourceFile;
  readonly lines: LineMap;
  private parsed?: { file: File; diagnostics: Diagnostic[] };

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
  ) {
    this.source = new SourceFile(displayName(uri), Buffer.from(text, 'utf8'));
    this.lines = new LineMap(text, this.source);
  }

  static of(doc: TextDocument): AlloyDocument {
    return new AlloyDocument(doc.uri, doc.version, doc.getText());
  }

  /** The syntax tree (partial when there are syntax errors) and the parse diagnostics. */
  get parse(): { file: File; diagnostics: Diagnostic[] } {
    this.parsed ??= parseFile(this.source);
    return this.parsed;
  }

  get file(): File {
    return this.parse.file;
  }
}

/** Name used in diagnostics: the file's path, like `validate PATH` prints it. */
export function displayName(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

/** Keeps one AlloyDocument per open document version. */
export class DocumentCache {
  private readonly docs = new Map<string, AlloyDocument>();

  get(doc: TextDocument): AlloyDocument {
    const cached = this.docs.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const fresh = AlloyDocument.of(doc);
    this.docs.set(doc.uri, fresh);
    return fresh;
  }

  delete(uri: string): void {
    this.docs.delete(uri);
  }
}
