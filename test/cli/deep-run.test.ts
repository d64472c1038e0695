/**
 * Deep expressions in `run` and `/-/reload` (issue 15 item 8): an agent
 * loads a config whose attribute is a 100,000-term concatenation, and a
 * reload with a 5,000-term expression of the wrong type is refused with a
 * positioned diagnostic (not "Maximum call stack size exceeded").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-deep-'));
const configPath = path.join(dir, 'config.alloy');
const watched = path.join(dir, 'watched.txt');
const stderr: string[] = [];
let running: RunningAgent;
let base: string;

/** `local.file` reading `watched.txt`, its name built from `terms` pieces. */
function concatConfig(terms: number): string {
  const pieces = [JSON.stringify(dir + '/'), ...Array(terms - 2).fill('""'), '"watched.txt"'];
  return `local.file "deep" {\n  filename = ${pieces.join(' + ')}\n}\n`;
}

beforeAll(async () => {
  writeFileSync(watched, 'content\n');
  writeFileSync(configPath, concatConfig(100_000));
  const io = { stdin: (async function* () {})(), stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => stderr.push(String(s)) } };
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, io);
  base = `http://127.0.0.1:${running.server.address!.port}`;
});

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(base + p);
  return { status: res.status, body: await res.text() };
}

describe('deep expressions in a running agent', () => {
  it('loads a 100,000-term attribute and evaluates it', async () => {
    const component = JSON.parse((await get('/api/v0/web/components/local.file.deep')).body) as { exports: unknown };
    expect(JSON.stringify(component.exports)).toContain('content\\n');
    expect(stderr.join('')).not.toMatch(/call stack/);
  });

  it('refuses a reload with a 5,000-term type error, with its position', async () => {
    writeFileSync(configPath, `local.file "deep" {\n  filename = ${Array(5000).fill('false').join(' || ')}\n}\n`);
    const r = await get('/-/reload');
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/config\.alloy:2:14: false \|\| false .*… should be string, got bool/);
    expect(r.body.length).toBeLessThan(4096);
  });

  it('reloads a 100,000-term config again', async () => {
    writeFileSync(configPath, concatConfig(100_000));
    expect(await get('/-/reload')).toEqual({ status: 200, body: 'config reloaded\n' });
  });
});
