/**
 * URL passwords never reach the web API (and so the UI, which renders it):
 * component arguments, debug info and health messages show them as Go's
 * URL.Redacted does (`http://bob:xxxxx@host`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { redactUrlPasswords } from '../../src/go/url.js';

describe('redactUrlPasswords (Go URL.Redacted)', () => {
  it.each([
    ['http://bob:PW@127.0.0.1:3100/loki/api/v1/push', 'http://bob:xxxxx@127.0.0.1:3100/loki/api/v1/push'],
    ['https://user@host/x', 'https://user@host/x'],
    ['http://host:80/x?y=a:b@c', 'http://host:80/x?y=a:b@c'],
    ['http://a:b@c@host/x', 'http://a:xxxxx@host/x'],
    ['http://:pw@host', 'http://:xxxxx@host'],
    ['socks5://u:p%40ss@proxy:1080', 'socks5://u:xxxxx@proxy:1080'],
    ['Post "http://bob:PW@h/x": dial tcp: refused; retry https://x:y@z', 'Post "http://bob:xxxxx@h/x": dial tcp: refused; retry https://x:xxxxx@z'],
    ['no url here: a:b@c', 'no url here: a:b@c'],
  ])('%s', (input, expected) => {
    expect(redactUrlPasswords(input)).toBe(expected);
  });
});

describe('the web API', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-redact-'));
  const devNull = { write: () => true };
  let running: RunningAgent;
  let base: string;

  beforeAll(async () => {
    const configPath = path.join(dir, 'config.alloy');
    writeFileSync(
      configPath,
      `loki.write "out" {
  endpoint {
    url = "http://bob:Sup3rSecret@127.0.0.1:9/loki/api/v1/push"
  }
}

local.file "plain" {
  filename = ${JSON.stringify(configPath)}
}
`,
    );
    running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
    base = `http://127.0.0.1:${running.server.address!.port}`;
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('shows URL passwords redacted in arguments and debug info', async () => {
    const body = await (await fetch(`${base}/api/v0/web/components/loki.write.out`)).text();
    expect(body).not.toContain('Sup3rSecret');
    const detail = JSON.parse(body) as { arguments: { name: string; body?: { name: string; value: { value: unknown } }[] }[]; debugInfo: unknown[] };
    const endpoint = detail.arguments.find((a) => a.name === 'endpoint')!;
    expect(endpoint.body!.find((a) => a.name === 'url')!.value.value).toBe('http://bob:xxxxx@127.0.0.1:9/loki/api/v1/push');
    expect(JSON.stringify(detail.debugInfo)).toContain('http://bob:xxxxx@127.0.0.1:9/loki/api/v1/push');
  });

  it('shows the password nowhere in the component list or the exports of a file that contains it', async () => {
    const list = await (await fetch(`${base}/api/v0/web/components`)).text();
    expect(list).not.toContain('Sup3rSecret');
    const file = await (await fetch(`${base}/api/v0/web/components/local.file.plain`)).text();
    expect(file).toContain('bob:xxxxx@127.0.0.1:9');
    expect(file).not.toContain('Sup3rSecret');
  });
});
