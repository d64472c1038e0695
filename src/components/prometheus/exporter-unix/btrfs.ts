/**
 * The btrfs collector (prometheus/node_exporter v1.5.0 collector/btrfs_linux.go):
 * each mounted Btrfs filesystem's /sys/fs/btrfs/<uuid>/ tree (label,
 * metadata_uuid, allocation/{data,metadata,system}/..., devices/<name>/size),
 * read as prometheus/procfs v0.8.0 btrfs/get.go reads it.
 *
 * node_exporter also asks each mounted Btrfs filesystem for its devices with
 * the BTRFS_IOC_FS_INFO / DEV_INFO / GET_DEV_STATS ioctls and, when they
 * answer, reports device sizes with a `btrfs_dev_uuid` label plus
 * node_btrfs_device_unused_bytes and node_btrfs_device_errors_total. Node.js
 * cannot make ioctls without a native addon, so this collector always reports
 * node_exporter's fallback: node_btrfs_device_size_bytes from sysfs, labelled
 * by uuid and device.
 *
 * Without /sys/fs/btrfs/*-* nothing is exposed and the collector succeeds, as
 * procfs' glob matching nothing does.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { listDir, parseUint, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** "Linux always considers sectors to be 512 bytes long" (procfs btrfs.SectorSize): devices/<name>/size is in sectors. */
const SECTOR_SIZE = 512;
const BLOCK_GROUP_TYPES = ['data', 'metadata', 'system'] as const;

export interface BtrfsLayout {
  readonly usedBytes: number;
  readonly totalBytes: number;
  readonly ratio: number;
}

export interface BtrfsAllocation {
  readonly reservedBytes: number;
  /** By layout (profile) name: single, dup, raid1, ... */
  readonly layouts: ReadonlyMap<string, BtrfsLayout>;
}

export interface BtrfsStats {
  readonly uuid: string;
  readonly label: string;
  readonly globalRsvSize: number;
  readonly allocation: Readonly<Record<(typeof BLOCK_GROUP_TYPES)[number], BtrfsAllocation>>;
  /** Device name → size in bytes. */
  readonly devices: ReadonlyMap<string, number>;
}

export class BtrfsCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const names = ((await listDir(this.env.paths.sys('fs/btrfs'))) ?? []).filter((n) => n.includes('-'));
    // Every filesystem is read before any is exposed: one failure fails the collector, as procfs' Stats() does.
    const stats = await Promise.all(names.map((name) => readBtrfsStats(this.env.paths.sys('fs/btrfs', name))));
    exposeBtrfs(out, stats);
  }
}

function exposeBtrfs(out: Exposition, all: readonly BtrfsStats[]): void {
  const info = out.family('node_btrfs_info', 'gauge', 'Filesystem information', ['uuid', 'label']);
  const globalRsv = out.family('node_btrfs_global_rsv_size_bytes', 'gauge', 'Size of global reserve.', ['uuid']);
  const reserved = out.family('node_btrfs_reserved_bytes', 'gauge', 'Amount of space reserved for a data type', ['uuid', 'block_group_type']);
  const layoutLabels = ['uuid', 'block_group_type', 'mode'];
  const used = out.family('node_btrfs_used_bytes', 'gauge', 'Amount of used space by a layout/data type', layoutLabels);
  const size = out.family('node_btrfs_size_bytes', 'gauge', 'Amount of space allocated for a layout/data type', layoutLabels);
  const ratio = out.family('node_btrfs_allocation_ratio', 'gauge', 'Data allocation ratio for a layout/data type', layoutLabels);
  const deviceSize = out.family('node_btrfs_device_size_bytes', 'gauge', 'Size of a device that is part of the filesystem.', ['uuid', 'device']);
  for (const s of all) {
    info.add(1, s.uuid, s.label);
    globalRsv.add(s.globalRsvSize, s.uuid);
    for (const type of BLOCK_GROUP_TYPES) {
      const a = s.allocation[type];
      reserved.add(a.reservedBytes, s.uuid, type);
      for (const [mode, l] of a.layouts) {
        used.add(l.usedBytes, s.uuid, type, mode);
        size.add(l.totalBytes, s.uuid, type, mode);
        ratio.add(l.ratio, s.uuid, type, mode);
      }
    }
    for (const [device, bytes] of s.devices) deviceSize.add(bytes, s.uuid, device);
  }
}

