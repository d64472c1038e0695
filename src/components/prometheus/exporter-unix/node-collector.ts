/**
 * The collectors of prometheus.exporter.unix and one scrape over the enabled
 * ones, as node_exporter's NodeCollector runs them (collector/collector.go):
 * all at once, each reporting node_scrape_collector_duration_seconds and
 * node_scrape_collector_success. Loaded only when a config uses the component.
 *
 * Which collectors run follows Alloy (internal/static/integrations/
 * node_exporter/config.go mapConfigToNodeConfig): node_exporter's defaults, or
 * exactly `set_collectors` when it is not empty; then `disable_collectors`,
 * then `enable_collectors`. Names this implementation does not have are
 * dropped, as Alloy drops collectors its platform lacks.
 */
import type { Logger } from '../../../runtime/logger.js';
import { packageVersion } from '../../../version.js';
import { HostPaths, NoDataError, type Collector, type CollectorEnv } from './collector.js';
import { BtrfsCollector } from './btrfs.js';
import { CpuCollector } from './cpu.js';
import { DiskstatsCollector } from './diskstats.js';
import { Exposition } from './exposition.js';
import { FilesystemCollector } from './filesystem.js';
import { DmiCollector, NvmeCollector, RaplCollector } from './hardware-info.js';
import { NetclassCollector } from './netclass.js';
import { NfsCollector } from './nfs.js';
import { NfsdCollector } from './nfsd.js';
import { ArpCollector, ConntrackCollector, DeviceFilter, NetdevCollector, NetstatCollector, SockstatCollector, SoftnetCollector, UdpQueuesCollector } from './network.js';
import { EntropyCollector, FilefdCollector, LoadavgCollector, MeminfoCollector, PressureCollector, SchedstatCollector, StatCollector, VmstatCollector } from './proc-stats.js';
import type { UnixArguments } from '../exporter-unix.js';
import { OsCollector, SelinuxCollector, TimeCollector, UnameCollector } from './system.js';
import { BondingCollector, MdadmCollector } from './storage-and-bonding.js';
import { TextfileCollector } from './textfile.js';
import { CpufreqCollector, EdacCollector, HwmonCollector, PowerSupplyCollector, ThermalZoneCollector } from './sysfs-hardware.js';
import { XfsCollector } from './xfs.js';
import { ZfsCollector } from './zfs.js';

type Factory = (env: CollectorEnv, args: UnixArguments) => Collector;

/** Collectors implemented here, by node_exporter name. */
const FACTORIES: Readonly<Record<string, Factory>> = {
  arp: (env, a) => new ArpCollector(env, new DeviceFilter(a.arp.device_exclude, a.arp.device_include)),
  bonding: (env) => new BondingCollector(env),
  btrfs: (env) => new BtrfsCollector(env),
  conntrack: (env) => new ConntrackCollector(env),
  cpu: (env, a) => new CpuCollector(env, a.cpu),
  cpufreq: (env) => new CpufreqCollector(env),
  diskstats: (env, a) => new DiskstatsCollector(env, diskFilter(a)),
  dmi: (env) => new DmiCollector(env),
  edac: (env) => new EdacCollector(env),
  entropy: (env) => new EntropyCollector(env),
  filefd: (env) => new FilefdCollector(env),
  filesystem: (env, a) => new FilesystemCollector(env, a.filesystem),
  hwmon: (env, a) => new HwmonCollector(env, a.hwmon),
  loadavg: (env) => new LoadavgCollector(env),
  mdadm: (env) => new MdadmCollector(env),
  meminfo: (env) => new MeminfoCollector(env),
  netclass: (env, a) => new NetclassCollector(env, a.netclass),
  netdev: (env, a) => new NetdevCollector(env, new DeviceFilter(a.netdev.device_exclude, a.netdev.device_include)),
  netstat: (env, a) => new NetstatCollector(env, a.netstat.fields),
  nfs: (env) => new NfsCollector(env),
  nfsd: (env) => new NfsdCollector(env),
  nvme: (env) => new NvmeCollector(env),
  os: (env) => new OsCollector(env),
  powersupplyclass: (env, a) => new PowerSupplyCollector(env, a.powersupply.ignored_supplies),
  pressure: (env) => new PressureCollector(env),
  rapl: (env) => new RaplCollector(env),
  schedstat: (env) => new SchedstatCollector(env),
  selinux: (env) => new SelinuxCollector(env),
  sockstat: (env) => new SockstatCollector(env),
  softnet: (env) => new SoftnetCollector(env),
  stat: (env) => new StatCollector(env),
  textfile: (env, a) => new TextfileCollector(env, a.textfile.directory),
  thermal_zone: (env) => new ThermalZoneCollector(env),
  time: (env) => new TimeCollector(env),
  udp_queues: (env) => new UdpQueuesCollector(env),
  uname: (env) => new UnameCollector(env),
  vmstat: (env, a) => new VmstatCollector(env, a.vmstat.fields),
  xfs: (env) => new XfsCollector(env),
  zfs: (env) => new ZfsCollector(env),
};

/** Alloy's diskstats filter: an include pattern replaces the exclude one (config.go mapConfigToNodeConfig). */
function diskFilter(a: UnixArguments): DeviceFilter {
  return a.disk.device_include !== '' ? new DeviceFilter('', a.disk.device_include) : new DeviceFilter(a.disk.device_exclude, '');
}

