import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDockerClient, DockerApiError, dockerQueryString, dockerStatusCode, requestTimeout, type DockerClient } from '../../../src/components/docker-api/client.js';

const TLS_DIR = fileURLToPath(new URL('../../support/tls', import.meta.url));

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

const servers: Server[] = [];
const clients: DockerClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A Docker API stand-in (Node's HTTP server) on a unix socket; records every request. */
async function unixApi(handle: Handler): Promise<{ host: string; seen: Seen[]; server: Server }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-docker-client-'));
  dirs.push(dir);
  const socketPath = path.join(dir, 'docker.sock');
  const { server, seen } = recording(createServer(), handle);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { host: `unix://${socketPath}`, seen, server };
}

function recording(server: Server, handle: Handler): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  servers.push(server);
  return { server, seen };
}

async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function client(host: string, opts: Omit<Parameters<typeof createDockerClient>[0], 'host'> = {}): Promise<DockerClient> {
  const c = await createDockerClient({ host, ...opts });
  clients.push(c);
  return c;
}

const json = (status: number, body: unknown): Handler => (_req, res) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
const never = 5_000;

/** docker-modem's own encoder (dockerode is kept for the podman test helpers): the reference for query strings. */
function modemQuery(opts: Record<string, unknown>): string {
  const Modem = createRequire(import.meta.url)('docker-modem') as { prototype: { buildQuerystring(o: Record<string, unknown>): string } };
  return Modem.prototype.buildQuerystring(opts);
}

describe('DockerClient over a unix socket', () => {
  it('lists containers with filters and all, encoded as docker-modem did', async () => {
    const api = await unixApi(json(200, [{ Id: 'abc' }]));
    const c = await client(api.host);
    const filters = { label: ['app=web', 'tier=a b&c'], name: ['x/y'] };
    await expect(c.listContainers({ all: true, filters }, requestTimeout(never))).resolves.toEqual([{ Id: 'abc' }]);
    const { method, url, headers } = api.seen[0]!;
    expect(method).toBe('GET');
    expect(headers.host).toBe('localhost');
    expect(url).toBe(`/containers/json?${modemQuery({ all: true, filters })}`);
    const query = new URL(url, 'http://x').searchParams;
    expect(query.get('all')).toBe('true');
    expect(JSON.parse(query.get('filters')!)).toEqual(filters);
  });

  it('sends no query string when there is nothing to send, and an empty filter set as {}', async () => {
    const api = await unixApi(json(200, []));
    const c = await client(api.host);
    await c.listContainers({}, requestTimeout(never));
    await c.listNetworks(requestTimeout(never));
    await c.listContainers({ filters: {} }, requestTimeout(never));
    expect(api.seen.map((s) => s.url)).toEqual(['/containers/json', '/networks', '/containers/json?filters=%7B%7D']);
  });

  it('encodes getJson queries like docker-modem (stats one-shot) and inspects by container id', async () => {
    const api = await unixApi(json(200, { Id: 'abc', State: { Running: true, StartedAt: '', FinishedAt: '' }, Config: { Tty: false } }));
    const c = await client(api.host);
    await c.getJson('/containers/abc/stats', requestTimeout(never), { stream: 'false', 'one-shot': 'true' });
    const info = await c.inspectContainer('abc', requestTimeout(never));
    expect(info.State.Running).toBe(true);
    expect(api.seen.map((s) => s.url)).toEqual(['/containers/abc/stats?stream=false&one-shot=true', '/containers/abc/json']);
    expect(dockerQueryString({ stream: 'false', 'one-shot': 'true' })).toBe(modemQuery({ stream: 'false', 'one-shot': 'true' }));
  });

  it('rejects an error status with DockerApiError carrying the status and Docker\'s message', async () => {
    const api = await unixApi(json(404, { message: 'no such container: nope' }));
    const c = await client(api.host);
    const err = await c.inspectContainer('nope', requestTimeout(never)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect(dockerStatusCode(err)).toBe(404);
    expect((err as Error).message).toBe('(HTTP code 404) no such container: nope');
  });

  it('uses a non-JSON error body as the message, and the status text when the body is empty', async () => {
    let status = 500;
    const api = await unixApi((_req, res) => res.writeHead(status).end(status === 500 ? 'database is locked\n' : ''));
    const c = await client(api.host);
    await expect(c.listNetworks(requestTimeout(never))).rejects.toThrow(/^\(HTTP code 500\) database is locked$/);
    status = 503;
    const err = await c.listNetworks(requestTimeout(never)).catch((e: unknown) => e);
    expect(dockerStatusCode(err)).toBe(503);
    expect((err as Error).message).toBe('(HTTP code 503) service unavailable');
  });

  it('rejects a 200 answer that is not JSON with a clear error', async () => {
    const api = await unixApi((_req, res) => res.writeHead(200).end('<html>proxy</html>'));
    const c = await client(api.host);
    await expect(c.getJson('/info', requestTimeout(never))).rejects.toThrow('Docker API answered GET /info with invalid JSON: "<html>proxy</html>"');
  });

  it('gives up when the signal aborts (or times out) and drops the connection that carried the request', async () => {
    const closed: Promise<void>[] = [];
    // Never answers; remembers when each request's connection closes.
    const api = await unixApi((req) => closed.push(new Promise((resolve) => req.socket.once('close', () => resolve()))));
    const c = await client(api.host);
    const controller = new AbortController();
    const pending = c.listContainers({}, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const started = Date.now();
    await expect(c.getJson('/info', requestTimeout(100))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(never);
    expect(closed).toHaveLength(2);
    await Promise.all(closed);
  });

  it('rejects a request whose signal already aborted without sending it', async () => {
    const api = await unixApi(json(200, []));
    const c = await client(api.host);
    await expect(c.listNetworks(AbortSignal.abort())).rejects.toThrow();
    expect(api.seen).toEqual([]);
  });

  it('reports a missing socket as a connection error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-docker-client-'));
    dirs.push(dir);
    const c = await client(`unix://${path.join(dir, 'absent.sock')}`);
    const err = await c.listNetworks(requestTimeout(never)).catch((e: unknown) => e);
    expect(dockerStatusCode(err)).toBeUndefined();
    expect(String((err as Error).message)).toMatch(/ENOENT|connect/);
  });
});

