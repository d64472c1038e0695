/**
 * The real launcher: spawns `node bin/alloy-ts` against the built dist/.
 * Skipped (with the reason) until `npm run build` has produced dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, repoRoot } from './repo-paths.js';

const bin = path.join(repoRoot, 'bin', 'alloy-ts');
const hasDist = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));

function alloyTs(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasDist)(`bin/alloy-ts${hasDist ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  it('sets the exit status of a failing command', () => {
    expect(alloyTs(['fmt', '-w', '-t'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: cannot use -w/--write and -t/--test at the same time\n',
    });
  });

  it('prints the version', () => {
    const r = alloyTs(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^alloy-ts, version \d+\.\d+\.\d+/);
  });

  it('formats a fixture', () => {
    const r = alloyTs(['fmt', path.join(fixturesDir, 'cli', 'unformatted.alloy')]);
    expect(r).toEqual({ code: 0, stdout: readFileSync(path.join(fixturesDir, 'cli', 'formatted.alloy'), 'utf8'), stderr: '' });
    const check = alloyTs(['fmt', '--test'], readFileSync(path.join(fixturesDir, 'cli', 'formatted.alloy'), 'utf8'));
    expect(check).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