/** Every Linux collector node_exporter has, and whether it is on by default (node_exporter's registerCollector calls). */
const NODE_EXPORTER_DEFAULTS: Readonly<Record<string, boolean>> = {
  arp: true, bcache: true, bonding: true, btrfs: true, buddyinfo: false, cgroups: false, conntrack: true, cpu: true, cpufreq: true,
  diskstats: true, dmi: true, drbd: false, drm: false, edac: true, entropy: true, ethtool: false, fibrechannel: true, filefd: true,
  filesystem: true, hwmon: true, infiniband: true, interrupts: false, ipvs: true, ksmd: false, lnstat: false, loadavg: true,
  logind: false, mdadm: true, meminfo: true, meminfo_numa: false, mountstats: false, netclass: true, netdev: true, netstat: true,
  network_route: false, nfs: true, nfsd: true, ntp: false, nvme: true, os: true, perf: false, powersupplyclass: true, pressure: true,
  processes: false, qdisc: false, rapl: true, runit: false, schedstat: true, selinux: true, slabinfo: false, sockstat: true,
  softirqs: false, softnet: true, stat: true, supervisord: false, sysctl: false, systemd: false, tapestats: true, tcpstat: false,
  textfile: true, thermal_zone: true, time: true, timex: true, udp_queues: true, uname: true, vmstat: true, watchdog: true,
  wifi: false, xfs: true, zfs: true, zoneinfo: false,
};

export interface CollectorSelection {
  /** Enabled and implemented here, sorted. */
  readonly enabled: readonly string[];
  /** Enabled, known to node_exporter, but not implemented here. */
  readonly unavailable: readonly string[];
}

export function selectCollectors(a: Pick<UnixArguments, 'set_collectors' | 'enable_collectors' | 'disable_collectors'>): CollectorSelection {
  const state = new Map<string, boolean>();
  const set = new Set(a.set_collectors);
  for (const [name, on] of Object.entries(NODE_EXPORTER_DEFAULTS)) state.set(name, set.size > 0 ? set.has(name) : on);
  for (const name of a.disable_collectors) state.set(name, false);
  for (const name of a.enable_collectors) state.set(name, true);
  const on = [...state].filter(([, v]) => v).map(([k]) => k).sort();
  return { enabled: on.filter((n) => n in FACTORIES), unavailable: on.filter((n) => !(n in FACTORIES) && n in NODE_EXPORTER_DEFAULTS) };
}

export class NodeCollector {
  private readonly collectors: readonly (readonly [string, Collector])[];
  private readonly includeExporterMetrics: boolean;
  /** Scrapes served so far and in flight, for include_exporter_metrics. */
  private served = 0;
  private inFlight = 0;

  constructor(
    args: UnixArguments,
    private readonly logger: Logger,
  ) {
    const env: CollectorEnv = { paths: new HostPaths(args), logger };
    const { enabled } = selectCollectors(args);
    this.collectors = enabled.map((name) => [name, FACTORIES[name]!(env, args)] as const);
    this.includeExporterMetrics = args.include_exporter_metrics;
  }

  get names(): string[] {
    return this.collectors.map(([n]) => n);
  }

  /** One scrape: every collector at once; the text format body. */
  async scrape(): Promise<string> {
    this.inFlight++;
    try {
      return await this.collect();
    } finally {
      this.inFlight--;
      this.served++;
    }
  }

  private async collect(): Promise<string> {
    const out = new Exposition();
    const duration = out.family('node_scrape_collector_duration_seconds', 'gauge', 'node_exporter: Duration of a collector scrape.', ['collector']);
    const success = out.family('node_scrape_collector_success', 'gauge', 'node_exporter: Whether a collector succeeded.', ['collector']);
    await Promise.all(
      this.collectors.map(async ([name, collector]) => {
        const start = performance.now();
        let ok = 1;
        try {
          await collector.update(out);
        } catch (err) {
          ok = 0;
          if (err instanceof NoDataError) this.logger.debug('collector returned no data', { name, err: err.message });
          else this.logger.error('collector failed', { name, err: (err as Error).message });
        }
        duration.add((performance.now() - start) / 1000, name);
        success.add(ok, name);
      }),
    );
    addBuildInfo(out);
    this.addHandlerMetrics(out);
    return out.render();
  }

  /**
   * The promhttp handler's own metrics, as Alloy's handler exposes them
   * (node_exporter.go MetricsHandler): the error counter always, the request
   * counter and in-flight gauge with include_exporter_metrics. A scrape is
   * counted once served, so the first one reports 0.
   */
  private addHandlerMetrics(out: Exposition): void {
    const errors = out.family('promhttp_metric_handler_errors_total', 'counter', 'Total number of internal errors encountered by the promhttp metric handler.', ['cause']);
    errors.add(0, 'encoding');
    errors.add(0, 'gathering');
    if (!this.includeExporterMetrics) return;
    out.single('promhttp_metric_handler_requests_in_flight', 'gauge', 'Current number of scrapes being served.', this.inFlight);
    const requests = out.family('promhttp_metric_handler_requests_total', 'counter', 'Total number of scrapes by HTTP status code.', ['code']);
    requests.add(this.served, '200');
    requests.add(0, '500');
    requests.add(0, '503');
  }
}

/**
 * node_exporter_build_info, which Alloy registers beside the collectors
 * (node_exporter.go MetricsHandler, build.NewCollector("node_exporter")); here
 * it tells alloy-ts' version and the Node.js runtime in place of Go's.
 */
function addBuildInfo(out: Exposition): void {
  out
    .family('node_exporter_build_info', 'gauge', "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.", [
      'branch', 'goarch', 'goos', 'goversion', 'revision', 'version',
    ])
    .add(1, '', GOARCH[process.arch] ?? process.arch, process.platform, `node${process.versions.node}`, '', packageVersion());
}

/** Node's process.arch in Go's GOARCH spelling. */
const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
