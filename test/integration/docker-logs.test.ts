/** loki.source.docker against a real Docker API (podman from scripts/test-services.sh). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness, type CapturedEntry } from '../support/harness.js';
import { discoveryBlock, docker, removeContainers, runContainer, uniqueName, waitExited } from '../support/podman.js';

const run = uniqueName('logs');
const created: string[] = [];
const harnesses: Harness[] = [];

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});
afterAll(async () => {
  await removeContainers(created);
});

async function container(script: string, opts: { tty?: boolean; created?: boolean } = {}): Promise<{ id: string; name: string }> {
  const name = uniqueName('c');
  const id = await runContainer({ name, cmd: ['sh', '-c', script], labels: { 'alloy-ts.run': run }, ...opts });
  created.push(id);
  return { id, name };
}

const RULES = `
discovery.relabel "rules" {
  targets = []
  rule {
    source_labels = ["__meta_docker_container_log_stream"]
    target_label  = "stream"
  }
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container"
  }
}
testing.logs_capture "out" { }
`;

/** The logs pipeline reading `targets` (an Alloy expression). */
function sourceConfig(targets: string): string {
  return `${RULES}
loki.source.docker "logs" {
  host          = ${JSON.stringify(docker.host)}
  targets       = ${targets}
  labels        = {"job" = "docker"}
  relabel_rules = discovery.relabel.rules.rules
  forward_to    = [testing.logs_capture.out.receiver]
}`;
}

/** A config that tails the given containers, by ID (stopped ones included). */
function tailConfig(ids: string[]): string {
  return sourceConfig(`[${ids.map((id) => `{"__meta_docker_container_id" = "${id}", "__meta_docker_container_name" = "/n-${id.slice(0, 6)}"}`).join(', ')}]`);
}

/** A config that tails the containers discovery.docker finds with `filter`. */
function discoveredConfig(filter: { name: string; value: string }, refreshInterval?: string): string {
  return `${discoveryBlock(filter, refreshInterval)}${sourceConfig('discovery.docker.d.targets')}`;
}

async function start(text: string, storagePath?: string): Promise<Harness> {
  const h = await Harness.start(text, storagePath ? { storagePath } : {});
  harnesses.push(h);
  return h;
}

const lines = (entries: CapturedEntry[], stream?: string) => entries.filter((e) => !stream || e.labels['stream'] === stream).map((e) => e.line);

