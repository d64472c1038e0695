import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { gzipSync, deflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';
import { compressSync } from 'snappy';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFile } from '../../../src/lang/parser.js';
import { SourceFile } from '../../../src/lang/position.js';
import { eventually, Harness } from '../../support/harness.js';

const PushRequest = protobuf.loadSync(fileURLToPath(new URL('../../support/loki-push.proto', import.meta.url))).lookupType('logproto.PushRequest');

const running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

const CAPTURE = 'testing.logs_capture.out';
const SOURCE = 'loki.source.api.in';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A loki.source.api on a free port into a capture component (slow_ms delays each acknowledgement). */
async function start(extra = '', slowMs = 0, httpExtra = ''): Promise<{ h: Harness; base: string }> {
  const port = await freePort();
  const h = await Harness.start(`
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}${httpExtra}
  }
  forward_to = [testing.logs_capture.out.receiver]
  ${extra}
}
testing.logs_capture "out" { slow_ms = ${slowMs} }
`);
  running.push(h);
  return { h, base: `http://127.0.0.1:${port}` };
}

const entries = (h: Harness) => h.entries(CAPTURE);

function protoBody(streams: { labels: string; entries: { ts: [number, number]; line: string; md?: Record<string, string> }[] }[]): Buffer {
  const msg = PushRequest.fromObject({
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: e.ts[0], nanos: e.ts[1] },
        line: e.line,
        structuredMetadata: Object.entries(e.md ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })),
  });
  return compressSync(Buffer.from(PushRequest.encode(msg).finish()));
}

async function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

