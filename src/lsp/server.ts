/**
 * The Alloy language server: `startLanguageServer()` serves LSP over the
 * given streams (stdio for `alloy-ts lsp`). Each feature lives in its own
 * module; this file wires them to the protocol and keeps per-version state.
 */
import type { Readable, Writable } from 'node:stream';
import {
  createConnection,
  ProposedFeatures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { builtinComponents } from '../components/index.js';
import type { Stability } from '../runtime/component.js';
import type { ValidationTarget } from '../runtime/validator/index.js';
import { completionsAt } from './completion.js';
import { documentDiagnostics } from './diagnostics.js';
import { DocumentCache, type AlloyDocument } from './documents.js';
import { hoverAt } from './hover.js';
import { buildModel, type FileModel } from './model.js';
import { definitionAt, referencesAt, renameAt, renameRange, withImportedDeclares } from './navigation.js';
import { documentSymbols, foldingRanges, formatDocument } from './outline.js';
import { SchemaIndex } from './schemas.js';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './semantic-tokens.js';
import { Workspace } from './workspace.js';

export interface LanguageServerOptions {
  input?: Readable;
  output?: Writable;
}

/** Settings a client may pass as `initializationOptions`. */
interface InitOptions {
  /** `--stability.level` of `validate`; default generally-available. */
  stabilityLevel?: Stability;
  /** `--target` of `validate`; default alloy-ts. */
  target?: ValidationTarget;
  /** Milliseconds within which further changes are coalesced into one validation (a change after a quiet spell runs at once); default 15. */
  diagnosticsDelay?: number;
}

/** Starts serving; resolves when the client ends the session (exit notification or closed input). */
export function startLanguageServer(options: LanguageServerOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(input), new StreamMessageWriter(options.output ?? process.stdout));
  const server = new AlloyLanguageServer(connection);
  server.listen();
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    // An editor that dies closes our input without `exit`: end quietly, not with an unsettled promise.
    input.once('close', () => resolve());
    input.once('end', () => resolve());
  });
}

class AlloyLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly cache = new DocumentCache();
  private readonly models = new WeakMap<AlloyDocument, FileModel>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each document last changed (performance.now()). */
  private readonly lastChange = new Map<string, number>();
  private readonly registry = builtinComponents();
  private readonly schemas = new SchemaIndex(this.registry);
  private readonly workspace = new Workspace(
    (uri) => this.with(uri, (doc, model) => ({ uri, doc, model })),
    () => this.documents.keys(),
  );
  private settings: Required<InitOptions> = { stabilityLevel: 'generally-available', target: 'alloy-ts', diagnosticsDelay: 15 };

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => {
      this.workspace.setRoots(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
      return this.initialize(params.initializationOptions as InitOptions | undefined);
    });
    this.documents.onDidChangeContent((e) => this.scheduleDiagnostics(e.document.uri));
    this.documents.onDidClose((e) => this.close(e.document.uri));
    c.onHover((p) => this.with(p.textDocument.uri, (doc, model) => hoverAt(doc, this.withModules(doc, model), this.schemas, doc.lines.offset(p.position))));
    c.onCompletion((p) => this.with(p.textDocument.uri, (doc, model) => completionsAt(doc, this.withModules(doc, model), this.schemas, doc.lines.offset(p.position))) ?? []);
    c.onDefinition((p) => this.with(p.textDocument.uri, (doc, model) => definitionAt(this.workspace, { uri: doc.uri, doc, model }, doc.lines.offset(p.position))));
    c.onReferences((p) => this.with(p.textDocument.uri, (doc, model) => referencesAt(this.workspace, { uri: doc.uri, doc, model }, doc.lines.offset(p.position), p.context.includeDeclaration)) ?? []);
    c.onPrepareRename((p) => this.with(p.textDocument.uri, (doc, model) => renameRange({ uri: doc.uri, doc, model }, doc.lines.offset(p.position))) ?? null);
    c.onRenameRequest((p) => {
      const result = this.with(p.textDocument.uri, (doc, model) => renameAt(this.workspace, { uri: doc.uri, doc, model }, doc.lines.offset(p.position), p.newName));
      if (result && 'error' in result) return new ResponseError(-32602, result.error);
      return result ?? null;
    });
    c.onDocumentSymbol((p) => this.with(p.textDocument.uri, (doc) => documentSymbols(doc)) ?? []);
    c.onFoldingRanges((p) => this.with(p.textDocument.uri, (doc) => foldingRanges(doc)) ?? []);
    c.onDocumentFormatting((p) => this.with(p.textDocument.uri, (doc) => formatDocument(doc)) ?? []);
    c.languages.semanticTokens.on((p) => this.with(p.textDocument.uri, (doc) => semanticTokens(doc, this.schemas)) ?? { data: [] });
    this.documents.listen(c);
    c.listen();
  }

  private initialize(options: InitOptions | undefined): InitializeResult {
    this.settings = { ...this.settings, ...options };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '"'] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
      },
      serverInfo: { name: 'alloy-ts' },
    };
  }

  /** Runs a feature on the current version of an open document; undefined when it is not open. */
  private with<T>(uri: string, feature: (doc: AlloyDocument, model: FileModel) => T): T | undefined {
    const text = this.documents.get(uri);
    if (!text) return undefined;
    const doc = this.cache.get(text);
    let model = this.models.get(doc);
    if (!model) {
      model = buildModel(doc.file.body);
      this.models.set(doc, model);
    }
    return feature(doc, model);
  }

  /** The model with the declares of import.file modules, for hover and completion. */
  private withModules(doc: AlloyDocument, model: FileModel): FileModel {
    return withImportedDeclares(this.workspace, { uri: doc.uri, doc, model });
  }

  /**
   * A change after a quiet spell (the usual single edit) is validated at once;
   * changes that follow it within the delay are coalesced and validated, on the
   * version current then, once typing pauses for the delay.
   */
  private scheduleDiagnostics(uri: string): void {
    const pending = this.timers.get(uri);
    clearTimeout(pending);
    const now = performance.now();
    const quietFor = now - (this.lastChange.get(uri) ?? -Infinity);
    this.lastChange.set(uri, now);
    const delay = pending === undefined && quietFor >= this.settings.diagnosticsDelay ? 0 : this.settings.diagnosticsDelay;
    this.timers.set(uri, setTimeout(() => this.publishDiagnostics(uri), delay));
  }

  private publishDiagnostics(uri: string): void {
    this.timers.delete(uri);
    const text = this.documents.get(uri);
    if (!text) return;
    const diagnostics = documentDiagnostics(this.cache.get(text), { registry: this.registry, minStability: this.settings.stabilityLevel, target: this.settings.target });
    void this.connection.sendDiagnostics({ uri, version: text.version, diagnostics });
  }

  private close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.lastChange.delete(uri);
    this.cache.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
