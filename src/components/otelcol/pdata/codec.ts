/**
 * OTLP wire formats: protobuf (OTLP/gRPC and OTLP/HTTP) and OTLP/JSON, for
 * the export requests and responses of the three signals. The OTLP .proto
 * definitions (otlp-proto.ts) are compiled by protobufjs at first use; this
 * module is only imported (dynamically) by components that a config uses.
 *
 * OTLP/JSON differs from protobuf's canonical JSON in one place: trace and
 * span ids are hex strings, not base64 (opentelemetry-proto
 * docs/specification.md, "JSON Protobuf Encoding"); 64-bit integers are
 * decimal strings and enums integers.
 */
import protobuf from 'protobufjs';
import { OTLP_PROTO_SOURCES } from './otlp-proto.js';
import type { AnySignalData, LongLike, Signal } from './model.js';

/** google.rpc.Status, the body of OTLP/HTTP error responses. */
const RPC_STATUS_PROTO = `syntax = "proto3";
package google.rpc;
message Status { int32 code = 1; string message = 2; repeated bytes details = 3; }`;

interface SignalTypes {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
}

interface Codec {
  readonly signals: Record<Signal, SignalTypes>;
  readonly status: protobuf.Type;
}

const REQUEST_TYPE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

const RESPONSE_TYPE: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
};

/** gRPC method paths of the three OTLP services. */
export const GRPC_PATH: Readonly<Record<Signal, string>> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

let codec: Codec | undefined;

function load(): Codec {
  if (codec) return codec;
  const root = new protobuf.Root();
  for (const source of OTLP_PROTO_SOURCES) protobuf.parse(source, root, { keepCase: false });
  protobuf.parse(RPC_STATUS_PROTO, root);
  root.resolveAll();
  const types = (s: Signal): SignalTypes => ({ request: root.lookupType(REQUEST_TYPE[s]), response: root.lookupType(RESPONSE_TYPE[s]) });
  codec = { signals: { traces: types('traces'), metrics: types('metrics'), logs: types('logs') }, status: root.lookupType('google.rpc.Status') };
  return codec;
}

/** Decodes an export request; throws (with protobufjs' message) on malformed input. */
export function decodeRequest(signal: Signal, bytes: Uint8Array): AnySignalData {
  return load().signals[signal].request.decode(bytes) as unknown as AnySignalData;
}

export function encodeRequest(signal: Signal, data: AnySignalData): Uint8Array {
  return load().signals[signal].request.encode(data as unknown as protobuf.Message).finish();
}

/** The rejected count of a partial success, or 0. */
export interface PartialSuccess {
  readonly rejected: number;
  readonly message: string;
}

const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

export function encodeResponse(signal: Signal): Uint8Array {
  return load().signals[signal].response.encode({}).finish();
}

export function decodeResponse(signal: Signal, bytes: Uint8Array): PartialSuccess {
  const msg = load().signals[signal].response.decode(bytes) as unknown as { partialSuccess?: Record<string, unknown> };
  return partialSuccessOf(signal, msg.partialSuccess);
}

function partialSuccessOf(signal: Signal, ps: Record<string, unknown> | undefined | null): PartialSuccess {
  if (!ps) return { rejected: 0, message: '' };
  const rejected = ps[REJECTED_FIELD[signal]];
  return { rejected: rejected === undefined || rejected === null ? 0 : Number(rejected), message: String(ps['errorMessage'] ?? '') };
}

export function decodeJsonResponse(signal: Signal, text: string): PartialSuccess {
  if (text.trim() === '') return { rejected: 0, message: '' };
  const obj = JSON.parse(text) as { partialSuccess?: Record<string, unknown> };
  return partialSuccessOf(signal, obj.partialSuccess);
}

export function encodeStatus(code: number, message: string): Uint8Array {
  return load().status.encode({ code, message }).finish();
}

// ---------------------------------------------------------------------------
// OTLP/JSON

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'trace_id', 'span_id', 'parent_span_id']);

/** Decodes an OTLP/JSON export request; throws with a message on malformed input. */
export function decodeJsonRequest(signal: Signal, text: string): AnySignalData {
  const obj: unknown = JSON.parse(text);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error('request body is not a JSON object');
  hexIdsToBytes(obj);
  const type = load().signals[signal].request;
  return type.fromObject(obj as Record<string, unknown>) as unknown as AnySignalData;
}

/** protobufjs reads bytes from base64 strings; OTLP/JSON writes ids in hex. */
function hexIdsToBytes(node: unknown): void {
  if (Array.isArray(node)) {
    for (const el of node) hexIdsToBytes(el);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const rec = node as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (ID_FIELDS.has(key) && typeof v === 'string') rec[key] = hexToBytes(v, key);
    else if (typeof v === 'object') hexIdsToBytes(v);
  }
}

function hexToBytes(hex: string, field: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`invalid ${field} ${JSON.stringify(hex)}: not a hex string`);
  return Buffer.from(hex, 'hex');
}

export function encodeJsonRequest(signal: Signal, data: AnySignalData): string {
  const type = load().signals[signal].request;
  const obj = type.toObject(data as unknown as protobuf.Message, { longs: String, enums: Number, bytes: String, defaults: false });
  base64IdsToHex(obj);
  return JSON.stringify(obj);
}

function base64IdsToHex(node: unknown): void {
  if (Array.isArray(node)) {
    for (const el of node) base64IdsToHex(el);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const rec = node as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (ID_FIELDS.has(key) && typeof v === 'string') rec[key] = Buffer.from(v, 'base64').toString('hex');
    else if (typeof v === 'object') base64IdsToHex(v);
  }
}

/** Builds a Long (for components that create OTLP data, e.g. from Loki entries). */
export function longFromNumber(n: number): LongLike {
  return protobuf.util.LongBits.fromNumber(n).toLong(true) as unknown as LongLike;
}

/** An unsigned 64-bit Long from a BigInt (exact nanosecond timestamps). */
export function longFromBigInt(v: bigint): LongLike {
  return new protobuf.util.LongBits(Number(v & 0xffffffffn) >>> 0, Number((v >> 32n) & 0xffffffffn) >>> 0).toLong(true) as unknown as LongLike;
}
