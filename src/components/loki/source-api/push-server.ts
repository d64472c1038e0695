/**
 * loki.source.api's HTTP server (grafana/alloy internal/component/loki/source
 * server.go and api/routes.go): the push routes, `/ready`, dskit's server
 * metrics under the `loki_source_api` namespace, and the limits.
 *
 * A push is answered only after every entry of it was handed on and
 * acknowledged by `forward_to` (204), so a client that sees success never
 * loses entries; a receiver that stops first makes it 503, a body that cannot
 * be decoded 400 with the reason. Bounds: the body (max_send_message_size,
 * also after decompression), the pushes decoded at once (further requests
 * wait unread, which holds their senders back through TCP), connections
 * (conn_limit) and the read/idle timeouts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Counter, Gauge, Histogram, type Registry } from '../../../runtime/prom-client.js';
import type { Logger } from '../../../runtime/logger.js';
import { fanOut, flushAll, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { EntryClock } from '../entry-clock.js';
import { TENANT_LABEL } from '../write/push-request.js';
import { BadPushRequest, decodePushBody, parseStreamLabels, type PushedStream } from './push-decode.js';
import { serverTlsOptions, type HttpServer } from './server-config.js';

/** What requests are handled with; replaced in place by updates that keep the server. */
export interface LogsConfig {
  readonly fixedLabels: Labels;
  readonly relabel: RelabelRules | undefined;
  readonly useIncomingTimestamp: boolean;
  readonly maxMessageBytes: number;
  readonly receivers: readonly LogsReceiver[];
}

/** Pushes decoded and awaiting acknowledgement at once; later ones wait unread. */
const MAX_CONCURRENT_PUSHES = 8;
/** The route label dskit derives from each path. */
const ROUTES: Record<string, { route: string; kind: 'push' | 'raw' | 'ready'; method: string }> = {
  '/api/v1/push': { route: 'api_v1_push', kind: 'push', method: 'POST' },
  '/loki/api/v1/push': { route: 'loki_api_v1_push', kind: 'push', method: 'POST' },
  '/api/v1/raw': { route: 'api_v1_raw', kind: 'raw', method: 'POST' },
  '/loki/api/v1/raw': { route: 'loki_api_v1_raw', kind: 'raw', method: 'POST' },
  '/ready': { route: 'ready', kind: 'ready', method: 'GET' },
};
/** dskit's middleware.BodySizeBuckets. */
const BODY_SIZE_BUCKETS = [1, 2.5, 5, 10, 25, 50, 100, 250].map((mib) => mib * 1024 * 1024);

export class ServerMetrics {
  readonly entriesWritten: Counter;
  readonly duration: Histogram<'method' | 'route' | 'status_code' | 'ws'>;
  readonly requestBytes: Histogram<'method' | 'route'>;
  readonly responseBytes: Histogram<'method' | 'route'>;
  readonly inflight: Gauge<'method' | 'route'>;
  readonly connections: Gauge<'protocol'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const ns = 'loki_source_api';
    this.entriesWritten = new Counter({ name: `${ns}_entries_written`, help: 'Total number of entries written.', registers });
    this.duration = new Histogram({ name: `${ns}_request_duration_seconds`, help: 'Time (in seconds) spent serving HTTP requests.', labelNames: ['method', 'route', 'status_code', 'ws'], registers });
    this.requestBytes = new Histogram({ name: `${ns}_request_message_bytes`, help: 'Size (in bytes) of messages received in the request.', labelNames: ['method', 'route'], buckets: BODY_SIZE_BUCKETS, registers });
    this.responseBytes = new Histogram({ name: `${ns}_response_message_bytes`, help: 'Size (in bytes) of messages sent in response.', labelNames: ['method', 'route'], buckets: BODY_SIZE_BUCKETS, registers });
    this.inflight = new Gauge({ name: `${ns}_inflight_requests`, help: 'Current number of inflight requests.', labelNames: ['method', 'route'], registers });
    this.connections = new Gauge({ name: `${ns}_tcp_connections`, help: 'Current number of accepted TCP connections.', labelNames: ['protocol'], registers });
  }
}

