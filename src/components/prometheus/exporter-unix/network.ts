/**
 * Network collectors reading /proc/net (prometheus/node_exporter v1.5.0
 * collector/netdev_*.go, netstat_linux.go, sockstat_linux.go,
 * softnet_linux.go, arp_linux.go, udp_queues_linux.go, conntrack_linux.go).
 */
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { fields, isAbsent, lines, NoDataError, readNumberAttribute, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** node_exporter's deviceFilter: a name is ignored when it matches `exclude` or fails `include`. */
export class DeviceFilter {
  private readonly exclude: Re2Regexp | undefined;
  private readonly include: Re2Regexp | undefined;

  constructor(exclude: string, include: string) {
    this.exclude = exclude ? Re2Regexp.compile(exclude) : undefined;
    this.include = include ? Re2Regexp.compile(include) : undefined;
  }

  ignored(name: string): boolean {
    return (this.exclude?.test(name) ?? false) || (this.include !== undefined && !this.include.test(name));
  }
}

/** /proc/net/dev columns after the device name, named as node_exporter names them. */
const NETDEV_COLUMNS = [
  'receive_bytes', 'receive_packets', 'receive_errs', 'receive_drop', 'receive_fifo', 'receive_frame', 'receive_compressed', 'receive_multicast',
  'transmit_bytes', 'transmit_packets', 'transmit_errs', 'transmit_drop', 'transmit_fifo', 'transmit_colls', 'transmit_carrier', 'transmit_compressed',
] as const;

/**
 * netdev. node_exporter 1.5.0 reads the kernel's 64-bit link statistics over
 * rtnetlink and folds them into /proc/net/dev's columns (netdev_common.go
 * `legacy`), adding `receive_nohandler`. The kernel prints /proc/net/dev from
 * those same statistics with the same folding (net/core/net-procfs.c
 * dev_seq_printf_stats), so this reads /proc/net/dev, plus rx_nohandler from
 * /sys/class/net/<dev>/statistics — Node has no netlink socket.
 */
export class NetdevCollector implements Collector {
  constructor(
    private readonly env: CollectorEnv,
    private readonly filter: DeviceFilter,
  ) {}

  async update(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('net/dev'));
    const families = NETDEV_COLUMNS.map((key) => out.family(`node_network_${key}_total`, 'counter', `Network device statistic ${key}.`, ['device']));
    const nohandler = out.family('node_network_receive_nohandler_total', 'counter', 'Network device statistic receive_nohandler.', ['device']);
    for (const line of lines(text)) {
      const colon = line.indexOf(':');
      if (colon < 0 || line.includes('|')) continue;
      const device = line.slice(0, colon).trim();
      if (this.filter.ignored(device)) continue;
      const values = fields(line.slice(colon + 1));
      families.forEach((f, i) => f.add(toNumber(values[i]), device));
      nohandler.add(await readNumberAttribute(this.env.paths.sys('class/net', device, 'statistics/rx_nohandler')), device);
    }
  }
}

/** netstat: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 fields matching `fields`, untyped. */
export class NetstatCollector implements Collector {
  private readonly fields: Re2Regexp;

  constructor(
    private readonly env: CollectorEnv,
    pattern: string,
  ) {
    this.fields = Re2Regexp.compile(pattern);
  }

