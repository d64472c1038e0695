/**
 * Encoded traces and logs are cut at a batch boundary without decoding
 * (pdata/wire-cut.ts): for random requests (several resources and scopes,
 * empty scopes, schema URLs, attributes) every cut gives the same halves as
 * the decoded cutter, read back by the independent test decoder, and the
 * halves of every cut hold all items once, in order.
 */
import { describe, expect, it } from 'vitest';
import { Payload } from '../../../src/components/otelcol/pdata/payload.js';
import { itemQueue } from '../../../src/components/otelcol/pdata/split.js';
import { decodeOtlp, encodeOtlp } from '../../support/otlp-receiver.js';

type Signal = 'traces' | 'logs';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRequest(signal: Signal, rand: () => number, tag: string): Record<string, unknown> {
  const int = (n: number) => Math.floor(rand() * n);
  let serial = 0;
  const item = () => {
    const name = `${tag}-${serial++}`;
    const attributes = [{ key: 'k', value: { intValue: int(1000) } }];
    return signal === 'traces'
      ? { traceId: Buffer.alloc(16, serial).toString('hex'), spanId: Buffer.alloc(8, serial).toString('hex'), name, kind: 1 + int(4), startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(serial)), attributes }
      : { timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(serial)), severityText: 'INFO', body: { stringValue: name }, attributes };
  };
  const scope = (i: number) => ({
    scope: { name: `scope-${i}`, version: rand() < 0.5 ? '1.0' : '' },
    ...(rand() < 0.3 ? { schemaUrl: `https://opentelemetry.io/schemas/1.${i}` } : {}),
    [signal === 'traces' ? 'spans' : 'logRecords']: Array.from({ length: rand() < 0.15 ? 0 : 1 + int(6) }, item),
  });
  const resource = (i: number) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: `${tag}-svc-${i}` } }] },
    ...(rand() < 0.3 ? { schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' } : {}),
    [signal === 'traces' ? 'scopeSpans' : 'scopeLogs']: Array.from({ length: 1 + int(3) }, (_, s) => scope(s)),
  });
  return { [signal === 'traces' ? 'resourceSpans' : 'resourceLogs']: Array.from({ length: 1 + int(3) }, (_, r) => resource(r)) };
}

/** Item names of a decoded request, in order. */
function itemNames(signal: Signal, request: Record<string, unknown>): string[] {
  const resources = (request[signal === 'traces' ? 'resourceSpans' : 'resourceLogs'] ?? []) as Record<string, unknown>[];
  return resources.flatMap((r) =>
    ((r[signal === 'traces' ? 'scopeSpans' : 'scopeLogs'] ?? []) as Record<string, unknown>[]).flatMap((s) =>
      ((s[signal === 'traces' ? 'spans' : 'logRecords'] ?? []) as Record<string, unknown>[]).map((i) => (signal === 'traces' ? i.name : (i.body as { stringValue: string }).stringValue) as string),
    ),
  );
}

/** Batches of `size` items taken from one request, as requests the test decoder read. */
function batches(payload: Payload, size: number): Record<string, unknown>[] {
  const queue = itemQueue(payload.signal);
  queue.push(payload);
  const out: Record<string, unknown>[] = [];
  while (queue.count > 0) out.push(decodeOtlp(payload.signal as Signal, queue.take(size).bytes));
  return out;
}

describe('cutting encoded traces and logs', () => {
  for (const signal of ['traces', 'logs'] as const) {
    it(`${signal}: every cut equals the decoded cutter's and keeps all items in order`, () => {
      const rand = prng(signal === 'traces' ? 19 : 20);
      let cuts = 0;
      for (let round = 0; round < 40; round++) {
        const bytes = encodeOtlp(signal, randomRequest(signal, rand, `r${round}`));
        const all = itemNames(signal, decodeOtlp(signal, bytes));
        for (let size = 1; size < all.length; size++) {
          const encoded = batches(Payload.fromBytes(signal, bytes), size);
          // The decoded cutter: the same request handed on as typed data.
          const decoded = batches(Payload.fromData(signal, Payload.fromBytes(signal, bytes).data), size);
          expect(encoded).toEqual(decoded);
          expect(encoded.flatMap((b) => itemNames(signal, b))).toEqual(all);
          expect(encoded.slice(0, -1).every((b) => itemNames(signal, b).length === size)).toBe(true);
          cuts += encoded.length - 1;
        }
      }
      expect(cuts).toBeGreaterThan(500);
    });
  }

  it('cuts encoded data without decoding it: the cut halves are still encoded segments', () => {
    const bytes = encodeOtlp('traces', randomRequest('traces', prng(7), 'x'));
    const queue = itemQueue('traces');
    const payload = Payload.fromBytes('traces', bytes);
    queue.push(payload);
    const first = queue.take(Math.max(1, payload.items - 1));
    expect(first.segments.every((s) => s.bytes !== undefined)).toBe(true);
    expect(queue.take(0).segments.every((s) => s.bytes !== undefined)).toBe(true);
  });
});
