/**
 * prometheus.remote_write's WAL on a full disk, through a running agent:
 * --storage.path on a 2 MiB tmpfs, prometheus.scrape of a local target →
 * prometheus.remote_write while its receiver is down. Once the tmpfs is
 * filled (by a ballast file), the component turns unhealthy (API and
 * /-/healthy, prometheus_tsdb_wal_disk_full = 1) and the scrapes' appends
 * are refused; what the WAL held stays. Once the ballast is removed it is
 * healthy again, and when the receiver is back every sample appended before
 * the fill arrives. A second case starts the agent on an already full disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess } from '../support/agent-process.js';
import { MetricsTarget } from '../support/metrics-target.js';
import { RemoteWriteReceiver } from '../support/remote-write-receiver.js';
import { agentTestTmpfs, fillDisk, mountTmpfs, unmountTmpfs } from '../support/tmpfs.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tmpfs = agentTestTmpfs('remote_write full-disk test', 'rw-full-disk-');

/** Uses up the inodes of the filesystem of `dir` (empty files until ENOSPC): no new file, hence no new WAL segment, can be created. */
function exhaustInodes(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(path.join(dir, `inode-${i}`), '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      return;
    }
  }
}

interface ComponentJson {
  localID: string;
  health: { state: string; message: string };
}

const ID = 'prometheus.remote_write.out';

async function component(url: string): Promise<ComponentJson | undefined> {
  const list = (await (await fetch(`${url}/api/v0/web/components`)).json()) as ComponentJson[];
  return list.find((c) => c.localID === ID);
}

async function diskFullGauge(url: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return /^prometheus_tsdb_wal_disk_full\{[^}]*component_id="prometheus\.remote_write\.out"[^}]*\} (\d+)$/m.exec(text)?.[1];
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** 200 series per scrape, so that a scrape's WAL record (≈ 4 KB of samples) cannot hide in a tmpfs page's slack for long. */
function exposition(scrape: number): string {
  const lines = ['# TYPE full_disk_scrape counter', `full_disk_scrape ${scrape}`, '# TYPE full_disk_pad gauge'];
  for (let i = 0; i < 200; i++) lines.push(`full_disk_pad{i="${i}",pad="${'x'.repeat(40)}"} ${scrape}`);
  return `${lines.join('\n')}\n`;
}

