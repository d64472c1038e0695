/**
 * otelcol.auth.basic on both sides (a receiver refusing wrong credentials
 * with UNAUTHENTICATED / 401; an exporter sending them), otelcol.auth.headers
 * (fixed values and values from the request's metadata), and
 * otelcol.exporter.debug's log lines.
 */
import * as grpc from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../../support/harness.js';
import { encodeOtlp, OtlpReceiver } from '../../support/otlp-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const request = encodeOtlp('traces', {
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1).toString('base64'), spanId: Buffer.alloc(8, 2).toString('base64'), name: 'auth' }] }] }],
});

function grpcExport(addr: string, headers: Record<string, string>): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  const id = (b: Buffer) => b;
  return new Promise((resolve) =>
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', id, id, Buffer.from(request), md, (err) => {
      client.close();
      resolve(err);
    }),
  );
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('otelcol.auth.basic and otelcol.auth.headers', () => {
  it('receivers check credentials; exporters send basic auth and headers (fixed and from metadata)', async () => {
    const r = await OtlpReceiver.start();
    cleanups.push(() => r.close());
    const sha = `{SHA}${createHash('sha1').update('s3cret').digest('base64')}`;
    const h = await Harness.start(`
otelcol.auth.basic "server" {
  username = "legacy"
  password = "old-pass"
  htpasswd { inline = "alice:${sha}" }
}
otelcol.receiver.otlp "in" {
  grpc {
    endpoint         = "127.0.0.1:0"
    auth             = otelcol.auth.basic.server.handler
    include_metadata = true
  }
  http {
    endpoint = "127.0.0.1:0"
    auth     = otelcol.auth.basic.server.handler
  }
  output { traces = [otelcol.exporter.otlp.basic.input, otelcol.exporter.otlphttp.tenant.input] }
}
otelcol.auth.basic "client" {
  client_auth {
    username = "exporter"
    password = "pw"
  }
}
otelcol.exporter.otlp "basic" {
  client {
    endpoint = "${r.grpcAddress}"
    tls { insecure = true }
    auth     = otelcol.auth.basic.client.handler
  }
}
otelcol.auth.headers "tenant" {
  header {
    key   = "X-Scope-OrgID"
    value = "team-a"
  }
  header {
    key          = "X-Forwarded-User"
    from_context = "x-user"
  }
}
otelcol.exporter.otlphttp "tenant" {
  client {
    endpoint = "${r.httpUrl}"
    auth     = otelcol.auth.headers.tenant.handler
  }
}`);
    cleanups.push(() => h.stop());
    const [grpcAddr, httpAddr] = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening;

    expect((await grpcExport(grpcAddr!, {}))?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await grpcExport(grpcAddr!, { authorization: basic('alice', 'wrong') }))?.code).toBe(grpc.status.UNAUTHENTICATED);
    const post = (auth?: string) => fetch(`http://${httpAddr}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...(auth ? { authorization: auth } : {}) }, body: request });
    expect((await post()).status).toBe(401);
    expect((await post(basic('legacy', 'nope'))).status).toBe(401);
    expect(r.requests).toHaveLength(0);

    expect(await grpcExport(grpcAddr!, { authorization: basic('alice', 's3cret'), 'x-user': 'bob' })).toBeNull();
    expect((await post(basic('legacy', 'old-pass'))).status).toBe(200);
    await eventually(() => r.requests.length >= 4, 'both exporters delivered both requests');
    const viaGrpc = r.requests.filter((q) => q.transport === 'grpc');
    const viaHttp = r.requests.filter((q) => q.transport === 'http');
    expect(viaGrpc.map((q) => q.headers['authorization'])).toEqual([basic('exporter', 'pw'), basic('exporter', 'pw')]);
    expect(viaHttp.map((q) => q.headers['x-scope-orgid'])).toEqual(['team-a', 'team-a']);
    // Only the gRPC request carried x-user, and only gRPC has include_metadata.
    expect(viaHttp.map((q) => q.headers['x-forwarded-user'] ?? 'absent').sort()).toEqual(['absent', 'bob']);
  });
});

describe('otelcol.exporter.debug', () => {
  it('logs a summary line per batch, sampled', async () => {
    const h = await Harness.start(`otelcol.exporter.debug "d" {
  sampling_initial    = 2
  sampling_thereafter = 100
}`);
    cleanups.push(() => h.stop());
    const { Payload } = await import('../../../src/components/otelcol/pdata/payload.js');
    const input = (h.exportOf('otelcol.exporter.debug.d', 'input') as unknown as { payload: { consume(p: unknown, c: object): Promise<void> } }).payload;
    for (let i = 0; i < 5; i++) await input.consume(Payload.fromBytes('traces', request), {});
    const lines = h.logLines.filter((l) => l.includes('Traces'));
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/resource spans"?=1/);
    expect(lines[0]).toMatch(/spans=1/);
  });
});
