/**
 * The nfsd, xfs, btrfs and zfs collectors of prometheus.exporter.unix on
 * fixture trees written in the kernel's (and OpenZFS') file formats —
 * /proc/net/rpc/nfsd (fs/nfsd/stats.c), /sys/fs/xfs/<dev>/stats/stats
 * (fs/xfs/xfs_stats.c), /sys/fs/btrfs/<uuid>/ (fs/btrfs/sysfs.c),
 * /proc/spl/kstat/zfs/ (OpenZFS kstat) — since this machine has none of
 * them: families, types, help texts, labels and values as node_exporter 1.5.0
 * exposes them, plus absent, partial and malformed sources.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeCollector } from '../../../../src/components/prometheus/exporter-unix/node-collector.js';
import { FIXTURE, fixtureArgs, parseExposition, recordingLogger, type ScrapedFamily } from './support.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A host tree holding only `files` (path below the root → content). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'exporter-unix-storage-'));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

async function scrape(root: string, collector: string) {
  const { logger, lines } = recordingLogger();
  const text = await new NodeCollector(fixtureArgs(root, { set_collectors: [collector] }), logger).scrape();
  const families = parseExposition(text);
  const success = families.get('node_scrape_collector_success')?.series.get(`collector="${collector}"`);
  return { families, success, lines, text };
}

function value(f: Map<string, ScrapedFamily>, name: string, key = ''): number | undefined {
  return f.get(name)?.series.get(key);
}

function namesWith(f: Map<string, ScrapedFamily>, prefix: string): string[] {
  return [...f.keys()].filter((n) => n.startsWith(prefix)).sort();
}

describe('defaults and absent sources', () => {
  it('enables all four by default; on a host without their sources nfsd and zfs report no data and xfs and btrfs succeed empty, as node_exporter', async () => {
    const { logger } = recordingLogger();
    const collector = new NodeCollector(fixtureArgs(FIXTURE), logger);
    expect(collector.names).toEqual(expect.arrayContaining(['btrfs', 'nfsd', 'xfs', 'zfs']));
    const f = parseExposition(await collector.scrape());
    const success = f.get('node_scrape_collector_success')!.series;
    expect([success.get('collector="nfsd"'), success.get('collector="xfs"'), success.get('collector="btrfs"'), success.get('collector="zfs"')]).toEqual([0, 1, 1, 0]);
    expect(namesWith(f, 'node_nfsd_').concat(namesWith(f, 'node_xfs_'), namesWith(f, 'node_btrfs_'), namesWith(f, 'node_zfs_'))).toEqual([]);
  });
});

// fs/nfsd/stats.c: rc, fh, io, th (two counters then a histogram of fractions on older kernels), ra, net, rpc, proc2, proc3, proc4, proc4ops.
const PROC4OPS = Array.from({ length: 72 }, (_, i) => i * 3);
const NFSD = [
  'rc 0 6 18622',
  'fh 7 0 0 0 0',
  'io 157286400 72864',
  'th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000',
  'ra 32 0 0 0 0 0 0 0 0 0 0 15',
  'net 18628 1 18627 6',
  'rpc 18628 3 1 2 0',
  'proc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2',
  `proc3 22 ${Array.from({ length: 22 }, (_, i) => i * 10).join(' ')}`,
  'proc4 2 2 10853',
  `proc4ops 72 ${PROC4OPS.join(' ')}`,
  '',
].join('\n');

describe('nfsd', () => {
  it('exposes /proc/net/rpc/nfsd with node_exporter 1.5.0 families, help texts and labels', async () => {
    const { families: f, success } = await scrape(tree({ 'proc/net/rpc/nfsd': NFSD }), 'nfsd');
    expect(success).toBe(1);
    expect(namesWith(f, 'node_nfsd_')).toEqual([
      'node_nfsd_connections_total', 'node_nfsd_disk_bytes_read_total', 'node_nfsd_disk_bytes_written_total', 'node_nfsd_file_handles_stale_total',
      'node_nfsd_packets_total', 'node_nfsd_read_ahead_cache_not_found_total', 'node_nfsd_read_ahead_cache_size_blocks', 'node_nfsd_reply_cache_hits_total',
      'node_nfsd_reply_cache_misses_total', 'node_nfsd_reply_cache_nocache_total', 'node_nfsd_requests_total', 'node_nfsd_rpc_errors_total',
      'node_nfsd_server_rpcs_total', 'node_nfsd_server_threads',
    ]);
    expect(value(f, 'node_nfsd_reply_cache_misses_total')).toBe(6);
    expect(value(f, 'node_nfsd_reply_cache_nocache_total')).toBe(18622);
    expect(f.get('node_nfsd_reply_cache_nocache_total')!.help).toBe('Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).');
    expect(value(f, 'node_nfsd_file_handles_stale_total')).toBe(7);
    expect(value(f, 'node_nfsd_disk_bytes_read_total')).toBe(157286400);
    expect(value(f, 'node_nfsd_disk_bytes_written_total')).toBe(72864);
    expect(value(f, 'node_nfsd_server_threads')).toBe(8);
    expect(f.get('node_nfsd_server_threads')!.type).toBe('gauge');
    expect(value(f, 'node_nfsd_read_ahead_cache_size_blocks')).toBe(32);
    expect(value(f, 'node_nfsd_read_ahead_cache_not_found_total')).toBe(15);
    expect(value(f, 'node_nfsd_packets_total', 'proto="udp"')).toBe(1);
    expect(value(f, 'node_nfsd_packets_total', 'proto="tcp"')).toBe(18627);
    expect(value(f, 'node_nfsd_connections_total')).toBe(6);
    expect([...f.get('node_nfsd_rpc_errors_total')!.series]).toEqual([['error="auth"', 2], ['error="cInt"', 0], ['error="fmt"', 1]]);
    expect(value(f, 'node_nfsd_server_rpcs_total')).toBe(18628);
    const requests = f.get('node_nfsd_requests_total')!;
    expect(requests.help).toBe('Total number NFSd Requests by method and protocol.');
    expect([...requests.labelNames].sort()).toEqual(['method', 'proto']);
    // v2 and v3 without their "null" procedure; 33 of the v4 operations.
    expect(requests.series.size).toBe(17 + 21 + 33);
    expect(value(f, 'node_nfsd_requests_total', 'method="GetAttr",proto="2"')).toBe(69);
    expect(value(f, 'node_nfsd_requests_total', 'method="Lookup",proto="2"')).toBe(4410);
    expect(value(f, 'node_nfsd_requests_total', 'method="FsStat",proto="2"')).toBe(2);
    expect(value(f, 'node_nfsd_requests_total', 'method="GetAttr",proto="3"')).toBe(10);
    expect(value(f, 'node_nfsd_requests_total', 'method="Commit",proto="3"')).toBe(210);
    expect(value(f, 'node_nfsd_requests_total', 'method="Null",proto="3"')).toBeUndefined();
    // proc4ops columns: 0-2 unused, ACCESS is op 3, PUTFH 22, READ 25, RELEASE_LOCKOWNER 37.
    expect(value(f, 'node_nfsd_requests_total', 'method="Access",proto="4"')).toBe(PROC4OPS[3]);
    expect(value(f, 'node_nfsd_requests_total', 'method="PutFH",proto="4"')).toBe(PROC4OPS[22]);
    expect(value(f, 'node_nfsd_requests_total', 'method="Read",proto="4"')).toBe(PROC4OPS[25]);
    expect(value(f, 'node_nfsd_requests_total', 'method="RelLockOwner",proto="4"')).toBe(PROC4OPS[37]);
    expect(value(f, 'node_nfsd_requests_total', 'method="PutRootFH",proto="4"')).toBeUndefined();
  });

  it('reports 0 for lines a kernel does not print (a partial file), and fails on a malformed or unknown line', async () => {
    const partial = await scrape(tree({ 'proc/net/rpc/nfsd': 'rc 1 2 3\nnet 5 0 5 1\n' }), 'nfsd');
    expect(partial.success).toBe(1);
    expect(value(partial.families, 'node_nfsd_reply_cache_hits_total')).toBe(1);
    expect(value(partial.families, 'node_nfsd_server_threads')).toBe(0);
    expect(value(partial.families, 'node_nfsd_requests_total', 'method="Write",proto="4"')).toBe(0);

    for (const broken of ['proc3 5 1 2\n', 'rc 1 2\n', 'io 1 x\n', 'th 8\n', 'wdeleg_getattr 0\n', 'rc\n']) {
      const r = await scrape(tree({ 'proc/net/rpc/nfsd': broken }), 'nfsd');
      expect(r.success, broken).toBe(0);
      expect(namesWith(r.families, 'node_nfsd_'), broken).toEqual([]);
      expect(r.lines.some((l) => l.level === 'error' && l.line.includes('nfsd')), broken).toBe(true);
    }
  });
});

// fs/xfs/xfs_stats.c xfs_stats_format: one line per group, 32-bit counters except xpc.
const XFS_STATS = [
  'extent_alloc 1 872 2 3',
  'abt 4 5 6 7',
  'blk_map 61 29 1 2 3 91 4',
  'bmbt 8 9 10 11',
  'dir 3 2 1 52',
  'trans 4 40 0',
  'ig 5 1 0 4 0 6 7',
  'log 8 21 0 5821 4',
  'push_ail 44 0 1156 466 0 33 5 0 0 0',
  'xstrat 1 0',
  'rw 28 13',
  'attr 0 0 0 0',
  'icluster 8 5 3',
  'vnodes 12 13 14 15 16 17 18 19',
  'buf 1015 2 1013 0 0 0 0 0 2',
  'abtb2 3 29 2 2 0 0 0 0 0 0 0 0 0 0 2',
  'abtc2 6 39 4 3 0 0 0 0 0 0 0 0 0 0 3',
  'bmbt2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  'ibt2 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0',
  'fibt2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  'rmapbt 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  'refcntbt 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  'qm 0 0 0 0 0 0 0 0 0',
  'xpc 399724544 92823103 86219234',
  'debug 0',
  '',
].join('\n');

describe('xfs', () => {
  it('exposes each filesystem of /sys/fs/xfs by its device name; the global stats directory is none', async () => {
    const root = tree({
      'sys/fs/xfs/sda1/stats/stats': XFS_STATS,
      'sys/fs/xfs/dm-0/stats/stats': XFS_STATS.replace('extent_alloc 1 872 2 3', 'extent_alloc 9 9 9 9').replace('vnodes 12 13 14 15 16 17 18 19', 'vnodes 1 2 3 4 5 6 7'),
      'sys/fs/xfs/stats/stats': XFS_STATS,
    });
    const { families: f, success } = await scrape(root, 'xfs');
    expect(success).toBe(1);
    const names = namesWith(f, 'node_xfs_');
    expect(names).toHaveLength(39); // node_exporter's 39 xfs counters
    for (const name of names) {
      expect(f.get(name)!.type, name).toBe('counter');
      expect([...f.get(name)!.series.keys()].sort(), name).toEqual(['device="dm-0"', 'device="sda1"']);
    }
    const sda1 = (name: string) => value(f, `node_xfs_${name}`, 'device="sda1"');
    expect(sda1('extent_allocation_extents_allocated_total')).toBe(1);
    expect(sda1('extent_allocation_blocks_allocated_total')).toBe(872);
    expect(sda1('extent_allocation_blocks_freed_total')).toBe(3);
    expect(sda1('allocation_btree_records_deleted_total')).toBe(7);
    expect(sda1('block_mapping_extent_list_lookups_total')).toBe(91);
    expect(sda1('block_mapping_extent_list_compares_total')).toBe(4);
    expect(sda1('block_map_btree_lookups_total')).toBe(8);
    expect(sda1('directory_operation_getdents_total')).toBe(52);
    expect(sda1('inode_operation_reclaims_total')).toBe(6);
    expect(sda1('inode_operation_attribute_changes_total')).toBe(7);
    expect(sda1('write_calls_total')).toBe(28);
    expect(sda1('read_calls_total')).toBe(13);
    expect(sda1('vnode_active_total')).toBe(12);
    expect(sda1('vnode_remove_total')).toBe(18);
    expect(value(f, 'node_xfs_extent_allocation_extents_allocated_total', 'device="dm-0"')).toBe(9);
    expect(value(f, 'node_xfs_vnode_remove_total', 'device="dm-0"')).toBe(7);
    expect(f.get('node_xfs_directory_operation_lookup_total')!.help).toBe(
      'Number of file name directory lookups which miss the operating systems directory name lookup cache.',
    );
  });

  it('reports 0 for groups a file lacks, and fails the collector (exposing nothing) on a malformed file', async () => {
    const partial = await scrape(tree({ 'sys/fs/xfs/sdb/stats/stats': 'rw 5 6\n' }), 'xfs');
    expect(partial.success).toBe(1);
    expect(value(partial.families, 'node_xfs_read_calls_total', 'device="sdb"')).toBe(6);
    expect(value(partial.families, 'node_xfs_vnode_get_total', 'device="sdb"')).toBe(0);

    for (const broken of ['vnodes 1 2 3\n', 'rw 4294967296 0\n', 'xpc 1 2\n', 'unknown x\n', 'ig 1 2 3 4 5 6\n']) {
      const r = await scrape(tree({ 'sys/fs/xfs/sda1/stats/stats': XFS_STATS, 'sys/fs/xfs/sdb/stats/stats': broken }), 'xfs');
      expect(r.success, broken).toBe(0);
      expect(namesWith(r.families, 'node_xfs_'), broken).toEqual([]);
    }
  });
});

const UUID = '0abb23a9-579b-43e6-ad30-227ef47fcb9d';

/** A three-device filesystem: data raid5, metadata and system raid1 (fs/btrfs/sysfs.c layout). */
function btrfsFiles(dir: string, opts: { label?: string; metadataUuid?: boolean } = {}): Record<string, string> {
  const b = `sys/fs/btrfs/${dir}`;
  const files: Record<string, string> = {
    [`${b}/label`]: `${opts.label ?? ''}\n`,
    [`${b}/features/extended_iref`]: '0\n',
    [`${b}/clone_alignment`]: '4096\n',
    [`${b}/nodesize`]: '16384\n',
    [`${b}/sectorsize`]: '4096\n',
    [`${b}/quota_override`]: '0\n',
    [`${b}/allocation/global_rsv_reserved`]: '0\n',
    [`${b}/allocation/global_rsv_size`]: '16777216\n',
    [`${b}/allocation/data/bytes_reserved`]: '0\n',
    [`${b}/allocation/data/bytes_used`]: '808189952\n',
    [`${b}/allocation/data/total_bytes`]: '2147483648\n',
    [`${b}/allocation/data/raid5/total_bytes`]: '2147483648\n',
    [`${b}/allocation/data/raid5/used_bytes`]: '808189952\n',
    [`${b}/allocation/metadata/bytes_reserved`]: '65536\n',
    [`${b}/allocation/metadata/raid1/total_bytes`]: '1073741824\n',
    [`${b}/allocation/metadata/raid1/used_bytes`]: '933888\n',
    [`${b}/allocation/system/bytes_reserved`]: '0\n',
    [`${b}/allocation/system/raid1/total_bytes`]: '8388608\n',
    [`${b}/allocation/system/raid1/used_bytes`]: '16384\n',
    [`${b}/devices/loop25/size`]: '20971520\n',
    [`${b}/devices/loop26/size`]: '20971520\n',
    [`${b}/devices/loop27/size`]: '10485760\n',
  };
  if (opts.metadataUuid !== false) files[`${b}/metadata_uuid`] = `${dir}\n`;
  return files;
}

