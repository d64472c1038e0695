/**
 * prometheus.remote_write's WAL end to end: a real agent process scrapes a
 * target while its Prometheus (2.42, the real remote-write receiver) is
 * down, is killed with SIGKILL, restarts with the same --storage.path once
 * Prometheus is up, and every sample scraped before the kill is then found
 * in Prometheus by query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { eventually } from '../support/harness.js';
import { MetricsTarget } from '../support/metrics-target.js';
import { binarySkipReason, PrivatePrometheus, query, type RangeSeries } from '../support/prometheus.js';

const skipReason = !hasDist ? 'dist/ is not built (npm run build)' : binarySkipReason;
if (skipReason && process.env.CI) throw new Error(`remote-write WAL test cannot run in CI: ${skipReason}`);
if (skipReason) console.warn(`[skip] remote-write WAL test: ${skipReason}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(skipReason !== '')('prometheus.remote_write WAL', () => {
  it('delivers every sample scraped while Prometheus was down, across kill -9 and a restart', async () => {
    const run = randomUUID().slice(0, 8);
    const storage = mkdtempSync(path.join(tmpdir(), 'alloy-ts-rw-wal-'));
    cleanups.push(() => rmSync(storage, { recursive: true, force: true }));
    const prometheus = await PrivatePrometheus.create();
    cleanups.push(() => prometheus.stop());
    const target = await MetricsTarget.start((n) => `# TYPE wal_test_scrapes counter\nwal_test_scrapes{run="${run}"} ${n}\n`);
    cleanups.push(() => target.close());
    const config = path.join(storage, 'config.alloy');
    await writeFile(
      config,
      `
prometheus.scrape "t" {
  targets         = [{"__address__" = "${target.address}"}]
  forward_to      = [prometheus.remote_write.prom.receiver]
  scrape_interval = "200ms"
  scrape_timeout  = "150ms"
}
prometheus.remote_write "prom" {
  endpoint {
    url = "${prometheus.writeUrl}"
    queue_config {
      min_backoff = "50ms"
      max_backoff = "200ms"
    }
  }
}
`,
    );
    const args = [config, `--storage.path=${path.join(storage, 'data')}`];

    const first = await AgentProcess.start(args);
    cleanups.push(() => first.agent.stop());
    await eventually(() => target.requests.length >= 15, '15 scrapes', 15_000);
    // Stop serving the series, give the last scrape time to reach the WAL, then kill.
    target.status = 500;
    const served = target.requests.length;
    await new Promise((r) => setTimeout(r, 500));
    await first.agent.kill9();

    await prometheus.start();
    const second = await AgentProcess.start(args);
    cleanups.push(() => second.agent.stop());
    const expected = Array.from({ length: served }, (_, i) => i + 1);
    let got: number[] = [];
    await eventually(
      async () => {
        const series = await query<RangeSeries>(prometheus.url, `wal_test_scrapes{run="${run}"}[1h]`);
        got = [...new Set(series.flatMap((s) => s.values.map(([, v]) => Number(v))))].sort((a, b) => a - b);
        return got.length >= expected.length;
      },
      'every scraped sample in Prometheus',
      30_000,
    ).catch(() => undefined);
    expect(got).toEqual(expected);
  }, 90_000);
});
