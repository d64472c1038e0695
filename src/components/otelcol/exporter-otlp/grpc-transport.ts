/**
 * One OTLP/gRPC connection (grpc-js channel) and its unary Export calls.
 * Failures are classified as OTLP specifies (opentelemetry-proto
 * docs/specification.md, "OTLP/gRPC Response"): CANCELLED,
 * DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS may be
 * retried, RESOURCE_EXHAUSTED only when the server sent RetryInfo details;
 * every other code is permanent.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../../runtime/logger.js';
import { requireClientAuth } from '../config/auth.js';
import { clientTlsOptions } from '../config/tls.js';
import { ExportError, type ExportRequest } from '../exporterhelper/sender.js';
import type { Transport } from '../exporterhelper/component.js';
import { decodeResponse, GRPC_PATH } from '../pdata/codec.js';
import type { OtlpExporterArgs } from '../exporter-otlp.js';
import { JoinBuffers } from './join-buffers.js';

const RETRYABLE = new Set([grpc.status.CANCELLED, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.OUT_OF_RANGE, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS]);

/** grpc-js compression algorithm ids (compression-algorithms.ts). */
const COMPRESSION_ID: Record<string, number> = { '': 0, none: 0, deflate: 1, gzip: 2 };

const identity = (b: Buffer): Buffer => b;

/** Joined messages larger than this get a buffer of their own, not kept for reuse. */
const MAX_KEPT_JOIN_BYTES = 4 * 1024 * 1024;
/** Buffers kept for joining when there is no sending queue (callers send directly). */
const JOIN_BUFFERS_WITHOUT_QUEUE = 4;

/** `host:port` from an endpoint that may carry an http(s):// scheme; http:// means no TLS (configgrpc). */
export function grpcTarget(endpoint: string): { target: string; plaintextByScheme: boolean } {
  const m = /^(https?):\/\/(.*?)\/?$/.exec(endpoint);
  if (!m) return { target: endpoint, plaintextByScheme: false };
  return { target: m[2]!, plaintextByScheme: m[1] === 'http' };
}

function credentials(args: OtlpExporterArgs, plaintext: boolean): grpc.ChannelCredentials {
  const tlsArgs = args.client.tls;
  if (plaintext || tlsArgs.insecure) return grpc.credentials.createInsecure();
  const tls = clientTlsOptions(tlsArgs);
  return grpc.credentials.createSsl(
    tls.ca ? Buffer.from(Array.isArray(tls.ca) ? tls.ca.join('\n') : (tls.ca as Buffer)) : null,
    (tls.key as Buffer | undefined) ?? null,
    (tls.cert as Buffer | undefined) ?? null,
    tls.rejectUnauthorized ? {} : { checkServerIdentity: () => undefined, rejectUnauthorized: false },
  );
}

function channelOptions(args: OtlpExporterArgs): grpc.ChannelOptions {
  const c = args.client;
  const opts: grpc.ChannelOptions = {
    'grpc.default_compression_algorithm': COMPRESSION_ID[c.compression] ?? 0,
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [c.balancer_name]: {} }] }),
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  };
  if (c.authority) opts['grpc.default_authority'] = c.authority;
  if (c.tls.server_name) opts['grpc.ssl_target_name_override'] = c.tls.server_name;
  if (c.keepalive?.ping_wait !== undefined) opts['grpc.keepalive_time_ms'] = c.keepalive.ping_wait;
  if (c.keepalive?.ping_response_timeout !== undefined) opts['grpc.keepalive_timeout_ms'] = c.keepalive.ping_response_timeout;
  if (c.keepalive?.ping_without_stream) opts['grpc.keepalive_permit_without_calls'] = 1;
  return opts;
}

export async function grpcTransport(args: OtlpExporterArgs, logger: Logger): Promise<Transport> {
  const { target, plaintextByScheme } = grpcTarget(args.client.endpoint);
  const client = new grpc.Client(target, credentials(args, plaintextByScheme), channelOptions(args));
  const decorate = args.client.auth ? requireClientAuth(args.client.auth) : undefined;
  const joins = new JoinBuffers(args.sending_queue.enabled ? args.sending_queue.num_consumers : JOIN_BUFFERS_WITHOUT_QUEUE, MAX_KEPT_JOIN_BYTES);

  async function metadataFor(req: ExportRequest): Promise<grpc.Metadata> {
    const md = new grpc.Metadata({ waitForReady: args.client.wait_for_ready });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(args.client.headers)) headers[k.toLowerCase()] = v;
    if (decorate) await decorate(headers, req.metadata);
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return md;
  }

  async function send(req: ExportRequest): Promise<void> {
    const md = await metadataFor(req);
    const joined = joins.join(req.payload.parts);
    const response = await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest(GRPC_PATH[req.signal], identity, identity, joined.body, md, { deadline: Date.now() + args.timeout }, (err, value) => {
        if (err) reject(classify(err));
        else {
          joined.release();
          resolve(value ?? Buffer.alloc(0));
        }
      });
    });
    const partial = decodeResponse(req.signal, response);
    if (partial.rejected > 0 || partial.message) logger.warn('Partial success response', { message: partial.message, rejected: partial.rejected });
  }

  return {
    send,
    close: async () => client.close(),
  };
}

function classify(err: grpc.ServiceError): ExportError {
  const message = `rpc error: code = ${grpc.status[err.code] ?? err.code} desc = ${err.details}`;
  if (RETRYABLE.has(err.code)) return new ExportError(message, true);
  if (err.code === grpc.status.RESOURCE_EXHAUSTED && err.metadata?.get('grpc-status-details-bin').length) return new ExportError(message, true);
  return new ExportError(message, false);
}
