/**
 * Many files (issue 15 item 3): 2,000 one-line files matched by a glob are
 * all delivered while the tailers keep at most MAX_OPEN_FILES of them open;
 * files closed while idle are opened again when they change.
 */
import { appendFileSync, mkdtempSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OPEN_FILES } from '../../../src/components/loki/source-file/open-files.js';
import { Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';

const running: Harness[] = [];
const receivers: LokiReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** This process's descriptors open on files under `dir`. */
function fdsUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('loki.source.file with many files', () => {
  it('delivers 2,000 one-line files with at most MAX_OPEN_FILES open, and follows files closed while idle', async () => {
    const loki = await LokiReceiver.start();
    receivers.push(loki);
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-many-files-'));
    const files = 2_000;
    const name = (i: number) => path.join(dir, `f${String(i).padStart(5, '0')}.log`);
    for (let i = 0; i < files; i++) writeFileSync(name(i), `first line of ${i}\n`);
    const h = await Harness.start(`
local.file_match "logs" {
  path_targets = [{"__path__" = ${JSON.stringify(path.join(dir, '*.log'))}, "job" = "many"}]
}
loki.source.file "logs" {
  targets    = local.file_match.logs.targets
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url        = ${JSON.stringify(loki.pushUrl)}
    batch_wait = "100ms"
  }
}
`);
    running.push(h);

    let maxOpen = 0;
    const sampler = setInterval(() => (maxOpen = Math.max(maxOpen, fdsUnder(dir))), 20);
    try {
      await loki.waitForEntries(files, 60_000);
    } finally {
      clearInterval(sampler);
    }
    const lines = new Set(loki.entries().map((e) => e.line));
    expect(lines.size).toBe(files);
    for (let i = 0; i < files; i++) expect(lines.has(`first line of ${i}`)).toBe(true);
    expect(maxOpen).toBeGreaterThan(0);
    expect(maxOpen).toBeLessThanOrEqual(MAX_OPEN_FILES);
    expect(fdsUnder(dir)).toBeLessThanOrEqual(MAX_OPEN_FILES);

    // The first files were closed to make room for later ones: changes to them still arrive,
    // appended lines as well as a file rotated (renamed away and created again).
    for (let i = 0; i < 5; i++) appendFileSync(name(i), `second line of ${i}\n`);
    renameSync(name(5), path.join(dir, 'f00005.log.1'));
    writeFileSync(name(5), 'new file 5\n');
    await loki.waitForEntries(files + 6, 20_000);
    const after = new Set(loki.entries().map((e) => e.line));
    for (let i = 0; i < 5; i++) expect(after.has(`second line of ${i}`)).toBe(true);
    expect(after.has('new file 5')).toBe(true);
    expect(fdsUnder(dir)).toBeLessThanOrEqual(MAX_OPEN_FILES);
  }, 120_000);
});