export class PushServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly slots = new Semaphore(MAX_CONCURRENT_PUSHES);
  private readonly clock = new EntryClock();
  /** Set once stopping: pushes still waiting are refused. */
  private closing = false;

  constructor(
    readonly http: HttpServer,
    public logs: LogsConfig,
    private readonly metrics: ServerMetrics,
    private readonly logger: Logger,
  ) {}

  /** Listens; resolves with the bound address or rejects (address in use, bad TLS files). */
  async start(): Promise<AddressInfo> {
    const h = this.http;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = h.tls ? createHttpsServer(serverTlsOptions(h.tls), handler) : createHttpServer(handler);
    server.requestTimeout = h.server_read_timeout;
    server.headersTimeout = Math.min(h.server_read_timeout || 60_000, 60_000);
    server.keepAliveTimeout = h.server_idle_timeout;
    if (h.conn_limit > 0) server.maxConnections = h.conn_limit;
    server.on('connection', (socket: Socket) => this.track(socket));
    server.on('secureConnection', () => undefined);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(h.listen_port, h.listen_address || '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('push API server error', { err: err.message }));
    return server.address() as AddressInfo;
  }

  /**
   * Stops accepting, lets requests in flight finish for up to `graceMs`
   * (their entries may still be acknowledged), then drops every connection.
   */
  async stop(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
    this.metrics.connections.set({ protocol: 'http' }, 0);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    this.metrics.connections.inc({ protocol: 'http' });
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.metrics.connections.dec({ protocol: 'http' });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = ROUTES[path];
    if (!route) return void this.reply(req, res, 'notfound', 404, '404 page not found\n');
    if (req.method !== route.method) return void this.reply(req, res, route.route, 405, '');
    if (route.kind === 'ready') return void this.reply(req, res, route.route, 200, 'ready');
    const labels = { method: req.method, route: route.route };
    const started = process.hrtime.bigint();
    this.metrics.inflight.inc(labels);
    let status = 500;
    try {
      status = await this.slots.run(() => this.push(req, res, route.kind === 'raw'));
    } finally {
      this.metrics.inflight.dec(labels);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.duration.observe({ ...labels, status_code: String(status), ws: 'false' }, seconds);
    }
  }

  /** Reads, decodes and hands on one push; answers it; returns the status sent. */
  private async push(req: IncomingMessage, res: ServerResponse, raw: boolean): Promise<number> {
    const route = ROUTES[(req.url ?? '/').split('?')[0]!]!.route;
    if (this.closing) return this.reply(req, res, route, 503, 'server shutdown\n');
    const logs = this.logs;
    const body = await readBody(req, logs.maxMessageBytes);
    this.metrics.requestBytes.observe({ method: 'POST', route }, body.bytes);
    if (body.error) return this.reply(req, res, route, 400, `${body.error}\n`);
    let batches: LogBatch[];
    let partialError: string | undefined;
    try {
      ({ batches, error: partialError } = raw ? this.rawBatches(body.data!, logs) : this.pushBatches(body.data!, req, logs));
    } catch (err) {
      if (!(err instanceof BadPushRequest)) throw err;
      this.logger.warn('failed to parse request', { err: err.message });
      return this.reply(req, res, route, 400, `${err.message}\n`);
    }
    const entries = batches.reduce((n, b) => n + b.lines.length, 0);
    if (partialError && entries === 0) {
      this.logger.warn('failed to parse request', { err: partialError });
      return this.reply(req, res, route, 400, `${partialError}\n`);
    }
    if (entries > 0) {
      try {
        const pushed = Promise.all(batches.map((b) => fanOut(logs.receivers, b)));
        // The client waits for the acknowledgement: writers should send now rather than at their batch deadline.
        flushAll(logs.receivers);
        await pushed;
      } catch (err) {
        return this.reply(req, res, route, 503, `entries were not delivered: ${(err as Error).message}\n`);
      }
      this.metrics.entriesWritten.inc(entries);
      if (partialError) this.logger.warn('at least one entry failed to be processed', { err: partialError });
    }
    return partialError ? this.reply(req, res, route, 400, `${partialError}\n`) : this.reply(req, res, route, 204, '');
  }

  /** One batch per stream; a stream whose labels do not parse is skipped and reported. */
  private pushBatches(data: Buffer, req: IncomingMessage, logs: LogsConfig): { batches: LogBatch[]; error?: string } {
    const streams = decodePushBody(data, { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] }, logs.maxMessageBytes);
    const tenant = tenantOf(req);
    const batches: LogBatch[] = [];
    let error: string | undefined;
    for (const stream of streams) {
      let labels: Labels | undefined;
      try {
        labels = streamLabels(stream, logs, tenant);
      } catch (err) {
        if (!(err instanceof BadPushRequest)) throw err;
        error = err.message;
        continue;
      }
      if (labels && stream.lines.length > 0) batches.push(this.batch(stream, labels, logs.useIncomingTimestamp));
    }
    return error === undefined ? { batches } : { batches, error };
  }

  private batch(stream: PushedStream, labels: Labels, incoming: boolean): LogBatch {
    const n = stream.lines.length;
    const ms = new Float64Array(n);
    const ns = new Int32Array(n);
    if (incoming) {
      ms.set(stream.ms);
      ns.set(stream.ns);
    } else this.clock.fill(ms, ns);
    const hasMetadata = stream.metadata.some((m) => m !== undefined);
    return { labels, ms, ns, lines: stream.lines, ...(hasMetadata ? { metadata: stream.metadata } : {}) };
  }

  /** /loki/api/v1/raw: one entry per non-empty line, with the configured labels only (as Alloy). */
  private rawBatches(data: Buffer, logs: LogsConfig): { batches: LogBatch[]; error?: string } {
    const lines: string[] = [];
    for (const line of data.toString('utf8').split('\n')) {
      const trimmed = line.replace(/[\r\n]+$/, '');
      if (trimmed !== '') lines.push(trimmed);
    }
    if (lines.length === 0) return { batches: [] };
    const ms = new Float64Array(lines.length);
    const ns = new Int32Array(lines.length);
    this.clock.fill(ms, ns);
    return { batches: [{ labels: logs.fixedLabels, ms, ns, lines }] };
  }

  private reply(req: IncomingMessage, res: ServerResponse, route: string, status: number, text: string): number {
    if (res.headersSent || res.destroyed) return status;
    const body = Buffer.from(text);
    if (status >= 400) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (status !== 204) res.setHeader('Content-Length', body.length);
    res.writeHead(status);
    res.end(status === 204 ? undefined : body);
    // A body not read (refused early) would otherwise keep the connection busy.
    if (!req.complete) req.resume();
    this.metrics.responseBytes.observe({ method: req.method ?? '', route }, status === 204 ? 0 : body.length);
    return status;
  }
}

