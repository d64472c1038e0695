/**
 * What the log says at shutdown with the WAL on: a writer that cannot deliver
 * before the drain deadline drops nothing (its data stays in the WAL), so the
 * log must say so, with the count of records left, and the next start must
 * deliver them. loki.source.api → loki.write (wal on) and a scrape of the
 * agent's own metrics → prometheus.remote_write (WAL on by default), both
 * destinations down; SIGTERM with --shutdown.drain-timeout=1s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { freePort } from '../support/free-port.js';

if (!hasDist && process.env.CI) throw new Error('WAL shutdown test needs dist/ in CI');
if (!hasDist) console.warn('[skip] WAL shutdown test: dist/ is not built (npm run build)');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function push(port: number, first: number, count: number): Promise<number> {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const values = Array.from({ length: count }, (_, i) => [String(nowNs + BigInt(first + i)), `line ${first + i}`]);
  const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams: [{ stream: { job: 'wal' }, values }] }),
    signal: AbortSignal.timeout(5_000),
  });
  return res.status;
}

function logLines(agent: AgentProcess, msg: string): string[] {
  return agent.log.split('\n').filter((l) => l.includes(`msg="${msg}"`));
}

describe.skipIf(!hasDist)('WAL at shutdown', () => {
  it('says what is left in the WAL (with the count) instead of "dropping", and the next start delivers it', async () => {
    const storage = mkdtempSync(path.join(tmpdir(), 'alloy-ts-wal-shutdown-'));
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    await loki.down();
    const apiPort = await freePort();
    const deadPort = await freePort();
    const config = path.join(storage, 'config.alloy');
    await writeFile(
      config,
      `
loki.source.api "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${apiPort}
  }
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                = "${loki.pushUrl}"
    batch_wait         = "100ms"
    min_backoff_period = "50ms"
    max_backoff_period = "200ms"
  }
  wal {
    enabled = true
  }
}
prometheus.exporter.self "agent" { }
prometheus.scrape "agent" {
  targets         = prometheus.exporter.self.agent.targets
  forward_to      = [prometheus.remote_write.dead.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "dead" {
  endpoint {
    name = "dead"
    url  = "http://127.0.0.1:${deadPort}/api/v1/write"
    queue_config {
      batch_send_deadline = "100ms"
      min_backoff         = "50ms"
      max_backoff         = "200ms"
    }
  }
}
`,
    );
    const args = [config, `--storage.path=${path.join(storage, 'data')}`, '--shutdown.drain-timeout=1s'];
    const first = await AgentProcess.start(args);
    cleanups.push(() => first.agent.stop());
    await first.agent.waitForLog(/finished complete graph evaluation/);

    const pushes = 12;
    const perPush = 10;
    for (let p = 0; p < pushes; p++) expect(await push(apiPort, p * perPush, perPush)).toBe(204);
    await first.agent.waitForLog(/component_id=prometheus\.remote_write\.dead .*failed to send batch, retrying|failed to send batch, retrying.*component_id=prometheus\.remote_write\.dead/, 15_000);
    await first.agent.stop(15_000);
    expect(first.agent.child.signalCode).toBeNull();

    const log = first.agent.log;
    expect(log).not.toMatch(/dropping what is left|cancelling what is left/);
    expect(logLines(first.agent, 'drain timeout reached, leaving what is left in the WAL for the next start').join('\n')).toMatch(/component_id=loki\.write\.out .*pending_bytes=\d+/);
    expect(logLines(first.agent, 'drain deadline reached, leaving what is left in the WAL for the next start').join('\n')).toMatch(/component_id=prometheus\.remote_write\.dead .*remote_name=dead .*pending_samples=\d+/);
    const left = logLines(first.agent, 'WAL: records not yet delivered are left in the WAL for the next start');
    // One WAL record per accepted push, none delivered.
    expect(left.find((l) => l.includes('component_id=loki.write.out'))).toMatch(new RegExp(`records=${pushes}$`));
    expect(Number(/records=(\d+)/.exec(left.find((l) => l.includes('component_id=prometheus.remote_write.dead')) ?? '')?.[1])).toBeGreaterThan(0);

    // The next start delivers what the log said was left.
    await loki.up();
    const second = await AgentProcess.start(args);
    cleanups.push(() => second.agent.stop());
    const total = pushes * perPush;
    const lines = (): string[] => loki.entries().map((e) => e.line);
    await loki.waitUntil(() => new Set(lines()).size >= total, 30_000, () => `${new Set(lines()).size} of ${total} distinct lines arrived`);
    expect(new Set(lines())).toEqual(new Set(Array.from({ length: total }, (_, i) => `line ${i}`)));
  }, 90_000);
});
