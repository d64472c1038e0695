/**
 * `alloy-ts fmt` in-process: every flag, message and exit status of Alloy's
 * `fmt` command (grafana/alloy internal/alloycli/cmd_fmt.go), on our fixtures and conformance/fmt/cli_*.
 */
import { chmodSync, copyFileSync, readFileSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conformanceDir, fixturesDir, hasConformance } from './repo-paths.js';
import { runCli, tempDir } from './run-cli.js';

const cliFixtures = path.join(fixturesDir, 'cli');
const fixture = (name: string) => path.join(cliFixtures, name);
const fixtureBytes = (name: string) => readFileSync(fixture(name));


let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const counts = { pass: 0, total: 0 };
afterAll(() => {
  if (counts.total > 0) console.log(`[cli] conformance/fmt/cli_*: ${counts.pass}/${counts.total} passed`);
});

describe('fmt argument checks (no formatting needed)', () => {
  it('refuses -w together with -t', async () => {
    for (const args of [['-w', '-t'], ['--write', '--test'], ['-wt']]) {
      const r = await runCli(['fmt', ...args, fixture('formatted.alloy')]);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toBe('Error: cannot use -w/--write and -t/--test at the same time\n');
    }
  });

  it('refuses -w for standard input, with or without "-"', async () => {
    for (const args of [['-w'], ['-w', '-']]) {
      const r = await runCli(['fmt', ...args], { stdin: 'a {}\n' });
      expect(r).toEqual(expect.objectContaining({ code: 1, stdout: '', stderr: 'Error: cannot use -w with standard input\n' }));
    }
  });

  it('refuses a directory', async () => {
    const r = await runCli(['fmt', cliFixtures]);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'Error: cannot format a directory\n' });
  });

  it('reports a missing file like Go does, relative to cwd', async () => {
    const r = await runCli(['fmt', 'missing.alloy'], { cwd: tmp.dir });
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'Error: stat missing.alloy: no such file or directory\n' });
  });

  it('rejects extra arguments and unknown flags without a usage dump', async () => {
    const extra = await runCli(['fmt', 'a.alloy', 'b.alloy']);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toMatch(/^Error: too many arguments/);
    const unknown = await runCli(['fmt', '--bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error: unknown option '--bogus'\n$/);
    expect(unknown.stderr).not.toMatch(/Usage/);
  });
});

