/**
 * The nfsd collector (prometheus/node_exporter v1.5.0 collector/nfsd_linux.go):
 * NFS server statistics of /proc/net/rpc/nfsd, parsed as prometheus/procfs
 * v0.8.0 nfs/parse_nfsd.go and nfs/parse.go do. A line the kernel does not
 * print leaves its values at 0, as procfs' zero-valued structs do; an unknown
 * or malformed line fails the whole scrape of this collector.
 */
import { fields, isAbsent, NoDataError, parseUint, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** NFSv2 and v3 procedures in the kernel's column order, after the leading "null" (procfs V2Stats/V3Stats). */
const V2 = ['GetAttr', 'SetAttr', 'Root', 'Lookup', 'ReadLink', 'Read', 'WrCache', 'Write', 'Create', 'Remove', 'Rename', 'Link', 'SymLink', 'MkDir', 'RmDir', 'ReadDir', 'FsStat'];
const V3 = [
  'GetAttr', 'SetAttr', 'Lookup', 'Access', 'ReadLink', 'Read', 'Write', 'Create', 'MkDir', 'SymLink', 'MkNod', 'Remove', 'RmDir', 'Rename', 'Link', 'ReadDir',
  'ReadDirPlus', 'FsStat', 'FsInfo', 'PathConf', 'Commit',
];
/**
 * The NFSv4 operations node_exporter reports, by their column in the
 * proc4ops line (procfs V4Ops; columns 0-2 are unused/future ops, and
 * PutPubFH/PutRootFH at 23/24 are parsed but not reported).
 */
const V4_OPS: readonly (readonly [string, number])[] = [
  ['Access', 3], ['Close', 4], ['Commit', 5], ['Create', 6], ['DelegPurge', 7], ['DelegReturn', 8], ['GetAttr', 9], ['GetFH', 10], ['Link', 11],
  ['Lock', 12], ['Lockt', 13], ['Locku', 14], ['Lookup', 15], ['LookupRoot', 16], ['Nverify', 17], ['Open', 18], ['OpenAttr', 19], ['OpenConfirm', 20],
  ['OpenDgrd', 21], ['PutFH', 22], ['Read', 25], ['ReadDir', 26], ['ReadLink', 27], ['Remove', 28], ['Rename', 29], ['Renew', 30], ['RestoreFH', 31],
  ['SaveFH', 32], ['SecInfo', 33], ['SetAttr', 34], ['Verify', 35], ['Write', 36], ['RelLockOwner', 37],
];

/** Values of each line: the exact count procfs requires, or (procN lines) a leading count and a minimum. */
const FIXED_COUNTS: Readonly<Record<string, number>> = { rc: 3, fh: 5, io: 2, th: 2, ra: 12, net: 4, rpc: 5 };
const COUNTED_MINIMUM: Readonly<Record<string, (n: number) => boolean>> = {
  proc2: (n) => n >= 18,
  proc3: (n) => n >= 22,
  proc4: (n) => n === 2,
  proc4ops: (n) => n >= 39,
};

/** Values by line label; procN lines without their leading count. */
export type NfsdStats = ReadonlyMap<string, readonly number[]>;

export class NfsdCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    let text: string;
    try {
      text = await readText(this.env.paths.proc('net/rpc/nfsd'));
    } catch (err) {
      if (isAbsent(err)) throw new NoDataError('no NFS server statistics');
      throw err;
    }
    exposeNfsdStats(out, parseNfsdStats(text));
  }
}

