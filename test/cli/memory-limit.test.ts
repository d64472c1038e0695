/** --memory-limit / ALLOY_TS_MEMORY_LIMIT: parsing, what the launcher sees, and the heap flags it restarts Node with. */
import { describe, expect, it } from 'vitest';
import { relaunchNodeArgs, youngGenerationCapMiB } from '../../src/cli/launch.js';
import { memoryLimitOfArgs, resolveMemoryLimit } from '../../src/cli/memory-limit.js';
import { runCli } from './run-cli.js';

const GiB = 1024 ** 3;

describe('resolveMemoryLimit', () => {
  it('takes the flag over the environment, in base-2 units', () => {
    expect(resolveMemoryLimit('512MiB', { ALLOY_TS_MEMORY_LIMIT: '2GiB' })).toBe(512 * 1024 ** 2);
    expect(resolveMemoryLimit(undefined, { ALLOY_TS_MEMORY_LIMIT: '2GiB' })).toBe(2 * GiB);
    expect(resolveMemoryLimit(undefined, { ALLOY_TS_MEMORY_LIMIT: '2GB' })).toBe(2 * GiB);
  });

  it('means no limit when unset, empty or zero', () => {
    expect(resolveMemoryLimit(undefined, {})).toBeUndefined();
    expect(resolveMemoryLimit(undefined, { ALLOY_TS_MEMORY_LIMIT: ' ' })).toBeUndefined();
    expect(resolveMemoryLimit('0', {})).toBeUndefined();
  });

  it('names the flag or variable a malformed value came from', () => {
    expect(() => resolveMemoryLimit('2 lots', {})).toThrow(/^invalid --memory-limit "2 lots": units: unknown unit/);
    expect(() => resolveMemoryLimit(undefined, { ALLOY_TS_MEMORY_LIMIT: '2g' })).toThrow(/^invalid ALLOY_TS_MEMORY_LIMIT "2g"/);
  });
});

describe('memoryLimitOfArgs (the launcher)', () => {
  it('reads --memory-limit of run in both spellings, the last one winning', () => {
    expect(memoryLimitOfArgs(['run', 'c.alloy', '--memory-limit=1GiB'], {})).toBe(GiB);
    expect(memoryLimitOfArgs(['run', '--memory-limit', '1GiB', 'c.alloy'], {})).toBe(GiB);
    expect(memoryLimitOfArgs(['run', '--memory-limit=4GiB', '--memory-limit=1GiB', 'c.alloy'], {})).toBe(GiB);
    expect(memoryLimitOfArgs(['run', 'c.alloy'], { ALLOY_TS_MEMORY_LIMIT: '1GiB' })).toBe(GiB);
  });

  it('ignores other commands and leaves malformed values to the CLI', () => {
    expect(memoryLimitOfArgs(['fmt', '--memory-limit=1GiB'], {})).toBeUndefined();
    expect(memoryLimitOfArgs(['healthcheck'], { ALLOY_TS_MEMORY_LIMIT: '1GiB' })).toBeUndefined();
    expect(memoryLimitOfArgs(['run', '--memory-limit=lots'], {})).toBeUndefined();
  });
});

describe('relaunchNodeArgs', () => {
  it('adds the heap flags of the limit to Node\'s own options', () => {
    expect(relaunchNodeArgs(['run', 'c.alloy', '--memory-limit=256MiB'], {}, ['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      '--max-old-space-size=128',
      '--max-semi-space-size=4',
    ]);
  });

  it('does not restart without a limit, or when heap flags were chosen already', () => {
    expect(relaunchNodeArgs(['run', 'c.alloy'], {}, [])).toBeUndefined();
    expect(relaunchNodeArgs(['run', 'c.alloy', '--memory-limit=1GiB'], {}, ['--max-old-space-size=300'])).toBeUndefined();
    expect(relaunchNodeArgs(['run', 'c.alloy'], { ALLOY_TS_MEMORY_LIMIT: '1GiB', NODE_OPTIONS: '--max_old_space_size=300' }, [])).toBeUndefined();
  });
});

describe('run --memory-limit', () => {
  it('fails with a one-line error on a malformed value', async () => {
    const r = await runCli(['run', 'missing.alloy', '--memory-limit=plenty']);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: invalid --memory-limit "plenty": units: unknown unit "plenty" in "plenty"\n' });
  });
});

describe('youngGenerationCapMiB (the launcher without a memory limit)', () => {
  it('caps the young generation of run only, unless Node was told how to size it', () => {
    expect(youngGenerationCapMiB(['run', 'c.alloy'], {}, [])).toBe(4);
    expect(youngGenerationCapMiB(['fmt', 'c.alloy'], {}, [])).toBeUndefined();
    expect(youngGenerationCapMiB(['run', 'c.alloy'], { NODE_OPTIONS: '--max-semi-space-size=16' }, [])).toBeUndefined();
    expect(youngGenerationCapMiB(['run', 'c.alloy'], {}, ['--semi-space-growth-factor=1'])).toBeUndefined();
  });
});
