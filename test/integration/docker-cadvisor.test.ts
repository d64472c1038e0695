/** prometheus.exporter.cadvisor against a real Docker API (podman from scripts/test-services.sh). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComponentInstance } from '../../src/runtime/component.js';
import { Harness } from '../support/harness.js';
import { docker, removeContainers, runContainer, uniqueName } from '../support/podman.js';

const created: string[] = [];
const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.stop()));
  await removeContainers(created);
});

/** Calls the component's /metrics handler as the HTTP server would. */
async function scrape(h: Harness, id: string): Promise<string> {
  const instance = (h.controller.get(id) as unknown as { instance: ComponentInstance<unknown> }).instance;
  let body = '';
  let status = 0;
  const res = { writeHead: (s: number) => ((status = s), res), end: (b: string) => void (body = b) } as unknown as ServerResponse;
  await instance.handler!({} as IncomingMessage, res, 'metrics');
  expect(status).toBe(200);
  return body;
}

function value(text: string, metric: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`name="${name}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

describe.skipIf(!docker.host)(`prometheus.exporter.cadvisor with a real Docker API${docker.host ? '' : ` (skipped: ${docker.reason})`}`, () => {
  it('reports stats-derived metrics of a busy container', async () => {
    const name = uniqueName('busy');
    created.push(await runContainer({ name, cmd: ['sh', '-c', 'while true; do :; done'], labels: { 'com.example.role': 'burner' } }));
    const h = await Harness.start(`prometheus.exporter.cadvisor "c" {
  docker_host = ${JSON.stringify(docker.host)}
}`);
    harnesses.push(h);
    expect(h.targets('prometheus.exporter.cadvisor.c')).toEqual([
      expect.objectContaining({ job: 'integrations/cadvisor', __metrics_path__: '/api/v0/component/prometheus.exporter.cadvisor.c/metrics' }),
    ]);

    const first = await scrape(h, 'prometheus.exporter.cadvisor.c');
    await new Promise((r) => setTimeout(r, 1500));
    const second = await scrape(h, 'prometheus.exporter.cadvisor.c');
    const cpu1 = value(first, 'container_cpu_usage_seconds_total', name);
    const cpu2 = value(second, 'container_cpu_usage_seconds_total', name);
    expect(cpu1).toBeGreaterThan(0);
    expect(cpu2).toBeGreaterThan(cpu1); // a busy loop keeps burning CPU
    expect(value(second, 'container_memory_usage_bytes', name)).toBeGreaterThan(0);
    expect(value(second, 'container_memory_working_set_bytes', name)).toBeGreaterThan(0);
    expect(value(second, 'container_network_receive_bytes_total', name)).toBeGreaterThanOrEqual(0);
    expect(value(second, 'container_start_time_seconds', name)).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(value(second, 'container_last_seen', name)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(second).toMatch(new RegExp(`container_cpu_usage_seconds_total\\{container_label_alloy_ts_test="1",container_label_com_example_role="burner",cpu="total",id="/docker/[0-9a-f]{64}",image="localhost/local/busybox:latest",name="${name}"\\}`));
    expect(second).toMatch(/^machine_cpu_cores \d+$/m);
    expect(second).toMatch(/^container_scrape_error 0$/m);
  });
});