function exposeNfsdStats(out: Exposition, s: NfsdStats): void {
  const at = (label: string, i: number) => s.get(label)?.[i] ?? 0;
  out.single('node_nfsd_reply_cache_hits_total', 'counter', 'Total number of NFSd Reply Cache hits (client lost server response).', at('rc', 0));
  out.single('node_nfsd_reply_cache_misses_total', 'counter', 'Total number of NFSd Reply Cache an operation that requires caching (idempotent).', at('rc', 1));
  out.single('node_nfsd_reply_cache_nocache_total', 'counter', 'Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).', at('rc', 2));
  out.single('node_nfsd_file_handles_stale_total', 'counter', 'Total number of NFSd stale file handles', at('fh', 0));
  out.single('node_nfsd_disk_bytes_read_total', 'counter', 'Total NFSd bytes read.', at('io', 0));
  out.single('node_nfsd_disk_bytes_written_total', 'counter', 'Total NFSd bytes written.', at('io', 1));
  out.single('node_nfsd_server_threads', 'gauge', 'Total number of NFSd kernel threads that are running.', at('th', 0));
  out.single('node_nfsd_read_ahead_cache_size_blocks', 'gauge', 'How large the read ahead cache is in blocks.', at('ra', 0));
  out.single('node_nfsd_read_ahead_cache_not_found_total', 'counter', 'Total number of NFSd read ahead cache not found.', at('ra', 11));
  const packets = out.family('node_nfsd_packets_total', 'counter', 'Total NFSd network packets (sent+received) by protocol type.', ['proto']);
  packets.add(at('net', 1), 'udp');
  packets.add(at('net', 2), 'tcp');
  out.single('node_nfsd_connections_total', 'counter', 'Total number of NFSd TCP connections.', at('net', 3));
  const rpcErrors = out.family('node_nfsd_rpc_errors_total', 'counter', 'Total number of NFSd RPC errors by error type.', ['error']);
  rpcErrors.add(at('rpc', 2), 'fmt');
  rpcErrors.add(at('rpc', 3), 'auth');
  rpcErrors.add(at('rpc', 4), 'cInt');
  out.single('node_nfsd_server_rpcs_total', 'counter', 'Total number of NFSd RPCs.', at('rpc', 0));
  const requests = out.family('node_nfsd_requests_total', 'counter', 'Total number NFSd Requests by method and protocol.', ['proto', 'method']);
  V2.forEach((method, i) => requests.add(at('proc2', i + 1), '2', method));
  V3.forEach((method, i) => requests.add(at('proc3', i + 1), '3', method));
  for (const [method, column] of V4_OPS) requests.add(at('proc4ops', column), '4', method);
}

/** The lines of /proc/net/rpc/nfsd; throws on a line procfs refuses. */
export function parseNfsdStats(text: string): NfsdStats {
  const stats = new Map<string, readonly number[]>();
  const rows = text.split('\n');
  if (rows[rows.length - 1] === '') rows.pop();
  for (const line of rows) {
    const parts = fields(line);
    if (parts.length < 2) throw new Error(`invalid NFSd metric line ${JSON.stringify(line)}`);
    const label = parts[0]!;
    // The thread line carries a histogram of fractions after its two counters (older kernels).
    if (label === 'th' && parts.length < 3) throw new Error(`invalid NFSd th metric line ${JSON.stringify(line)}`);
    const values = (label === 'th' ? parts.slice(1, 3) : parts.slice(1)).map((p) => {
      const n = parseUint(p);
      if (n === undefined) throw new Error(`error parsing NFSd metric line: ${JSON.stringify(line)}`);
      return n;
    });
    stats.set(label, checkedValues(label, values, line));
  }
  return stats;
}

function checkedValues(label: string, values: number[], line: string): number[] {
  const fixed = FIXED_COUNTS[label];
  if (fixed !== undefined) {
    if (values.length !== fixed) throw new Error(`invalid NFSd ${label} line ${JSON.stringify(line)}`);
    return values;
  }
  const minimum = COUNTED_MINIMUM[label];
  if (minimum === undefined) throw new Error(`unknown NFSd metric line ${JSON.stringify(label)}`);
  if (values.length - 1 !== values[0] || !minimum(values[0])) throw new Error(`invalid NFSd ${label} line ${JSON.stringify(line)}`);
  return values.slice(1);
}
