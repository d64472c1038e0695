import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';
import { makeBatch, runConfig, type WriteHarness } from './write-harness.js';

const TLS_DIR = fileURLToPath(new URL('../../support/tls', import.meta.url));
const receivers: LokiReceiver[] = [];
const harnesses: WriteHarness[] = [];

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.harness.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function loki(): Promise<LokiReceiver> {
  const r = await LokiReceiver.start();
  receivers.push(r);
  return r;
}

async function run(text: string): Promise<WriteHarness> {
  const h = await runConfig(text);
  harnesses.push(h);
  return h;
}

/** An endpoint block with quick batching (unless `extra` sets batch_wait) and retries for tests. */
function endpoint(url: string, extra = ''): string {
  return `endpoint {
    url = ${JSON.stringify(url)}
    ${extra.includes('batch_wait') ? '' : 'batch_wait = "20ms"'}
    min_backoff_period = "10ms"
    max_backoff_period = "40ms"
    ${extra}
  }`;
}

describe('loki.write delivery', () => {
  it('delivers every entry exactly: labels, timestamps, lines and structured metadata', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl)}
  external_labels = { cluster = "c1", job = "overridden" }
}`);
    const receiver = h.receiver();
    const streams: Record<string, string>[] = [
      { job: 'a', path: '/var/log/a.log' },
      { job: 'b', quote: 'say "hi"\\\n\t', __internal: 'hidden' },
      { job: 'c', unicode: 'héllo ✓' },
    ];
    const pushes = [];
    for (let round = 0; round < 10; round++) {
      for (const [s, labels] of streams.entries()) {
        pushes.push(
          receiver.push(
            makeBatch(labels, 300, {
              prefix: `r${round}-s${s}-ünï`,
              startMs: 1_700_000_000_000 + round * 1000,
              ns: 123_456,
              metadata: s === 2 ? (i) => (i % 2 ? { trace_id: `t${i}`, empty: '' } : undefined) : undefined,
            }),
          ),
        );
      }
    }
    await Promise.all(pushes);
    const got = l.entries();
    expect(got).toHaveLength(9000);

    const byStream = new Map<string, typeof got>();
    for (const e of got) byStream.set(e.labels, [...(byStream.get(e.labels) ?? []), e]);
    expect([...byStream.keys()].sort()).toEqual([
      '{cluster="c1", job="a", path="/var/log/a.log"}',
      '{cluster="c1", job="b", quote="say \\"hi\\"\\\\\\n\\t"}',
      '{cluster="c1", job="c", unicode="héllo ✓"}',
    ]);
    const c = byStream.get('{cluster="c1", job="c", unicode="héllo ✓"}')!;
    expect(c).toHaveLength(3000);
    // Within a stream, entries keep their push order.
    expect(c[0]).toEqual({ labels: c[0]!.labels, timestampNs: 1_700_000_000_000_000_000n + 123_456n, line: 'r0-s2-ünï-0', metadata: {} });
    expect(c[1]).toEqual({ labels: c[1]!.labels, timestampNs: 1_700_000_000_001_000_000n + 123_456n, line: 'r0-s2-ünï-1', metadata: { trace_id: 't1', empty: '' } });
    expect(c[2999]!.line).toBe('r9-s2-ünï-299');
    expect(c[2999]!.timestampNs).toBe(1_700_000_009_299_000_000n + 123_456n);

    const req = l.accepted[0]!;
    expect(req.headers['content-type']).toBe('application/x-protobuf');
    expect(req.headers['content-encoding']).toBe('snappy');
    expect(req.headers['user-agent']).toMatch(/^Alloy\/v\S+ \(\w+; binary\)$/);
    expect(req.headers['x-scope-orgid']).toBeUndefined();
    expect(await h.metric('loki_write_sent_entries_total')).toBe(9000);
    const sentBytes = await h.metric('loki_write_sent_bytes_total');
    expect(sentBytes).toBe(l.accepted.reduce((n, r) => n + r.bodyBytes, 0));
    expect(await h.metric('loki_write_encoded_bytes_total')).toBe(sentBytes);
  });

  it('closes batches at batch_size and sends partial ones after batch_wait', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl, 'batch_size = "1KiB"\n    batch_wait = "300ms"')}
}`);
    // 100 entries of 100 bytes: ten per 1 KiB batch.
    const started = Date.now();
    await h.receiver().push(makeBatch({ job: 'size' }, 100, { lineBytes: 100 }));
    expect(l.accepted.map((r) => r.streams[0]!.entries.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    // The last batch is full too but only goes when it is due (no entry pushes it out).
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const before = l.accepted.length;
    const t0 = Date.now();
    await h.receiver().push(makeBatch({ job: 'wait' }, 3));
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(l.accepted.length).toBe(before + 1);
    expect(l.accepted[before]!.streams[0]!.entries.map((e) => e.line)).toEqual(['line-0', 'line-1', 'line-2']);
  });

  it('sends a partial batch at once when a sender asks for a flush', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl, 'batch_wait = "1h"')}
}`);
    const receiver = h.receiver();
    let delivered = false;
    const pushed = receiver.push(makeBatch({ job: 'flush' }, 3)).then(() => (delivered = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered).toBe(false); // held for batch_wait
    receiver.flush!();
    await pushed;
    expect(l.accepted.flatMap((r) => r.streams[0]!.entries.map((e) => e.line))).toEqual(['line-0', 'line-1', 'line-2']);
  });

  it('passes a flush through loki.process once the pushes before it were forwarded', async () => {
    const l = await loki();
    const h = await run(`loki.process "p" {
  forward_to = [loki.write.default.receiver]
  stage.static_labels {
    values = { via = "process" }
  }
}
loki.write "default" {
  ${endpoint(l.pushUrl, 'batch_wait = "1h"')}
}`);
    const receiver = h.receiver('loki.process.p');
    const pushed = receiver.push(makeBatch({ job: 'flush' }, 2));
    receiver.flush!(); // arrives while the push is still in the pipeline
    await pushed;
    expect(l.entries().map((e) => [e.labels, e.line])).toEqual([
      ['{job="flush", via="process"}', 'line-0'],
      ['{job="flush", via="process"}', 'line-1'],
    ]);
  });

  it('keeps a file source reading when its pipeline shrinks a full in-flight window below one batch', async () => {
    const l = await loki();
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-flush-'));
    const file = path.join(dir, 'app.log');
    // 6 MiB of lines (more than a tailer keeps in flight); the pipeline keeps one line in a hundred.
    const lines = Array.from({ length: 50_000 }, (_, i) => `${String(i).padStart(6, '0')} ${'x'.repeat(113)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const h = await run(`loki.source.file "f" {
  targets    = [{"__path__" = ${JSON.stringify(file)}}]
  forward_to = [loki.process.keep.receiver]
}
loki.process "keep" {
  forward_to = [loki.write.default.receiver]
  stage.drop {
    expression = "^\\\\d{4}([1-9]\\\\d|0[1-9])"
  }
}
loki.write "default" {
  ${endpoint(l.pushUrl, 'batch_wait = "1h"')}
}`);
    // Reading past the first 4 MiB needs acknowledgements that batch_wait (1h) would hold back
    // without the tailer's flush requests.
    await eventually(async () => (await h.metric('loki_source_file_read_lines_total', {}, 'loki.source.file.f')) === lines.length, 'whole file read');
    expect(l.entries().length).toBeGreaterThan(0);
    await h.harness.stop(); // sends the last partial batch
    expect(l.entries().map((e) => e.line)).toEqual(lines.filter((_, i) => i % 100 === 0));
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts streams of the same tenant in one request and splits tenants', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl, 'tenant_id = "team-a"\n    batch_wait = "100ms"')}
}`);
    const r = h.receiver();
    await Promise.all([
      r.push(makeBatch({ job: 'x' }, 2)),
      r.push(makeBatch({ job: 'y' }, 2)),
      r.push(makeBatch({ job: 'z', __tenant_id__: 'team-b' }, 2)),
    ]);
    const byTenant = Object.fromEntries(l.accepted.map((req) => [req.headers['x-scope-orgid'], req.streams.map((s) => s.labels).sort()]));
    expect(byTenant).toEqual({ 'team-a': ['{job="x"}', '{job="y"}'], 'team-b': ['{job="z"}'] });
    expect(await h.metric('loki_write_sent_entries_total', { tenant: 'team-b' })).toBe(2);
  });

  it('sends basic auth, bearer tokens and custom headers', async () => {
    const l = await loki();
    const h = await run(`loki.write "basic" {
  ${endpoint(l.pushUrl, 'basic_auth {\n      username = "user"\n      password = "pa:ss"\n    }\n    headers = { "X-Custom" = "1", "Content-Type" = "text/plain" }')}
}
loki.write "bearer" {
  ${endpoint(l.pushUrl, 'bearer_token = "tok"\n    http_headers = { "X-Multi" = ["a", "b"] }')}
}`);
    await h.receiver('loki.write.basic').push(makeBatch({ job: 'basic' }, 1));
    await h.receiver('loki.write.bearer').push(makeBatch({ job: 'bearer' }, 1));
    const [basic, bearer] = l.accepted;
    expect(basic!.headers['authorization']).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
    expect(basic!.headers['x-custom']).toBe('1');
    expect(basic!.headers['content-type']).toBe('application/x-protobuf');
    expect(h.logs.some((line) => line.includes('custom header key already exists, skipping'))).toBe(true);
    expect(bearer!.headers['authorization']).toBe('Bearer tok');
    expect(bearer!.headers['x-multi']).toBe('a, b');
  });

  it('fetches an OAuth2 client-credentials token and reuses it', async () => {
    const l = await loki();
    const tokenRequests: { authorization?: string; body: string }[] = [];
    const tokens = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        tokenRequests.push({ authorization: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-1', token_type: 'bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    try {
      const tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/token`;
      const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl, `oauth2 {\n      client_id = "id"\n      client_secret = "s3cret"\n      token_url = "${tokenUrl}"\n      scopes = ["logs:write", "x"]\n      endpoint_params = { audience = "loki" }\n    }`)}
}`);
      await h.receiver().push(makeBatch({ job: 'o1' }, 1));
      await h.receiver().push(makeBatch({ job: 'o2' }, 1));
      expect(l.accepted.map((r) => r.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-1']);
      expect(tokenRequests).toHaveLength(1);
      expect(tokenRequests[0]!.authorization).toBe(`Basic ${Buffer.from('id:s3cret').toString('base64')}`);
      expect(Object.fromEntries(new URLSearchParams(tokenRequests[0]!.body))).toEqual({ grant_type: 'client_credentials', scope: 'logs:write x', audience: 'loki' });
    } finally {
      tokens.close();
    }
  });

  it('goes through proxy_url (absolute-form requests), except for no_proxy hosts', async () => {
    const proxy = await loki();
    const direct = await loki();
    const h = await run(`loki.write "proxied" {
  ${endpoint('http://loki.invalid:3100/loki/api/v1/push', `proxy_url = "http://127.0.0.1:${proxy.port}"`)}
}
loki.write "bypass" {
  ${endpoint(direct.pushUrl, `proxy_url = "http://127.0.0.1:1"\n    no_proxy = "127.0.0.1"`)}
}`);
    await h.receiver('loki.write.proxied').push(makeBatch({ job: 'proxied' }, 2));
    await h.receiver('loki.write.bypass').push(makeBatch({ job: 'bypass' }, 3));
    expect(proxy.entries().map((e) => e.line)).toEqual(['line-0', 'line-1']);
    expect(proxy.log[0]!.headers['host']).toBe('loki.invalid:3100');
    expect(direct.entries()).toHaveLength(3);
  });

  it('speaks TLS with a configured CA, server name and client certificate', async () => {
    // test/support/tls: a test CA, a server certificate for loki.test and 127.0.0.1, and a client certificate.
    const tls = (f: string) => path.join(TLS_DIR, f);
    const secure = await LokiReceiver.start({
      tls: { key: readFileSync(tls('server.key')), cert: readFileSync(tls('server.pem')), ca: readFileSync(tls('ca.pem')), requestCert: true, rejectUnauthorized: true },
    });
    receivers.push(secure);
    const h = await run(`loki.write "default" {
  ${endpoint(secure.pushUrl, `tls_config {\n      ca_file = ${JSON.stringify(tls('ca.pem'))}\n      cert_file = ${JSON.stringify(tls('client.pem'))}\n      key_file = ${JSON.stringify(tls('client.key'))}\n      server_name = "loki.test"\n      min_version = "TLS12"\n    }`)}
}`);
    await h.receiver().push(makeBatch({ job: 'tls' }, 2));
    expect(secure.entries()).toHaveLength(2);
    expect(secure.log[0]!.clientCertCN).toBe('alloy-ts client');
  });

  it('rejects two kinds of authorization in one endpoint', async () => {
    await expect(
      runConfig(`loki.write "default" {
  endpoint {
    url = "http://127.0.0.1:1/loki/api/v1/push"
    bearer_token = "a"
    basic_auth { username = "u" }
  }
}`),
    ).rejects.toThrow('at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured');
  });
});

describe('loki.write retries', () => {
  it('retries 429 and 500 with backoff, then delivers', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" { ${endpoint(l.pushUrl)} }`);
    l.respondWith(429, 2);
    l.respondWith(500, 1);
    await h.receiver().push(makeBatch({ job: 'retry' }, 5));
    expect(l.log.map((r) => r.status)).toEqual([429, 429, 500, 204]);
    expect(l.entries()).toHaveLength(5);
    expect(await h.metric('loki_write_batch_retries_total')).toBe(3);
    expect(await h.metric('loki_write_sent_entries_total')).toBe(5);
    expect(await h.metric('loki_write_dropped_entries_total')).toBe(0);
  });

  it('drops a batch answered 400 at once and counts it', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" { ${endpoint(l.pushUrl)} }`);
    l.respondWith(400, 1);
    await h.receiver().push(makeBatch({ job: 'bad' }, 7));
    expect(l.log.map((r) => r.status)).toEqual([400]);
    expect(await h.metric('loki_write_dropped_entries_total', { reason: 'ingester_error' })).toBe(7);
    expect(await h.metric('loki_write_dropped_bytes_total', { reason: 'ingester_error' })).toBeGreaterThan(0);
    expect(await h.metric('loki_write_batch_retries_total')).toBe(0);
    expect(h.logs.some((line) => line.includes('forced status 400') && !line.includes('second line'))).toBe(true);
  });

  it('drops 429 at once with retry_on_http_429 = false; keeps retrying 5xx past max_backoff_retries (alloy-ts never drops retryable failures)', async () => {
    const l = await loki();
    const h = await run(`loki.write "norate" { ${endpoint(l.pushUrl, 'retry_on_http_429 = false')} }
loki.write "few" { ${endpoint(l.pushUrl, 'max_backoff_retries = 3')} }`);
    l.respondWith(429, 1);
    await h.receiver('loki.write.norate').push(makeBatch({ job: 'a' }, 2));
    expect(await h.metric('loki_write_dropped_entries_total', { reason: 'rate_limited' }, 'loki.write.norate')).toBe(2);

    l.respondWith(503, 6);
    await h.receiver('loki.write.few').push(makeBatch({ job: 'b' }, 4));
    expect(l.log.slice(1).map((r) => r.status)).toEqual([503, 503, 503, 503, 503, 503, 204]);
    expect(await h.metric('loki_write_dropped_entries_total', { reason: 'ingester_error' }, 'loki.write.few')).toBe(0);
    expect(await h.metric('loki_write_batch_retries_total', {}, 'loki.write.few')).toBe(6);
    expect(l.entries()).toHaveLength(4);
    // Six failures within the log interval: one warn line, counting the first failure.
    const warned = h.logs.filter((line) => line.includes('error sending batch, will retry'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/level=warn .*failures=1/);
  });
});

