/**
 * The agent's HTTP server (grafana/alloy internal/service/http/http.go):
 * health, readiness, reload, metrics, the web API and component-owned
 * routes. Request bodies are bounded, handler failures become 500s, never a
 * crashed process, and connections are bounded: past MAX_CONNECTIONS a new
 * connection gets a 503, and a connection idle for IDLE_TIMEOUT_MS (before
 * its first request or between keep-alive requests) is closed. Go's
 * http.Server that Alloy uses sets neither limit; alloy-ts does so that
 * clients which open sockets and send nothing cannot exhaust descriptors.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { DiagnosticsError, formatDiagnostic } from '../../lang/diag.js';
import type { Agent } from '../agent.js';
import type { NodeInfo } from '../controller.js';
import { objectValue, type Value } from '../../lang/value.js';
import { redactUrlPasswords } from '../../go/url.js';
import { redactedConfigText } from '../config-source.js';
import { fieldDocs, topLevelDescription } from '../descriptions.js';
import { bodyToJson, debugInfoToJson, exportsToJson, type JsonStmt } from './alloyjson.js';
import { dataFlowEdges } from './dataflow.js';
import { InMemoryHttp } from './in-memory.js';
import { PprofHandler } from './pprof.js';
import { UiHandler } from './ui.js';

/** Largest request body accepted (reload and API calls need none). */
const MAX_BODY_BYTES = 1 << 20;

/** Connections served at once; one more is answered 503 and closed. */
export const MAX_CONNECTIONS = 512;

/** A connection that sends nothing for this long (before a request or between keep-alive requests) is closed. */
export const IDLE_TIMEOUT_MS = 30_000;

export interface HttpServerOptions {
  listenAddr: string;
  uiPathPrefix?: string;
  /** Defaults to MAX_CONNECTIONS. */
  maxConnections?: number;
  /** Defaults to IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /** `--server.http.enable-pprof` (default true): serve /debug/pprof/profile and /debug/pprof/heap. */
  enablePprof?: boolean;
}

/** A request path that is not valid percent-encoding (`/api/v0/web/components/%`): answered 400, as Go's server does. */
class BadRequestError extends Error {}