/**
 * A stream's entry labels (grafana/alloy api/routes.go): its own, then the
 * configured ones, then relabel rules; dropped (undefined) when a rule drops
 * it or nothing is left; `__` labels removed; the tenant added last.
 */
function streamLabels(stream: PushedStream, logs: LogsConfig, tenant: string | undefined): Labels | undefined {
  let labels: Record<string, string> = { ...parseStreamLabels(stream.labels), ...logs.fixedLabels };
  if (logs.relabel && logs.relabel.length > 0) {
    const relabeled = logs.relabel.process(labels, 'legacy');
    if (!relabeled) return undefined;
    labels = relabeled;
  }
  if (Object.keys(labels).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels)) if (!name.startsWith('__')) out[name] = labels[name]!;
  if (tenant) out[TENANT_LABEL] = tenant;
  return out;
}

/** X-Scope-OrgID as dskit's tenant.TenantID reads it: one tenant, else none. */
function tenantOf(req: IncomingMessage): string | undefined {
  const value = req.headers['x-scope-orgid'];
  if (typeof value !== 'string' || value === '' || value.includes('|')) return undefined;
  return value;
}

/**
 * The request body, at most `max` bytes. Beyond that, collecting stops and the
 * rest is drained unkept (the connection stays usable) and an error returned.
 */
function readBody(req: IncomingMessage, max: number): Promise<{ data?: Buffer; bytes: number; error?: string }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) return Promise.resolve({ bytes: declared, error: `message size too large than max (${declared} vs ${max})` });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const finish = (result: { data?: Buffer; bytes: number; error?: string }) => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= max) chunks.push(chunk);
      else finish({ bytes, error: `message size too large than max (${bytes} vs ${max})` });
    };
    const onEnd = () => finish({ data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes), bytes });
    const onError = (err: Error) => finish({ bytes, error: `reading the body: ${err.message}` });
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** At most `limit` tasks at once; the others wait in arrival order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
