/** `alloy-ts healthcheck` against a stand-in agent whose /-/ready and /-/healthy answers the test sets. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

interface Answers {
  ready: number;
  healthy: number;
  /** Milliseconds before answering. */
  delayMs?: number;
}

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function agent(answers: Answers): Promise<string> {
  server = createServer((req, res) => {
    const status = req.url === '/-/ready' ? answers.ready : req.url === '/-/healthy' ? answers.healthy : 404;
    const body = status === 200 ? 'fine\n' : req.url === '/-/healthy' ? 'unhealthy components: loki.write.default\n' : 'Alloy is not ready.\n';
    setTimeout(() => res.writeHead(status).end(body), answers.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** A port nothing listens on (fetch refuses some low ports outright, so not port 1). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('alloy-ts healthcheck', () => {
  it('succeeds when the agent is ready and healthy', async () => {
    const url = await agent({ ready: 200, healthy: 200 });
    expect(await runCli(['healthcheck', '--url', url])).toMatchObject({ code: 0, stdout: `${url}: ready and healthy\n`, stderr: '' });
  });

  it('fails with the endpoint and the first line of its answer', async () => {
    const url = await agent({ ready: 200, healthy: 500 });
    expect(await runCli(['healthcheck', `--url=${url}`])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Error: ${url}/-/healthy: 500 unhealthy components: loki.write.default\n`,
    });
  });

  it('fails when the agent is not ready yet', async () => {
    const url = await agent({ ready: 503, healthy: 200 });
    expect((await runCli(['healthcheck', '--url', url])).stderr).toBe(`Error: ${url}/-/ready: 503 Alloy is not ready.\n`);
  });

  it('fails on a refused connection and on a timeout, in one line', async () => {
    const url = await agent({ ready: 200, healthy: 200, delayMs: 2000 });
    const slow = await runCli(['healthcheck', '--url', url, '--timeout', '100ms']);
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(new RegExp(`^Error: ${url}/-/(ready|healthy): no answer within 100ms\\n$`));
    const port = await closedPort();
    const refused = await runCli(['healthcheck', '--url', `http://127.0.0.1:${port}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^Error: http://127\\.0\\.0\\.1:${port}/-/(ready|healthy): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`));
  });

  it('rejects a malformed URL or timeout', async () => {
    expect((await runCli(['healthcheck', '--url', 'localhost:12345'])).stderr).toBe('Error: invalid --url "localhost:12345": want http(s)://host:port\n');
    expect((await runCli(['healthcheck', '--timeout', 'soon'])).stderr).toBe('Error: invalid --timeout "soon": want a positive duration such as 3s\n');
  });
});
