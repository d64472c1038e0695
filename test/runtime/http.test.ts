import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { builtinComponents } from '../../src/components/index.js';
import { fieldDescription } from '../../src/lang/schema.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-http-'));
const configPath = path.join(dir, 'config.alloy');
const secretPath = path.join(dir, 'secret.txt');
const devNull = { write: () => true };
let running: RunningAgent;
let base: string;

const goodConfig = (extra = '') => `
logging {
  level = "warn"
}

local.file "secret" {
  filename  = ${JSON.stringify(secretPath)}
  is_secret = true
}

prometheus.exporter.self "agent" { }

loki.echo "out" { }
${extra}`;

beforeAll(async () => {
  writeFileSync(secretPath, 'hunter2');
  writeFileSync(configPath, goodConfig());
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  const addr = (running.server as unknown as { server: { address(): { port: number } } }).server.address();
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await running?.stop();
});

const get = async (p: string, init?: RequestInit) => {
  const res = await fetch(base + p, init);
  return { status: res.status, body: await res.text() };
};

describe('HTTP server', () => {
  it('answers health and readiness', async () => {
    expect(await get('/-/healthy')).toEqual({ status: 200, body: 'All Alloy components are healthy.\n' });
    expect(await get('/healthy')).toEqual({ status: 200, body: 'All Alloy components are healthy.\n' });
    expect(await get('/-/ready')).toEqual({ status: 200, body: 'Alloy is ready.\n' });
  });

  it('serves core and component metrics', async () => {
    const { status, body } = await get('/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/^alloy_build_info\{.*version="0\.1\.0".*\} 1$/m);
    expect(body).toMatch(/^alloy_config_last_load_successful 1$/m);
    expect(body).toMatch(/^alloy_component_controller_running_components\{health_type="healthy"\} \d+$/m);
    expect(body).toMatch(/^local_file_timestamp_last_accessed_unix_seconds\{component_id="local\.file\.secret",component_path="\/"\} \d/m);
    expect(body).toMatch(/^process_cpu_seconds_total /m);
    expect(body.match(/^# TYPE alloy_build_info /gm)).toHaveLength(1);
  });

  it('lists components and redacts secrets', async () => {
    const list = JSON.parse((await get('/api/v0/web/components')).body) as { localID: string }[];
    expect(list.map((c) => c.localID)).toEqual(expect.arrayContaining(['local.file.secret', 'prometheus.exporter.self.agent', 'loki.echo.out', 'logging']));
    const one = await get('/api/v0/web/components/local.file.secret');
    expect(one.status).toBe(200);
    expect(one.body).not.toContain('hunter2');
    const detail = JSON.parse(one.body) as { exports: { name: string; value: unknown }[]; arguments: { name: string }[] };
    expect(detail.exports).toEqual([{ name: 'content', type: 'attr', value: { type: 'capsule', value: '(secret)' } }]);
    expect(detail.arguments.map((a) => a.name)).toEqual(['filename', 'detector', 'poll_frequency', 'is_secret']);
    // Extra fields for the UI: the schema's descriptions of the component and its arguments.
    const docs = JSON.parse(one.body) as { description?: string; argumentDescriptions: Record<string, { description?: string }> };
    const localFile = builtinComponents().get('local.file')!;
    expect(docs.description).toBe(localFile.description);
    expect(docs.argumentDescriptions['filename']?.description).toBe(fieldDescription(localFile.args, 'filename'));
    expect(Object.keys(docs.argumentDescriptions)).toEqual(['filename', 'detector', 'poll_frequency', 'is_secret']);
    expect((await get('/api/v0/web/components/nope.nope')).status).toBe(404);
  });

  it('routes component-owned paths', async () => {
    const r = await get('/api/v0/component/prometheus.exporter.self.agent/metrics');
    expect(r.status).toBe(200);
    expect(r.body).toContain('alloy_build_info');
    expect((await get('/api/v0/component/loki.echo.out/metrics')).status).toBe(404);
    expect((await get('/no/such/path')).status).toBe(404);
  });

  it('refuses oversized bodies', async () => {
    const r = await get('/-/reload', { method: 'POST', body: 'x'.repeat(2 << 20) });
    expect(r.status).toBe(413);
  });

  it('reloads, and keeps the running config when the new one is bad', async () => {
    writeFileSync(configPath, goodConfig('loki.echo "second" { }\n'));
    expect(await get('/-/reload')).toEqual({ status: 200, body: 'config reloaded\n' });
    const ids = () => running.agent.components().map((c) => c.id);
    expect(ids()).toContain('loki.echo.second');

    writeFileSync(configPath, goodConfig('loki.echo "second" {\n'));
    const bad = await get('/-/reload', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/config\.alloy:\d+:\d+: expected/);
    expect(ids()).toContain('loki.echo.second');
    expect((await get('/metrics')).body).toMatch(/^alloy_config_last_load_successful 0$/m);
    expect((await get('/metrics')).body).toMatch(/^alloy_config_load_failures_total 1$/m);
  });
});

describe('alloy-ts run (process)', () => {
  const bin = path.resolve(__dirname, '../../bin/alloy-ts');
  const built = existsSync(path.resolve(__dirname, '../../dist/cli/main.js'));

  it.skipIf(!built)('serves the quickstart and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'run', path.resolve(__dirname, '../../examples/quickstart.alloy'), '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'proc-data')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listen line: ${stderr}`)), 10_000);
      child.stderr.on('data', () => {
        const m = /addr=127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m && stderr.includes('finished complete graph evaluation')) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/-/ready`);
    expect(res.status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/level=info msg="shutting down"/);
  });

  it.skipIf(!built)('reloads on SIGHUP', async () => {
    const cfg = path.join(dir, 'hup.alloy');
    writeFileSync(cfg, 'loki.echo "one" { }\n');
    const child = spawn(process.execPath, [bin, 'run', cfg, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'hup-data')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not started: ${stderr}`)), 10_000);
        child.stderr.on('data', () => {
          const m = /addr=127\.0\.0\.1:(\d+)/.exec(stderr);
          if (m && stderr.includes('finished complete graph evaluation')) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      writeFileSync(cfg, 'loki.echo "one" { }\n\nloki.echo "two" { }\n');
      child.kill('SIGHUP');
      let ids: string[] = [];
      for (let i = 0; i < 100 && !ids.includes('loki.echo.two'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        ids = ((await (await fetch(`http://127.0.0.1:${port}/api/v0/web/components`)).json()) as { localID: string }[]).map((c) => c.localID);
      }
      expect(ids).toEqual(expect.arrayContaining(['loki.echo.one', 'loki.echo.two']));
      expect(stderr).toContain('msg="config reloaded"');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.skipIf(!built)('fails the first load with a pretty diagnostic and exit 1', async () => {
    const bad = path.join(dir, 'bad.alloy');
    writeFileSync(bad, 'loki.echo "x" {\n  nope = 1\n}\n');
    const child = spawn(process.execPath, [bin, 'run', bad, '--server.http.listen-addr=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(`Error: ${bad}:2:3: unrecognized attribute name "nope"`);
    expect(stderr).toContain('2 |   nope = 1');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
