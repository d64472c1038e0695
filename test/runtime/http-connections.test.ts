/**
 * The agent's HTTP server bounds its connections: sockets that send nothing
 * are closed after the idle timeout, keep-alive connections too once idle,
 * connections past the cap get a 503, and malformed percent-encoding is the
 * client's error (400). Real sockets against a real server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components/index.js';
import { Agent } from '../../src/runtime/agent.js';
import { HttpServer, IDLE_TIMEOUT_MS, MAX_CONNECTIONS } from '../../src/runtime/http/server.js';

const IDLE_MS = 400;
const CAP = 20;
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-conns-'));
let agent: Agent;
let server: HttpServer;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  const configPath = path.join(dir, 'config.alloy');
  writeFileSync(configPath, 'livedebugging {\n  enabled = true\n}\n\nloki.echo "out" { }\n\ndeclare "m" {\n  loki.echo "inner" { }\n}\n\nm "one" { }\n');
  agent = new Agent({
    configPath,
    registry: builtinComponents(),
    storagePath: path.join(dir, 'data'),
    minStability: 'generally-available',
    httpListenAddr: '127.0.0.1:0',
    memoryAddr: 'alloy.internal:12345',
    version: 'test',
    writeLog: () => {},
  });
  server = new HttpServer(agent, { listenAddr: '127.0.0.1:0', idleTimeoutMs: IDLE_MS, maxConnections: CAP });
  port = (await server.listen()).port;
  await agent.start();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await agent?.stop();
  await server?.close();
});

/** Opens a socket and resolves once it is connected. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

/** Resolves with everything the server sent once it closed the socket. */
function closedBy(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

/** One raw HTTP/1.1 request on a fresh connection; resolves with the whole response text. */
async function rawGet(target: string): Promise<string> {
  const s = await open();
  const done = closedBy(s);
  s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return done;
}

describe('HTTP server connections', () => {
  it('states its default limits', () => {
    expect(MAX_CONNECTIONS).toBe(512);
    expect(IDLE_TIMEOUT_MS).toBe(30_000);
  });

  it('closes a connection that never sends a request after the idle timeout', async () => {
    const s = await open();
    const text = await closedBy(s);
    expect(text).toBe('');
  });

  it('closes an idle keep-alive connection after a response', async () => {
    const s = await open();
    const closed = closedBy(s);
    s.write('GET /-/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    let text = '';
    await new Promise<void>((resolve) => s.on('data', (d: Buffer) => (text += d.toString('utf8')).includes('Alloy is ready.') && resolve()));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: keep-alive/i);
    expect(s.destroyed).toBe(false);
    await closed;
  });

  it('keeps a live-debugging stream open past the idle timeout', async () => {
    const s = await open();
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('utf8')));
    s.write('GET /api/v0/web/debug/loki.echo.out HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, IDLE_MS * 3));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(s.destroyed).toBe(false);
    s.destroy();
  });

  it('answers 503 past the connection cap and serves again once connections close', async () => {
    // Give earlier tests' sockets time to be released on the server.
    await new Promise((r) => setTimeout(r, 100));
    const held = await Promise.all(Array.from({ length: CAP }, () => open()));
    const refused = await rawGet('/-/ready');
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toContain('too many open connections');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await rawGet('/-/ready')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Alloy is ready\./);
  });

  it.each(['/api/v0/web/components/%', '/api/v0/web/components/%zz', '/api/v0/web/modules/%/components', '/api/v0/web/debug/%E0%A4%A'])('answers 400 for malformed percent-encoding in %s', async (target) => {
    const response = await rawGet(target);
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(response).toContain('invalid URL escape');
  });

  it('still resolves well-formed escapes', async () => {
    expect(await rawGet('/api/v0/web/modules/m.one/components')).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(await rawGet('/api/v0/web/modules/m%2Eone/components')).toMatch(/^HTTP\/1\.1 200 OK/);
  });
});