/**
 * One filesystem's directory, read in procfs' order and with its error
 * rules: an absent file reads as empty (0); any other failure is remembered,
 * makes later numbers of the same directory read as 0, and is what the
 * filesystem's result depends on — where procfs overwrites the remembered
 * error with each allocation directory's own outcome, so only the last one
 * (allocation/system) decides whether the whole collector fails.
 */
class SysfsDirReader {
  err: unknown;

  constructor(
    private readonly dir: string,
    readonly deviceCount = 0,
  ) {}

  async text(name: string): Promise<string> {
    try {
      return (await readText(join(this.dir, name))).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.err = err;
      return '';
    }
  }

  /** A decimal number; 0 when absent, not a number, or after an earlier failure. */
  async number(name: string): Promise<number> {
    const text = await this.text(name);
    if (this.err !== undefined) return 0;
    return parseUint(text) ?? 0;
  }

  entries(name = ''): Dirent[] {
    try {
      return readdirSync(join(this.dir, name), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      this.err = err;
      return [];
    }
  }

  async allocation(name: string): Promise<BtrfsAllocation> {
    const sub = new SysfsDirReader(join(this.dir, name), this.deviceCount);
    const reservedBytes = await sub.number('bytes_reserved');
    const layouts = new Map<string, BtrfsLayout>();
    for (const entry of sub.entries()) {
      if (!entry.isDirectory()) continue;
      const totalBytes = await sub.number(`${entry.name}/total_bytes`);
      const usedBytes = await sub.number(`${entry.name}/used_bytes`);
      layouts.set(entry.name, { totalBytes, usedBytes, ratio: layoutRatio(entry.name, this.deviceCount) });
    }
    this.err = sub.err;
    return { reservedBytes, layouts };
  }
}

/** How many bytes of disk a byte of data takes in a layout (procfs calcRatio); 0 for a layout procfs does not know. */
function layoutRatio(layout: string, devices: number): number {
  switch (layout) {
    case 'single':
    case 'raid0':
      return 1;
    case 'dup':
    case 'raid1':
    case 'raid10':
      return 2;
    case 'raid5':
      return devices / (devices - 1);
    case 'raid6':
      return devices / (devices - 2);
    default:
      return 0;
  }
}

/** One /sys/fs/btrfs/<uuid> directory; throws when procfs' GetStats fails. */
export async function readBtrfsStats(dir: string): Promise<BtrfsStats> {
  const top = new SysfsDirReader(dir);
  const devices = new Map<string, number>();
  for (const entry of top.entries('devices')) devices.set(entry.name, SECTOR_SIZE * (await top.number(`devices/${entry.name}/size`)));
  const r = new SysfsDirReader(dir, devices.size);
  r.err = top.err;
  const label = await r.text('label');
  const uuid = (await r.text('metadata_uuid')) || dir.slice(dir.lastIndexOf('/') + 1);
  // Read only for their errors: procfs reads them into fields node_exporter does not report.
  r.entries('features');
  for (const name of ['clone_alignment', 'nodesize', 'quota_override', 'sectorsize', 'allocation/global_rsv_reserved']) await r.number(name);
  const globalRsvSize = await r.number('allocation/global_rsv_size');
  const data = await r.allocation('allocation/data');
  const metadata = await r.allocation('allocation/metadata');
  const system = await r.allocation('allocation/system');
  if (r.err !== undefined) throw r.err instanceof Error ? r.err : new Error(String(r.err));
  return { uuid, label, globalRsvSize, allocation: { data, metadata, system }, devices };
}
