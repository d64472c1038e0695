/**
 * otelcol.processor.memory_limiter in a real agent under `run --memory-limit`:
 * otelcol.receiver.otlp → memory_limiter → otelcol.exporter.otlp whose
 * backend is down (nothing listens), with a sending queue large enough that
 * only the memory limiter can stop the data piling up. A flood of raw OTLP
 * requests (encoded by the test's own protobufjs load of the .proto files),
 * far beyond the limit, must be refused with OTLP's retryable statuses —
 * HTTP 503 and gRPC UNAVAILABLE — and the agent's peak RSS must stay under
 * --memory-limit.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { encodeOtlp } from '../support/otlp-receiver.js';
import { freePort } from '../support/free-port.js';

const MiB = 1024 * 1024;
const LIMIT_MIB = 200;
/** Spans of ~1 KiB: one request is ~1 MiB, the flood 600 MiB (3x the limit). */
const SPANS_PER_REQUEST = 1000;
const REQUESTS = 600;
const IN_FLIGHT = 4;

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-memlimiter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(grpcPort: number, httpPort: number, deadPort: number): string {
  return `
otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:${grpcPort}" }
  http { endpoint = "127.0.0.1:${httpPort}" }
  output { traces = [otelcol.processor.memory_limiter.m.input] }
}
otelcol.processor.memory_limiter "m" {
  check_interval         = "50ms"
  limit_percentage       = 60
  spike_limit_percentage = 15
  output { traces = [otelcol.exporter.otlp.down.input] }
}
otelcol.exporter.otlp "down" {
  client {
    endpoint = "127.0.0.1:${deadPort}"
    tls { insecure = true }
  }
  sending_queue { queue_size = 100000 }
}
`;
}

function request(seq: number): Uint8Array {
  const filler = 'x'.repeat(900);
  const spans = [];
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const id = seq * SPANS_PER_REQUEST + i;
    spans.push({
      traceId: Buffer.alloc(16, id % 251).toString('base64'),
      spanId: Buffer.alloc(8, (id % 250) + 1).toString('base64'),
      name: `op-${i}`,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000001000000',
      attributes: [{ key: 'payload', value: { stringValue: `${id}-${filler}` } }],
    });
  }
  return encodeOtlp('traces', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'flood' } }] }, scopeSpans: [{ scope: { name: 'flood' }, spans }] }] });
}

async function postHttp(url: string, body: Uint8Array): Promise<{ status: number; retryAfter: string | null }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

function exportGrpc(client: grpc.Client, body: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      body,
      (err) => resolve(err ? (err.code ?? -1) : grpc.status.OK),
    );
  });
}

const skip = !hasDist && !process.env['CI'];
describe.skipIf(skip)(`otelcol.processor.memory_limiter under --memory-limit${skip ? ' (skipped: dist/ missing, run npm run build)' : ''}`, () => {
  it('refuses a flood beyond the limit with 503 / UNAVAILABLE and keeps the agent under --memory-limit', async () => {
    const [grpcPort, httpPort, deadPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(path.join(dir, 'config.alloy'), config(grpcPort, httpPort, deadPort));
    const { agent, url } = await AgentProcess.start([path.join(dir, 'config.alloy'), `--memory-limit=${LIMIT_MIB}MiB`, `--storage.path=${path.join(dir, 'data')}`]);
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    try {
      const httpUrl = `http://127.0.0.1:${httpPort}/v1/traces`;
      const statuses = new Map<number, number>();
      const retryAfter = new Set<string | null>();
      // A few distinct requests, sent over and over: encoding 600 here would take longer than the flood.
      const bodies = Array.from({ length: 8 }, (_, i) => request(i));
      let next = 0;
      const worker = async () => {
        while (next < REQUESTS) {
          const r = await postHttp(httpUrl, bodies[next++ % bodies.length]!);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 503) retryAfter.add(r.retryAfter);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      // The limiter is refusing now: gRPC senders get UNAVAILABLE.
      const grpcCodes = [];
      for (let i = 0; i < 5; i++) grpcCodes.push(await exportGrpc(client, bodies[i]!));

      const peak = agent.peakRssBytes();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const refusedSpans = Number(/^otelcol_processor_refused_spans_total\{[^}]*\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
      console.log(`[memory_limiter] HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}, gRPC codes ${grpcCodes.join(',')}, refused spans ${refusedSpans}, peak RSS ${(peak / MiB).toFixed(1)} MiB under ${LIMIT_MIB} MiB`);

      expect(statuses.get(200) ?? 0).toBeGreaterThan(0); // data was taken until the soft limit
      expect(statuses.get(503) ?? 0).toBeGreaterThan(REQUESTS / 2); // and refused beyond it, retryably
      expect([...statuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
      expect([...retryAfter]).toEqual(['1']);
      expect(grpcCodes).toEqual([14, 14, 14, 14, 14]);
      expect(refusedSpans).toBeGreaterThanOrEqual((statuses.get(503)! + 5) * SPANS_PER_REQUEST);
      expect(agent.log).toMatch(/Memory usage is above soft limit\. Refusing data\./);
      expect(peak).toBeLessThan(LIMIT_MIB * MiB);
    } finally {
      client.close();
      await agent.stop();
    }
  }, 120_000);
});
