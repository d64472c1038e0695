// globPathTarget matches a pattern whose only glob is its last segment
// against one directory listing instead of walking with tinyglobby: its
// results must be exactly tinyglobby's, special files and symlinks included.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { afterAll, describe, expect, it } from 'vitest';
import { globPathTarget } from '../../../src/components/common/targets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-glob-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setUp(): void {
  for (const f of ['a.log', 'b.log', '.hidden.log', 'c.txt', 'sub/x.log']) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'line\n');
  }
  mkdirSync(path.join(dir, 'dir.log'));
  symlinkSync('a.log', path.join(dir, 'link.log'));
  symlinkSync('sub', path.join(dir, 'linkdir.log'));
  symlinkSync('missing', path.join(dir, 'broken.log'));
  execFileSync('mkfifo', [path.join(dir, 'fifo.log')]);
}
setUp();

/** What tinyglobby's walk returns, as globPathTarget reports it (absolute, no trailing slash, sorted). */
async function walked(pattern: string, onlyFiles: boolean): Promise<string[]> {
  const found = await glob(pattern.replace('[!', '[^'), { absolute: true, dot: true, onlyFiles, expandDirectories: false });
  return found.map((f) => (f.length > 1 && f.endsWith('/') ? f.slice(0, -1) : f)).sort();
}

describe('globPathTarget on one directory', () => {
  const patterns = ['*.log', '*', '[ab].log', '[!a]*.log', '{a,c}.*', '?.log', 'sub*', 'nonexistent/*.log', 'a.log/*', '../' + path.basename(dir) + '/*.log'];
  for (const onlyFiles of [true, false]) {
    it(`returns what tinyglobby's walk returns (onlyFiles ${onlyFiles})`, async () => {
      for (const relative of patterns) {
        const pattern = `${dir}/${relative}`;
        const ours = await globPathTarget({ __path__: pattern }, { onlyFiles });
        expect(ours, pattern).toEqual(await walked(pattern, onlyFiles));
      }
    });
  }

  it('lists regular files, symlinked files and (unless onlyFiles) real directories; no FIFOs, broken links or linked directories', async () => {
    const at = (...names: string[]) => names.map((n) => path.join(dir, n));
    expect(await globPathTarget({ __path__: `${dir}/*.log` }, { onlyFiles: true })).toEqual(at('.hidden.log', 'a.log', 'b.log', 'link.log'));
    expect(await globPathTarget({ __path__: `${dir}/*.log` }, { onlyFiles: false })).toEqual(at('.hidden.log', 'a.log', 'b.log', 'dir.log', 'link.log'));
    expect(await globPathTarget({ __path__: `${dir}/*.log`, __path_exclude__: `${dir}/[ab].log` }, { onlyFiles: true })).toEqual(at('.hidden.log', 'link.log'));
  });

  it('resolves a relative pattern against the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await globPathTarget({ __path__: '*.txt' }, { onlyFiles: true })).toEqual([path.join(dir, 'c.txt')]);
      expect(await globPathTarget({ __path__: './sub/*.log' }, { onlyFiles: true })).toEqual([path.join(dir, 'sub/x.log')]);
    } finally {
      process.chdir(cwd);
    }
  });
});
