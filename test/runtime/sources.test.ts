import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
});
