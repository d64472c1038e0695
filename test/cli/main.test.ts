/** Top-level CLI behaviour: help, version, usage errors, `run` and `validate`. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturesDir, repoRoot } from './repo-paths.js';
import { runCli, tempDir } from './run-cli.js';

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('program', () => {
  it('prints the version from package.json', async () => {
    for (const flag of ['--version', '-v']) {
      expect(await runCli([flag])).toMatchObject({ code: 0, stdout: `alloy-ts, version ${version}\n`, stderr: '' });
    }
  });

  it('prints help on --help and on a bare invocation, successfully', async () => {
    for (const args of [['--help'], []]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: alloy-ts/);
      expect(r.stdout).toMatch(/\bfmt\|format\b/);
      expect(r.stdout).toMatch(/\bvalidate\b/);
      expect(r.stdout).toMatch(/\brun\b/);
    }
  });

  it('shows per-command help with Alloy defaults', async () => {
    const r = await runCli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--server.http.listen-addr <addr>');
    expect(r.stdout).toContain('"127.0.0.1:12345"');
    expect(r.stdout).toContain('"data-alloy/"');
    expect(r.stdout).not.toContain('--no-');
  });

  it('fails on an unknown command with one Error line', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: unknown command 'frobnicate'/);
  });
});

// `run` itself starts an agent (tested with the runtime); here only the
// usage errors that stop it before anything starts.
describe('run', () => {
  it('rejects bad flag values and a missing path', async () => {
    expect((await runCli(['run', '--stability.level=bogus', 'x.alloy'])).stderr).toMatch(/^Error: option '--stability.level <level>' argument 'bogus' is invalid/);
    expect((await runCli(['run', '--cluster.max-join-peers=many', 'x.alloy'])).stderr).toMatch(/^Error: .*Not an integer/);
    const missing = await runCli(['run']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: missing required argument 'path'/);
  });
});

describe('validate', () => {
  it('reports an unreadable path', async () => {
    const r = await runCli(['validate', 'nope.alloy'], { cwd: tmp.dir });
    expect(r).toMatchObject({ code: 1, stderr: 'Error: stat nope.alloy: no such file or directory\n' });
  });

  it('rejects config formats nobody converts', async () => {
    const r = await runCli(['validate', '--config.format=nginx', 'x.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: unsupported config format "nginx"/);
  });

  describe('reports', () => {
    it('succeeds silently on a valid file', async () => {
      const r = await runCli(['validate', path.join(fixturesDir, 'cli', 'formatted.alloy')]);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    });

    it('prints the pretty report of a directory in sorted-name order, then fails', async () => {
      writeFileSync(path.join(tmp.dir, 'b.alloy'), 'b {\n\tx = \n}\n');
      writeFileSync(path.join(tmp.dir, 'a.alloy'), 'a {\n\ty = \n}\n');
      writeFileSync(path.join(tmp.dir, 'notes.txt'), 'ignored');
      const direct = await runCli(['validate', tmp.dir]);
      const report = (name: string, attr: string) =>
        `Error: ${path.join(tmp.dir, name)}:3:1: expected expression, got }\n\n` +
        `2 |     ${attr} = \n3 | }\n  | ^\n4 | \n`;
      expect(direct.code).toBe(1);
      expect(direct.stdout).toBe('');
      // One blank line between diagnostics, one after the report.
      expect(direct.stderr).toBe(`${report('a.alloy', 'y')}\n${report('b.alloy', 'x')}\nError: validation failed\n`);
    });

    it('colours the report only on a terminal without NO_COLOR', async () => {
      const file = path.join(fixturesDir, 'cli', 'parse_error.alloy');
      expect((await runCli(['validate', file], { tty: true })).stderr).toContain('\x1b[31;1mError: \x1b[0m');
      expect((await runCli(['validate', file], { tty: true, env: { NO_COLOR: '1' } })).stderr).not.toContain('\x1b[');
      expect((await runCli(['validate', file])).stderr).not.toContain('\x1b[');
    });

    it('--format=json writes the diagnostics to stdout', async () => {
      const r = await runCli(['validate', '--format=json', 'parse_error.alloy'], { cwd: path.join(fixturesDir, 'cli') });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('Error: validation failed\n');
      expect(JSON.parse(r.stdout)).toEqual([
        { file: 'parse_error.alloy', line: 3, column: 1, endLine: 3, endColumn: 1, severity: 'error', message: 'expected expression, got }' },
      ]);
    });
  });
});
