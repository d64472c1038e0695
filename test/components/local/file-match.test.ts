import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, type Harness } from '../../support/harness.js';
import { startsHarnesses } from '../started-harness.js';

const start = startsHarnesses();

/** A temp dir with the given files (relative paths) created empty. */
function tree(...files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-filematch-'));
  for (const f of files) touch(path.join(dir, f));
  return dir;
}

function touch(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'line\n');
}

const q = JSON.stringify;
const paths = (h: Harness) => h.targets('local.file_match.m').map((t) => t['__path__']!);

describe('local.file_match', () => {
  it('expands doublestar globs into one target per file, copying the other labels', async () => {
    const dir = tree('a.log', 'b.log', 'sub/c.log', 'sub/deep/d.log', 'x.txt', '.hidden.log');
    mkdirSync(path.join(dir, 'dir.log'));
    const h = await start(`
local.file_match "m" {
  path_targets = [{"__path__" = ${q(`${dir}/**/*.log`)}, "job" = "files", "__address__" = "localhost"}]
}`);
    const rel = (f: string) => path.join(dir, f);
    expect(paths(h)).toEqual([rel('.hidden.log'), rel('a.log'), rel('b.log'), rel('sub/c.log'), rel('sub/deep/d.log')]);
    expect(h.targets('local.file_match.m')[1]).toEqual({ __address__: 'localhost', __path__: rel('a.log'), job: 'files' });
  });

  it('supports {a,b}, ?, character classes and __path_exclude__ (kept in the output)', async () => {
    const dir = tree('syslog', 'messages', 'app1.log', 'app2.log', 'appX.log', 'other');
    const h = await start(`
local.file_match "m" {
  path_targets = [
    {"__path__" = ${q(`${dir}/{syslog,messages}`)}},
    {"__path__" = ${q(`${dir}/app[0-9].log`)}, "__path_exclude__" = ${q(`${dir}/app2.*`)}},
    {"__path__" = ${q(`${dir}/app?.log`)}, "__path_exclude__" = ${q(`${dir}/app[!X].log`)}},
  ]
}`);
    expect(paths(h)).toEqual([`${dir}/messages`, `${dir}/syslog`, `${dir}/app1.log`, `${dir}/appX.log`]);
    expect(h.targets('local.file_match.m')[2]).toEqual({ __path__: `${dir}/app1.log`, __path_exclude__: `${dir}/app2.*` });
  });

  it('makes relative patterns absolute and follows symlinks to files', async () => {
    const dir = tree('real.log');
    symlinkSync(path.join(dir, 'real.log'), path.join(dir, 'link.log'));
    const relative = path.relative(process.cwd(), dir);
    const h = await start(`local.file_match "m" {\n  path_targets = [{"__path__" = ${q(`${relative}/*.log`)}}]\n}`);
    expect(paths(h)).toEqual([path.join(dir, 'link.log'), path.join(dir, 'real.log')]);
  });

  it('re-scans every sync_period: new files appear, deleted ones disappear', async () => {
    const dir = tree('one.log');
    const h = await start(`
local.file_match "m" {
  path_targets = [{"__path__" = ${q(`${dir}/*.log`)}}]
  sync_period  = "50ms"
}`);
    expect(paths(h)).toEqual([`${dir}/one.log`]);
    touch(path.join(dir, 'two.log'));
    await eventually(() => paths(h).length === 2, 'new file discovered');
    rmSync(path.join(dir, 'one.log'));
    await eventually(() => paths(h).join() === `${dir}/two.log`, 'deleted file forgotten');
  });

  it('skips files older than ignore_older_than', async () => {
    const dir = tree('fresh.log', 'stale.log');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(path.join(dir, 'stale.log'), twoHoursAgo, twoHoursAgo);
    const h = await start(`
local.file_match "m" {
  path_targets      = [{"__path__" = ${q(`${dir}/*.log`)}}]
  ignore_older_than = "1h"
}`);
    expect(paths(h)).toEqual([`${dir}/fresh.log`]);
  });

  it('re-scans at once when its arguments change', async () => {
    const dir = tree('a.log', 'b.txt');
    const config = (glob: string) => `local.file_match "m" {\n  path_targets = [{"__path__" = ${q(`${dir}/${glob}`)}}]\n  sync_period = "1h"\n}`;
    const h = await start(config('*.log'));
    expect(paths(h)).toEqual([`${dir}/a.log`]);
    await h.apply(config('*.txt'));
    await eventually(() => paths(h).join() === `${dir}/b.txt`, 'targets follow the new glob');
  });

  it('exports nothing for a glob that matches nothing', async () => {
    const h = await start(`local.file_match "m" {\n  path_targets = [{"__path__" = "/nonexistent-alloy-ts/*.log"}, {"job" = "no path"}]\n}`);
    expect(h.targets('local.file_match.m')).toEqual([]);
    expect(h.health('local.file_match.m')?.state).toBe('healthy');
  });
});