describe('btrfs', () => {
  it('exposes each filesystem of /sys/fs/btrfs: info, global reserve, allocation per block group and layout, device sizes', async () => {
    const other = '7f07c59f-6136-449c-ab87-e1cf2328731b';
    const root = tree({ ...btrfsFiles(UUID, { label: 'fixture' }), ...btrfsFiles(other, { metadataUuid: false }), 'sys/fs/btrfs/features/raid56': '0\n' });
    const { families: f, success } = await scrape(root, 'btrfs');
    expect(success).toBe(1);
    expect(namesWith(f, 'node_btrfs_')).toEqual([
      'node_btrfs_allocation_ratio', 'node_btrfs_device_size_bytes', 'node_btrfs_global_rsv_size_bytes', 'node_btrfs_info', 'node_btrfs_reserved_bytes',
      'node_btrfs_size_bytes', 'node_btrfs_used_bytes',
    ]);
    for (const name of namesWith(f, 'node_btrfs_')) expect(f.get(name)!.type, name).toBe('gauge');
    expect(Object.fromEntries(f.get('node_btrfs_info')!.series)).toEqual({ [`label="fixture",uuid="${UUID}"`]: 1, [`label="",uuid="${other}"`]: 1 });
    expect(f.get('node_btrfs_info')!.help).toBe('Filesystem information');
    expect(value(f, 'node_btrfs_global_rsv_size_bytes', `uuid="${UUID}"`)).toBe(16777216);
    expect(value(f, 'node_btrfs_reserved_bytes', `block_group_type="metadata",uuid="${UUID}"`)).toBe(65536);
    expect(f.get('node_btrfs_reserved_bytes')!.series.size).toBe(6);
    const layout = (type: string, mode: string) => `block_group_type="${type}",mode="${mode}",uuid="${UUID}"`;
    expect(value(f, 'node_btrfs_size_bytes', layout('data', 'raid5'))).toBe(2147483648);
    expect(value(f, 'node_btrfs_used_bytes', layout('data', 'raid5'))).toBe(808189952);
    expect(value(f, 'node_btrfs_used_bytes', layout('system', 'raid1'))).toBe(16384);
    // raid5 over three devices: 3/(3-1); raid1 keeps two copies.
    expect(value(f, 'node_btrfs_allocation_ratio', layout('data', 'raid5'))).toBe(1.5);
    expect(value(f, 'node_btrfs_allocation_ratio', layout('metadata', 'raid1'))).toBe(2);
    expect([...f.get('node_btrfs_device_size_bytes')!.labelNames].sort()).toEqual(['device', 'uuid']);
    expect(value(f, 'node_btrfs_device_size_bytes', `device="loop25",uuid="${UUID}"`)).toBe(20971520 * 512);
    expect(value(f, 'node_btrfs_device_size_bytes', `device="loop27",uuid="${other}"`)).toBe(10485760 * 512);
    expect(f.get('node_btrfs_device_size_bytes')!.series.size).toBe(6);
  });

  it('reads an absent or non-numeric attribute as 0, and fails the collector when allocation/system cannot be read', async () => {
    const files = btrfsFiles(UUID);
    delete files[`sys/fs/btrfs/${UUID}/allocation/global_rsv_size`];
    files[`sys/fs/btrfs/${UUID}/allocation/data/raid5/used_bytes`] = 'garbage\n';
    const partial = await scrape(tree(files), 'btrfs');
    expect(partial.success).toBe(1);
    expect(value(partial.families, 'node_btrfs_global_rsv_size_bytes', `uuid="${UUID}"`)).toBe(0);
    expect(value(partial.families, 'node_btrfs_used_bytes', `block_group_type="data",mode="raid5",uuid="${UUID}"`)).toBe(0);

    const broken = btrfsFiles(UUID);
    for (const k of Object.keys(broken)) if (k.includes('/allocation/system/')) delete broken[k];
    const r = await scrape(tree(broken), 'btrfs');
    expect(r.success).toBe(0);
    expect(namesWith(r.families, 'node_btrfs_')).toEqual([]);
  });
});

