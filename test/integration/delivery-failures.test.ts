/**
 * What an operator sees when delivery fails (issue 16 item 1), from a real
 * agent process: send failures of loki.write and prometheus.remote_write at
 * warn, one line per endpoint per interval with a count; an unwritable
 * positions file logged at most once per interval, the component unhealthy
 * with the reason and the failures counted.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { eventually } from '../support/harness.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { MetricsTarget } from '../support/metrics-target.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback port nothing listens on (connections are refused). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startAgent(config: string, storage: string): Promise<{ agent: AgentProcess; url: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-failures-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config.alloy');
  writeFileSync(file, config);
  const started = await AgentProcess.start([file, `--storage.path=${storage}`]);
  cleanups.push(() => started.agent.stop());
  return started;
}

const logLines = (agent: AgentProcess, msg: string) => agent.log.split('\n').filter((line) => line.includes(`msg="${msg}"`));

describe.skipIf(!hasDist)(`delivery failures in the agent's log${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  it('logs loki.write and prometheus.remote_write send failures at warn, once per endpoint per interval, with a count', async () => {
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const target = await MetricsTarget.start(() => '# TYPE probe counter\nprobe_total 1\n');
    cleanups.push(() => target.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-failures-logs-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const logFile = path.join(dir, 'app.log');
    writeFileSync(logFile, 'first line\n');
    loki.respondWithFor(503, 4_000);
    const { agent } = await startAgent(
      `
loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(logFile)}, "job" = "failures"}]
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                = ${JSON.stringify(loki.pushUrl)}
    batch_wait         = "50ms"
    min_backoff_period = "50ms"
    max_backoff_period = "100ms"
  }
}
prometheus.scrape "probe" {
  targets         = [{"__address__" = "${target.address}"}]
  forward_to      = [prometheus.remote_write.out.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "out" {
  endpoint {
    name = "dead"
    url  = "http://127.0.0.1:${await deadPort()}/api/v1/write"
    queue_config {
      batch_send_deadline = "100ms"
      min_backoff         = "50ms"
      max_backoff         = "100ms"
    }
  }
}
`,
      path.join(dir, 'data'),
    );
    // Seconds of failures at most 100 ms apart: many failed sends per endpoint, within one log interval.
    await loki.waitForEntries(1, 15_000);
    const lokiWarnings = logLines(agent, 'error sending batch, will retry');
    expect(loki.log.filter((r) => r.status === 503).length).toBeGreaterThan(3);
    expect(lokiWarnings).toHaveLength(1);
    expect(lokiWarnings[0]).toMatch(/level=warn .*component_id=loki\.write\.out .*host=127\.0\.0\.1:\d+ .*failures=1$/);
    expect(lokiWarnings[0]).toContain('503');

    const remoteWarnings = logLines(agent, 'failed to send batch, retrying');
    expect(remoteWarnings).toHaveLength(1);
    expect(remoteWarnings[0]).toMatch(/level=warn .*component_id=prometheus\.remote_write\.out .*remote_name=dead .*failures=1$/);
    expect(agent.log).not.toMatch(/level=debug/);
  }, 30_000);

  it('logs an unwritable positions file at most once per interval, turns the component unhealthy and counts the failures', async () => {
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-failures-positions-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const logFile = path.join(dir, 'app.log');
    writeFileSync(logFile, 'line 0\n');
    const storage = path.join(dir, 'data');
    const positionsFile = path.join(storage, 'loki.source.file.logs', 'positions.yml');
    const { agent, url } = await startAgent(
      `
loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(logFile)}, "job" = "positions"}]
  forward_to = [loki.write.out.receiver]
  file_watch {
    min_poll_frequency = "20ms"
    max_poll_frequency = "20ms"
  }
}
loki.write "out" {
  endpoint {
    url        = ${JSON.stringify(loki.pushUrl)}
    batch_wait = "20ms"
  }
}
`,
      storage,
    );
    await loki.waitForEntries(1, 10_000);
    await eventually(() => existsSync(positionsFile), 'positions file written', 5_000);
    // A directory where the positions file should be: every atomic rename onto it fails, for root too
    // (permission bits would not stop root, and a read-only mount needs privileges).
    rmSync(positionsFile);
    mkdirSync(path.join(positionsFile, 'blocked'), { recursive: true });
    // Lines keep coming, so positions change (and a write is attempted) many times a second.
    for (let i = 1; i <= 30; i++) {
      appendFileSync(logFile, `line ${i}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await loki.waitForEntries(31, 10_000);
    const errors = logLines(agent, 'error writing positions file');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/level=error .*component_id=loki\.source\.file\.logs .*failures=1$/);

    const healthy = await fetch(`${url}/-/healthy`);
    expect(healthy.status).toBe(500);
    expect(await healthy.text()).toContain('loki.source.file.logs');
    const components = (await (await fetch(`${url}/api/v0/web/components`)).json()) as { localID: string; health: { state: string; message: string } }[];
    const source = components.find((c) => c.localID === 'loki.source.file.logs')!;
    expect(source.health.state).toBe('unhealthy');
    expect(source.health.message).toContain('error writing positions file');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const failures = Number(/^loki_source_file_positions_write_errors_total\{[^}]*component_id="loki\.source\.file\.logs"[^}]*\} (\d+)/m.exec(metrics)?.[1]);
    expect(failures).toBeGreaterThan(5);
  }, 30_000);
});
