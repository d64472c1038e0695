import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigPath } from '../../src/runtime/sources.js';

describe('readConfigPath', () => {
  it('reads a directory’s *.alloy files in byte order, skipping subdirectories and other files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-sources-'));
    for (const name of ['b.alloy', 'Z.alloy', 'é.alloy', 'notes.txt']) writeFileSync(path.join(dir, name), name);
    mkdirSync(path.join(dir, 'sub.alloy'));
    const read = await readConfigPath(path.basename(dir), path.dirname(dir));
    expect(read.map((f) => path.basename(f.name))).toEqual(['Z.alloy', 'b.alloy', 'é.alloy']);
    expect(read[0]!.name).toBe(path.join(path.basename(dir), 'Z.alloy'));
    expect(Buffer.from(read[1]!.bytes).toString()).toBe('b.alloy');
  });

  it('lets the caller word fs failures', async () => {
    await expect(readConfigPath('missing.alloy', tmpdir(), (_err, shown) => new Error(`cannot read ${shown}`))).rejects.toThrow('cannot read missing.alloy');
  });

  it('waits for the writer of a FIFO and reads what it wrote, without holding a thread-pool thread', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-fifo-'));
    const fifo = path.join(dir, 'config.alloy');
    execFileSync('mkfifo', [fifo]);
    const read = readConfigPath(fifo);
    let settled = false;
    void read.finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await writeFile(fifo, 'loki.echo "x" { }\n');
    const [file] = await read;
    expect(Buffer.from(file!.bytes).toString()).toBe('loki.echo "x" { }\n');
  });
});
