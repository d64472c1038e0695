/**
 * The filesystem collector (prometheus/node_exporter v1.5.0
 * collector/filesystem_common.go, filesystem_linux.go): statfs(2) of every
 * mount of /proc/1/mounts (or /proc/mounts) not excluded by mount point or
 * filesystem type.
 *
 * A statfs that does not answer within mount_timeout (a hung network mount)
 * marks the mount point stuck: it reports device_error 1 without being asked
 * again until that statfs returns, as node_exporter's stuckMountWatcher does.
 * Node runs statfs on libuv's small thread pool, so asking a hung mount again
 * every scrape would soon block every other file read.
 */
import { statfs } from 'node:fs/promises';
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { fields, lines, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

export interface FilesystemSettings {
  readonly mount_points_exclude: string;
  readonly fs_types_exclude: string;
  /** Milliseconds. */
  readonly mount_timeout: number;
}

export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: string;
}

interface FsStats {
  readonly size: number;
  readonly free: number;
  readonly avail: number;
  readonly files: number;
  readonly filesFree: number;
}

const LABELS = ['device', 'mountpoint', 'fstype'];

export class FilesystemCollector implements Collector {
  private readonly excludedMountPoints: Re2Regexp;
  private readonly excludedTypes: Re2Regexp;
  /** Mount points whose statfs has not returned yet. */
  private readonly stuck = new Set<string>();

  constructor(
    private readonly env: CollectorEnv,
    private readonly settings: FilesystemSettings,
  ) {
    this.excludedMountPoints = Re2Regexp.compile(settings.mount_points_exclude);
    this.excludedTypes = Re2Regexp.compile(settings.fs_types_exclude);
  }

  async update(out: Exposition): Promise<void> {
    const mounts = (await this.mounts()).filter((m) => !this.excludedMountPoints.test(m.mountPoint) && !this.excludedTypes.test(m.fsType));
    const results = await Promise.all(mounts.map((m) => this.stats(m)));
    const family = (name: string, help: string) => out.family(`node_filesystem_${name}`, 'gauge', help, LABELS);
    const size = family('size_bytes', 'Filesystem size in bytes.');
    const free = family('free_bytes', 'Filesystem free space in bytes.');
    const avail = family('avail_bytes', 'Filesystem space available to non-root users in bytes.');
    const files = family('files', 'Filesystem total file nodes.');
    const filesFree = family('files_free', 'Filesystem total free file nodes.');
    const readonly = family('readonly', 'Filesystem read-only status.');
    const deviceError = family('device_error', 'Whether an error occurred while getting statistics for the given device.');
    const seen = new Set<string>();
    mounts.forEach((m, i) => {
      const labels = [m.device, m.mountPoint, m.fsType];
      const key = labels.join('\u0000');
      // The same mount listed twice would be a duplicate series, which a Prometheus registry refuses.
      if (seen.has(key)) return;
      seen.add(key);
      const s = results[i];
      deviceError.add(s ? 0 : 1, ...labels);
      if (!s) return;
      size.add(s.size, ...labels);
      free.add(s.free, ...labels);
      avail.add(s.avail, ...labels);
      files.add(s.files, ...labels);
      filesFree.add(s.filesFree, ...labels);
      readonly.add(m.options.split(',').includes('ro') ? 1 : 0, ...labels);
    });
  }

  private async mounts(): Promise<MountEntry[]> {
    let text: string;
    try {
      text = await readText(this.env.paths.proc('1/mounts'));
    } catch (err) {
      // /proc/1 is hidden with hidepid: the process' own mount table is the next best.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      text = await readText(this.env.paths.proc('mounts'));
    }
    return parseMounts(text).map((m) => ({ ...m, mountPoint: this.env.paths.stripRootfs(m.mountPoint) }));
  }

  /** statfs of a mount, or undefined when it failed or is stuck. */
  private async stats(m: MountEntry): Promise<FsStats | undefined> {
    if (this.stuck.has(m.mountPoint)) return undefined;
    const pending = statfs(this.env.paths.rootfs(m.mountPoint));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.settings.mount_timeout)));
    try {
      const result = await Promise.race([pending, timedOut]);
      if (result === 'timeout') {
        this.stuck.add(m.mountPoint);
        this.env.logger.debug('mount point timed out, it is being labeled as stuck and will not be monitored', { mountpoint: m.mountPoint });
        pending.then(() => this.stuck.delete(m.mountPoint), () => this.stuck.delete(m.mountPoint));
        return undefined;
      }
      const bsize = result.bsize;
      return { size: result.blocks * bsize, free: result.bfree * bsize, avail: result.bavail * bsize, files: result.files, filesFree: result.ffree };
    } catch (err) {
      // The mount may have gone between reading the table and statfs, or be unreadable: device_error 1.
      this.env.logger.debug('error on statfs() system call', { rootfs: this.env.paths.rootfs(m.mountPoint), err: (err as Error).message });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Mount table lines: device, mount point (with fstab(5)'s \040 and \011 decoded), type, options. */
export function parseMounts(text: string): MountEntry[] {
  return lines(text).map((line) => {
    const parts = fields(line);
    if (parts.length < 4) throw new Error(`malformed mount point information: ${JSON.stringify(line)}`);
    return { device: parts[0]!, mountPoint: parts[1]!.replaceAll('\\040', ' ').replaceAll('\\011', '\t'), fsType: parts[2]!, options: parts[3]! };
  });
}
