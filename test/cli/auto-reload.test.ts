/** `run --config.auto-reload` with a real agent process: edits are picked up, a broken edit keeps the running graph and is logged once. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist } from '../support/agent-process.js';

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

async function ids(url: string): Promise<string[]> {
  return ((await (await fetch(`${url}/api/v0/web/components`)).json()) as { localID: string }[]).map((c) => c.localID).sort();
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.skipIf(!hasDist)('run --config.auto-reload', () => {
  it('reloads on an edit within 2 s, survives a broken edit (logged once), then takes the fix', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-autoreload-'));
    const config = path.join(dir, 'config.alloy');
    writeFileSync(config, 'loki.echo "a" {}\n');
    let url: string;
    ({ agent, url } = await AgentProcess.start([config, '--config.auto-reload', '--config.auto-reload-interval=200ms', `--storage.path=${path.join(dir, 'data')}`]));
    await agent.waitForLog(/finished complete graph evaluation/);

    writeFileSync(config, 'loki.echo "a" {}\nloki.echo "b" {}\n');
    expect(await waitFor(async () => (await ids(url)).includes('loki.echo.b'), 2000)).toBe(true);

    writeFileSync(config, 'loki.echo "a" {}\nloki.echo "b" {\n');
    await agent.waitForLog(/failed to reload config/);
    await new Promise((r) => setTimeout(r, 1500)); // several polls of the same broken content
    expect(agent.log.match(/failed to reload config/g)).toHaveLength(1);
    expect(await ids(url)).toEqual(['loki.echo.a', 'loki.echo.b']);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);

    writeFileSync(config, 'loki.echo "c" {}\n');
    expect(await waitFor(async () => JSON.stringify(await ids(url)) === JSON.stringify(['loki.echo.c']), 2000)).toBe(true);
  }, 60_000);
});
