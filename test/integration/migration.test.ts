/**
 * Migrating to alloy-ts with `run --config.format=…`, proven with the real
 * programs: Promtail 2.8.11 (../shared/tools/promtail) ships the first half
 * of a file and stops; alloy-ts on the same promtail.yaml continues from
 * Promtail's positions file (legacy_positions_file), so exactly the second
 * half arrives — no line twice, none missing — and it keeps tailing. And a
 * prometheus.yml with scrape_configs + remote_write runs against the real
 * node exporter and Prometheus of the test services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/repo-paths.js';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { NODE_EXPORTER_ADDR, PROMETHEUS_URL, query, sharedSkipReason } from '../support/prometheus.js';

const promtailBin = path.resolve(repoRoot, '..', 'shared', 'tools', 'promtail');
const promtailSkip = !hasDist ? 'dist/ is not built (npm run build)' : !existsSync(promtailBin) ? `no Promtail at ${promtailBin}` : '';
if (promtailSkip) console.warn(`[skip] Promtail migration test: ${promtailSkip}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function lines(from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += `migration line ${String(i).padStart(6, '0')}\n`;
  return out;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe.skipIf(promtailSkip !== '')('Promtail → alloy-ts migration', () => {
  it('continues from Promtail positions: the second half exactly once, then keeps tailing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-migrate-'));
    const logFile = path.join(dir, 'app.log');
    const positions = path.join(dir, 'positions.yaml');
    const receiver = await LokiReceiver.start();
    cleanups.push(() => receiver.close());
    const config = path.join(dir, 'promtail.yaml');
    writeFileSync(
      config,
      [
        'server: { disable: true }',
        `positions: { filename: ${positions} }`,
        `clients: [ { url: "${receiver.pushUrl}" } ]`,
        'scrape_configs:',
        '  - job_name: app',
        '    static_configs:',
        '      - targets: [localhost]',
        `        labels: { job: app, __path__: "${logFile}" }`,
        'tracing: { enabled: false }',
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, lines(0, 500));

    // Promtail ships the first half and saves its position on shutdown.
    const promtail = spawn(promtailBin, [`-config.file=${config}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let promtailLog = '';
    promtail.stderr!.on('data', (c: Buffer) => (promtailLog += c.toString()));
    cleanups.push(() => stopProcess(promtail));
    await receiver.waitForEntries(500, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\nPromtail said:\n${promtailLog}`);
    });
    await stopProcess(promtail);
    expect(readFileSync(positions, 'utf8')).toContain(logFile);

    // Written while nothing runs; alloy-ts must ship exactly these.
    appendFileSync(logFile, lines(500, 1000));
    const { agent, url } = await AgentProcess.start([config, '--config.format=promtail', `--storage.path=${path.join(dir, 'data')}`]);
    cleanups.push(() => agent.stop());
    await receiver.waitForEntries(1000, 30_000);
    // The API shows the converted config's components.
    const components = (await (await fetch(`${url}/api/v0/web/components`)).json()) as { localID: string }[];
    expect(components.map((c) => c.localID).sort()).toEqual(['loki.source.file.app', 'loki.write.default']);
    appendFileSync(logFile, lines(1000, 1100));
    await receiver.waitForEntries(1100, 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up

    const received = receiver.entries().map((e) => e.line);
    expect(received).toHaveLength(1100);
    expect(new Set(received).size).toBe(1100);
    expect(received.slice(500)).toEqual(lines(500, 1100).trimEnd().split('\n'));
    const streams = new Set(receiver.accepted.flatMap((r) => r.streams.map((s) => s.labels)));
    expect([...streams].every((l) => l.includes('job="app"') && l.includes(`filename="${logFile}"`))).toBe(true);
  }, 120_000);
});

describe.skipIf(!hasDist || sharedSkipReason !== '')('Prometheus → alloy-ts migration', () => {
  it('runs a prometheus.yml: node exporter scraped, samples in the real Prometheus', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-prommig-'));
    const job = `migrated_${process.pid}_${Date.now()}`;
    const config = path.join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  external_labels: { migrated: "yes" }',
        'scrape_configs:',
        `  - job_name: ${job}`,
        '    static_configs:',
        `      - targets: ["${NODE_EXPORTER_ADDR}"]`,
        'remote_write:',
        `  - url: ${PROMETHEUS_URL}/api/v1/write`,
        '',
      ].join('\n'),
    );
    const { agent } = await AgentProcess.start([config, '--config.format=prometheus', `--storage.path=${path.join(dir, 'data')}`]);
    cleanups.push(() => agent.stop());
    const deadline = Date.now() + 30_000;
    let up: { metric: Record<string, string>; value: [number, string] }[] = [];
    let cpu: unknown[] = [];
    while (Date.now() < deadline) {
      up = await query(PROMETHEUS_URL, `up{job="${job}"}`);
      cpu = await query(PROMETHEUS_URL, `node_cpu_seconds_total{job="${job}"}`);
      if (up.length > 0 && cpu.length > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(up).toHaveLength(1);
    expect(up[0]!.metric).toMatchObject({ job, instance: NODE_EXPORTER_ADDR, migrated: 'yes' });
    expect(up[0]!.value[1]).toBe('1');
    expect(cpu.length).toBeGreaterThan(0);
  }, 60_000);
});
