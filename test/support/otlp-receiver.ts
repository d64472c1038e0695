/**
 * An OTLP backend for tests, independent of the agent's codec: grpc-js and
 * protobufjs loading the opentelemetry-proto .proto files in test/support/otlp
 * (comments stripped, otherwise as upstream). It records every export
 * request as a plain object (ids in hex, 64-bit values as strings) and can
 * refuse requests for a while with a chosen gRPC code or HTTP status.
 *
 *   const r = await OtlpReceiver.start();          // grpc on r.grpcAddress, http on r.httpUrl
 *   r.failFor(15_000, { grpc: 14, http: 503 });    // UNAVAILABLE / 503 for 15 s
 */
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('./otlp', import.meta.url));

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

const SERVICES: Record<OtlpSignal, { service: string; request: string; response: string; httpPath: string }> = {
  traces: { service: 'opentelemetry.proto.collector.trace.v1.TraceService', request: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', response: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse', httpPath: '/v1/traces' },
  metrics: { service: 'opentelemetry.proto.collector.metrics.v1.MetricsService', request: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest', response: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse', httpPath: '/v1/metrics' },
  logs: { service: 'opentelemetry.proto.collector.logs.v1.LogsService', request: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', response: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse', httpPath: '/v1/logs' },
};

let root: protobuf.Root | undefined;

export function otlpRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  r.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
  r.resolveAll();
  root = r;
  return r;
}

/** A decoded request as a plain object: ids in hex, 64-bit numbers as decimal strings. */
export function decodeOtlp(signal: OtlpSignal, bytes: Uint8Array): Record<string, unknown> {
  const type = otlpRoot().lookupType(SERVICES[signal].request);
  const obj = type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false });
  idsToHex(obj);
  return obj;
}

export function encodeOtlp(signal: OtlpSignal, obj: Record<string, unknown>): Uint8Array {
  const type = otlpRoot().lookupType(SERVICES[signal].request);
  return type.encode(type.fromObject(obj)).finish();
}

function idsToHex(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(idsToHex);
  if (typeof node !== 'object' || node === null) return;
  const rec = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if ((k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof v === 'string') rec[k] = Buffer.from(v, 'base64').toString('hex');
    else idsToHex(v);
  }
}

export interface Failure {
  readonly grpc: number;
  readonly http: number;
}

export interface ReceivedRequest {
  readonly signal: OtlpSignal;
  readonly transport: 'grpc' | 'http';
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  refused = 0;
  private failure: Failure | undefined;
  private failUntil = 0;
  /** Keep only counts (benchmarks): requests are decoded but not stored. */
  countOnly = false;
  readonly counts: Record<OtlpSignal, number> = { traces: 0, metrics: 0, logs: 0 };

  private constructor(
    private readonly grpcServer: grpc.Server,
    private readonly httpServer: Server,
    readonly grpcAddress: string,
    readonly httpUrl: string,
  ) {}

  static async start(opts: { countOnly?: boolean } = {}): Promise<OtlpReceiver> {
    const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    const httpServer = createServer();
    const grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const httpPort = (httpServer.address() as AddressInfo).port;
    const r = new OtlpReceiver(grpcServer, httpServer, `127.0.0.1:${grpcPort}`, `http://127.0.0.1:${httpPort}`);
    r.countOnly = opts.countOnly ?? false;
    r.install();
    return r;
  }

  /** Refuses every request for `ms` with the given codes. */
  failFor(ms: number, failure: Failure): void {
    this.failure = failure;
    this.failUntil = Date.now() + ms;
  }

  /** Items received so far: spans, data points or log records. */
  itemCount(signal: OtlpSignal): number {
    if (this.countOnly) return this.counts[signal];
    let n = 0;
    for (const r of this.requests) if (r.signal === signal) n += countItems(signal, r.body);
    return n;
  }

  bodies(signal: OtlpSignal): Record<string, unknown>[] {
    return this.requests.filter((r) => r.signal === signal).map((r) => r.body);
  }

  async close(): Promise<void> {
    this.grpcServer.forceShutdown();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  private failing(): Failure | undefined {
    return this.failure && Date.now() < this.failUntil ? this.failure : undefined;
  }

  private record(signal: OtlpSignal, transport: 'grpc' | 'http', bytes: Uint8Array, headers: Record<string, string>): void {
    if (this.countOnly) {
      const type = otlpRoot().lookupType(SERVICES[signal].request);
      this.counts[signal] += countItems(signal, type.decode(bytes) as unknown as Record<string, unknown>);
      return;
    }
    this.requests.push({ signal, transport, body: decodeOtlp(signal, bytes), headers });
  }

  private install(): void {
    const identity = (b: Buffer) => b;
    for (const signal of Object.keys(SERVICES) as OtlpSignal[]) {
      const def = SERVICES[signal];
      const response = Buffer.from(otlpRoot().lookupType(def.response).encode({}).finish());
      this.grpcServer.addService(
        { Export: { path: `/${def.service}/Export`, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
        {
          Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
            const failing = this.failing();
            if (failing) {
              this.refused++;
              return callback({ code: failing.grpc, details: 'test receiver refuses' });
            }
            this.record(signal, 'grpc', call.request, call.metadata.getMap() as Record<string, string>);
            callback(null, response);
          },
        },
      );
    }
    this.httpServer.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = (Object.keys(SERVICES) as OtlpSignal[]).find((s) => SERVICES[s].httpPath === req.url);
        if (!signal) return void res.writeHead(404).end();
        const failing = this.failing();
        if (failing) {
          this.refused++;
          return void res.writeHead(failing.http, { 'content-type': 'text/plain' }).end('test receiver refuses');
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        if (req.headers['content-type'] === 'application/json') {
          const obj = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          // The JSON as sent (ids already hex); re-encoded through the .proto to check it is valid OTLP.
          const hexBack = structuredClone(obj);
          hexIdsToBase64(hexBack);
          this.record(signal, 'http', encodeOtlp(signal, hexBack), headers);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        this.record(signal, 'http', body, headers);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
  }
}

function hexIdsToBase64(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(hexIdsToBase64);
  if (typeof node !== 'object' || node === null) return;
  const rec = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if ((k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof v === 'string') rec[k] = Buffer.from(v, 'hex').toString('base64');
    else hexIdsToBase64(v);
  }
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function countItems(signal: OtlpSignal, body: Obj): number {
  let n = 0;
  if (signal === 'traces') for (const rs of arr(body['resourceSpans'])) for (const ss of arr(rs['scopeSpans'])) n += arr(ss['spans']).length;
  if (signal === 'logs') for (const rl of arr(body['resourceLogs'])) for (const sl of arr(rl['scopeLogs'])) n += arr(sl['logRecords']).length;
  if (signal === 'metrics') {
    for (const rm of arr(body['resourceMetrics'])) {
      for (const sm of arr(rm['scopeMetrics'])) {
        for (const m of arr(sm['metrics'])) {
          for (const f of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) n += arr((m[f] as Obj | undefined)?.['dataPoints']).length;
        }
      }
    }
  }
  return n;
}
