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

/**
 * Keeps the parsed form of the most recently used documents (a bounded
 * number: a large workspace open in an editor must not hold every syntax
 * tree; an evicted one is parsed again, in milliseconds, when next used).
 */
export class DocumentCache {
  private readonly docs = new Map<string, AlloyDocument>();

  constructor(private readonly limit = 8) {}

  get(doc: TextDocument): AlloyDocument {
    const cached = this.docs.get(doc.uri);
    this.docs.delete(doc.uri);
    const current = cached && cached.version === doc.version ? cached : AlloyDocument.of(doc);
    this.docs.set(doc.uri, current);
    if (this.docs.size > this.limit) this.docs.delete(this.docs.keys().next().value!);
    return current;
  }

  delete(uri: string): void {
    this.docs.delete(uri);
  }
}
