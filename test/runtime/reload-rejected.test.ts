/**
 * A rejected reload leaves the running graph exactly as it was, whatever
 * the error: checked through the real HTTP /-/reload of an agent whose
 * pipeline tails a file into a real (test) Loki receiver. Every rejected
 * config leaves out the file source, so a partly applied reload would stop
 * the data.
 */
import { appendFileSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { LokiReceiver } from '../support/loki-receiver.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-reload-'));
const configPath = path.join(dir, 'config.alloy');
const logPath = path.join(dir, 'app.log');
const extraLogPath = path.join(dir, 'extra.log');
const devNull = { write: () => true };
let running: RunningAgent;
let loki: LokiReceiver;
let base: string;

const writer = () => `loki.write "out" {
  endpoint {
    url = ${JSON.stringify(loki.pushUrl)}
    batch_wait = "50ms"
  }
}
`;

const goodConfig = () => `${writer()}
loki.source.file "tail" {
  targets    = [{ "__path__" = ${JSON.stringify(logPath)}, "job" = "app" }]
  forward_to = [loki.write.out.receiver]
}

declare "echo" {
  argument "n" { }
  loki.echo "inner" { }
}

echo "mod" { n = 1 }
`;

/** Each config is rejected for a different reason; none of them has the file source any more. */
const rejected: [string, () => string][] = [
  ['a type error in a new component', () => `${writer()}\nloki.echo "new" { }\nloki.source.file "other" {\n  targets = [{ "__path__" = 1 + "x" }]\n  forward_to = []\n}\n`],
  ['an unknown attribute', () => `${writer()}\nloki.echo "new" { nope = true }\n`],
  ['a bad argument to a running component', () => `loki.write "out" {\n  endpoint {\n    url = 42\n  }\n}\n`],
  ['an error inside a module instance', () => `${writer()}\ndeclare "echo" {\n  argument "n" { }\n  loki.echo "inner" { nope = argument.n.value }\n}\necho "mod" { n = 2 }\n`],
  ['a missing module argument', () => `${writer()}\ndeclare "echo" {\n  argument "n" { }\n  loki.echo "inner" { }\n}\necho "mod" { }\n`],
  ['an unknown component', () => `${writer()}\nnope.nope "x" { }\n`],
  ['a syntax error', () => `${writer()}\nloki.echo "x" {\n`],
  [
    'an error after a new file source was built',
    () =>
      `${writer()}\nloki.source.file "extra" {\n  targets    = [{ "__path__" = ${JSON.stringify(extraLogPath)} }]\n  forward_to = [loki.write.out.receiver]\n}\nloki.echo "bad" { nope = loki.source.file.extra.missing }\n`,
  ],
];

beforeAll(async () => {
  loki = await LokiReceiver.start();
  writeFileSync(logPath, 'line 0\n');
  writeFileSync(extraLogPath, 'extra 0\n');
  writeFileSync(configPath, goodConfig());
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  base = `http://127.0.0.1:${running.server.address!.port}`;
  await loki.waitForEntries(1);
});

afterAll(async () => {
  await running?.stop();
  await loki?.close();
});

const get = async (p: string) => {
  const res = await fetch(base + p);
  return { status: res.status, body: await res.text() };
};

/** Files this process holds open. */
function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

/** What the API says about every component, module contents included. */
async function snapshot(): Promise<unknown> {
  const list = JSON.parse((await get('/api/v0/web/components')).body) as { localID: string; health: { state: string; message: string } }[];
  const detail = await Promise.all(list.map(async (c) => JSON.parse((await get(`/api/v0/web/components/${encodeURIComponent(c.localID)}`)).body) as { arguments: unknown }));
  const inner = JSON.parse((await get('/api/v0/web/modules/echo.mod/components')).body) as { localID: string; health: { state: string } }[];
  return {
    components: list.map((c, i) => ({ id: c.localID, health: c.health.state, message: c.health.message, arguments: detail[i]!.arguments })),
    module: inner.map((c) => [c.localID, c.health.state]),
  };
}

describe('a rejected /-/reload', () => {
  it.each(rejected)('after %s keeps every component, their arguments and health, and data flowing', async (_reason, config) => {
    const before = await snapshot();
    writeFileSync(configPath, config());
    const reload = await get('/-/reload');
    expect(reload.status).toBe(400);
    expect(await get('/-/healthy')).toEqual({ status: 200, body: 'All Alloy components are healthy.\n' });
    expect(await snapshot()).toEqual(before);

    const line = `after ${_reason}`;
    appendFileSync(logPath, `${line}\n`);
    await loki.waitUntil(() => loki.entries().some((e) => e.line === line), 10_000, () => `"${line}" never arrived`);
    expect((await get('/metrics')).body).toMatch(/^alloy_config_last_load_successful 0$/m);
    // Nothing the rejected config built is left open (a file source built for it was stopped again).
    expect(openFiles()).not.toContain(extraLogPath);
  });

  it('is followed by a good reload that applies', async () => {
    writeFileSync(configPath, goodConfig().replace('echo "mod" { n = 1 }', 'echo "mod" { n = 1 }\nloki.echo "added" { }'));
    expect(await get('/-/reload')).toEqual({ status: 200, body: 'config reloaded\n' });
    const list = JSON.parse((await get('/api/v0/web/components')).body) as { localID: string }[];
    expect(list.map((c) => c.localID)).toContain('loki.echo.added');
    expect((await get('/metrics')).body).toMatch(/^alloy_config_last_load_successful 1$/m);
  });
});
