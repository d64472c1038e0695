/**
 * Shutdown within a container runtime's stop grace (issue 15 item 5): a real
 * agent with the docker-to-loki pipeline and neither Docker, Loki for Docker
 * logs nor Prometheus reachable exits within 5 s of SIGTERM by default,
 * delivering what it can meanwhile, with positions that skip nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function positions(file: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(file)) return out;
  const doc = YAML.parse(readFileSync(file, 'utf8'), { mapAsMap: true }) as Map<string, Map<Map<string, string>, string>>;
  for (const [key, value] of doc.get('positions') ?? new Map()) out.set(key.get('path')!, Number(value));
  return out;
}

/** SIGTERM, then how long the agent took to exit and with what code (SIGKILL after `killAfterMs`). */
async function terminate(agent: AgentProcess, killAfterMs: number): Promise<{ ms: number; code: number | null; signal: string | null }> {
  const started = Date.now();
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => agent.child.once('exit', (code, signal) => resolve({ code, signal })));
  agent.child.kill('SIGTERM');
  const timer = setTimeout(() => agent.child.kill('SIGKILL'), killAfterMs);
  const result = await exited;
  clearTimeout(timer);
  return { ms: Date.now() - started, ...result };
}

describe.skipIf(!hasDist)(`agent shutdown${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  it('exits within the default 5 s drain after SIGTERM with Docker, Prometheus and one Loki unreachable; positions skip nothing', async () => {
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-shutdown-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const delivered = path.join(dir, 'delivered.log');
    const stuck = path.join(dir, 'stuck.log');
    writeFileSync(delivered, Array.from({ length: 500 }, (_, i) => `delivered ${i}\n`).join(''));
    writeFileSync(stuck, Array.from({ length: 500 }, (_, i) => `stuck ${i}\n`).join(''));
    const docker = `unix://${path.join(dir, 'no-docker.sock')}`;
    const config = path.join(dir, 'config.alloy');
    writeFileSync(
      config,
      `
discovery.docker "containers" {
  host             = "${docker}"
  refresh_interval = "1s"
}
discovery.relabel "containers" {
  targets = discovery.docker.containers.targets
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container"
  }
}
loki.source.docker "containers" {
  host       = "${docker}"
  targets    = discovery.relabel.containers.output
  labels     = {"job" = "docker"}
  forward_to = [loki.write.down.receiver]
}
loki.source.file "delivered" {
  targets    = [{"__path__" = ${JSON.stringify(delivered)}}]
  forward_to = [loki.write.up.receiver]
}
loki.source.file "stuck" {
  targets    = [{"__path__" = ${JSON.stringify(stuck)}}]
  forward_to = [loki.write.down.receiver]
}
loki.write "up" {
  endpoint {
    url = ${JSON.stringify(loki.pushUrl)}
  }
}
loki.write "down" {
  endpoint {
    url = "http://127.0.0.1:${await deadPort()}/loki/api/v1/push"
  }
}
prometheus.exporter.cadvisor "containers" {
  docker_host = "${docker}"
  docker_only = true
}
prometheus.exporter.self "agent" { }
prometheus.scrape "containers" {
  targets         = array.concat(prometheus.exporter.cadvisor.containers.targets, prometheus.exporter.self.agent.targets)
  forward_to      = [prometheus.remote_write.local.receiver]
  scrape_interval = "2s"
  scrape_timeout  = "1s"
}
prometheus.remote_write "local" {
  endpoint {
    url = "http://127.0.0.1:${await deadPort()}/api/v1/write"
  }
}
`,
    );
    const storage = path.join(dir, 'data');
    const { agent } = await AgentProcess.start([config, `--storage.path=${storage}`]);
    cleanups.push(() => agent.stop(1000));
    await loki.waitForEntries(500, 15_000);
    // Let scrapes and sends to the dead endpoints start failing and retrying.
    await new Promise((r) => setTimeout(r, 2_500));

    const { ms, code, signal } = await terminate(agent, 30_000);
    expect(signal, agent.log).toBeNull();
    expect(code).toBe(0);
    // 5 s by default, plus process teardown; today's code took ~15–60 s.
    expect(ms).toBeLessThan(7_000);
    expect(agent.log).toContain('msg="shutting down"');

    // Delivered lines are recorded as such; undelivered ones are not skipped at the next start.
    expect(positions(path.join(storage, 'loki.source.file.delivered', 'positions.yml')).get(delivered)).toBe(readFileSync(delivered).length);
    expect(positions(path.join(storage, 'loki.source.file.stuck', 'positions.yml')).get(stuck) ?? 0).toBe(0);
  }, 60_000);

  it('--shutdown.drain-timeout gives a longer drain: lines reach a Loki that comes back after SIGTERM, then the agent exits', async () => {
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-shutdown-drain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'app.log');
    const config = path.join(dir, 'config.alloy');
    writeFileSync(
      config,
      `
loki.source.file "app" {
  targets    = [{"__path__" = ${JSON.stringify(file)}}]
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                = ${JSON.stringify(loki.pushUrl)}
    min_backoff_period = "100ms"
    max_backoff_period = "500ms"
  }
}
`,
    );
    const storage = path.join(dir, 'data');
    await loki.down();
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `late ${i}\n`).join(''));
    const { agent } = await AgentProcess.start([config, `--storage.path=${storage}`, '--shutdown.drain-timeout=30s']);
    cleanups.push(() => agent.stop(1000));
    await agent.waitForLog(/msg="error sending batch, will retry"/);

    const stopped = terminate(agent, 60_000);
    await new Promise((r) => setTimeout(r, 6_000)); // past the default 5 s drain
    expect(agent.child.exitCode).toBeNull();
    await loki.up();
    const { ms, code } = await stopped;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(25_000);
    expect(new Set(loki.entries().map((e) => e.line)).size).toBe(300);
    expect(positions(path.join(storage, 'loki.source.file.app', 'positions.yml')).get(file)).toBe(readFileSync(file).length);
  }, 60_000);
});
