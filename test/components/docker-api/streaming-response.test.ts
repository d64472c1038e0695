import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerConnection } from '../../../src/components/docker-api/client.js';
import { DockerApiError, openDockerStream } from '../../../src/components/docker-api/streaming-response.js';

const TLS_DIR = fileURLToPath(new URL('../../support/tls', import.meta.url));
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A Docker API stand-in on a unix socket that answers every request with `respond`. */
async function unixApi(respond: (socket: Socket) => void): Promise<DockerConnection> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-docker-stream-'));
  dirs.push(dir);
  const socketPath = path.join(dir, 'docker.sock');
  const server = createServer((socket) => socket.once('data', () => respond(socket)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { client: undefined as never, endpoint: { kind: 'socket', socketPath }, headers: {}, tls: undefined };
}

const chunk = (payload: string) => `${Buffer.byteLength(payload).toString(16)}\r\n${payload}\r\n`;
const line = (i: number) => `line ${i} ${'x'.repeat(i % 200)}\n`;

/** Writes each chunk with its own write, as Docker does per log line, yielding now and then so reads come small. */
async function writeLines(socket: Socket, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!socket.write(chunk(line(i)))) await new Promise((resolve) => socket.once('drain', resolve));
    if (i % 50 === 0) await new Promise(setImmediate);
  }
  socket.end('0\r\n\r\n');
}

function collect(): { sink: (buf: Buffer, start: number, end: number) => void; text: () => string; calls: () => number } {
  const parts: Buffer[] = [];
  return {
    // Copied: the read buffer is reused after the call.
    sink: (buf, start, end) => void parts.push(Buffer.from(buf.subarray(start, end))),
    text: () => Buffer.concat(parts).toString(),
    calls: () => parts.length,
  };
}

describe('openDockerStream', () => {
  it('hands over a body of many small chunks byte-exact (head and first chunks in one write)', async () => {
    const count = 5000;
    const conn = await unixApi((socket) => {
      socket.write(HEAD + chunk('first\n'));
      void writeLines(socket, count);
    });
    const body = await openDockerStream(conn, '/containers/x/logs', new AbortController().signal);
    const out = collect();
    await body.pipe(out.sink);
    expect(out.text()).toBe('first\n' + Array.from({ length: count }, (_, i) => line(i)).join(''));
  });

  it('reads nothing while the consumer holds it paused, and everything once resumed', async () => {
    const count = 3000;
    const conn = await unixApi((socket) => {
      socket.write(HEAD);
      void writeLines(socket, count);
    });
    const body = await openDockerStream(conn, '/containers/x/logs', new AbortController().signal);
    const out = collect();
    let held = false;
    const done = body.pipe((buf, start, end) => {
      out.sink(buf, start, end);
      // Held midway, from a read of the stream (when reads may be pausing for writes to gather).
      if (!held && out.calls() === 200) {
        held = true;
        body.pause();
      }
    });
    while (!held) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 20)); // several read-coalescing pauses long
    const whileHeld = out.calls();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(out.calls()).toBe(whileHeld);
    body.resume();
    await done;
    expect(out.text()).toBe(Array.from({ length: count }, (_, i) => line(i)).join(''));
  });

  it('rejects with the daemon message of a non-200 answer', async () => {
    const conn = await unixApi((socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"no such container: x"}\n'));
    const err = await openDockerStream(conn, '/containers/x/logs', new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect((err as DockerApiError).statusCode).toBe(404);
    expect((err as DockerApiError).message).toBe('(HTTP code 404) no such container: x');
  });

  it('reads over TLS (stream-mode socket)', async () => {
    const server = createTlsServer(
      { key: readFileSync(path.join(TLS_DIR, 'server.key')), cert: readFileSync(path.join(TLS_DIR, 'server.pem')) },
      (socket) => socket.once('data', () => void writeLines((socket.write(HEAD), socket as unknown as Socket), 500)),
    );
    servers.push(server as unknown as Server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const conn: DockerConnection = {
      client: undefined as never,
      endpoint: { kind: 'network', protocol: 'https', host: '127.0.0.1', port },
      headers: {},
      tls: { ca: readFileSync(path.join(TLS_DIR, 'ca.pem')) },
    };
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? w.message);
    process.on('warning', onWarning);
    try {
      const body = await openDockerStream(conn, '/containers/x/logs', new AbortController().signal);
      const out = collect();
      await body.pipe(out.sink);
      expect(out.text()).toBe(Array.from({ length: 500 }, (_, i) => line(i)).join(''));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    // An IP host gets no SNI server name: Node's DEP0123 warning stays away, the certificate is still checked.
    expect(warnings).not.toContain('DEP0123');
  });

  it('checks the certificate of an IP host without SNI', async () => {
    const server = createTlsServer({ key: readFileSync(path.join(TLS_DIR, 'server.key')), cert: readFileSync(path.join(TLS_DIR, 'server.pem')) }, (socket) =>
      socket.end(HEAD),
    );
    servers.push(server as unknown as Server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const untrusted: DockerConnection = { client: undefined as never, endpoint: { kind: 'network', protocol: 'https', host: '127.0.0.1', port }, headers: {}, tls: {} };
    const err = await openDockerStream(untrusted, '/containers/x/logs', new AbortController().signal).catch((e: unknown) => e);
    expect(String(err)).toMatch(/certificate/i);
  });
});
