/**
 * The seed's pipeline end to end (examples/docker-to-loki.alloy) on live podman
 * containers: the agent runs for real (startAgent, as `alloy-ts run` does),
 * discovers containers, tails their logs into a test Loki and scrapes cAdvisor
 * and its own metrics into a test remote-write receiver.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { docker, removeContainers, runContainer, uniqueName } from '../support/podman.js';
import { RemoteWriteReceiver } from '../support/remote-write-receiver.js';

const LINES = 20;
const created: string[] = [];
const devNull = { write: () => true };
let loki: LokiReceiver | undefined;
let rw: RemoteWriteReceiver | undefined;
let running: RunningAgent | undefined;

/**
 * The seed's config (examples/docker-to-loki.alloy), pointed at the test API and
 * receivers, refreshing and scraping every second.
 */
function seedConfig(lokiUrl: string, rwUrl: string): string {
  const host = JSON.stringify(docker.host);
  return `
logging {
  level = "warn"
}

discovery.docker "containers" {
  host             = ${host}
  refresh_interval = "1s"
}

discovery.relabel "containers" {
  targets = discovery.docker.containers.targets

  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container"
  }

  rule {
    source_labels = ["__meta_docker_container_log_stream"]
    target_label  = "stream"
  }
}

loki.source.docker "containers" {
  host          = ${host}
  targets       = discovery.relabel.containers.output
  labels        = {"job" = "docker"}
  relabel_rules = discovery.relabel.containers.rules
  forward_to    = [loki.write.local.receiver]
}

loki.write "local" {
  endpoint {
    url = ${JSON.stringify(lokiUrl)}
  }
}

prometheus.exporter.cadvisor "containers" {
  docker_host = ${host}
  docker_only = true
}

prometheus.exporter.self "agent" { }

prometheus.scrape "containers" {
  targets         = array.concat(prometheus.exporter.cadvisor.containers.targets, prometheus.exporter.self.agent.targets)
  forward_to      = [prometheus.remote_write.local.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "1s"
}

prometheus.remote_write "local" {
  endpoint {
    url = ${JSON.stringify(rwUrl)}
  }
}
`;
}

afterAll(async () => {
  await running?.stop();
  await Promise.all([loki?.close(), rw?.close()]);
  if (docker.host) await removeContainers(created);
});

describe.skipIf(!docker.host)(`the seed pipeline (docker-to-loki.alloy) on live containers${docker.host ? '' : ` (skipped: ${docker.reason})`}`, () => {
  const name = uniqueName('seed');

  beforeAll(async () => {
    // Numbered lines on both streams, then a busy loop that keeps burning CPU.
    const script = `i=1; while [ $i -le ${LINES} ]; do echo out-$i; echo err-$i >&2; i=$((i+1)); done; while true; do :; done`;
    created.push(await runContainer({ name, cmd: ['sh', '-c', script] }));
    loki = await LokiReceiver.start();
    rw = await RemoteWriteReceiver.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-seed-'));
    const configPath = path.join(dir, 'config.alloy');
    writeFileSync(configPath, seedConfig(loki.pushUrl, rw.url));
    running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  });

  it("delivers every stdout and stderr line of the container to Loki with container, stream and job labels", async () => {
    const mine = (stream: string) =>
      loki!
        .entries()
        .filter((e) => sameLabels(e.labels, { container: name, job: 'docker', stream }))
        .map((e) => e.line);
    await loki!.waitUntil(() => mine('stdout').length >= LINES && mine('stderr').length >= LINES, 60_000, () => `got ${mine('stdout').length} stdout and ${mine('stderr').length} stderr lines of ${name}; streams seen: ${[...new Set(loki!.entries().map((e) => e.labels))].join(' ')}`);
    expect(mine('stdout')).toEqual(Array.from({ length: LINES }, (_, i) => `out-${i + 1}`));
    expect(mine('stderr')).toEqual(Array.from({ length: LINES }, (_, i) => `err-${i + 1}`));
  }, 90_000);

  it('remote-writes cAdvisor CPU and memory metrics of the container under job="integrations/cadvisor"', async () => {
    const cpu = () => rw!.named('container_cpu_usage_seconds_total').filter((s) => s.labels['name'] === name && !s.stale);
    const mem = () => rw!.named('container_memory_usage_bytes').filter((s) => s.labels['name'] === name && !s.stale);
    // Two increasing CPU samples: the container is busy, and scrapes keep coming.
    await rw!.waitFor(() => cpu().length >= 2 && cpu().at(-1)!.value > cpu()[0]!.value && mem().length >= 1, 'CPU and memory samples of the container', 60_000);
    expect(cpu()[0]!.labels).toMatchObject({ job: 'integrations/cadvisor', name, cpu: 'total' });
    expect(cpu()[0]!.value).toBeGreaterThan(0);
    expect(mem()[0]!.labels).toMatchObject({ job: 'integrations/cadvisor', name });
    expect(mem()[0]!.value).toBeGreaterThan(0);
  }, 90_000);

  it("remote-writes the agent's own alloy_build_info through prometheus.exporter.self", async () => {
    await rw!.waitFor(() => rw!.named('alloy_build_info').some((s) => !s.stale), 'alloy_build_info', 60_000);
    const sample = rw!.named('alloy_build_info').find((s) => !s.stale)!;
    expect(sample.value).toBe(1);
    expect(sample.labels).toMatchObject({ job: 'integrations/self', version: expect.any(String) });
  }, 90_000);
});

/** Compares a Loki label string (`{a="b", c="d"}`) with expected labels. */
function sameLabels(text: string, want: Record<string, string>): boolean {
  const got: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got[m[1]!] = m[2]!;
  return Object.keys(got).length === Object.keys(want).length && Object.entries(want).every(([k, v]) => got[k] === v);
}
