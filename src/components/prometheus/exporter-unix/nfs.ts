/**
 * The nfs collector (prometheus/node_exporter v1.5.0 collector/nfs_linux.go):
 * NFS client statistics of /proc/net/rpc/nfs, parsed as prometheus/procfs
 * v0.8.0 nfs/parse_nfs.go does. Every procedure of NFS v2, v3 and v4 is
 * reported, 0 for a version the kernel prints no line for.
 */
import { fields, isAbsent, lines, NoDataError, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** Procedure names in the kernel's column order (procfs V2Stats, V3Stats, ClientV4Stats field names). */
const V2 = ['Null', 'GetAttr', 'SetAttr', 'Root', 'Lookup', 'ReadLink', 'Read', 'WrCache', 'Write', 'Create', 'Remove', 'Rename', 'Link', 'SymLink', 'MkDir', 'RmDir', 'ReadDir', 'FsStat'];
const V3 = [
  'Null', 'GetAttr', 'SetAttr', 'Lookup', 'Access', 'ReadLink', 'Read', 'Write', 'Create', 'MkDir', 'SymLink', 'MkNod', 'Remove', 'RmDir', 'Rename', 'Link',
  'ReadDir', 'ReadDirPlus', 'FsStat', 'FsInfo', 'PathConf', 'Commit',
];
const V4 = [
  'Null', 'Read', 'Write', 'Commit', 'Open', 'OpenConfirm', 'OpenNoattr', 'OpenDowngrade', 'Close', 'Setattr', 'FsInfo', 'Renew', 'SetClientID',
  'SetClientIDConfirm', 'Lock', 'Lockt', 'Locku', 'Access', 'Getattr', 'Lookup', 'LookupRoot', 'Remove', 'Rename', 'Link', 'Symlink', 'Create', 'Pathconf',
  'StatFs', 'ReadLink', 'ReadDir', 'ServerCaps', 'DelegReturn', 'GetACL', 'SetACL', 'FsLocations', 'ReleaseLockowner', 'Secinfo', 'FsidPresent',
  'ExchangeID', 'CreateSession', 'DestroySession', 'Sequence', 'GetLeaseTime', 'ReclaimComplete', 'LayoutGet', 'GetDeviceInfo', 'LayoutCommit',
  'LayoutReturn', 'SecinfoNoName', 'TestStateID', 'FreeStateID', 'GetDeviceList', 'BindConnToSession', 'DestroyClientID', 'Seek', 'Allocate',
  'DeAllocate', 'LayoutStats', 'Clone',
];

export interface NfsClientStats {
  net: readonly number[];
  rpc: readonly number[];
  proc2: readonly number[];
  proc3: readonly number[];
  proc4: readonly number[];
}

export class NfsCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    let text: string;
    try {
      text = await readText(this.env.paths.proc('net/rpc/nfs'));
    } catch (err) {
      if (isAbsent(err)) throw new NoDataError('no NFS client statistics');
      throw err;
    }
    const s = parseNfsClientStats(text);
    const packets = out.family('node_nfs_packets_total', 'counter', 'Total NFSd network packets (sent+received) by protocol type.', ['protocol']);
    packets.add(s.net[1] ?? 0, 'udp');
    packets.add(s.net[2] ?? 0, 'tcp');
    out.single('node_nfs_connections_total', 'counter', 'Total number of NFSd TCP connections.', s.net[3] ?? 0);
    out.single('node_nfs_rpcs_total', 'counter', 'Total number of RPCs performed.', s.rpc[0] ?? 0);
    out.single('node_nfs_rpc_retransmissions_total', 'counter', 'Number of RPC transmissions performed.', s.rpc[1] ?? 0);
    out.single('node_nfs_rpc_authentication_refreshes_total', 'counter', 'Number of RPC authentication refreshes performed.', s.rpc[2] ?? 0);
    const requests = out.family('node_nfs_requests_total', 'counter', 'Number of NFS procedures invoked.', ['proto', 'method']);
    for (const [proto, names, values] of [['2', V2, s.proc2], ['3', V3, s.proc3], ['4', V4, s.proc4]] as const) {
      names.forEach((method, i) => requests.add(values[i] ?? 0, proto, method));
    }
  }
}

/** The lines of /proc/net/rpc/nfs; a procN line starts with its count of values. */
export function parseNfsClientStats(text: string): NfsClientStats {
  const stats: NfsClientStats = { net: [], rpc: [], proc2: [], proc3: [], proc4: [] };
  for (const line of lines(text)) {
    const parts = fields(line);
    if (parts.length < 2) throw new Error(`invalid NFS metric line ${JSON.stringify(line)}`);
    const values = parts.slice(1).map((p) => {
      if (!/^\d+$/.test(p)) throw new Error(`error parsing NFS metric line: ${JSON.stringify(line)}`);
      return Number(p);
    });
    const key = parts[0]!;
    if (key === 'net' || key === 'rpc') {
      if (values.length !== (key === 'net' ? 4 : 3)) throw new Error(`invalid ${key === 'net' ? 'Network' : 'RPC'} line ${JSON.stringify(line)}`);
      stats[key] = values;
    } else if (key === 'proc2' || key === 'proc3' || key === 'proc4') {
      const minimum = key === 'proc2' ? 18 : key === 'proc3' ? 22 : 0;
      if (values.length - 1 !== values[0] || values[0]! < minimum) throw new Error(`invalid ${key} line ${JSON.stringify(line)}`);
      stats[key] = values.slice(1);
    } else throw new Error(`unknown NFS metric line ${JSON.stringify(key)}`);
  }
  return stats;
}
