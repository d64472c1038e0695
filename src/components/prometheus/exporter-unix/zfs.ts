/**
 * The zfs collector (prometheus/node_exporter v1.5.0 collector/zfs.go and
 * zfs_linux.go): the OpenZFS kstats under /proc/spl/kstat/zfs.
 *
 * - Named kstats (arcstats, abdstats, ...): every row of type 4 (uint64) after
 *   the "name type data" header becomes node_zfs_<subsystem>_<name> (dashes
 *   made underscores), untyped, its help the kstat path
 *   "kstat.zfs.misc.<file>.<name>". A file this ZFS version lacks is skipped.
 * - Pools: <pool>/io (the "nread nwritten ..." header and its row) as
 *   node_zfs_zpool_<field>{zpool}; <pool>/objset-* as
 *   node_zfs_zpool_dataset_<name>{zpool,dataset}; <pool>/state as the gauge
 *   node_zfs_zpool_state{zpool,state}, 1 for the pool's state and 0 for the
 *   five others.
 *
 * Without /proc/spl/kstat/zfs (no ZFS module) the collector reports no data.
 * node_exporter walks its subsystem map in Go's random order, so after a
 * malformed file what it already sent varies; here the order is fixed
 * (sorted by subsystem), and a malformed file fails the collector after what
 * was read before it, as in node_exporter.
 */
