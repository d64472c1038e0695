/** The undici parts the agent requires file by file are undici's own, and its request behaves as the package's. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as entry from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { undici } from '../../../src/components/common/undici.js';

describe('undici parts', () => {
  it('are the classes and interceptor the package entry exports', () => {
    expect(undici.Agent).toBe(entry.Agent);
    expect(undici.ProxyAgent).toBe(entry.ProxyAgent);
    expect(undici.EnvHttpProxyAgent).toBe(entry.EnvHttpProxyAgent);
    expect(undici.interceptors.redirect).toBe(entry.interceptors.redirect);
  });

  const seen: { method?: string; url?: string; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method, url: req.url, body });
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/target?x=1' }).end();
      return;
    }
    res.writeHead(201, { 'content-type': 'text/plain' }).end(`got ${req.method} ${req.url}`);
  });
  const listening = once(server.listen(0, '127.0.0.1'), 'listening');
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends requests as undici.request does: path with query, PUT for a body without a method, redirects followed when composed', async () => {
    await listening;
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new undici.Agent();
    const get = await undici.request(new URL(`${base}/a/b?c=d`), { method: 'GET', dispatcher: agent });
    expect([get.statusCode, await get.body.text()]).toEqual([201, 'got GET /a/b?c=d']);
    const put = await undici.request(`${base}/p`, { body: 'payload', dispatcher: agent });
    expect(await put.body.text()).toBe('got PUT /p');
    expect(seen.at(-1)!.body).toBe('payload');
    const following = agent.compose(undici.interceptors.redirect({ maxRedirections: 2 }));
    const moved = await undici.request(`${base}/moved`, { method: 'GET', dispatcher: following });
    expect(await moved.body.text()).toBe('got GET /target?x=1');
    // Thrown at once, as the package's request throws.
    expect(() => undici.request('ftp://127.0.0.1/x', { method: 'GET', dispatcher: agent })).toThrow(/URL protocol/);
    expect(() => entry.request('ftp://127.0.0.1/x', { method: 'GET', dispatcher: agent })).toThrow(/URL protocol/);
    await agent.close();
  });
});