export class HttpServer {
  private server: Server | undefined;
  private readonly ui: UiHandler;
  private readonly pprof: PprofHandler | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly options: HttpServerOptions,
  ) {
    this.ui = new UiHandler(options.uiPathPrefix);
    this.pprof = options.enablePprof === false ? undefined : new PprofHandler();
    void this.pprof?.startHeapSampling().catch(() => undefined);
    const inMemory = new InMemoryHttp((req, res) => void this.handle(req, res));
    agent.serveInternal((path, init) => inMemory.request(path, init));
  }

  /** Whether the server currently speaks TLS. */
  tls = false;

  /**
   * Listens with plain HTTP, or HTTPS when the `http` block configures TLS.
   * Call again after a config load to pick up a TLS change (the listener is
   * re-created on the same address).
   */
  async listen(): Promise<AddressInfo> {
    const tls = this.agent.httpConfig?.tls;
    const address = this.server?.address() as AddressInfo | undefined;
    const { host, port } = address ? { host: address.address, port: address.port } : splitHostPort(this.options.listenAddr);
    // node:https (and TLS with it) loads only when TLS is configured: 10-25 ms of every start otherwise (issue 20).
    const https = tls ? await import('node:https') : undefined;
    if (this.server) await this.close();
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = tls ? https!.createServer(tlsOptions(tls), handler) : createServer(handler);
    this.tls = tls !== undefined;
    this.limitConnections(server);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /**
   * Idle connections time out (Node's default timeout handler destroys the
   * socket); a request in progress lifts the timeout until its response ends,
   * so long reloads and streams are not cut. Past the cap, a plain-HTTP
   * connection gets a 503 before it is closed; a TLS one is closed at once (it
   * cannot be answered before its handshake).
   */
  private limitConnections(server: Server): void {
    const idle = this.options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    const cap = this.options.maxConnections ?? MAX_CONNECTIONS;
    server.timeout = idle;
    server.keepAliveTimeout = idle;
    server.headersTimeout = idle + 1000;
    server.requestTimeout = 0;
    let open = 0;
    server.on('connection', (socket: Socket) => {
      if (open >= cap) {
        if (this.tls) socket.destroy();
        else socket.end(SERVICE_UNAVAILABLE);
        return;
      }
      open++;
      socket.once('close', () => open--);
    });
  }

  /** The address the server listens on (port 0 in the flags becomes the real port here). */
  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Serving takes as long as it takes; the idle timeout is back once the response ended (keep-alive).
    req.socket?.setTimeout?.(0);
    try {
      if (!(await drainBody(req, res))) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!this.authorized(req, url.pathname)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="alloy"', 'Content-Type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
        return;
      }
      await this.route(req, res, url);
    } catch (err) {
      const status = err instanceof BadRequestError ? 400 : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = url.pathname;
    if (p === '/-/healthy' || p === '/healthy') return this.healthy(res);
    if (p === '/-/ready') return this.agent.ready ? text(res, 200, 'Alloy is ready.\n') : text(res, 503, 'Alloy is not ready.\n');
    if (p === '/-/reload') return req.method === 'GET' || req.method === 'POST' ? this.reload(res) : text(res, 405, 'method not allowed\n');
    if (p === '/metrics') {
      const { contentType, body } = await this.agent.gatherMetrics();
      res.writeHead(200, { 'Content-Type': contentType }).end(body);
      return;
    }
    if (this.pprof && p.startsWith('/debug/pprof/') && (await this.pprof.serve(req, res, p.slice('/debug/pprof/'.length), url.searchParams))) return;
    if (this.webApi(res, this.ui.webApiPath(p))) return;
    const owned = /^\/api\/v0\/component\/([^/]+(?:\/[^/]+)*?)\/(.*)$/.exec(p);
    if (owned) return this.componentRoute(req, res, owned[1]!, owned[2]!);
    if (await this.ui.serve(req, res, p)) return;
    text(res, 404, '404 page not found\n');
  }

  /** `/api/v0/web/...` (also reachable under the UI prefix); false when `p` is not a web API path. */
  private webApi(res: ServerResponse, p: string): boolean {
    const one = /^\/api\/v0\/web\/components\/(.+)$/.exec(p);
    const modules = /^\/api\/v0\/web\/modules\/(.+)\/components$/.exec(p);
    const debug = /^\/api\/v0\/web\/debug\/(.+)$/.exec(p);
    if (p === '/api/v0/web/components') json(res, 200, this.componentsJson(this.agent.root.list()));
    else if (p === '/api/v0/web/config') json(res, 200, this.configJson());
    else if (one) {
      const node = this.agent.root.find(decodePath(one[1]!));
      if (node) json(res, 200, this.componentJson(node, dataFlowEdges(this.siblings(node)), true));
      else text(res, 404, 'component not found\n');
    } else if (modules) {
      const nodes = this.agent.root.moduleNodes(decodePath(modules[1]!));
      if (nodes) json(res, 200, this.componentsJson(nodes));
      else text(res, 404, 'module not found\n');
    } else if (debug) this.liveDebug(res, decodePath(debug[1]!));
    else return false;
    return true;
  }

  /** The effective config: every loaded file, in order, secrets redacted (config-source.ts). */
  private configJson(): { files: { name: string; content: string }[] } {
    return { files: this.agent.loadedFiles.map((f) => ({ name: f.source.name, content: redactedConfigText(f, this.agent.options.registry) })) };
  }

  /** Component JSON for every node of one controller, with their data-flow edges. */
  private componentsJson(nodes: NodeInfo[]): Record<string, unknown>[] {
    const flows = dataFlowEdges(nodes);
    return nodes.map((n) => this.componentJson(n, flows, false));
  }

  /** The nodes of the controller `node` belongs to (root or module). */
  private siblings(node: NodeInfo): NodeInfo[] {
    if (node.moduleId === '') return this.agent.root.list();
    return this.agent.root.moduleNodes(node.moduleId) ?? [node];
  }

  /** The component JSON shape of Alloy's web API. */
  private componentJson(n: NodeInfo, flows: ReadonlyMap<string, string[]>, detail: boolean): Record<string, unknown> {
    const base: Record<string, unknown> = {
      name: n.name,
      type: 'block',
      localID: n.id,
      moduleID: n.moduleId,
      label: n.label,
      referencesTo: n.referencesTo,
      referencedBy: n.referencedBy,
      dataFlowEdgesTo: flows.get(n.id) ?? [],
      health: { state: n.health.state, message: redactUrlPasswords(n.health.message), updatedTime: n.health.updated.toISOString() },
      original: '',
      createdModuleIDs: n.createdModuleIds,
      liveDebuggingEnabled: this.agent.liveDebug.enabled && this.agent.options.registry.get(n.name)?.liveDebugging === true,
    };
    if (!detail) return base;
    return {
      ...base,
      arguments: argumentsJson(n),
      exports: exportsToJson(n.exports),
      debugInfo: debugInfoToJson(n.debugInfo),
      // alloy-ts additions for the UI, from the schemas: what the component and each argument is for.
      description: topLevelDescription(this.agent.options.registry, n.name),
      argumentDescriptions: n.argsSchema && !(n.args instanceof Map) ? fieldDocs(n.argsSchema) : {},
    };
  }

  /** Basic auth from the `http` block, for the paths its filter selects. */
  private authorized(req: IncomingMessage, pathname: string): boolean {
    const auth = this.agent.httpConfig?.auth;
    if (!auth?.basic) return true;
    const filter = auth.filter;
    if (filter && filter.paths.length > 0) {
      const matches = filter.paths.some((p) => pathname.startsWith(p));
      if (matches !== filter.authenticate_matching_paths) return true;
    }
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const expected = `${auth.basic.username}:${auth.basic.password.value}`;
    return constantTimeEqual(decoded, expected);
  }

  private healthy(res: ServerResponse): void {
    const unhealthy = this.agent.root.list().filter((n) => n.health.state === 'unhealthy').map((n) => n.globalId);
    if (unhealthy.length > 0) text(res, 500, `unhealthy components: ${unhealthy.join(', ')}\n`);
    else text(res, 200, 'All Alloy components are healthy.\n');
  }

  private async reload(res: ServerResponse): Promise<void> {
    try {
      await this.agent.reload();
      text(res, 200, 'config reloaded\n');
    } catch (err) {
      const message = err instanceof DiagnosticsError ? err.diagnostics.map(formatDiagnostic).join('\n') : err instanceof Error ? err.message : String(err);
      text(res, 400, `${message}\n`);
    }
  }

  /** Streams what passes through a component, one message per line, until the client leaves. */
  private liveDebug(res: ServerResponse, id: string): void {
    const hub = this.agent.liveDebug;
    if (!hub.enabled) return text(res, 503, 'the live debugging service is disabled: add `livedebugging { enabled = true }` to the configuration\n');
    if (!this.agent.root.find(id)) return text(res, 404, 'component not found\n');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    const unsubscribe = hub.subscribe(id, { write: (chunk) => res.write(chunk), onDrain: (resume) => res.once('drain', resume) });
    let open = true;
    // Once only: a second unsubscribe could drop a newer subscriber's listener set.
    const end = () => {
      if (!open) return;
      open = false;
      unsubscribe();
      res.end();
    };
    // The request has closed already (drainBody read it to the end), so only the response's close
    // reports a client that goes away mid-stream, as the UI's pause does.
    res.on('close', end);
    res.on('error', end);
  }

  /** `/api/v0/component/<id>/<rest>`: ids may contain `/` inside modules, so try the longest first. */
  private async componentRoute(req: IncomingMessage, res: ServerResponse, idPart: string, rest: string): Promise<void> {
    const route = this.agent.root.routeComponent(`${idPart}/${rest}`);
    if (route) return route.handler(req, res, route.rest);
    text(res, 404, '404 page not found\n');
  }
}