describe.skipIf(!docker.host)(`loki.source.docker with a real Docker API${docker.host ? '' : ` (skipped: ${docker.reason})`}`, () => {
  it('collects stdout and stderr of discovered containers with stream labels', async () => {
    const { id, name } = await container('for i in 1 2 3; do echo out-$i; echo err-$i >&2; done; sleep 600');
    const h = await start(discoveredConfig({ name: 'id', value: id }));
    const entries = h.entries('testing.logs_capture.out');
    await eventually(() => entries.length >= 6, 'six lines');
    expect(lines(entries, 'stdout')).toEqual(['out-1', 'out-2', 'out-3']);
    expect(lines(entries, 'stderr')).toEqual(['err-1', 'err-2', 'err-3']);
    expect(entries[0]!.labels).toEqual({ job: 'docker', stream: 'stdout', container: name });
    expect(Math.abs(entries[0]!.ms - Date.now())).toBeLessThan(120_000);
    const info = h.controller.get('loki.source.docker.logs')!.debugInfo as { targets_info: { id: string; is_running: boolean }[] };
    expect(info.targets_info).toEqual([expect.objectContaining({ id, is_running: true })]);
  });

  it('re-joins long lines split into frames (> 16 KiB and > 8 KiB) without stray timestamps', async () => {
    const { id } = await container('printf "%040000d\\n" 1; printf "%010000d\\n" 2 >&2; echo short');
    await waitExited(id);
    const h = await start(tailConfig([id]));
    const entries = h.entries('testing.logs_capture.out');
    await eventually(() => entries.length >= 3, 'three lines');
    expect(lines(entries, 'stdout')).toEqual([`${'0'.repeat(39999)}1`, 'short']);
    expect(lines(entries, 'stderr')).toEqual([`${'0'.repeat(9999)}2`]);
  });

  it("reads an already stopped container's logs, and a TTY container's", async () => {
    const stopped = await container('seq 1 200');
    const tty = await container('echo tty-line', { tty: true });
    await Promise.all([waitExited(stopped.id), waitExited(tty.id)]);
    const h = await start(tailConfig([stopped.id, tty.id]));
    const entries = h.entries('testing.logs_capture.out');
    await eventually(() => entries.length >= 201, 'all lines');
    expect(entries.filter((e) => e.labels['container'] === `n-${stopped.id.slice(0, 6)}`).map((e) => e.line)).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)));
    expect(entries.find((e) => e.labels['container'] === `n-${tty.id.slice(0, 6)}`)).toMatchObject({ line: 'tty-line\r', labels: { stream: 'stdout' } });
  });

  it('picks up a restarted container without re-sending its earlier lines', async () => {
    const { id } = await container('echo run-$(cat /tmp/n 2>/dev/null || echo 0); echo 1 > /tmp/n');
    await waitExited(id);
    const h = await start(tailConfig([id]));
    const entries = h.entries('testing.logs_capture.out');
    await eventually(() => entries.length >= 1, 'first run');
    await docker.client!.getContainer(id).start();
    await eventually(() => entries.length >= 2, 'second run', 20_000);
    await new Promise((r) => setTimeout(r, 6000)); // one more restart check: nothing is sent again
    expect(lines(entries)).toEqual(['run-0', 'run-1']);
  });

  it('resumes after an agent restart without duplicates or gaps', async () => {
    const { id } = await container('i=0; while [ $i -lt 40 ]; do echo line-$i; i=$((i+1)); sleep 0.1; done');
    const storagePath = mkdtempSync(path.join(tmpdir(), 'alloy-ts-docker-restart-'));
    const first = await start(tailConfig([id]), storagePath);
    const before = first.entries('testing.logs_capture.out');
    await eventually(() => before.length >= 10, 'lines before the restart');
    await first.stop();
    const seen = [...before.map((e) => e.line)];
    const positions = readFileSync(path.join(storagePath, 'loki.source.docker.logs', 'positions.yml'), 'utf8');
    expect(positions).toMatch(new RegExp(`path: cursor-${id}`));
    await new Promise((r) => setTimeout(r, 1000)); // lines written while no agent runs

    const second = await start(tailConfig([id]), storagePath);
    const after = second.entries('testing.logs_capture.out');
    await eventually(() => after.some((e) => e.line === 'line-39'), 'the last line', 20_000);
    expect([...seen, ...after.map((e) => e.line)]).toEqual(Array.from({ length: 40 }, (_, i) => `line-${i}`));
  });

  it('drops the position of a removed container', async () => {
    const { id } = await container('echo bye');
    await waitExited(id);
    const h = await start(tailConfig([id]));
    await eventually(() => h.entries('testing.logs_capture.out').length >= 1, 'the line');
    const positionsFile = path.join(h.storagePath, 'loki.source.docker.logs', 'positions.yml');
    const saved = () => existsSync(positionsFile) && readFileSync(positionsFile, 'utf8').includes(id);
    await eventually(saved, 'position saved');
    await removeContainers([id]);
    await eventually(() => !saved(), 'position dropped', 15_000);
  });

  it("gets all lines of a short-lived container whose target disappears when it exits", async () => {
    const label = uniqueName('short');
    const h = await start(discoveredConfig({ name: 'label', value: `alloy-ts.short=${label}` }, '100ms'));
    const id = await runContainer({ cmd: ['sh', '-c', 'sleep 1; seq 1 3000'], labels: { 'alloy-ts.run': run, 'alloy-ts.short': label } });
    created.push(id);
    await waitExited(id);
    const entries = h.entries('testing.logs_capture.out');
    await eventually(() => entries.length >= 3000, 'all lines', 20_000);
    expect(entries.map((e) => e.line)).toEqual(Array.from({ length: 3000 }, (_, i) => String(i + 1)));
  });
});
