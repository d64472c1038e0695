/**
 * OTLP/HTTP requests over undici. Responses are classified as OTLP specifies
 * (opentelemetry-proto docs/specification.md, "OTLP/HTTP Response"): 429,
 * 502, 503 and 504 may be retried (after Retry-After when the server sent
 * one), every other failure is permanent.
 */
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { undici } from '../../common/undici.js';
import type { Logger } from '../../../runtime/logger.js';
import { packageVersion } from '../../../version.js';
import { requireClientAuth } from '../config/auth.js';
import { clientTlsOptions } from '../config/tls.js';
import type { Transport } from '../exporterhelper/component.js';
import { ExportError, type ExportRequest } from '../exporterhelper/sender.js';
import { decodeJsonResponse, decodeResponse, encodeJsonRequest } from '../pdata/codec.js';
import type { Signal } from '../pdata/model.js';
import type { OtlpHttpExporterArgs } from '../exporter-otlphttp.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** The URL of each signal: its own endpoint argument, or client.endpoint + /v1/<signal>. */
export function signalUrls(args: OtlpHttpExporterArgs): Record<Signal, string> {
  const base = args.client.endpoint.replace(/\/+$/, '');
  return {
    traces: args.traces_endpoint ?? `${base}/v1/traces`,
    metrics: args.metrics_endpoint ?? `${base}/v1/metrics`,
    logs: args.logs_endpoint ?? `${base}/v1/logs`,
  };
}

function dispatcherOf(args: OtlpHttpExporterArgs): Dispatcher {
  const c = args.client;
  const connect = clientTlsOptions(c.tls);
  const common = {
    connect,
    keepAliveTimeout: c.disable_keep_alives ? 1 : c.idle_conn_timeout,
    ...(c.max_conns_per_host > 0 ? { connections: c.max_conns_per_host } : {}),
    allowH2: c.force_attempt_http2,
  };
  if (c.proxy_url) return new undici.ProxyAgent({ uri: c.proxy_url, requestTls: connect, ...common });
  return new undici.Agent(common);
}

async function compress(body: Uint8Array, compression: string): Promise<{ body: Uint8Array; encoding?: string }> {
  if (compression === 'gzip') return { body: await gzipAsync(body), encoding: 'gzip' };
  if (compression === 'deflate' || compression === 'zlib') return { body: await deflateAsync(body), encoding: 'deflate' };
  return { body };
}

export async function httpTransport(args: OtlpHttpExporterArgs, logger: Logger): Promise<Transport> {
  const dispatcher = dispatcherOf(args);
  const urls = signalUrls(args);
  const decorate = args.client.auth ? requireClientAuth(args.client.auth) : undefined;
  const json = args.encoding === 'json';

  async function send(req: ExportRequest): Promise<void> {
    const encoded = json ? Buffer.from(encodeJsonRequest(req.signal, req.payload.data)) : req.payload.bytes;
    const { body, encoding } = await compress(encoded, args.client.compression);
    const headers: Record<string, string> = {
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      'user-agent': `alloy-ts/${packageVersion()}`,
      ...lowerCased(args.client.headers),
      ...(encoding ? { 'content-encoding': encoding } : {}),
    };
    if (decorate) await decorate(headers, req.metadata);
    let res: Dispatcher.ResponseData;
    try {
      res = await undici.request(urls[req.signal], { method: 'POST', headers, body, dispatcher, signal: AbortSignal.timeout(args.client.timeout) });
    } catch (err) {
      throw new ExportError(`failed to make an HTTP request: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const text = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode >= 200 && res.statusCode < 300) return logPartialSuccess(req.signal, text, json, logger);
    const message = `error exporting items, request to ${urls[req.signal]} responded with HTTP Status Code ${res.statusCode}${statusMessage(text, json)}`;
    if (!RETRYABLE_STATUS.has(res.statusCode)) throw new ExportError(message, false);
    throw new ExportError(message, true, retryAfterMs(res.headers['retry-after']));
  }

  return { send, close: () => dispatcher.close() };
}

function lowerCased(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function logPartialSuccess(signal: Signal, body: Buffer, json: boolean, logger: Logger): void {
  if (body.length === 0) return;
  try {
    const partial = json ? decodeJsonResponse(signal, body.toString('utf8')) : decodeResponse(signal, body);
    if (partial.rejected > 0 || partial.message) logger.warn('Partial success response', { message: partial.message, rejected: partial.rejected });
  } catch {
    // A 2xx whose body is not an export response still means accepted.
  }
}

function statusMessage(body: Buffer, json: boolean): string {
  if (body.length === 0) return '';
  const text = body.toString('utf8');
  if (json) {
    try {
      const msg = (JSON.parse(text) as { message?: string }).message;
      if (msg) return `, Message=${msg}`;
    } catch {
      // fall through to the raw text
    }
  }
  const printable = text.replace(/[^\x20-\x7e]/g, '').slice(0, 256);
  return printable ? `, Message=${printable}` : '';
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