// OpenZFS kstats: a kstat header line, then "name type data" and typed rows (4 = uint64), or a raw io table.
const KSTAT_HEAD = '6 1 0x01 91 4368 5266997922 97951858082072\nname                            type data\n';
const ZFS: Record<string, string> = {
  'proc/spl/kstat/zfs/arcstats': `${KSTAT_HEAD}hits                            4    8772612\nmisses                          4    604635\nc_min                           4    33554432\nmemory_available_bytes          3    -1234\nevict_l2_eligible-mru           4    5\n`,
  'proc/spl/kstat/zfs/abdstats': `${KSTAT_HEAD}struct_size                     4    2520\nlinear_cnt                      4    62\n`,
  'proc/spl/kstat/zfs/zil': `${KSTAT_HEAD}zil_commit_count                4    10\n`,
  'proc/spl/kstat/zfs/pool1/io':
    '12 3 0x00 1 80 79205351707403 395807250342698\n' +
    'nread    nwritten reads    writes   wtime    wlentime wupdate  rtime    rlentime rupdate  wcnt     rcnt\n' +
    '1884160  3206144  22       132      7155162  104112268 79210489694949 24168078 104112268 79210461050069 0        0\n',
  'proc/spl/kstat/zfs/pool1/state': 'ONLINE\n',
  'proc/spl/kstat/zfs/pool1/objset-0x36':
    '23 1 0x01 7 2160 221578688875 6665999035587\nname                            type data\n' +
    'dataset_name                    7    pool1/dataset1\nwrites                          4    4\nnwritten                        4    12302\nreads                           4    2\nnread                           4    28\nnunlinks                        4    3\nnunlinked                       4    3\n',
  'proc/spl/kstat/zfs/pool2/state': 'DEGRADED\n',
};

