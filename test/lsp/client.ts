/**
 * A real LSP client for the tests: spawns `node bin/alloy-ts lsp` and talks
 * JSON-RPC over its stdio with vscode-languageserver-protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/alloy-ts`;
export const BUILT = existsSync(`${ROOT}dist/lsp/index.js`);

export class LspClient {
  readonly connection: ProtocolConnection;
  private readonly waiting = new Map<string, { version?: number; resolve: (d: Diagnostic[]) => void }[]>();
  readonly latest = new Map<string, PublishDiagnosticsParams>();
  stderr = '';
  /** The server's answer to `initialize`. */
  initializeResult: { capabilities: Record<string, unknown>; serverInfo?: { name: string } } = { capabilities: {} };

  private constructor(readonly child: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => this.onDiagnostics(p));
    this.connection.listen();
  }

  /** `rootUri`: the workspace folder the editor opened (none by default). */
  static async start(initializationOptions: Record<string, unknown> = {}, rootUri: string | null = null): Promise<LspClient> {
    const child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child);
    client.initializeResult = await client.connection.sendRequest('initialize', { processId: process.pid, rootUri, capabilities: {}, initializationOptions });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /** Every publication, in order. */
  readonly published: PublishDiagnosticsParams[] = [];

  private onDiagnostics(p: PublishDiagnosticsParams): void {
    this.published.push(p);
    this.latest.set(p.uri, p);
    const list = this.waiting.get(p.uri) ?? [];
    this.waiting.set(p.uri, list.filter((w) => {
      if (w.version !== undefined && p.version !== w.version) return true;
      w.resolve(p.diagnostics);
      return false;
    }));
  }

  /** The next diagnostics published for `uri` (for `version`, when given). */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]> {
    return new Promise((resolve) => {
      const list = this.waiting.get(uri) ?? [];
      list.push({ version, resolve });
      this.waiting.set(uri, list);
    });
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alloy', version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}