import { fields, isDirectory, listDir, NoDataError, parseUint, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** node_exporter's subsystem → kstat file map (zfs.go NewZFSCollector), sorted by subsystem. */
const NAMED_KSTATS: readonly (readonly [string, string])[] = [
  ['zfs_abd', 'abdstats'],
  ['zfs_arc', 'arcstats'],
  ['zfs_dbuf', 'dbuf_stats'],
  ['zfs_dmu_tx', 'dmu_tx'],
  ['zfs_dnode', 'dnodestats'],
  ['zfs_fm', 'fm'],
  ['zfs_vdev_cache', 'vdev_cache_stats'],
  ['zfs_vdev_mirror', 'vdev_mirror_stats'],
  ['zfs_xuio', 'xuio_stats'],
  ['zfs_zfetch', 'zfetchstats'],
  ['zfs_zil', 'zil'],
];

/** The pool states node_exporter reports, lower-cased as it compares them (zfs_linux.go zfsPoolStatesName). */
const POOL_STATES = ['online', 'degraded', 'faulted', 'offline', 'removed', 'unavail'];

/** The kstat data type of a uint64 (OpenZFS lib/libspl/include/sys/kstat.h KSTAT_DATA_UINT64); rows of other types are skipped. */
const KSTAT_DATA_UINT64 = '4';

const BASE = 'spl/kstat/zfs';

export class ZfsCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    if (!(await isDirectory(this.env.paths.proc(BASE)))) throw new NoDataError('ZFS / ZFS statistics are not available');
    for (const [subsystem, file] of NAMED_KSTATS) {
      const text = await this.readNamedKstat(file);
      if (text === undefined) continue; // a kstat newer or older than this ZFS: node_exporter skips it
      for (const row of parseNamedKstat(text, file)) {
        out.single(`node_${subsystem}_${metricName(row.name)}`, 'untyped', `kstat.zfs.misc.${file}.${row.name}`, row.value);
      }
    }
    await this.updatePools(out);
  }

  private async updatePools(out: Exposition): Promise<void> {
    const pools: string[] = [];
    for (const name of (await listDir(this.env.paths.proc(BASE))) ?? []) if (await isDirectory(this.env.paths.proc(BASE, name))) pools.push(name);
    // node_exporter globs */io, then */objset-*, then */state, each in path order.
    for (const pool of pools) {
      const text = await this.readPoolFile(pool, 'io');
      if (text === undefined) continue;
      for (const row of parsePoolIo(text)) {
        out.family(`node_zfs_zpool_${metricName(row.name)}`, 'untyped', `kstat.zfs.misc.io.${row.name}`, ['zpool']).add(row.value, pool);
      }
    }
    for (const pool of pools) {
      for (const file of ((await listDir(this.env.paths.proc(BASE, pool))) ?? []).filter((n) => n.startsWith('objset-'))) {
        const text = await this.readPoolFile(pool, file);
        if (text === undefined) continue;
        for (const row of parseObjset(text, file)) {
          // node_exporter takes the pool's name from the path only once it has seen the dataset_name row.
          const labels = row.dataset === undefined ? ['', ''] : [pool, row.dataset];
          out.family(`node_zfs_zpool_dataset_${metricName(row.name)}`, 'untyped', `kstat.zfs.misc.objset.${row.name}`, ['zpool', 'dataset']).add(row.value, ...labels);
        }
      }
    }
    const state = out.family('node_zfs_zpool_state', 'gauge', 'kstat.zfs.misc.state', ['zpool', 'state']);
    for (const pool of pools) {
      const text = await this.readPoolFile(pool, 'state');
      if (text === undefined) continue;
      const actual = (text.split('\n')[0] ?? '').toLowerCase();
      for (const name of POOL_STATES) state.add(name === actual ? 1 : 0, pool, name);
    }
  }

  /** A pool's kstat file; undefined when the glob would not have matched it (absent, or the entry is no pool directory). */
  private async readPoolFile(pool: string, file: string): Promise<string | undefined> {
    return this.readOptional(this.env.paths.proc(BASE, pool, file));
  }

  /** A named kstat file; undefined when it cannot be opened, for any reason (node_exporter's openProcFile). */
  private async readNamedKstat(file: string): Promise<string | undefined> {
    try {
      return await readText(this.env.paths.proc(BASE, file));
    } catch {
      return undefined;
    }
  }

  private async readOptional(path: string): Promise<string | undefined> {
    try {
      return await readText(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  }
}

/** node_exporter's metricName: the last dotted part of the kstat path, dashes as underscores. */
function metricName(kstatName: string): string {
  return kstatName.slice(kstatName.lastIndexOf('.') + 1).replace(/-/g, '_');
}

export interface KstatRow {
  readonly name: string;
  readonly value: number;
}

/** A named kstat ("name type data" header, then `<name> <type> <value>` rows); throws when the header is missing or a uint64 is not one. */
export function parseNamedKstat(text: string, file: string): KstatRow[] {
  const rows: KstatRow[] = [];
  let started = false;
  for (const line of text.split('\n')) {
    const parts = fields(line);
    if (!started) {
      started = isNamedHeader(parts);
      continue;
    }
    if (parts.length < 3 || parts[1] !== KSTAT_DATA_UINT64) continue;
    rows.push({ name: parts[0]!, value: uint64(parts[2]!, `kstat.zfs.misc.${file}.${parts[0]}`) });
  }
  if (!started) throw new Error(`did not parse a single ${JSON.stringify(file)} metric`);
  return rows;
}

/** A pool's io kstat: a header row starting with "nread" (at least 12 columns), then rows of values under it. */
export function parsePoolIo(text: string): KstatRow[] {
  const rows: KstatRow[] = [];
  let header: string[] | undefined;
  for (const line of text.split('\n')) {
    const parts = fields(line);
    if (header === undefined) {
      if (parts.length >= 12 && parts[0] === 'nread') header = parts;
      continue;
    }
    if (parts.length === 0) continue; // the text's final newline (Go's scanner yields no such line)
    // node_exporter indexes the row by the header's columns; a shorter row would crash it, here it fails the collector.
    if (parts.length < header.length) throw new Error(`zpool io row has ${parts.length} values for ${header.length} columns`);
    header.forEach((name, i) => rows.push({ name, value: uint64(parts[i]!, `kstat.zfs.misc.io.${name}`) }));
  }
  return rows;
}

/** An objset-* kstat: named rows, each with the dataset named by the dataset_name row before it (usually the first). */
export function parseObjset(text: string, file: string): (KstatRow & { dataset: string | undefined })[] {
  const rows: (KstatRow & { dataset: string | undefined })[] = [];
  let dataset: string | undefined;
  let started = false;
  for (const line of text.split('\n')) {
    const parts = fields(line);
    if (!started) {
      started = isNamedHeader(parts);
      continue;
    }
    if (parts.length < 3) continue;
    if (parts[0] === 'dataset_name') dataset = parts[2];
    else if (parts[1] === KSTAT_DATA_UINT64) rows.push({ name: parts[0]!, value: uint64(parts[2]!, `kstat.zfs.misc.objset.${parts[0]}`), dataset });
  }
  if (!started) throw new Error(`did not parse a single ${file} metric`);
  return rows;
}

function isNamedHeader(parts: readonly string[]): boolean {
  return parts.length === 3 && parts[0] === 'name' && parts[1] === 'type' && parts[2] === 'data';
}

function uint64(text: string, key: string): number {
  const n = parseUint(text);
  if (n === undefined) throw new Error(`could not parse expected integer value for ${JSON.stringify(key)}`);
  return n;
}
