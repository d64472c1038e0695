import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { hasDist } from './agent-process.js';

/**
 * Mounts a small tmpfs (`options` as for mount -o, e.g. "size=2m") on a new
 * directory, for real full-disk tests. Needs root / CAP_SYS_ADMIN: returns
 * undefined where mounting is not allowed, so the caller can skip with a reason.
 */
export function mountTmpfs(options: string, prefix = 'alloy-ts-tmpfs-'): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const mountPoint = mkdtempSync(path.join(tmpdir(), prefix));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (result.status === 0) return mountPoint;
  rmSync(mountPoint, { recursive: true, force: true });
  return undefined;
}

/** Unmounts a tmpfs from mountTmpfs and removes its directory. */
export function unmountTmpfs(mountPoint: string): void {
  spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
}

/** Fills the filesystem of `file` until write(2) reports ENOSPC (64 KiB, then 4 KiB, then byte writes). */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [64 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 'b');
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The 2 MiB tmpfs of a full-disk test that runs the built agent, unmounted
 * after the file's tests; undefined (the test skips, saying why) where dist/
 * is not built or mounting is not allowed. In CI both are required: it throws.
 */
export function agentTestTmpfs(what: string, prefix: string): string | undefined {
  const tmpfs = hasDist ? mountTmpfs('size=2m', prefix) : undefined;
  if (!hasDist && process.env.CI) throw new Error(`${what} needs dist/ in CI`);
  if (!tmpfs && hasDist && process.env.CI) throw new Error(`${what}: cannot mount a tmpfs in CI (needs root / CAP_SYS_ADMIN)`);
  if (!hasDist) console.warn(`[skip] ${what}: dist/ is not built (npm run build)`);
  else if (!tmpfs) console.warn(`[skip] ${what}: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)`);
  afterAll(() => {
    if (tmpfs) unmountTmpfs(tmpfs);
  });
  return tmpfs;
}
