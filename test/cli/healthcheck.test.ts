/**
 * `alloy-ts healthcheck` against a stand-in agent whose /-/ready and
 * /-/healthy answers the test sets, and against a real agent process whose
 * http block asks for basic auth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './repo-paths.js';
import { runCli, tempDir } from './run-cli.js';

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

// ---------------------------------------------------------------------------
// Against a real agent process whose http block asks for basic auth.

const bin = path.join(repoRoot, 'bin', 'alloy-ts');
const hasDist = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
const PASSWORD = 'pw-Zq7!never-printed';

describe.skipIf(!hasDist)(`healthcheck with basic auth${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  let tmp: ReturnType<typeof tempDir>;
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    tmp = tempDir();
    const config = path.join(tmp.dir, 'config.alloy');
    writeFileSync(config, `http {\n  auth {\n    basic {\n      username = "admin"\n      password = ${JSON.stringify(PASSWORD)}\n    }\n  }\n}\n`);
    writeFileSync(path.join(tmp.dir, 'password'), `${PASSWORD}\n`);
    child = spawn(process.execPath, [bin, 'run', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(tmp.dir, 'data')}`, config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let log = '';
      child.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        const m = /now listening for http traffic.* addr=(127\.0\.0\.1:\d+)/.exec(log);
        if (m && log.includes('finished complete graph evaluation')) resolve(`http://${m[1]}`);
      });
      child.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${log}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    tmp.cleanup();
  });

  const check = (args: string[], env: Record<string, string> = {}) => runCli(['healthcheck', '--url', url, ...args], { cwd: tmp.dir, env });

  it('without credentials: 401 with a hint', async () => {
    const r = await check([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: ${url}/-/(ready|healthy): 401 Unauthorized \\(the agent asks for basic auth: set --basic-auth-username and --basic-auth-password-file or \\$ALLOY_TS_HEALTHCHECK_PASSWORD\\)\\n$`));
  });

  it('with the password from a file', async () => {
    expect(await check(['--basic-auth-username', 'admin', '--basic-auth-password-file', 'password'])).toMatchObject({ code: 0, stdout: `${url}: ready and healthy\n`, stderr: '' });
  });

  it('with the user and password from the environment', async () => {
    const env = { ALLOY_TS_HEALTHCHECK_USERNAME: 'admin', ALLOY_TS_HEALTHCHECK_PASSWORD: PASSWORD };
    expect(await check([], env)).toMatchObject({ code: 0, stderr: '' });
  });

  it('refused credentials say so, without printing them', async () => {
    const r = await check(['--basic-auth-username', 'admin'], { ALLOY_TS_HEALTHCHECK_PASSWORD: 'wrong-secret' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/401 Unauthorized \(the credentials given were refused\)\n$/);
    expect(r.stderr + r.stdout).not.toContain('wrong-secret');
  });

  it('takes credentials in the URL, and never prints the password', async () => {
    const withUserinfo = url.replace('http://', `http://admin:${encodeURIComponent(PASSWORD)}@`);
    const ok = await runCli(['healthcheck', '--url', withUserinfo], { env: {} });
    expect(ok).toMatchObject({ code: 0, stdout: `${url}: ready and healthy\n`, stderr: '' });
    const bad = await runCli(['healthcheck', '--url', withUserinfo.replace('127.0.0.1', '127.0.0.1/%zz'), '--timeout', 'x'], { env: {} });
    const refused = await runCli(['healthcheck', '--url', `http://admin:${PASSWORD}@127.0.0.1:${await closedPort()}`], { env: {} });
    for (const r of [bad, refused]) {
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    }
    expect((await runCli(['healthcheck', '--url', `localhost://admin:${PASSWORD}@x`], { env: {} })).stderr).toBe(
      'Error: invalid --url "localhost://admin:xxxxx@x": want http(s)://host:port\n',
    );
  });

  it('a missing password file is named, its contents never read into a message', async () => {
    const r = await check(['--basic-auth-username', 'admin', '--basic-auth-password-file', 'nope']);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: open nope: no such file or directory\n' });
  });
});
