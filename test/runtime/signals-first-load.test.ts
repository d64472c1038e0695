/**
 * SIGTERM and SIGINT stop the agent during its first load, in any phase:
 * while the config file is still being read (a FIFO nobody writes to) and
 * while the graph is being evaluated (an import.file module that is a FIFO).
 * The drain timeout is set far beyond the test's wait so that the fallback
 * exit of a bounded shutdown cannot be what ends the process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';

const started: AgentProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop(1000)));
});

function fifo(dir: string, name: string): string {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

/** Exit code and signal of the agent once it exits, or a failure after `ms` (a hang). */
function exitOf(agent: AgentProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (agent.child.exitCode !== null) return resolve({ code: agent.child.exitCode, signal: agent.child.signalCode });
    const timer = setTimeout(() => reject(new Error(`the agent was still running ${ms} ms after the signal:\n${agent.log}`)), ms);
    agent.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

const phases: [string, (dir: string) => string][] = [
  ['reading a config that is a FIFO', (dir) => fifo(dir, 'config.alloy')],
  [
    'evaluating an import.file whose module is a FIFO',
    (dir) => {
      const config = path.join(dir, 'config.alloy');
      writeFileSync(config, `import.file "m" {\n  filename = ${JSON.stringify(fifo(dir, 'module.alloy'))}\n}\n\nloki.echo "out" { }\n`);
      return config;
    },
  ],
];

describe.skipIf(!hasDist)(`signals during the first load${hasDist ? '' : ' (skipped: dist/ not built; run npm run build)'}`, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it.each(phases)(`${signal} stops the agent while %s`, async (_phase, makeConfig) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-signal-'));
      const config = makeConfig(dir);
      const { agent, url } = await AgentProcess.start([config, `--storage.path=${path.join(dir, 'data')}`, '--shutdown.drain-timeout=10m']);
      started.push(agent);
      // The first load is stuck: the server answers, the agent is not ready.
      expect((await fetch(`${url}/-/ready`)).status).toBe(503);
      agent.child.kill(signal);
      expect(await exitOf(agent, 20_000)).toEqual({ code: 0, signal: null });
      expect(agent.log).toMatch(/msg="shutting down" reason="stopped during the first config load"/);
    });
  }
});