async function startAgent(storage: string, targetAddress: string, receiverUrl: string): Promise<{ agent: AgentProcess; url: string }> {
  // The config lives off the tmpfs: it may be full already.
  const work = mkdtempSync(path.join(tmpdir(), 'rw-full-disk-work-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const config = path.join(work, 'config.alloy');
  await writeFile(
    config,
    `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${targetAddress}"}]
  forward_to      = [prometheus.remote_write.out.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "out" {
  endpoint {
    url = "${receiverUrl}"
    queue_config {
      min_backoff = "50ms"
      max_backoff = "200ms"
    }
  }
}
`,
  );
  const started = await AgentProcess.start([config, `--storage.path=${storage}`]);
  cleanups.push(() => started.agent.stop());
  return started;
}

function scrapeNumbers(receiver: RemoteWriteReceiver): Set<number> {
  return new Set(receiver.named('full_disk_scrape').filter((s) => !s.stale).map((s) => s.value));
}

/** Waits until scrapes 1..count all arrived; on timeout says which did not. */
async function waitForEveryScrape(receiver: RemoteWriteReceiver, count: number, what: string): Promise<void> {
  const missing = (): number[] => {
    const got = scrapeNumbers(receiver);
    return Array.from({ length: count }, (_, i) => i + 1).filter((n) => !got.has(n));
  };
  await receiver.waitFor(() => missing().length === 0, what, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; missing scrapes ${missing().join(',')}`);
  });
}

async function everyComponentHealthy(url: string): Promise<void> {
  let body = '';
  await until(async () => {
    const res = await fetch(`${url}/-/healthy`);
    body = await res.text();
    return res.status === 200;
  }, 'every component to be healthy', 15_000).catch((err: Error) => {
    throw new Error(`${err.message}: ${body}`);
  });
}

describe.skipIf(!tmpfs)('prometheus.remote_write WAL on a full disk', () => {
  it('turns unhealthy, refuses the scrapes, keeps what the WAL holds, and recovers and delivers once space returns', async () => {
    const storage = path.join(tmpfs!, 'running');
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const ballast = path.join(tmpfs!, 'ballast');
    cleanups.push(() => rmSync(ballast, { force: true }));
    const receiver = await RemoteWriteReceiver.start();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const target = await MetricsTarget.start(exposition);
    cleanups.push(() => target.close());
    const { agent, url } = await startAgent(storage, target.address, receiver.url);
    await agent.waitForLog(/finished complete graph evaluation/);

    // Scrapes appended while there is room (the receiver is down: they stay in the WAL).
    await until(async () => target.requests.length >= 10, '10 scrapes');
    expect((await component(url))?.health.state).toBe('healthy');

    fillDisk(ballast);
    // A scrape served before the fill may be appended after it: only those before it must arrive.
    const servedBeforeFill = target.requests.length - 1;

    await until(async () => (await component(url))?.health.state === 'unhealthy', `${ID} to turn unhealthy`);
    expect((await component(url))?.health.message).toMatch(/WAL disk full/);
    const healthy = await fetch(`${url}/-/healthy`);
    expect(healthy.status).toBe(500);
    expect(await healthy.text()).toContain(ID);
    expect(await diskFullGauge(url)).toBe('1');
    // Backpressure: appends wait for space, then are refused; the agent keeps running.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(agent.child.exitCode).toBeNull();
    expect((await component(url))?.health.state).toBe('unhealthy');
    // A refused scrape is logged at error level, as Prometheus logs a failed append commit.
    expect(agent.log).toMatch(/level=error msg="scrape commit failed: samples not delivered"/);

    rmSync(ballast);
    await until(async () => (await component(url))?.health.state === 'healthy', `${ID} to be healthy again`);
    expect(await diskFullGauge(url)).toBe('0');
    await everyComponentHealthy(url);
    const firstAfterSpace = target.requests.length + 1;
    await until(async () => target.requests.length >= firstAfterSpace + 3, 'scrapes after space returned');

    // The receiver comes back: no gap in what was appended before the fill, and scrapes after it arrive too.
    await receiver.up();
    await waitForEveryScrape(receiver, servedBeforeFill, 'every scrape appended before the fill');
    await receiver.waitFor(() => [...scrapeNumbers(receiver)].some((n) => n >= firstAfterSpace), 'a scrape taken after space returned', 15_000);
    expect(agent.log).toMatch(/WAL: disk full, refusing new data until space is freed/);
    expect(agent.log).toMatch(/WAL: disk space available again/);
  }, 120_000);

  it('restarts on a disk where its new segment cannot be created: runs unhealthy, retries, then delivers what the WAL held and what came after', async () => {
    // Its own tmpfs with few inodes: a full inode table is what makes creating a segment fail (tmpfs creates empty files without blocks).
    const disk = mountTmpfs('size=2m,nr_inodes=64', 'rw-full-disk-');
    if (!disk) throw new Error('cannot mount a second tmpfs');
    cleanups.push(() => unmountTmpfs(disk));
    const storage = path.join(disk, 'data');
    const receiver = await RemoteWriteReceiver.start();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const target = await MetricsTarget.start(exposition);
    cleanups.push(() => target.close());

    const first = await startAgent(storage, target.address, receiver.url);
    await first.agent.waitForLog(/finished complete graph evaluation/);
    await until(async () => target.requests.length >= 8, '8 scrapes');
    await first.agent.kill9();
    const scrapedBeforeKill = target.requests.length - 1;

    fillDisk(path.join(disk, 'ballast'));
    exhaustInodes(disk);
    const { agent, url } = await startAgent(storage, target.address, receiver.url);
    await agent.waitForLog(/finished complete graph evaluation/);
    await until(async () => (await component(url))?.health.state === 'unhealthy', `${ID} to be unhealthy`);
    expect((await component(url))?.health.message).toMatch(/WAL disk full/);
    expect(await diskFullGauge(url)).toBe('1');
    expect(agent.log).toMatch(/WAL: disk full at open/);

    for (const name of (await import('node:fs')).readdirSync(disk)) if (name.startsWith('inode-') || name === 'ballast') rmSync(path.join(disk, name));
    await until(async () => (await component(url))?.health.state === 'healthy', `${ID} to be healthy once space returns`);
    await everyComponentHealthy(url);
    const firstAfterSpace = target.requests.length + 1;
    await receiver.up();
    await waitForEveryScrape(receiver, scrapedBeforeKill, 'every scrape in the WAL before the restart');
    await receiver.waitFor(() => [...scrapeNumbers(receiver)].some((n) => n >= firstAfterSpace), 'scrapes taken after space returned', 15_000);
  }, 90_000);

  it('starts on an already full disk unhealthy, retries opening the WAL, and recovers once space returns', async () => {
    const storage = path.join(tmpfs!, 'full-at-start');
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const ballast = path.join(tmpfs!, 'ballast');
    cleanups.push(() => rmSync(ballast, { force: true }));
    const receiver = await RemoteWriteReceiver.start();
    cleanups.push(() => receiver.close());
    const target = await MetricsTarget.start(exposition);
    cleanups.push(() => target.close());
    fillDisk(ballast);

    const { agent, url } = await startAgent(storage, target.address, receiver.url);
    await agent.waitForLog(/finished complete graph evaluation/);
    await until(async () => (await component(url))?.health.state === 'unhealthy', `${ID} to be unhealthy`);
    expect((await component(url))?.health.message).toMatch(/WAL disk full/);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(500);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(agent.child.exitCode).toBeNull();
    expect(scrapeNumbers(receiver).size).toBe(0);

    rmSync(ballast);
    await until(async () => (await component(url))?.health.state === 'healthy', `${ID} to be healthy once space returns`);
    await everyComponentHealthy(url);
    const firstAfterSpace = target.requests.length + 1;
    await receiver.waitFor(() => [...scrapeNumbers(receiver)].some((n) => n >= firstAfterSpace), 'scrapes taken after space returned', 15_000);
  }, 60_000);
});
