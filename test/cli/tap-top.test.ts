/**
 * `alloy-ts tap` and `alloy-ts top` against a real agent process whose http
 * block asks for basic auth: tap prints what loki.secretfilter emits while
 * lines are written; top lists the components with health and rates.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, hasDist, launcher } from '../support/agent-process.js';

const SECRET = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';
const PASSWORD = 'tap-top-password';

describe.skipIf(!hasDist)('tap and top', () => {
  let agent: AgentProcess;
  let url: string;
  let dir: string;
  let writer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-tap-'));
    const config = path.join(dir, 'config.alloy');
    writeFileSync(path.join(dir, 'app.log'), '');
    writeFileSync(
      config,
      `livedebugging {\n  enabled = true\n}\n` +
        `http {\n  auth {\n    basic {\n      username = "admin"\n      password = ${JSON.stringify(PASSWORD)}\n    }\n  }\n}\n` +
        `loki.source.file "f" {\n  targets    = [{ __path__ = ${JSON.stringify(path.join(dir, 'app.log'))} }]\n  forward_to = [loki.secretfilter.s.receiver]\n}\n` +
        `loki.secretfilter "s" {\n  forward_to  = [loki.echo.out.receiver]\n  redact_with = "<redacted>"\n}\n` +
        `loki.echo "out" {}\n`,
    );
    writeFileSync(path.join(dir, 'password'), `${PASSWORD}\n`);
    ({ agent, url } = await AgentProcess.start([config, '--stability.level=public-preview', `--storage.path=${path.join(dir, 'data')}`]));
    let n = 0;
    writer = setInterval(() => appendFileSync(path.join(dir, 'app.log'), `line ${n++} token ${SECRET}\n`), 100);
  }, 60_000);

  afterAll(async () => {
    clearInterval(writer);
    await agent?.stop();
  });

  function cliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [launcher, ...args], { env: { ...process.env, ...env }, cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('tap streams the secret filter output as text and JSON', async () => {
    const text = await cliAsync(['tap', 'loki.secretfilter.s', `--url=${url}`, '--basic-auth-username=admin', '--basic-auth-password-file=password', '--duration=4s']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`line \\d+ token ${SECRET} => line \\d+ token <redacted>`));
    const json = await cliAsync(['tap', 'loki.secretfilter.s', `--url=${url}`, '--basic-auth-username=admin', '--format=json', '--duration=3s'], { ALLOY_TS_PASSWORD: PASSWORD });
    const first = JSON.parse(json.stdout.split('\n')[0]!) as { component: string; data: string };
    expect(first.component).toBe('loki.secretfilter.s');
    expect(first.data).toContain('<redacted>');
  }, 60_000);

  it('tap without credentials says what to set, and names an unknown component', () => {
    const noAuth = spawnSync(process.execPath, [launcher, 'tap', 'loki.secretfilter.s', `--url=${url}`, '--duration=2s'], { encoding: 'utf8' });
    expect(noAuth.status).toBe(1);
    expect(noAuth.stderr).toContain('401');
    expect(noAuth.stderr).toContain('--basic-auth-username');
    const unknown = spawnSync(process.execPath, [launcher, 'tap', 'loki.nope.x', `--url=${url}`, '--basic-auth-username=admin', '--duration=2s'], {
      encoding: 'utf8',
      env: { ...process.env, ALLOY_TS_PASSWORD: PASSWORD },
    });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('loki.nope.x: 404 component not found');
  }, 60_000);

  it('top lists every component with its health and the busiest counter rate', async () => {
    const r = await cliAsync(['top', '--once', '--interval=2s', `--url=${url}`, '--basic-auth-username=admin', '--basic-auth-password-file=password']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^COMPONENT\s+HEALTH\s+RATE\s+COUNTER$/);
    const ids = lines.slice(1).map((l) => l.split(/\s+/)[0]);
    // Config blocks are listed too, as the components API lists them.
    expect(ids).toEqual(['http', 'livedebugging', 'loki.echo.out', 'loki.secretfilter.s', 'loki.source.file.f']);
    const filter = lines.find((l) => l.startsWith('loki.secretfilter.s'))!;
    expect(filter).toMatch(/healthy\s+\d+\.\d\/s\s+loki_secretfilter_/);
    expect(Number(/(\d+\.\d)\/s/.exec(filter)![1])).toBeGreaterThan(0);
  }, 60_000);
});
