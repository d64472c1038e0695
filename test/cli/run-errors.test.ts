/**
 * One error presentation for all commands (issue 16 item 6): `run` words a
 * missing config as Go does (like validate and fmt), and prints the same
 * report, with source excerpts and the file named as given, that
 * `validate` prints for the same config.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './repo-paths.js';
import { tempDir } from './run-cli.js';

const bin = path.join(repoRoot, 'bin', 'alloy-ts');
const hasDist = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function alloyTs(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp.dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const run = (file: string) => alloyTs('run', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(tmp.dir, 'data')}`, file);

/** The report without run's log lines (ts=… level=info …) and the commands' closing lines. */
function report(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !l.startsWith('ts='))
    .join('\n')
    .replace(/Error: (validation failed|could not perform the initial load successfully)\n$/, '');
}

describe.skipIf(!hasDist)(`run's errors${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  it('a missing file in Go wording, as validate and fmt', () => {
    expect(run('missing.alloy')).toMatchObject({ code: 1, stderr: expect.stringMatching(/\nError: reading config path "missing\.alloy": stat missing\.alloy: no such file or directory\n$/) });
    expect(alloyTs('validate', 'missing.alloy').stderr).toBe('Error: stat missing.alloy: no such file or directory\n');
    expect(alloyTs('fmt', 'missing.alloy').stderr).toBe('Error: stat missing.alloy: no such file or directory\n');
    expect(alloyTs('run', '')).toMatchObject({ code: 1, stderr: 'Error: path argument not provided\n' });
  });

  it.each([
    ['an unsupported component', 'logging {\n  level = "info"\n}\n\nbeyla.ebpf "x" {\n}\n'],
    ['an unknown component', 'nope.nope "x" {\n}\n'],
    ['an evaluation error', 'local.file "x" {\n  filename = 1 + "a"\n}\n'],
  ])('%s: the same report as validate, with its excerpt', (_, text) => {
    writeFileSync(path.join(tmp.dir, 'config.alloy'), text);
    const ran = run('config.alloy');
    const validated = alloyTs('validate', 'config.alloy');
    expect([ran.code, validated.code]).toEqual([1, 1]);
    expect(report(ran.stderr)).toMatch(/^Error: config\.alloy:\d+:\d+: .*\n\n\d+ \| /);
    expect(report(ran.stderr)).toBe(report(validated.stderr));
  });
});
