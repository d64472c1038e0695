/**
 * `run --memory-limit` for real: the agent (bin/alloy-ts, so the launcher's
 * heap flags apply) reads a log file much larger than the limit into a Loki
 * that answers slowly, and its peak resident memory (VmHWM) must stay under
 * the limit while the backlog drains.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';

const MiB = 1024 * 1024;
const LIMIT = 160 * MiB;
/** Lines of about 200 bytes: 120 MiB, well over the limit. */
const BACKLOG_LINES = 600_000;
const LOKI_DELAY_MS = 250;

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeBacklog(file: string): void {
  const filler = 'x'.repeat(170);
  const lines: string[] = [];
  for (let i = 0; i < BACKLOG_LINES; i++) lines.push(`ts=${i} level=info msg="${filler}"\n`);
  writeFileSync(file, lines.join(''));
}

function config(file: string, pushUrl: string): string {
  return `
loki.source.file "backlog" {
  targets    = [{"__path__" = ${JSON.stringify(file)}, "job" = "backlog"}]
  forward_to = [loki.write.slow.receiver]
}

loki.write "slow" {
  endpoint {
    url = ${JSON.stringify(pushUrl)}
  }
}
`;
}

describe.skipIf(!hasDist)(`run --memory-limit${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  it('keeps the agent\'s peak RSS under the limit while a backlog drains into a slow Loki', async () => {
    const loki = await LokiReceiver.start();
    loki.setDelay(LOKI_DELAY_MS);
    const logFile = path.join(dir, 'backlog.log');
    writeBacklog(logFile);
    writeFileSync(path.join(dir, 'config.alloy'), config(logFile, loki.pushUrl));
    const { agent } = await AgentProcess.start([path.join(dir, 'config.alloy'), `--memory-limit=${LIMIT / MiB}MiB`, `--storage.path=${path.join(dir, 'data')}`]);
    try {
      // Long enough for every queue and buffer on the way to fill up and stay full.
      await loki.waitForEntries(100_000, 60_000);
      const peak = agent.peakRssBytes();
      console.log(`[memory-limit] peak RSS ${(peak / MiB).toFixed(1)} MiB under a ${LIMIT / MiB} MiB limit; ${loki.entries().length} entries delivered`);
      expect(peak).toBeLessThan(LIMIT);
      // Old space is half the limit (80 MiB) plus a young generation of 3 × 2 MiB semi-spaces,
      // whether Node was replaced with heap flags (execve) or the agent runs in a worker thread with them.
      const heapLimit = /msg="memory limit" limit=160MiB heap_limit=(\d+)MiB buffer_budget=40MiB/.exec(agent.log);
      expect(heapLimit, agent.log).not.toBeNull();
      expect(Number(heapLimit![1])).toBeGreaterThanOrEqual(80);
      expect(Number(heapLimit![1])).toBeLessThanOrEqual(90);
    } finally {
      await agent.stop();
      await loki.close();
    }
  }, 90_000);
});