describe('loki.write endpoints and queues', () => {
  it('keeps a live endpoint flowing while another is down, and delivers to that one when it is back', async () => {
    const live = await loki();
    const dead = await loki();
    await dead.down();
    const h = await run(`loki.write "default" {
  ${endpoint(live.pushUrl)}
  ${endpoint(dead.pushUrl, 'max_backoff_retries = 50')}
}`);
    const r = h.receiver();
    const acks: Promise<void>[] = [];
    let acked = 0;
    for (let i = 0; i < 20; i++) acks.push(r.push(makeBatch({ job: 'both', batch: String(i) }, 50)).then(() => void acked++));
    await live.waitForEntries(1000);
    expect(acked).toBe(0); // the dead endpoint has not delivered them
    expect(await h.metric('loki_write_batch_retries_total', { host: `127.0.0.1:${dead.port}` })).toBeGreaterThan(0);

    await dead.up();
    await Promise.all(acks);
    expect(dead.entries()).toHaveLength(1000);
    expect(live.entries()).toHaveLength(1000);
    expect(await h.metric('loki_write_sent_entries_total', { host: `127.0.0.1:${dead.port}` })).toBe(1000);
  });

  it('holds at most queue capacity for a dead endpoint: further pushes wait, or are dropped without block_on_overflow', async () => {
    const dead = await loki();
    await dead.down();
    const h = await run(`loki.write "blocking" {
  ${endpoint(dead.pushUrl, 'batch_size = "1KiB"\n    max_backoff_retries = 0\n    queue_config {\n      capacity = "2KiB"\n    }')}
}
loki.write "dropping" {
  ${endpoint(dead.pushUrl, 'batch_size = "1KiB"\n    max_backoff_retries = 0\n    queue_config {\n      capacity = "2KiB"\n      block_on_overflow = false\n    }')}
}`);
    const blocking = h.receiver('loki.write.blocking');
    const first = blocking.push(makeBatch({ job: 'q' }, 20, { lineBytes: 100 }));
    let secondDone = false;
    const second = blocking.push(makeBatch({ job: 'q', n: '2' }, 5, { lineBytes: 100 })).then(() => void (secondDone = true));
    const info = () => (h.debugInfo('loki.write.blocking') as { endpoints: { queued_bytes: number; waiting_batches: number }[] }).endpoints[0]!;
    await dead.waitUntil(() => info().waiting_batches === 1, 2000);
    expect(info().queued_bytes).toBe(2000);

    const dropping = h.receiver('loki.write.dropping');
    void dropping.push(makeBatch({ job: 'd' }, 20, { lineBytes: 100 }));
    await dropping.push(makeBatch({ job: 'd', n: '2' }, 5, { lineBytes: 100 }));
    expect(await h.metric('loki_write_dropped_entries_total', { reason: 'queue_is_full' }, 'loki.write.dropping')).toBe(5);

    await dead.up();
    await Promise.all([first, second]);
    expect(secondDone).toBe(true);
    await dead.waitForEntries(45); // 20 + 5 blocking, 20 dropping (5 were dropped)
  });

  it('drops entries of streams beyond max_streams per batch', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" {
  ${endpoint(l.pushUrl, 'batch_wait = "200ms"')}
  max_streams = 2
}`);
    const r = h.receiver();
    await Promise.all([r.push(makeBatch({ s: '1' }, 3)), r.push(makeBatch({ s: '2' }, 3)), r.push(makeBatch({ s: '3' }, 4)), r.push(makeBatch({ s: '1' }, 1))]);
    expect(l.entries()).toHaveLength(7);
    expect(await h.metric('loki_write_dropped_entries_total', { reason: 'stream_limited' })).toBe(4);
  });
});

describe('loki.write reload', () => {
  it('rebuilds endpoints on update; the old ones still deliver what they took', async () => {
    const first = await loki();
    const second = await loki();
    const config = (url: string) => `loki.write "default" { ${endpoint(url, 'batch_wait = "300ms"')} }`;
    const h = await run(config(first.pushUrl));
    const r = h.receiver();
    const early = r.push(makeBatch({ job: 'early' }, 4));
    await h.reload(config(second.pushUrl));
    expect(h.receiver()).toBe(r); // the exported receiver stays the same
    const late = r.push(makeBatch({ job: 'late' }, 2));
    await Promise.all([early, late]);
    expect(first.entries().map((e) => e.labels)).toEqual(Array(4).fill('{job="early"}'));
    expect(second.entries().map((e) => e.labels)).toEqual(Array(2).fill('{job="late"}'));
  });
});

describe('loki.write shutdown', () => {
  it('sends pending batches when stopped, before batch_wait', async () => {
    const l = await loki();
    const h = await run(`loki.write "default" { ${endpoint(l.pushUrl, 'batch_wait = "1m"')} }`);
    const ack = h.receiver().push(makeBatch({ job: 'drain' }, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(l.entries()).toHaveLength(0);
    const t0 = Date.now();
    await h.harness.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    await ack;
    expect(l.entries()).toHaveLength(10);
    await expect(h.receiver().push(makeBatch({ job: 'late' }, 1))).rejects.toThrow('is stopped');
  });

  it('gives up at drain_timeout and rejects what was not delivered', async () => {
    const dead = await loki();
    await dead.down();
    const h = await run(`loki.write "default" {
  ${endpoint(dead.pushUrl, 'max_backoff_retries = 0\n    queue_config {\n      drain_timeout = "300ms"\n    }')}
}`);
    const ack = h.receiver().push(makeBatch({ job: 'lost' }, 3));
    const outcome = ack.then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    const t0 = Date.now();
    await h.harness.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await outcome).toMatch(/stopped before delivering/);
  });
});

describe('LokiReceiver', () => {
  it('decodes the JSON push form too', async () => {
    const l = await loki();
    const res = await fetch(l.pushUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { job: 'j', a: 'b' }, values: [['1700000000000000001', 'hello'], ['1700000000000000002', 'md', { trace_id: 'x' }]] }] }),
    });
    expect(res.status).toBe(204);
    expect(l.entries()).toEqual([
      { labels: '{a="b", job="j"}', timestampNs: 1_700_000_000_000_000_001n, line: 'hello', metadata: {} },
      { labels: '{a="b", job="j"}', timestampNs: 1_700_000_000_000_000_002n, line: 'md', metadata: { trace_id: 'x' } },
    ]);
  });
});
