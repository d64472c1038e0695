import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { LokiReceiver } from '../support/loki-receiver.js';

const TLS_DIR = fileURLToPath(new URL('../support/tls', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-tls-'));
const configPath = path.join(dir, 'config.alloy');
const devNull = { write: () => true };
let running: RunningAgent;
let loki: LokiReceiver;

beforeAll(async () => {
  loki = await LokiReceiver.start();
  writeFileSync(
    configPath,
    `
http {
  tls {
    cert_file = ${JSON.stringify(path.join(TLS_DIR, 'server.pem'))}
    key_file  = ${JSON.stringify(path.join(TLS_DIR, 'server.key'))}
  }
}

logging {
  level    = "info"
  write_to = [loki.write.agent_logs.receiver]
}

loki.write "agent_logs" {
  endpoint {
    url        = ${JSON.stringify(loki.pushUrl)}
    batch_wait = "100ms"
  }
}
`,
  );
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
});

afterAll(async () => {
  await running?.stop();
  await loki?.close();
});

function httpsGet(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, ca: readFileSync(path.join(TLS_DIR, 'ca.pem')), servername: 'loki.test' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http tls block', () => {
  it('serves HTTPS with the configured certificate', async () => {
    expect(running.server.tls).toBe(true);
    const port = (running.server as unknown as { server: { address(): { port: number } } }).server.address().port;
    expect(await httpsGet(port, '/-/ready')).toEqual({ status: 200, body: 'Alloy is ready.\n' });
    await expect(fetch(`http://127.0.0.1:${port}/-/ready`)).rejects.toThrow();
  });
});

describe('logging.write_to', () => {
  it('sends the agent own log lines to a logs receiver with component="alloy"', async () => {
    running.agent.logger.info('hello from the agent', { probe: 'write_to' });
    const deadline = Date.now() + 10_000;
    const found = () => loki.entries().find((e) => e.line.includes('hello from the agent'));
    while (!found() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const entry = found();
    expect(entry?.labels).toBe('{component="alloy"}');
    expect(entry?.line).toMatch(/level=info msg="hello from the agent" probe=write_to$/);
  });
});
