/**
 * A full disk under a running agent: --storage.path on a small tmpfs,
 * loki.source.api and loki.source.file → loki.write with its WAL while the
 * Loki stand-in is down. Once the tmpfs is filled (by a ballast file, as any
 * other process on the host could), loki.write turns unhealthy (API and
 * /-/healthy), the push source answers a retryable 503, the file source stops
 * advancing its acknowledged offset; nothing accepted is lost. Once the
 * ballast is removed the component is healthy again, the refused push is
 * accepted on retry, the file source catches up, and when Loki is back every
 * line arrives.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { freePort } from '../support/free-port.js';
import { agentTestTmpfs, fillDisk } from '../support/tmpfs.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tmpfs = agentTestTmpfs('WAL full-disk test', 'wal-full-disk-');

const PER_PUSH = 50;

async function push(port: number, index: number): Promise<{ status: number; body: string }> {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const pad = 'p'.repeat(200);
  const values = Array.from({ length: PER_PUSH }, (_, i) => [String(nowNs + BigInt(i)), `api ${index * PER_PUSH + i} ${pad}`]);
  const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streams: [{ stream: { job: 'api' }, values }] }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, body: await res.text() };
}

interface ComponentJson {
  localID: string;
  health: { state: string; message: string };
}

async function component(url: string, id: string): Promise<ComponentJson> {
  const list = (await (await fetch(`${url}/api/v0/web/components`)).json()) as ComponentJson[];
  return list.find((c) => c.localID === id)!;
}

let lastOffset = -1;

/** The file source's acknowledged offset of its one target (its debug info's read_offset). */
async function fileOffset(url: string): Promise<number> {
  const detail = JSON.stringify(await (await fetch(`${url}/api/v0/web/components/loki.source.file.logs`)).json());
  const m = /"key":"read_offset","value":\{"type":"number","value":(\d+)\}/.exec(detail);
  if (!m) throw new Error(`no read_offset in ${detail.slice(0, 2000)}`);
  lastOffset = Number(m[1]);
  return lastOffset;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last file offset read: ${lastOffset})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lines of 5,000 bytes: a WAL record of one is larger than a tmpfs page, so it cannot hide in a page's slack. */
function fileLine(i: number): string {
  return `file ${i} ${'f'.repeat(5000)}\n`;
}

describe.skipIf(!tmpfs)('loki.write WAL on a full disk', () => {
  it('turns unhealthy, answers pushes with 503, holds the file source, loses nothing, and recovers once space returns', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'wal-full-disk-work-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const storage = path.join(tmpfs!, 'data');
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const ballast = path.join(tmpfs!, 'ballast');
    cleanups.push(() => rmSync(ballast, { force: true }));
    const logFile = path.join(work, 'app.log');
    writeFileSync(logFile, '');
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    await loki.down();
    const apiPort = await freePort();
    const config = path.join(work, 'config.alloy');
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
loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(logFile)}, "job" = "file"}]
  forward_to = [loki.write.out.receiver]
  file_watch {
    min_poll_frequency = "50ms"
    max_poll_frequency = "50ms"
  }
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
`,
    );
    const { agent, url } = await AgentProcess.start([config, `--storage.path=${storage}`]);
    cleanups.push(() => agent.stop());
    await agent.waitForLog(/finished complete graph evaluation/);

    // Accepted while there is room: 10 pushes and 20 file lines, durable in the WAL.
    let pushes = 0;
    for (; pushes < 10; pushes++) expect((await push(apiPort, pushes)).status).toBe(204);
    let fileLines = 0;
    let fileBytes = 0;
    const appendLine = (): void => {
      appendFileSync(logFile, fileLine(fileLines));
      fileBytes += fileLine(fileLines++).length;
    };
    while (fileLines < 20) appendLine();
    const fileBytesBefore = fileBytes;
    await until(async () => (await fileOffset(url)) === fileBytesBefore, 'the file source to acknowledge 20 lines');
    expect((await component(url, 'loki.write.out')).health.state).toBe('healthy');

    fillDisk(ballast);

    // The push source answers a retryable error; the entries are not accepted.
    const refused = await push(apiPort, pushes);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/disk full/);
    const writer = await component(url, 'loki.write.out');
    expect(writer.health.state).toBe('unhealthy');
    expect(writer.health.message).toMatch(/WAL disk full/);
    const healthy = await fetch(`${url}/-/healthy`);
    expect(healthy.status).toBe(500);
    expect(await healthy.text()).toContain('loki.write.out');
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^loki_write_wal_disk_full\{[^}]*component_id="loki\.write\.out"[^}]*\} 1$/m);

    // The file source reads new lines but does not advance past what the WAL took.
    while (fileLines < 30) appendLine();
    await new Promise((r) => setTimeout(r, 7_000));
    expect(await fileOffset(url)).toBe(fileBytesBefore);
    expect(agent.child.exitCode).toBeNull();

    // Space returns: the retried push is accepted, the writer is healthy, the file source catches up.
    rmSync(ballast);
    await until(async () => (await push(apiPort, pushes)).status === 204, 'the refused push to be accepted on retry');
    pushes++;
    await until(async () => (await component(url, 'loki.write.out')).health.state === 'healthy', 'loki.write to be healthy again');
    await until(async () => (await fileOffset(url)) === fileBytes, 'the file source to catch up', 30_000);
    let health = '';
    await until(async () => {
      const res = await fetch(`${url}/-/healthy`);
      health = await res.text();
      return res.status === 200;
    }, 'every component to be healthy', 15_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${health}`);
    });

    // Loki comes back: every accepted line arrives.
    await loki.up();
    const expected = [...Array.from({ length: pushes * PER_PUSH }, (_, i) => `api ${i}`), ...Array.from({ length: fileLines }, (_, i) => `file ${i}`)];
    const arrived = (): Set<string> => new Set(loki.entries().map((e) => e.line.split(' ', 2).join(' ')));
    await loki.waitUntil(() => expected.every((l) => arrived().has(l)), 30_000, () => `${expected.filter((l) => !arrived().has(l)).length} of ${expected.length} lines missing`);
    expect(agent.log).toMatch(/WAL: disk full, refusing new data until space is freed/);
    expect(agent.log).toMatch(/WAL: disk space available again/);
  }, 120_000);
});