describe('loki.source.api', () => {
  it('accepts protobuf+snappy pushes: labels, configured labels, incoming timestamps, structured metadata, tenant', async () => {
    const { h, base } = await start(`labels = { forwarded = "true" }\n  use_incoming_timestamp = true`);
    const body = protoBody([
      { labels: '{job="a", __hidden="x"}', entries: [{ ts: [1_700_000_000, 123_456_789], line: 'first', md: { trace_id: 't1' } }, { ts: [1_700_000_001, 5], line: 'second' }] },
      { labels: '{job="b", forwarded="false"}', entries: [{ ts: [1_700_000_002, 0], line: 'third' }] },
    ]);
    const res = await post(`${base}/loki/api/v1/push`, body, { 'Content-Type': 'application/x-protobuf', 'X-Scope-OrgID': 'team-1' });
    expect(res.status).toBe(204);
    expect(entries(h).map((e) => [e.line, e.labels, e.ms, e.ns])).toEqual([
      ['first', { job: 'a', forwarded: 'true', __tenant_id__: 'team-1' }, 1_700_000_000_123, 456_789],
      ['second', { job: 'a', forwarded: 'true', __tenant_id__: 'team-1' }, 1_700_000_001_000, 5],
      ['third', { job: 'b', forwarded: 'true', __tenant_id__: 'team-1' }, 1_700_000_002_000, 0],
    ]);
  });

  it('stamps entries with the receive time unless use_incoming_timestamp, each entry its own timestamp', async () => {
    const { h, base } = await start();
    const before = Date.now();
    const res = await post(`${base}/api/v1/push`, protoBody([{ labels: '{job="a"}', entries: [{ ts: [1, 0], line: 'x' }, { ts: [1, 0], line: 'x' }] }]), { 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(204);
    const [a, b] = entries(h);
    expect(a!.ms).toBeGreaterThanOrEqual(before);
    expect(a!.ms < b!.ms || (a!.ms === b!.ms && a!.ns < b!.ns)).toBe(true);
  });

  it('accepts JSON, gzip- and deflate-encoded JSON (nanosecond timestamps exact) and raw lines', async () => {
    const { h, base } = await start('use_incoming_timestamp = true');
    const json = JSON.stringify({ streams: [{ stream: { job: 'json', level: 'info' }, values: [['1700000000123456789', 'j1'], ['1700000000123456790', 'j2', { user: 'u1' }]] }] });
    expect((await post(`${base}/loki/api/v1/push`, json, { 'Content-Type': 'application/json' })).status).toBe(204);
    expect((await post(`${base}/loki/api/v1/push`, gzipSync(json), { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' })).status).toBe(204);
    expect((await post(`${base}/loki/api/v1/push`, deflateSync(json), { 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' })).status).toBe(204);
    expect((await post(`${base}/loki/api/v1/raw`, 'raw one\r\n\nraw two\n', { 'Content-Type': 'text/plain' })).status).toBe(204);
    const got = entries(h);
    expect(got.map((e) => e.line)).toEqual(['j1', 'j2', 'j1', 'j2', 'j1', 'j2', 'raw one', 'raw two']);
    expect(got[0]).toMatchObject({ labels: { job: 'json', level: 'info' }, ms: 1_700_000_000_123, ns: 456_789 });
    expect(got[1]).toMatchObject({ ms: 1_700_000_000_123, ns: 456_790 });
    // The raw route gets the configured labels only (none here), as in Alloy.
    expect(got[6]!.labels).toEqual({});
  });

  it('answers 204 only after forward_to acknowledged the entries', async () => {
    const { h, base } = await start('', 300);
    const res = await post(`${base}/loki/api/v1/push`, protoBody([{ labels: '{job="a"}', entries: [{ ts: [1, 0], line: 'acked' }] }]), { 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(204);
    // The capture records an entry only after its 300 ms delay: it must be there already.
    expect(entries(h).map((e) => e.line)).toEqual(['acked']);
  });

  it.each([
    ['invalid JSON', '{"streams": [', { 'Content-Type': 'application/json' }, /invalid JSON body/],
    ['a non-string line', '{"streams":[{"stream":{"a":"b"},"values":[["1", 2]]}]}', { 'Content-Type': 'application/json' }, /an entry must be/],
    ['a bad timestamp', '{"streams":[{"stream":{"a":"b"},"values":[["soon", "x"]]}]}', { 'Content-Type': 'application/json' }, /invalid timestamp "soon"/],
    ['no content type', Buffer.from('x'), {}, /mime: no media type/],
    ['an unknown encoding', 'x', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, /Content-Encoding "br" not supported/],
    ['broken gzip', 'not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, /gzip: /],
    ['corrupt snappy', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { 'Content-Type': 'application/x-protobuf' }, /snappy: corrupt input/],
    ['a corrupt protobuf', compressSync(Buffer.from([0x0a, 0x50, 0x01])), { 'Content-Type': 'application/x-protobuf' }, /proto: /],
  ])('refuses %s with 400 and the reason', async (_what, body, headers, reason) => {
    const { h, base } = await start();
    const res = await post(`${base}/loki/api/v1/push`, body as string, headers as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(reason);
    expect(entries(h)).toHaveLength(0);
  });

  it('forwards the streams whose labels parse and answers 400 naming the one that does not', async () => {
    const { h, base } = await start();
    const body = protoBody([
      { labels: '{job=~"bad"}', entries: [{ ts: [1, 0], line: 'dropped' }] },
      { labels: '{job="good"}', entries: [{ ts: [1, 0], line: 'kept' }] },
    ]);
    const res = await post(`${base}/loki/api/v1/push`, body, { 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/expected "=" after label job/);
    expect(entries(h).map((e) => e.line)).toEqual(['kept']);
  });

  it('bounds bodies by max_send_message_size, also what snappy and gzip would inflate to', async () => {
    const { h, base } = await start('max_send_message_size = "1KiB"');
    const big = 'x'.repeat(4096);
    const proto = await post(`${base}/loki/api/v1/push`, protoBody([{ labels: '{job="a"}', entries: [{ ts: [1, 0], line: big }] }]), { 'Content-Type': 'application/x-protobuf' });
    expect(proto).toMatchObject({ status: 400, text: expect.stringMatching(/received message larger than max \(\d+ vs 1024\)/) });
    const gz = await post(`${base}/loki/api/v1/push`, gzipSync(JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [['1', big]] }] })), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(gz).toMatchObject({ status: 400, text: expect.stringMatching(/inflates to more than the maximum of 1024 bytes/) });
    const plain = await post(`${base}/loki/api/v1/push`, big, { 'Content-Type': 'application/json' });
    expect(plain).toMatchObject({ status: 400, text: expect.stringMatching(/message size too large than max \(4096 vs 1024\)/) });
    // The connection still serves requests afterwards.
    expect((await post(`${base}/loki/api/v1/raw`, 'ok\n', { 'Content-Type': 'text/plain' })).status).toBe(204);
    expect(entries(h).map((e) => e.line)).toEqual(['ok']);
  });

  it('applies relabel_rules (dropping streams) and removes __ labels after them', async () => {
    const port = await freePort();
    const h = await Harness.start(`
loki.relabel "rules" {
  forward_to = []
  rule {
    source_labels = ["__meta_env"]
    target_label  = "env"
  }
  rule {
    source_labels = ["job"]
    regex         = "drop-me"
    action        = "drop"
  }
}
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  relabel_rules = loki.relabel.rules.rules
  forward_to    = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
    running.push(h);
    const body = protoBody([
      { labels: '{job="keep", __meta_env="prod"}', entries: [{ ts: [1, 0], line: 'kept' }] },
      { labels: '{job="drop-me"}', entries: [{ ts: [1, 0], line: 'dropped' }] },
    ]);
    expect((await post(`http://127.0.0.1:${port}/loki/api/v1/push`, body, { 'Content-Type': 'application/x-protobuf' })).status).toBe(204);
    expect(entries(h).map((e) => [e.line, e.labels])).toEqual([['kept', { job: 'keep', env: 'prod' }]]);
  });

  it('serves /ready, 404 elsewhere and 405 for the wrong method', async () => {
    const { base } = await start();
    expect(await (await fetch(`${base}/ready`)).text()).toBe('ready');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/loki/api/v1/push`)).status).toBe(405);
  });

  it('takes pushes from alloy-ts’s own loki.write, with Alloy’s metrics', async () => {
    const port = await freePort();
    const h = await Harness.start(`
loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${port}/loki/api/v1/push"
    tenant_id = "t1"
    batch_wait = "50ms"
  }
}
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  use_incoming_timestamp = true
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
    running.push(h);
    const receiver = (h.exportOf('loki.write.out', 'receiver') as unknown as { payload: { push(b: unknown): Promise<void> } }).payload;
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    await receiver.push({ labels: { job: 'w', __internal: 'x' }, ms: Float64Array.from(lines, (_, i) => 1_700_000_000_000 + i), ns: new Int32Array(500).fill(7), lines });
    expect(entries(h).map((e) => e.line)).toEqual(lines);
    expect(entries(h)[499]).toMatchObject({ labels: { job: 'w', __tenant_id__: 't1' }, ms: 1_700_000_000_499, ns: 7 });
    const registry = h.controller.get(SOURCE)!.registry!;
    await eventually(async () => (await registry.metrics()).includes('status_code="204"'), 'request duration recorded');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/loki_source_api_entries_written\{component_id="loki.source.api.in",component_path="\/"\} 500/);
    expect(metrics).toMatch(/loki_source_api_request_duration_seconds_count\{component_id="loki.source.api.in",component_path="\/",method="POST",route="loki_api_v1_push",status_code="204",ws="false"\} 1/);
    expect(metrics).toMatch(/loki_source_api_tcp_connections\{protocol="http"/);
    expect(metrics).toMatch(/loki_source_api_request_message_bytes_bucket/);
    expect(metrics).toMatch(/loki_source_api_inflight_requests/);
  });

  it('restarts the server on a new port and keeps it on other changes', async () => {
    const { h, base } = await start();
    const port2 = await freePort();
    await h.apply(`
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port2}
  }
  labels = { moved = "yes" }
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
    await expect(fetch(`${base}/ready`)).rejects.toThrow();
    expect((await post(`http://127.0.0.1:${port2}/loki/api/v1/raw`, 'x\n', { 'Content-Type': 'text/plain' })).status).toBe(204);
    await eventually(() => entries(h).length === 1);
    expect(entries(h)[0]!.labels).toEqual({ moved: 'yes' });
  });

  it('fails the config load when the port is in use, as Alloy does', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const h = await Harness.start('');
      running.push(h);
      const source = SourceFile.fromString('main.alloy', `loki.source.api "in" {\n  http {\n    listen_address = "127.0.0.1"\n    listen_port = ${port}\n  }\n  forward_to = []\n}\n`);
      const diagnostics = await h.controller.apply([{ source, file: parseFile(source).file }]);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/failed to run embedded server: listen EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });

  it('serves HTTPS with the http block’s tls', async () => {
    const tlsDir = fileURLToPath(new URL('../../support/tls/', import.meta.url));
    const { h, base } = await start('', 0, `\n    tls {\n      cert_file = "${tlsDir}server.pem"\n      key_file  = "${tlsDir}server.key"\n    }`);
    const url = `${base.replace('http:', 'https:')}/loki/api/v1/raw`;
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', ca: readFileSync(`${tlsDir}ca.pem`), headers: { 'Content-Type': 'text/plain' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end('secure line\n');
    });
    expect(status).toBe(204);
    expect(entries(h).map((e) => e.line)).toEqual(['secure line']);
  });
});
