/**
 * OTLP/HTTP server: POST of protobuf (`application/x-protobuf`) or JSON
 * (`application/json`) export requests on the traces/metrics/logs paths,
 * optionally gzip/deflate compressed, answered in the request's encoding
 * (opentelemetry-proto docs/specification.md, "OTLP/HTTP"). Bodies are
 * limited to max_request_body_size before and after decompression.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { serverTlsOptions } from '../config/tls.js';
import { decodeJsonRequest, encodeResponse, encodeStatus } from '../pdata/codec.js';
import type { Signal } from '../pdata/model.js';
import { Payload } from '../pdata/payload.js';
import { HTTP_COMPRESSIONS, type CorsArgs, type HttpArgs } from '../receiver-otlp.js';
import { GRPC, httpStatusFor, IngestFailure, metadataOf, type Ingest, type RunningServer } from './ingest.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

type Encoding = 'proto' | 'json';

const CONTENT_TYPE: Record<Encoding, string> = { proto: 'application/x-protobuf', json: 'application/json' };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const base = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (base === 'application/x-protobuf') return 'proto';
  if (base === 'application/json') return 'json';
  return undefined;
}

export async function startHttpServer(ingest: Ingest, args: HttpArgs): Promise<RunningServer> {
  const routes = new Map<string, Signal>([
    [args.traces_url_path, 'traces'],
    [args.metrics_url_path, 'metrics'],
    [args.logs_url_path, 'logs'],
  ]);
  const handler = (req: IncomingMessage, res: ServerResponse) => void serve(ingest, args, routes, req, res);
  const server: Server = args.tls ? createHttpsServer(serverTlsOptions(args.tls), handler) : createHttpServer(handler);
  server.keepAliveTimeout = args.idle_timeout;
  server.headersTimeout = args.read_header_timeout;
  server.requestTimeout = args.read_timeout ?? 0;
  const { host, port } = splitHostPort(args.endpoint);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`otlp http server could not listen on ${args.endpoint}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      }),
  };
}

export function splitHostPort(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  if (i < 0) throw new Error(`endpoint ${JSON.stringify(endpoint)}: missing port`);
  const host = endpoint.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(endpoint.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`endpoint ${JSON.stringify(endpoint)}: invalid port`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

async function serve(ingest: Ingest, args: HttpArgs, routes: Map<string, Signal>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!args.keep_alives_enabled) res.setHeader('Connection', 'close');
  const allowedOrigin = args.cors ? corsOrigin(args.cors, req) : undefined;
  if (allowedOrigin) applyCors(args.cors!, allowedOrigin, res);
  if (req.method === 'OPTIONS' && args.cors) return preflight(args.cors, allowedOrigin, req, res);
  const signal = routes.get((req.url ?? '/').split('?')[0]!);
  if (!signal) return plain(res, 404, '404 page not found');
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return plain(res, 405, `${req.method} method not allowed, supported: [POST]`);
  }
  const encoding = encodingOf(req.headers['content-type']);
  if (!encoding) return plain(res, 415, `${req.headers['content-type'] ?? ''} unsupported content type, supported: [application/json, application/x-protobuf]`);
  try {
    await ingest.authenticate(args.auth, req.headers);
    const body = await readBody(req, args);
    const payload = decodeBody(signal, encoding, body);
    await ingest.accept(payload, 'http', args.include_metadata ? metadataOf(req.headers) : undefined);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE[encoding] });
    res.end(encoding === 'proto' ? encodeResponse(signal) : '{}');
  } catch (err) {
    const failure = err instanceof IngestFailure ? err : new IngestFailure(GRPC.INTERNAL, err instanceof Error ? err.message : String(err));
    writeStatus(res, encoding, failure);
  }
}

function decodeBody(signal: Signal, encoding: Encoding, body: Buffer): Payload {
  try {
    return encoding === 'proto' ? Payload.fromBytes(signal, body) : Payload.fromData(signal, decodeJsonRequest(signal, body.toString('utf8')));
  } catch (err) {
    throw new IngestFailure(GRPC.INVALID_ARGUMENT, `unable to decode the request: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readBody(req: IncomingMessage, args: HttpArgs): Promise<Buffer> {
  const limit = args.max_request_body_size;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new IngestFailure(GRPC.INVALID_ARGUMENT, `request body too large (limit ${limit} bytes)`);
    }
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const ce = (req.headers['content-encoding'] ?? '').toLowerCase().trim();
  const allowed: readonly string[] = args.compression_algorithms ?? HTTP_COMPRESSIONS;
  if (!allowed.includes(ce)) throw new IngestFailure(GRPC.INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(ce)}`);
  try {
    if (ce === 'gzip') return await gunzipAsync(raw, { maxOutputLength: limit });
    if (ce === 'deflate' || ce === 'zlib') return await inflateAsync(raw, { maxOutputLength: limit });
  } catch (err) {
    throw new IngestFailure(GRPC.INVALID_ARGUMENT, `unable to decompress the request body: ${err instanceof Error ? err.message : String(err)}`);
  }
  return raw;
}

function writeStatus(res: ServerResponse, encoding: Encoding, failure: IngestFailure): void {
  const status = httpStatusFor(failure.code);
  if (status === 503) res.setHeader('Retry-After', '1');
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE[encoding] });
  res.end(encoding === 'proto' ? encodeStatus(failure.code, failure.message) : JSON.stringify({ code: failure.code, message: failure.message }));
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

// ---------------------------------------------------------------------------
// CORS (rs/cors, as confighttp uses it)

const ALWAYS_ALLOWED_HEADERS = ['accept', 'accept-language', 'content-type', 'content-language'];

function corsOrigin(cors: CorsArgs, req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  return cors.allowed_origins.some((pattern) => originMatches(pattern, origin)) ? origin : undefined;
}

function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*') return true;
  const star = pattern.indexOf('*');
  if (star < 0) return pattern.toLowerCase() === origin.toLowerCase();
  const prefix = pattern.slice(0, star).toLowerCase();
  const suffix = pattern.slice(star + 1).toLowerCase();
  const o = origin.toLowerCase();
  return o.length >= prefix.length + suffix.length && o.startsWith(prefix) && o.endsWith(suffix);
}

function applyCors(cors: CorsArgs, origin: string, res: ServerResponse): void {
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (cors.exposed_headers.length > 0) res.setHeader('Access-Control-Expose-Headers', cors.exposed_headers.join(', '));
}

function preflight(cors: CorsArgs, origin: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const allowAll = cors.allowed_headers.includes('*');
  const allowed = new Set([...ALWAYS_ALLOWED_HEADERS, ...cors.allowed_headers.map((h) => h.toLowerCase())]);
  if (!origin || req.headers['access-control-request-method'] !== 'POST' || (!allowAll && requested.some((h) => !allowed.has(h)))) {
    res.writeHead(204);
    res.end();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', 'POST');
  if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
  if (cors.max_age !== undefined) res.setHeader('Access-Control-Max-Age', String(cors.max_age));
  res.writeHead(204);
  res.end();
}
