/**
 * loki.source.api against real clients: Promtail 2.8.11 shipping a file into
 * it, and two alloy-ts agents chained (file → loki.write → loki.source.api →
 * loki.write → Loki) while the final Loki is down for 15 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { eventually, Harness } from '../support/harness.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { freePort } from '../support/free-port.js';

const PROMTAIL = path.resolve(import.meta.dirname, '../../../shared/tools/promtail');
const hasPromtail = existsSync(PROMTAIL);
if (!hasPromtail && !process.env.CI) console.warn(`skipping the Promtail test: ${PROMTAIL} not found`);
if (!hasDist && !process.env.CI) console.warn('skipping the chained-agents test: dist/ is not built (npm run build)');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(6, '0')}`);

describe.skipIf(!hasPromtail && !process.env.CI)('loki.source.api with Promtail 2.8.11', () => {
  it('receives every line of a file Promtail ships, with its labels', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-api-promtail-'));
    const port = await freePort();
    const h = await Harness.start(`
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  labels = { via = "api" }
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
    cleanups.push(() => h.stop());
    const lines = numbered(0, 20_000);
    writeFileSync(path.join(dir, 'app.log'), lines.map((l) => `${l}\n`).join(''));
    writeFileSync(path.join(dir, 'promtail.yaml'), `
server: { disable: true }
positions: { filename: ${dir}/positions.yaml }
clients: [ { url: "http://127.0.0.1:${port}/loki/api/v1/push", tenant_id: "p1" } ]
scrape_configs:
  - job_name: files
    static_configs:
      - targets: [localhost]
        labels: { job: promtail, __path__: "${dir}/*.log" }
`);
    const promtail = spawn(PROMTAIL, [`-config.file=${dir}/promtail.yaml`], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => stopChild(promtail));
    let log = '';
    promtail.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    await eventually(() => h.entries('testing.logs_capture.out').length >= lines.length, `Promtail's lines (promtail log: ${log.slice(-500)})`, 60_000);
    const got = h.entries('testing.logs_capture.out');
    expect(got.map((e) => e.line)).toEqual(lines);
    expect(got[0]!.labels).toEqual({ job: 'promtail', filename: `${dir}/app.log`, via: 'api', __tenant_id__: 'p1' });
  }, 90_000);
});

describe.skipIf(!hasDist && !process.env.CI)('chained alloy-ts agents', () => {
  it('lose nothing while the final Loki is down for 15 s', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-api-chain-'));
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const apiPort = await freePort();
    writeFileSync(path.join(dir, 'downstream.alloy'), `
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${apiPort}
  }
  forward_to = [loki.write.loki.receiver]
}
loki.write "loki" {
  endpoint {
    url        = "${loki.pushUrl}"
    batch_wait = "100ms"
    min_backoff_period = "100ms"
    max_backoff_period = "2s"
    max_backoff_retries = 100
  }
}
`);
    const logFile = path.join(dir, 'app.log');
    writeFileSync(logFile, '');
    writeFileSync(path.join(dir, 'upstream.alloy'), `
loki.source.file "app" {
  targets    = [{"__path__" = "${logFile}", "job" = "chain"}]
  forward_to = [loki.write.next.receiver]
  file_watch {
    min_poll_frequency = "50ms"
    max_poll_frequency = "50ms"
  }
}
loki.write "next" {
  endpoint {
    url        = "http://127.0.0.1:${apiPort}/loki/api/v1/push"
    batch_wait = "100ms"
    min_backoff_period = "100ms"
    max_backoff_period = "2s"
    max_backoff_retries = 100
  }
}
`);
    const downstream = await AgentProcess.start([path.join(dir, 'downstream.alloy'), `--storage.path=${dir}/data-down`]);
    cleanups.push(() => downstream.agent.stop());
    const upstream = await AgentProcess.start([path.join(dir, 'upstream.alloy'), `--storage.path=${dir}/data-up`]);
    cleanups.push(() => upstream.agent.stop());

    appendFileSync(logFile, numbered(0, 1000).map((l) => `${l}\n`).join(''));
    await loki.waitForEntries(1000, 20_000);
    await loki.down();
    const outageEnds = Date.now() + 15_000;
    for (let i = 1000; Date.now() < outageEnds; i += 100) {
      appendFileSync(logFile, numbered(i, i + 100).map((l) => `${l}\n`).join(''));
      await new Promise((r) => setTimeout(r, 250));
    }
    const written = Number(/line (\d+)\n$/.exec((await import('node:fs')).readFileSync(logFile, 'utf8'))![1]) + 1;
    await loki.up();
    await loki.waitUntil(() => new Set(loki.entries().map((e) => e.line)).size >= written, 60_000, () => `expected ${written} distinct lines, got ${new Set(loki.entries().map((e) => e.line)).size}`);
    const distinct = new Set(loki.entries().map((e) => e.line));
    expect([...distinct].sort()).toEqual(numbered(0, written));
    expect(loki.entries().every((e) => e.labels === '{filename="' + logFile + '", job="chain"}')).toBe(true);
  }, 120_000);
});

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