describe('fmt formatting', () => {
  it('formats standard input to stdout (no file, "-", and the format alias)', async () => {
    for (const args of [['fmt'], ['fmt', '-'], ['format']]) {
      const r = await runCli(args, { stdin: fixtureBytes('unformatted.alloy') });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdoutBytes.equals(fixtureBytes('formatted.alloy'))).toBe(true);
    }
  });

  it('formats a file to stdout, leaving the file alone', async () => {
    const r = await runCli(['fmt', 'unformatted.alloy'], { cwd: cliFixtures });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdoutBytes.equals(fixtureBytes('formatted.alloy'))).toBe(true);
  });

  it('-t succeeds silently on a formatted file and fails on an unformatted one', async () => {
    expect(await runCli(['fmt', '-t', fixture('formatted.alloy')])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const bad = await runCli(['fmt', '--test', 'unformatted.alloy'], { cwd: cliFixtures });
    expect(bad).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'Error: file unformatted.alloy is not formatted correctly\n',
    });
    const stdin = await runCli(['fmt', '-t'], { stdin: fixtureBytes('unformatted.alloy') });
    expect(stdin).toMatchObject({ code: 1, stdout: '', stderr: 'Error: file <stdin> is not formatted correctly\n' });
  });

  it('-w rewrites a changed file, keeping its mode, and prints nothing', async () => {
    const file = path.join(tmp.dir, 'config.alloy');
    copyFileSync(fixture('unformatted.alloy'), file);
    chmodSync(file, 0o640);
    expect(await runCli(['fmt', '-w', file])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(file).equals(fixtureBytes('formatted.alloy'))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('-w does not touch an already formatted file', async () => {
    const file = path.join(tmp.dir, 'config.alloy');
    copyFileSync(fixture('formatted.alloy'), file);
    const past = new Date('2001-01-01T00:00:00Z');
    utimesSync(file, past, past);
    expect(await runCli(['fmt', '--write', file])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(statSync(file).mtime.getTime()).toBe(past.getTime());
  });

  it('lists parse errors one per line, then fails', async () => {
    const r = await runCli(['fmt', 'parse_error.alloy'], { cwd: cliFixtures });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      'parse_error.alloy:3:1: expected expression, got }\nError: encountered errors during formatting\n',
    );
    const stdin = await runCli(['fmt'], { stdin: fixtureBytes('parse_error.alloy') });
    expect(stdin.stderr).toMatch(/^<stdin>:3:1: /);
  });

  it('-w leaves a file with parse errors untouched', async () => {
    const file = path.join(tmp.dir, 'bad.alloy');
    copyFileSync(fixture('parse_error.alloy'), file);
    expect((await runCli(['fmt', '-w', file])).code).toBe(1);
    expect(readFileSync(file).equals(fixtureBytes('parse_error.alloy'))).toBe(true);
  });
});

describe.skipIf(!hasConformance)(
  `fmt on conformance data${hasConformance ? '' : ' (skipped: ../shared/conformance not found)'}`,
  () => {
    const fmtDir = path.join(conformanceDir, 'fmt');
    const cases = [
      { name: 'cli_formatted_logging', formatted: true },
      { name: 'cli_unformatted_logging', formatted: false },
    ];
    for (const c of cases) {
      it(`${c.name}: output and --test`, async () => {
        const input = path.join(fmtDir, `${c.name}.in.alloy`);
        const expected = readFileSync(path.join(fmtDir, `${c.name}.expected.alloy`));
        const out = await runCli(['fmt', input]);
        const check = await runCli(['fmt', '-t', input]);
        const ok = out.code === 0 && out.stdoutBytes.equals(expected) && (check.code === 0) === c.formatted;
        counts.total++;
        if (ok) counts.pass++;
        expect(out.stdoutBytes.toString()).toBe(expected.toString());
        expect(check.code).toBe(c.formatted ? 0 : 1);
        if (!c.formatted) expect(check.stderr).toBe(`Error: file ${input} is not formatted correctly\n`);
      });
    }

    it('-w writes the expected bytes', async () => {
      const file = path.join(tmp.dir, 'x.alloy');
      copyFileSync(path.join(fmtDir, 'cli_unformatted_logging.in.alloy'), file);
      expect((await runCli(['fmt', '-w', file])).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(fmtDir, 'cli_unformatted_logging.expected.alloy'), 'utf8'));
    });

    it('raw_string_label_error: fails with the parser message', async () => {
      const r = await runCli(['fmt', path.join(fmtDir, 'raw_string_label_error.in.alloy')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(readFileSync(path.join(fmtDir, 'raw_string_label_error.expected_error.txt'), 'utf8').trim());
      expect(r.stderr.endsWith('Error: encountered errors during formatting\n')).toBe(true);
    });

    it('prints every parse diagnostic of conformance/parse/errors as file:line:col: message', async () => {
      const index = JSON.parse(readFileSync(path.join(conformanceDir, 'parse', 'index.json'), 'utf8')) as {
        errors: { file: string; expected_diagnostics: { line: number; column: number; message: string }[] }[];
      };
      for (const e of index.errors) {
        const dir = path.join(conformanceDir, 'parse', path.dirname(e.file));
        const name = path.basename(e.file);
        const r = await runCli(['fmt', name], { cwd: dir });
        const lines = e.expected_diagnostics.map((d) => `${name}:${d.line}:${d.column}: ${d.message}\n`);
        expect(r.stderr).toBe(lines.join('') + 'Error: encountered errors during formatting\n');
      }
    });
  },
);
