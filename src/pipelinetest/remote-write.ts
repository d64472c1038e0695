/**
 * The metrics side of a pipeline test's sink: a Prometheus remote-write v1
 * endpoint (snappy-compressed protobuf WriteRequest, prometheus prompb
 * remote.proto/types.proto) whose series the metrics assertions check.
 */
import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';
import { decodeLabelPair } from '../components/loki/source-api/push-decode.js';

const { Reader } = protobuf;
type Reader = protobuf.Reader;

/** One sample as the sink received it. */
export interface SunkSample {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestampMs: number;
}

function readSample(r: Reader, end: number): { value: number; timestampMs: number } {
  let value = 0;
  let timestampMs = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) value = r.double();
    else if (tag >>> 3 === 2) timestampMs = Number(r.int64());
    else r.skipType(tag & 7);
  }
  return { value, timestampMs };
}

function readSeries(r: Reader, end: number, out: SunkSample[]): void {
  const labels: Record<string, string> = {};
  const samples: { value: number; timestampMs: number }[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      const [n, v] = decodeLabelPair(r, r.uint32());
      labels[n] = v;
    } else if (tag >>> 3 === 2) samples.push(readSample(r, r.uint32() + r.pos));
    else r.skipType(tag & 7);
  }
  for (const s of samples) out.push({ labels, ...s });
}

/** Decodes a remote-write body (snappy block + WriteRequest) into samples; throws on malformed input. */
export function decodeWriteRequest(body: Buffer): SunkSample[] {
  const r = Reader.create(uncompressSync(body) as Buffer);
  const out: SunkSample[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) readSeries(r, r.uint32() + r.pos, out);
    else r.skipType(tag & 7);
  }
  return out;
}
