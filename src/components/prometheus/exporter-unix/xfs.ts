/**
 * The xfs collector (prometheus/node_exporter v1.5.0 collector/xfs_linux.go):
 * the per-filesystem statistics the kernel keeps in
 * /sys/fs/xfs/<device>/stats/stats, parsed as prometheus/procfs v0.8.0
 * xfs/parse.go does. The `device` label is the directory's name (the kernel
 * names it after the block device, e.g. "sda1" or "dm-0"), as procfs'
 * SysStats takes it. Every counter is node_exporter's counter with that label;
 * a line the kernel does not print leaves its counters at 0.
 *
 * Without /sys/fs/xfs (no XFS mounted) nothing is exposed and the collector
 * succeeds, as node_exporter's glob matching nothing does; one malformed file
 * fails the collector and exposes nothing.
 */
import { fields, listDir, parseUint, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** How many values each line procfs knows must have (xfs/parse.go); lines procfs ignores are only checked to be uint32s. */
const VALUE_COUNTS: Readonly<Record<string, readonly number[]>> = {
  extent_alloc: [4], abt: [4], blk_map: [7], bmbt: [4], dir: [4], trans: [3], ig: [7], log: [5], rw: [2], attr: [4], icluster: [3],
  vnodes: [7, 8], buf: [9], push_ail: [10], xstrat: [2], abtb2: [15], abtc2: [15], bmbt2: [15], ibt2: [15], qm: [8, 9], debug: [1], xpc: [3],
};

/** Family suffix, help text, and where its value is: [line label, column]. Help texts are node_exporter's (from the XFS wiki's Runtime_Stats). */
const COUNTERS: readonly (readonly [string, string, string, number])[] = [
  ['extent_allocation_extents_allocated_total', 'Number of extents allocated for a filesystem.', 'extent_alloc', 0],
  ['extent_allocation_blocks_allocated_total', 'Number of blocks allocated for a filesystem.', 'extent_alloc', 1],
  ['extent_allocation_extents_freed_total', 'Number of extents freed for a filesystem.', 'extent_alloc', 2],
  ['extent_allocation_blocks_freed_total', 'Number of blocks freed for a filesystem.', 'extent_alloc', 3],
  ['allocation_btree_lookups_total', 'Number of allocation B-tree lookups for a filesystem.', 'abt', 0],
  ['allocation_btree_compares_total', 'Number of allocation B-tree compares for a filesystem.', 'abt', 1],
  ['allocation_btree_records_inserted_total', 'Number of allocation B-tree records inserted for a filesystem.', 'abt', 2],
  ['allocation_btree_records_deleted_total', 'Number of allocation B-tree records deleted for a filesystem.', 'abt', 3],
  ['block_mapping_reads_total', 'Number of block map for read operations for a filesystem.', 'blk_map', 0],
  ['block_mapping_writes_total', 'Number of block map for write operations for a filesystem.', 'blk_map', 1],
  ['block_mapping_unmaps_total', 'Number of block unmaps (deletes) for a filesystem.', 'blk_map', 2],
  ['block_mapping_extent_list_insertions_total', 'Number of extent list insertions for a filesystem.', 'blk_map', 3],
  ['block_mapping_extent_list_deletions_total', 'Number of extent list deletions for a filesystem.', 'blk_map', 4],
  ['block_mapping_extent_list_lookups_total', 'Number of extent list lookups for a filesystem.', 'blk_map', 5],
  ['block_mapping_extent_list_compares_total', 'Number of extent list compares for a filesystem.', 'blk_map', 6],
  ['block_map_btree_lookups_total', 'Number of block map B-tree lookups for a filesystem.', 'bmbt', 0],
  ['block_map_btree_compares_total', 'Number of block map B-tree compares for a filesystem.', 'bmbt', 1],
  ['block_map_btree_records_inserted_total', 'Number of block map B-tree records inserted for a filesystem.', 'bmbt', 2],
  ['block_map_btree_records_deleted_total', 'Number of block map B-tree records deleted for a filesystem.', 'bmbt', 3],
  ['directory_operation_lookup_total', 'Number of file name directory lookups which miss the operating systems directory name lookup cache.', 'dir', 0],
  ['directory_operation_create_total', 'Number of times a new directory entry was created for a filesystem.', 'dir', 1],
  ['directory_operation_remove_total', 'Number of times an existing directory entry was created for a filesystem.', 'dir', 2],
  ['directory_operation_getdents_total', 'Number of times the directory getdents operation was performed for a filesystem.', 'dir', 3],
  ['inode_operation_attempts_total', 'Number of times the OS looked for an XFS inode in the inode cache.', 'ig', 0],
  ['inode_operation_found_total', 'Number of times the OS looked for and found an XFS inode in the inode cache.', 'ig', 1],
  ['inode_operation_recycled_total', 'Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.', 'ig', 2],
  ['inode_operation_missed_total', 'Number of times the OS looked for an XFS inode in the cache, but did not find it.', 'ig', 3],
  [
    'inode_operation_duplicates_total',
    'Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.',
    'ig',
    4,
  ],
  ['inode_operation_reclaims_total', 'Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.', 'ig', 5],
  ['inode_operation_attribute_changes_total', 'Number of times the OS explicitly changed the attributes of an XFS inode.', 'ig', 6],
  // The kernel prints writes before reads on the rw line (fs/xfs/xfs_stats.h xs_write_calls, xs_read_calls).
  ['read_calls_total', 'Number of read(2) system calls made to files in a filesystem.', 'rw', 1],
  ['write_calls_total', 'Number of write(2) system calls made to files in a filesystem.', 'rw', 0],
  ['vnode_active_total', 'Number of vnodes not on free lists for a filesystem.', 'vnodes', 0],
  ['vnode_allocate_total', 'Number of times vn_alloc called for a filesystem.', 'vnodes', 1],
  ['vnode_get_total', 'Number of times vn_get called for a filesystem.', 'vnodes', 2],
  ['vnode_hold_total', 'Number of times vn_hold called for a filesystem.', 'vnodes', 3],
  ['vnode_release_total', 'Number of times vn_rele called for a filesystem.', 'vnodes', 4],
  ['vnode_reclaim_total', 'Number of times vn_reclaim called for a filesystem.', 'vnodes', 5],
  ['vnode_remove_total', 'Number of times vn_remove called for a filesystem.', 'vnodes', 6],
];

/** Values by line label. */
export type XfsStats = ReadonlyMap<string, readonly number[]>;

export class XfsCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const devices = await this.readAll();
    const families = COUNTERS.map(([name, help]) => out.family(`node_xfs_${name}`, 'counter', help, ['device']));
    for (const [device, stats] of devices) {
      COUNTERS.forEach(([, , label, column], i) => families[i]!.add(stats.get(label)?.[column] ?? 0, device));
    }
  }

  /** Every filesystem's statistics, parsed before any is exposed: one bad file fails the whole collector, as in procfs' SysStats. */
  private async readAll(): Promise<[string, XfsStats][]> {
    const out: [string, XfsStats][] = [];
    for (const device of (await listDir(this.env.paths.sys('fs/xfs'))) ?? []) {
      const file = this.env.paths.sys('fs/xfs', device, 'stats/stats');
      let text: string;
      try {
        text = await readText(file);
      } catch (err) {
        // The glob in procfs only yields paths that exist; a directory without stats/stats (as fs/xfs/stats itself) is no filesystem.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
        throw err;
      }
      out.push([device, parseXfsStats(text)]);
    }
    return out;
  }
}

/** One stats file: `<label> <value>...` lines; throws where procfs' ParseStats returns an error. */
export function parseXfsStats(text: string): XfsStats {
  const stats = new Map<string, readonly number[]>();
  for (const line of text.split('\n')) {
    const parts = fields(line);
    if (parts.length < 2) continue;
    const label = parts[0]!;
    // Extended precision byte counters are 64-bit; every other line is 32-bit counters.
    const bits = label === 'xpc' ? 64 : 32;
    const values = parts.slice(1).map((p) => {
      const n = parseUint(p, bits);
      if (n === undefined) throw new Error(`xfs stats: invalid value ${JSON.stringify(p)} on line ${JSON.stringify(label)}`);
      return n;
    });
    const counts = VALUE_COUNTS[label];
    if (counts && !counts.includes(values.length)) throw new Error(`incorrect number of values for XFS ${label} stats: ${values.length}`);
    stats.set(label, values);
  }
  return stats;
}
