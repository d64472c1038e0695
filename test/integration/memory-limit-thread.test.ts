/**
 * `run --memory-limit` on a Node without process.execve (Node < 22.15): the
 * launcher runs the agent in a worker thread with the limit's heap sizes
 * (src/cli/agent-thread.ts). What a process gives for free must still hold
 * there: SIGHUP reloads, SIGTERM stops cleanly with status 0, a bad config
 * fails with its diagnostic and status 1, the heap limit is the limit's —
 * and no second process runs beside the agent.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist, launcher } from '../support/agent-process.js';

const hasExecve = typeof (process as { execve?: unknown }).execve === 'function';
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-memory-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const skip = !hasDist ? ' (skipped: dist/ missing, run npm run build)' : hasExecve ? ' (skipped: this Node has process.execve, so no thread is used)' : '';

function children(pid: number): string {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
}

describe.skipIf(skip !== '')(`run --memory-limit in a worker thread${skip}`, () => {
  it('reloads on SIGHUP, stops with status 0 on SIGTERM, runs with the limit\'s heap and no second process', async () => {
    const config = path.join(dir, 'ok.alloy');
    writeFileSync(config, 'local.file "a" {\n  filename = ' + JSON.stringify(config) + '\n}\n');
    const { agent } = await AgentProcess.start([config, '--memory-limit=128MiB', `--storage.path=${path.join(dir, 'data')}`]);
    // The agent thread may log its limit just after the HTTP server's first line: wait for it.
    const heapLimit = await agent.waitForLog(/msg="memory limit" limit=128MiB heap_limit=(\d+)MiB buffer_budget=32MiB/);
    // 64 MiB old space (half the limit) and 3 × 2 MiB semi-spaces.
    expect(Number(heapLimit![1])).toBeGreaterThanOrEqual(64);
    expect(Number(heapLimit![1])).toBeLessThanOrEqual(72);
    expect(children(agent.child.pid!)).toBe('');

    writeFileSync(config, 'local.file "b" {\n  filename = ' + JSON.stringify(config) + '\n}\n');
    // Until the first load has returned, a SIGHUP may find no agent to reload yet: send it again until one is logged.
    for (let i = 0; i < 20 && !/msg="config reloaded"/.test(agent.log); i++) {
      agent.child.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 250));
    }
    await agent.waitForLog(/msg="config reloaded"/);

    const exited = once(agent.child, 'exit');
    agent.child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(agent.log).toMatch(/msg="shutting down"/);
  }, 60_000);

  it('reports a bad config with its diagnostic and status 1', async () => {
    const config = path.join(dir, 'bad.alloy');
    writeFileSync(config, 'local.file "a" {\n  filename = \n}\n');
    const child = spawn(process.execPath, [launcher, 'run', config, '--memory-limit=128MiB', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data-bad')}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('bad.alloy:3:1: expected expression');
    expect(stderr).not.toMatch(/\n\s+at /); // a diagnostic, not a stack trace
  }, 30_000);
});
