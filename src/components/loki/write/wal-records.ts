/**
 * How loki.write keeps a pushed batch in its WAL: one JSON record per batch
 * (stream labels, timestamps as ms + ns, lines, structured metadata), so a
 * record replays into the same batch.
 */
import type { LogBatch, StructuredMetadata } from '../../common/log-entries.js';

interface Encoded {
  l: Record<string, string>;
  m: number[];
  n: number[];
  x: readonly string[];
  s?: readonly (StructuredMetadata | undefined | null)[];
}

export function encodeLogBatch(batch: LogBatch): Buffer {
  const record: Encoded = { l: batch.labels, m: Array.from(batch.ms), n: Array.from(batch.ns), x: batch.lines };
  if (batch.metadata?.some((m) => m !== undefined)) record.s = batch.metadata.map((m) => m ?? null);
  return Buffer.from(JSON.stringify(record));
}

export function decodeLogBatch(payload: Buffer): LogBatch {
  const r = JSON.parse(payload.toString('utf8')) as Encoded;
  return {
    labels: Object.freeze(r.l),
    ms: Float64Array.from(r.m),
    ns: Int32Array.from(r.n),
    lines: r.x,
    ...(r.s ? { metadata: r.s.map((m) => m ?? undefined) } : {}),
  };
}