describe('zfs', () => {
  it('exposes the named kstats, pool io, datasets and pool states as node_exporter 1.5.0 names them', async () => {
    const { families: f, success } = await scrape(tree(ZFS), 'zfs');
    expect(success).toBe(1);
    expect(value(f, 'node_zfs_arc_hits')).toBe(8772612);
    expect(f.get('node_zfs_arc_hits')).toMatchObject({ type: 'untyped', help: 'kstat.zfs.misc.arcstats.hits' });
    expect(value(f, 'node_zfs_arc_c_min')).toBe(33554432);
    expect(value(f, 'node_zfs_arc_evict_l2_eligible_mru')).toBe(5);
    expect(f.get('node_zfs_arc_evict_l2_eligible_mru')!.help).toBe('kstat.zfs.misc.arcstats.evict_l2_eligible-mru');
    expect(f.has('node_zfs_arc_memory_available_bytes')).toBe(false); // an int64 row: node_exporter reports only uint64 rows
    expect(value(f, 'node_zfs_abd_linear_cnt')).toBe(62);
    expect(value(f, 'node_zfs_zil_zil_commit_count')).toBe(10);
    expect(value(f, 'node_zfs_zpool_nread', 'zpool="pool1"')).toBe(1884160);
    expect(value(f, 'node_zfs_zpool_wupdate', 'zpool="pool1"')).toBe(79210489694949);
    expect(f.get('node_zfs_zpool_rcnt')).toMatchObject({ type: 'untyped', help: 'kstat.zfs.misc.io.rcnt' });
    expect(namesWith(f, 'node_zfs_zpool_').filter((n) => !n.startsWith('node_zfs_zpool_dataset_') && n !== 'node_zfs_zpool_state')).toHaveLength(12);
    const ds = 'dataset="pool1/dataset1",zpool="pool1"';
    expect(value(f, 'node_zfs_zpool_dataset_nwritten', ds)).toBe(12302);
    expect(value(f, 'node_zfs_zpool_dataset_nunlinked', ds)).toBe(3);
    expect(f.get('node_zfs_zpool_dataset_reads')!.help).toBe('kstat.zfs.misc.objset.reads');
    expect(f.has('node_zfs_zpool_dataset_dataset_name')).toBe(false);
    const state = f.get('node_zfs_zpool_state')!;
    expect(state).toMatchObject({ type: 'gauge', help: 'kstat.zfs.misc.state' });
    expect(state.series.size).toBe(12);
    expect(state.series.get('state="online",zpool="pool1"')).toBe(1);
    expect(state.series.get('state="degraded",zpool="pool1"')).toBe(0);
    expect(state.series.get('state="degraded",zpool="pool2"')).toBe(1);
    expect(state.series.get('state="unavail",zpool="pool2"')).toBe(0);
  });

  it('fails the collector on a kstat without its header or with a bad value, keeping what came before as node_exporter does', async () => {
    // dbuf_stats sorts after arcstats; a raw table there (no "name type data" line) fails the collector.
    const noHeader = await scrape(tree({ ...ZFS, 'proc/spl/kstat/zfs/dbuf_stats': 'dbuf | arcbuf | dnode\npool objset object\n' }), 'zfs');
    expect(noHeader.success).toBe(0);
    expect(value(noHeader.families, 'node_zfs_arc_hits')).toBe(8772612);
    expect(noHeader.families.has('node_zfs_zpool_state')).toBe(false);

    const badValue = await scrape(tree({ ...ZFS, 'proc/spl/kstat/zfs/arcstats': `${KSTAT_HEAD}hits 4 lots\n` }), 'zfs');
    expect(badValue.success).toBe(0);
    expect(badValue.families.has('node_zfs_arc_hits')).toBe(false);

    const shortRow = await scrape(tree({ ...ZFS, 'proc/spl/kstat/zfs/pool1/io': 'nread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n1 2 3\n' }), 'zfs');
    expect(shortRow.success).toBe(0);
  });
});