/** Builtin components' arguments follow their schema; a custom component's are its module's argument values. */
function argumentsJson(n: NodeInfo): JsonStmt[] {
  if (n.args instanceof Map) return exportsToJson(objectValue(n.args as Map<string, Value>));
  return n.argsSchema && n.args !== undefined ? bodyToJson(n.argsSchema, n.args) : [];
}

/** Decodes a percent-encoded path part; malformed encoding is the client's error. */
function decodePath(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BadRequestError(`invalid URL escape in ${JSON.stringify(part)}`);
  }
}

const SERVICE_UNAVAILABLE_BODY = 'too many open connections to the agent: try again later\n';
const SERVICE_UNAVAILABLE = `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(SERVICE_UNAVAILABLE_BODY)}\r\nConnection: close\r\n\r\n${SERVICE_UNAVAILABLE_BODY}`;

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads and discards the request body, refusing bodies over the limit with 413. */
async function drainBody(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    text(res, 413, 'request body too large\n');
    req.destroy();
    return false;
  }
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) {
      text(res, 413, 'request body too large\n');
      req.destroy();
      return false;
    }
  }
  return true;
}

function tlsOptions(tls: NonNullable<NonNullable<Agent['httpConfig']>['tls']>): { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert?: boolean } {
  const cert = tls.cert_pem ?? (tls.cert_file ? readFileSync(tls.cert_file) : undefined);
  const key = tls.key_pem?.value ?? (tls.key_file ? readFileSync(tls.key_file) : undefined);
  if (!cert || !key) throw new Error('http tls block needs a certificate and a key (cert_pem/cert_file and key_pem/key_file)');
  const ca = tls.client_ca_pem ?? (tls.client_ca_file ? readFileSync(tls.client_ca_file) : undefined);
  return ca ? { cert, key, ca, requestCert: tls.client_auth_type !== 'NoClientCert' } : { cert, key };
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(addr)}: expected host:port`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