describe('DockerClient over the network', () => {
  it('sends the static headers to an http host (tcp:// too) with its Host', async () => {
    const { server, seen } = recording(createServer(), json(200, []));
    const port = await listenLocal(server);
    await (await client(`http://127.0.0.1:${port}`, { headers: { Authorization: 'Bearer s3cret', 'X-Scope': 'a' } })).listNetworks(requestTimeout(never));
    await (await client(`tcp://127.0.0.1:${port}`)).listNetworks(requestTimeout(never));
    expect(seen[0]!.headers['authorization']).toBe('Bearer s3cret');
    expect(seen[0]!.headers['x-scope']).toBe('a');
    expect(seen[0]!.headers.host).toBe(`127.0.0.1:${port}`);
    expect(seen[1]!.headers['authorization']).toBeUndefined();
    expect(seen[1]!.url).toBe('/networks');
  });

  it('verifies an https host against the given CA, and refuses it without', async () => {
    const tlsServer = createHttpsServer({ key: readFileSync(path.join(TLS_DIR, 'server.key')), cert: readFileSync(path.join(TLS_DIR, 'server.pem')) });
    const { server, seen } = recording(tlsServer, json(200, { NCPU: 2 }));
    const port = await listenLocal(server);
    const trusted = await client(`https://127.0.0.1:${port}`, { tls: { ca: readFileSync(path.join(TLS_DIR, 'ca.pem'), 'utf8') } });
    await expect(trusted.getJson('/info', requestTimeout(never))).resolves.toEqual({ NCPU: 2 });
    const untrusted = await client(`https://127.0.0.1:${port}`);
    await expect(untrusted.getJson('/info', requestTimeout(never))).rejects.toThrow(/certificate/i);
    expect(seen).toHaveLength(1);
  });
});
