import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { singleEntry, type LogsReceiver } from '../../src/components/common/log-entries.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-auth-'));
const configPath = path.join(dir, 'config.alloy');
const devNull = { write: () => true };
let running: RunningAgent;
let base: string;

beforeAll(async () => {
  writeFileSync(
    configPath,
    `
http {
  auth {
    basic {
      username = "admin"
      password = "s3cret"
    }
    filter {
      paths                       = ["/-/ready"]
      authenticate_matching_paths = false
    }
  }
}

livedebugging {
  enabled = true
}

loki.echo "out" { }
`,
  );
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  const addr = (running.server as unknown as { server: { address(): { port: number } } }).server.address();
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await running?.stop();
});

const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

describe('http block', () => {
  it('requires basic auth except on filtered-out paths', async () => {
    expect((await fetch(`${base}/-/healthy`)).status).toBe(401);
    expect((await fetch(`${base}/-/healthy`, { headers: basic('admin', 'wrong') })).status).toBe(401);
    expect((await fetch(`${base}/-/healthy`, { headers: basic('admin', 's3cret') })).status).toBe(200);
    expect((await fetch(`${base}/-/ready`)).status).toBe(200);
  });

  it('never shows the password in the API', async () => {
    const body = await (await fetch(`${base}/api/v0/web/components`, { headers: basic('admin', 's3cret') })).text();
    expect(body).not.toContain('s3cret');
  });
});

describe('live debugging', () => {
  it('streams what passes through a component', async () => {
    const res = await fetch(`${base}/api/v0/web/debug/loki.echo.out`, { headers: basic('admin', 's3cret') });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const exports = running.agent.root.get('loki.echo.out')!.exports;
    const receiver = (exports.type === 'object' && exports.fields.get('receiver')) as { type: 'capsule'; payload: LogsReceiver };
    await new Promise((r) => setTimeout(r, 50));
    await receiver.payload.push(singleEntry({ job: 'test' }, 'hello'));
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('{job="test"} 1 entries\n');
    await reader.cancel();
  });

  it('answers 404 for unknown components', async () => {
    expect((await fetch(`${base}/api/v0/web/debug/loki.echo.nope`, { headers: basic('admin', 's3cret') })).status).toBe(404);
  });
});
