/**
 * kill -9 in the middle of a stream: the agent runs as a child process
 * (`node bin/alloy-ts run`, built dist/) tailing a file into loki.write, which
 * pushes to a test Loki in this process. After SIGKILL and a restart, every
 * line must have arrived at least once, and only lines past the persisted
 * position may arrive twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePositions } from '../../../src/components/loki/positions.js';
import { MAX_IN_FLIGHT_BYTES } from '../../../src/components/loki/source-file/tailer.js';
import { LokiReceiver } from '../../support/loki-receiver.js';

const repo = path.resolve(__dirname, '../../..');
const bin = path.join(repo, 'bin/alloy-ts');
const built = existsSync(path.join(repo, 'dist/components/loki/source-file.js')) && existsSync(path.join(repo, 'dist/components/loki/write.js'));

const children: ChildProcess[] = [];
const receivers: LokiReceiver[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const line = (i: number) => `line ${String(i).padStart(8, '0')} ${'p'.repeat(50)}`;
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

/** Starts the agent; resolves once its graph is evaluated. */
async function startAgent(config: string, storage: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${storage}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('finished complete graph evaluation')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('loki.source.file across kill -9', () => {
  it.skipIf(!built)('delivers every line at least once; duplicates only past the persisted position', async () => {
    const loki = await LokiReceiver.start();
    receivers.push(loki);
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-crash-'));
    const file = path.join(dir, 'app.log');
    const storage = path.join(dir, 'data');
    const config = path.join(dir, 'config.alloy');
    writeFileSync(
      config,
      `loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(file)}, "job" = "crash"}]
  forward_to = [loki.write.out.receiver]
  file_watch {
    min_poll_frequency = "10ms"
    max_poll_frequency = "50ms"
  }
}
loki.write "out" {
  endpoint {
    url        = ${JSON.stringify(loki.pushUrl)}
    batch_wait = "50ms"
    batch_size = "64KiB"
  }
}
`,
    );
    const total = 60_000;
    writeFileSync(file, text(lines(0, 20_000)));
    let written = 20_000;
    const first = await startAgent(config, storage);
    // Keep writing while the agent reads; kill it mid-stream, once it has persisted a position.
    const positionsFile = path.join(storage, 'loki.source.file.logs', 'positions.yml');
    while (loki.entries().length < 10_000 || !existsSync(positionsFile)) {
      appendFileSync(file, text(lines(written, written + 200)));
      written += 200;
      await new Promise((r) => setTimeout(r, 5));
    }
    const exited = new Promise((r) => first.on('exit', r));
    first.kill('SIGKILL');
    await exited;
    const receivedBeforeKill = loki.entries().length;
    const persisted = Number(parsePositions(readFileSync(positionsFile, 'utf8'), positionsFile)[0]?.[1] ?? 0);
    const linesBeforePosition = persisted / Buffer.byteLength(`${line(0)}\n`);
    expect(Number.isInteger(linesBeforePosition)).toBe(true); // positions sit on line boundaries

    appendFileSync(file, text(lines(written, total)));
    await startAgent(config, storage);
    await loki.waitForEntries(total, 60_000);
    await new Promise((r) => setTimeout(r, 300));

    const got = loki.entries().map((e) => e.line);
    const counts = new Map<string, number>();
    for (const l of got) counts.set(l, (counts.get(l) ?? 0) + 1);
    const missing = lines(0, total).filter((l) => !counts.has(l));
    expect(missing).toEqual([]);
    // Lines before the persisted position arrived exactly once.
    expect(lines(0, linesBeforePosition).filter((l) => counts.get(l) !== 1)).toEqual([]);
    // Duplicates: only lines the first run had read past the persisted position,
    // bounded by what the source may have unacknowledged in flight plus the little
    // acknowledged since the last write of the positions file.
    const duplicates = got.length - total;
    expect(duplicates).toBe(receivedBeforeKill - linesBeforePosition);
    expect(duplicates).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES / Buffer.byteLength(`${line(0)}\n`));
    console.log(`kill -9: ${receivedBeforeKill} lines received before the kill, ${duplicates} sent again after the restart`);
  });
});