  async update(out: Exposition): Promise<void> {
    const stats = parseNetStats(await readText(this.env.paths.proc('net/netstat')), 'netstat');
    for (const [k, v] of parseNetStats(await readText(this.env.paths.proc('net/snmp')), 'snmp')) stats.set(k, v);
    let snmp6: string | undefined;
    try {
      snmp6 = await readText(this.env.paths.proc('net/snmp6'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // no IPv6
    }
    if (snmp6 !== undefined) for (const [k, v] of parseSnmp6(snmp6)) stats.set(k, v);
    for (const [key, { protocol, name, value }] of stats) {
      const v = Number(value);
      if (value === '' || Number.isNaN(v)) throw new Error(`invalid value ${value} in netstats`);
      if (!this.fields.test(key)) continue;
      out.single(`node_netstat_${key}`, 'untyped', `Statistic ${protocol}${name}.`, v);
    }
  }
}

interface NetStat {
  readonly protocol: string;
  readonly name: string;
  readonly value: string;
}

/** Header/value line pairs ("TcpExt: a b" / "TcpExt: 1 2"), keyed "Protocol_Name". */
export function parseNetStats(text: string, file: string): Map<string, NetStat> {
  const out = new Map<string, NetStat>();
  const all = lines(text);
  for (let i = 0; i + 1 < all.length; i += 2) {
    const names = all[i]!.split(' ');
    const values = all[i + 1]!.split(' ');
    const protocol = names[0]!.slice(0, -1);
    if (names.length !== values.length) throw new Error(`mismatch field count mismatch in ${file}: ${protocol}`);
    for (let j = 1; j < names.length; j++) out.set(`${protocol}_${names[j]}`, { protocol, name: names[j]!, value: values[j]! });
  }
  return out;
}

/** "Ip6InOctets 123" lines: the protocol is the name up to its first "6". */
export function parseSnmp6(text: string): Map<string, NetStat> {
  const out = new Map<string, NetStat>();
  for (const line of lines(text)) {
    const [key, value] = fields(line);
    if (key === undefined || value === undefined) continue;
    const six = key.indexOf('6');
    if (six < 0) continue;
    const protocol = key.slice(0, six + 1);
    const name = key.slice(six + 1);
    out.set(`${protocol}_${name}`, { protocol, name, value });
  }
  return out;
}

/** Page size for sockstat's mem_bytes (os.Getpagesize; 4 KiB on the architectures Node runs on Linux, 64 KiB on some arm64/ppc64 kernels). */
const PAGE_SIZE = 4096;

export class SockstatCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    for (const [file, ipv6] of [['net/sockstat', false], ['net/sockstat6', true]] as const) {
      let text: string;
      try {
        text = await readText(this.env.paths.proc(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new Error(`failed to get IPv${ipv6 ? 6 : 4} sockstat data: ${(err as Error).message}`);
      }
      this.addFile(out, text, ipv6);
    }
  }

  private addFile(out: Exposition, text: string, ipv6: boolean): void {
    for (const line of lines(text)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const protocol = line.slice(0, colon);
      const parts = fields(line.slice(colon + 1));
      const pairs = new Map<string, number>();
      for (let i = 0; i + 1 < parts.length; i += 2) pairs.set(parts[i]!, Number(parts[i + 1]));
      if (protocol === 'sockets') {
        if (!ipv6) out.single('node_sockstat_sockets_used', 'gauge', 'Number of IPv4 sockets in use.', pairs.get('used'));
        continue;
      }
      const mem = pairs.get('mem');
      if (mem !== undefined) pairs.set('mem_bytes', mem * PAGE_SIZE);
      for (const state of ['inuse', 'orphan', 'tw', 'alloc', 'mem', 'memory', 'mem_bytes']) {
        out.single(`node_sockstat_${protocol}_${state}`, 'gauge', `Number of ${protocol} sockets in state ${state}.`, pairs.get(state));
      }
    }
  }
}

export class SoftnetCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('net/softnet_stat')).catch((err: Error) => Promise.reject(new Error(`could not get softnet statistics: ${err.message}`)));
    const processed = out.family('node_softnet_processed_total', 'counter', 'Number of processed packets', ['cpu']);
    const dropped = out.family('node_softnet_dropped_total', 'counter', 'Number of dropped packets', ['cpu']);
    const squeezed = out.family('node_softnet_times_squeezed_total', 'counter', 'Number of times processing packets ran out of quota', ['cpu']);
    lines(text).forEach((line, cpu) => {
      const parts = fields(line);
      if (parts.length < 3) throw new Error(`could not get softnet statistics: ${parts.length} columns`);
      processed.add(Number.parseInt(parts[0]!, 16), String(cpu));
      dropped.add(Number.parseInt(parts[1]!, 16), String(cpu));
      squeezed.add(Number.parseInt(parts[2]!, 16), String(cpu));
    });
  }
}

