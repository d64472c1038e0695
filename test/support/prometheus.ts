/**
 * Real Prometheus for integration tests (scripts/prometheus-services.sh):
 * the shared instance and node exporter it starts, a way to run a private
 * Prometheus that a test may stop and restart, and the query API.
 * Tests skip with the printed reason when the services are missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { freePort } from './free-port.js';

export const PROMETHEUS_URL = process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090';
export const NODE_EXPORTER_ADDR = process.env['NODE_EXPORTER_ADDR'] ?? '127.0.0.1:9100';
const START_HINT = 'run scripts/prometheus-services.sh start';

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function sharedServicesReason(): Promise<string> {
  if (!(await reachable(`${PROMETHEUS_URL}/-/ready`))) return `no Prometheus at ${PROMETHEUS_URL}: ${START_HINT}`;
  if (!(await reachable(`http://${NODE_EXPORTER_ADDR}/metrics`))) return `no node exporter at ${NODE_EXPORTER_ADDR}: ${START_HINT}`;
  return '';
}

/** Why the shared Prometheus + node exporter tests cannot run ('' when they can). */
export const sharedSkipReason = await sharedServicesReason();
if (sharedSkipReason) console.warn(`[skip] Prometheus integration tests: ${sharedSkipReason}`);

/** Why a private Prometheus cannot be started ('' when it can). */
export const binarySkipReason = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0 ? '' : `no prometheus binary on PATH: ${START_HINT}`;
if (binarySkipReason) console.warn(`[skip] Prometheus restart test: ${binarySkipReason}`);

export interface InstantSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface RangeSeries {
  readonly metric: Record<string, string>;
  readonly values: [number, string][];
}

/** An instant query; a range selector (`x[5m]`) gives the raw samples as a matrix. */
export async function query<T = InstantSample>(baseUrl: string, promql: string): Promise<T[]> {
  const res = await fetch(`${baseUrl}/api/v1/query?${new URLSearchParams({ query: promql })}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: T[] } };
  if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
  return body.data.result;
}

/** A Prometheus of the test's own on a free loopback port, remote-write receiver on; stop() and start() again keep its data. */
export class PrivatePrometheus {
  private child: ChildProcess | undefined;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-prom-'));

  private constructor(readonly port: number) {
    writeFileSync(path.join(this.dataDir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  }

  static async create(): Promise<PrivatePrometheus> {
    return new PrivatePrometheus(await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get writeUrl(): string {
    return `${this.url}/api/v1/write`;
  }

  async start(): Promise<void> {
    const args = [
      `--config.file=${path.join(this.dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(this.dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.port}`,
      '--web.enable-remote-write-receiver',
    ];
    this.child = spawn('prometheus', args, { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (!(await reachable(`${this.url}/-/ready`))) {
      if (Date.now() > deadline) throw new Error('private Prometheus did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM and wait for the process to exit (Prometheus flushes its head to the WAL). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