export class ArpCollector implements Collector {
  constructor(
    private readonly env: CollectorEnv,
    private readonly filter: DeviceFilter,
  ) {}

  async update(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('net/arp')).catch((err: Error) => Promise.reject(new Error(`could not get ARP entries: ${err.message}`)));
    const entries = new Map<string, number>();
    for (const line of lines(text)) {
      const columns = fields(line);
      if (columns.length < 6) throw new Error('could not get ARP entries: unexpected ARP table format');
      if (columns[0] === 'IP') continue;
      const device = columns[columns.length - 1]!;
      entries.set(device, (entries.get(device) ?? 0) + 1);
    }
    const f = out.family('node_arp_entries', 'gauge', 'ARP entries by device', ['device']);
    for (const [device, n] of entries) if (!this.filter.ignored(device)) f.add(n, device);
  }
}

/** udp_queues: the summed tx_queue/rx_queue columns of /proc/net/udp and udp6. */
export class UdpQueuesCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const f = out.family('node_udp_queues', 'gauge', 'Number of allocated memory in the kernel for UDP datagrams in bytes.', ['queue', 'ip']);
    let absent = 0;
    for (const [file, ip] of [['net/udp', 'v4'], ['net/udp6', 'v6']] as const) {
      let text: string;
      try {
        text = await readText(this.env.paths.proc(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`couldn't get udp queued bytes: ${(err as Error).message}`);
        absent++;
        continue;
      }
      const { tx, rx } = sumUdpQueues(text);
      f.add(tx, 'tx', ip);
      f.add(rx, 'rx', ip);
    }
    if (absent === 2) throw new NoDataError('no UDP files in procfs');
  }
}

export function sumUdpQueues(text: string): { tx: number; rx: number } {
  let tx = 0;
  let rx = 0;
  for (const line of lines(text).slice(1)) {
    const queues = fields(line)[4];
    if (!queues) continue;
    const [t, r] = queues.split(':');
    tx += Number.parseInt(t!, 16);
    rx += Number.parseInt(r!, 16);
  }
  return { tx, rx };
}

const CONNTRACK_STATS: readonly (readonly [string, string])[] = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];

export class ConntrackCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    try {
      const count = await readText(this.env.paths.proc('sys/net/netfilter/nf_conntrack_count'));
      out.single('node_nf_conntrack_entries', 'gauge', 'Number of currently allocated flow entries for connection tracking.', Number(count.trim()));
      const max = await readText(this.env.paths.proc('sys/net/netfilter/nf_conntrack_max'));
      out.single('node_nf_conntrack_entries_limit', 'gauge', 'Maximum size of connection tracking table.', Number(max.trim()));
      const totals = sumConntrackStats(await readText(this.env.paths.proc('net/stat/nf_conntrack')));
      for (const [key, help] of CONNTRACK_STATS) out.single(`node_nf_conntrack_stat_${key}`, 'gauge', help, totals.get(key));
    } catch (err) {
      // No conntrack module loaded: the files are not there (conntrack_linux.go handleErr).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NoDataError('conntrack is not loaded');
      throw err;
    }
  }
}

/** /proc/net/stat/nf_conntrack: a header, then one line of hex counters per CPU; summed per column. */
export function sumConntrackStats(text: string): Map<string, number> {
  const [header, ...rows] = lines(text);
  const names = fields(header ?? '');
  const totals = new Map<string, number>();
  for (const row of rows) {
    fields(row).forEach((hex, i) => {
      const name = names[i];
      if (name !== undefined) totals.set(name, (totals.get(name) ?? 0) + Number.parseInt(hex, 16));
    });
  }
  return totals;
}

function toNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

export { isAbsent };
