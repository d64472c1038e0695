/**
 * prometheus.exporter.unix: host metrics as node_exporter exposes them
 * (Alloy embeds node_exporter; grafana/alloy
 * internal/component/prometheus/exporter/unix/config.go for the arguments and
 * their defaults, internal/static/integrations/node_exporter for how they map
 * onto node_exporter). Served at /api/v0/component/<id>/metrics and exported
 * as one scrape target, job "integrations/unix".
 *
 * The collectors read /proc, /sys and the mount table below `procfs_path`,
 * `sysfs_path` and `rootfs_path`, so a container given the host's directories
 * reports the host. They live in exporter-unix/ and are loaded on the first
 * build of this component only. Blocks of collectors alloy-ts does not
 * implement (ethtool, ipvs, ntp, perf, runit, supervisord, sysctl, systemd,
 * tapestats, bcache) are accepted with Alloy's defaults and have no effect.
 */
import { Re2Regexp } from '../../go/regexp/regexp.js';
import { describeSchema, attr, defaultedBlock, schema, t, targetsType, type InferFields } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { exporterTarget } from './exporter-self.js';

/** Alloy's Linux defaults (node_exporter config.go init). */
const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)';
const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';
const DEFAULT_NETSTAT_FIELDS =
  '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$';
const DEFAULT_VMSTAT_FIELDS = '^(oom_kill|pgpg|pswp|pg.*fault).*';
const DEFAULT_DISK_EXCLUDE = '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';

const include = { device_exclude: attr(t.string, ''), device_include: attr(t.string, '') };

const FIELDS = {
  include_exporter_metrics: attr(t.bool, false),
  procfs_path: attr(t.string, '/proc'),
  sysfs_path: attr(t.string, '/sys'),
  rootfs_path: attr(t.string, '/'),
  udev_data_path: attr(t.string, '/run/udev/data'),
  enable_collectors: attr(t.list(t.string), []),
  disable_collectors: attr(t.list(t.string), []),
  set_collectors: attr(t.list(t.string), []),
  arp: defaultedBlock(schema({ ...include, netlink: attr(t.bool, false) })),
  bcache: defaultedBlock(schema({ priority_stats: attr(t.bool, false) })),
  cpu: defaultedBlock(schema({ bugs_include: attr(t.string, ''), guest: attr(t.bool, false), info: attr(t.bool, false), flags_include: attr(t.string, '') })),
  disk: defaultedBlock(schema({ device_exclude: attr(t.string, DEFAULT_DISK_EXCLUDE), device_include: attr(t.string, '') })),
  ethtool: defaultedBlock(schema({ ...include, metrics_include: attr(t.string, '.*') })),
  filesystem: defaultedBlock(
    schema({ fs_types_exclude: attr(t.string, DEFAULT_FS_TYPES_EXCLUDE), mount_points_exclude: attr(t.string, DEFAULT_MOUNT_POINTS_EXCLUDE), mount_timeout: attr(t.duration, '5s') }),
  ),
  hwmon: defaultedBlock(schema({ chip_exclude: attr(t.string, ''), chip_include: attr(t.string, '') })),
  ipvs: defaultedBlock(schema({ backend_labels: attr(t.list(t.string), []) })),
  ntp: defaultedBlock(
    schema({
      ip_ttl: attr(t.int, 1),
      local_offset_tolerance: attr(t.duration, '1ms'),
      max_distance: attr(t.duration, '3.46608s'),
      protocol_version: attr(t.int, 4),
      server: attr(t.string, '127.0.0.1'),
      server_is_local: attr(t.bool, false),
    }),
  ),
  netclass: defaultedBlock(schema({ ignore_invalid_speed_device: attr(t.bool, false), ignored_devices: attr(t.string, '^$') })),
  netdev: defaultedBlock(schema({ address_info: attr(t.bool, false), ...include })),
  netstat: defaultedBlock(schema({ fields: attr(t.string, DEFAULT_NETSTAT_FIELDS) })),
  perf: defaultedBlock(
    schema({
      cpus: attr(t.string, ''),
      tracepoint: attr(t.list(t.string), []),
      disable_hardware_profilers: attr(t.bool, false),
      disable_software_profilers: attr(t.bool, false),
      disable_cache_profilers: attr(t.bool, false),
      hardware_profilers: attr(t.list(t.string), []),
      software_profilers: attr(t.list(t.string), []),
      cache_profilers: attr(t.list(t.string), []),
    }),
  ),
  powersupply: defaultedBlock(schema({ ignored_supplies: attr(t.string, '^$') })),
  runit: defaultedBlock(schema({ service_dir: attr(t.string, '/etc/service') })),
  supervisord: defaultedBlock(schema({ url: attr(t.string, 'http://localhost:9001/RPC2') })),
  sysctl: defaultedBlock(schema({ include: attr(t.list(t.string), []), include_info: attr(t.list(t.string), []) })),
  systemd: defaultedBlock(
    schema({
      enable_restarts: attr(t.bool, false),
      start_time: attr(t.bool, false),
      task_metrics: attr(t.bool, false),
      unit_exclude: attr(t.string, '.+\\.(automount|device|mount|scope|slice)'),
      unit_include: attr(t.string, '.+'),
    }),
  ),
  tapestats: defaultedBlock(schema({ ignored_devices: attr(t.string, '^$') })),
  textfile: defaultedBlock(schema({ directory: attr(t.string, '') })),
  vmstat: defaultedBlock(schema({ fields: attr(t.string, DEFAULT_VMSTAT_FIELDS) })),
};
export type UnixArguments = InferFields<typeof FIELDS>;
const Arguments = schema(FIELDS, (a) => invalidPattern(a) ?? exclusiveFilters(a));

/** The patterns the implemented collectors compile; node_exporter would stop on a bad one. */
function invalidPattern(a: UnixArguments): string | undefined {
  const patterns: Record<string, string> = {
    'arp.device_exclude': a.arp.device_exclude, 'arp.device_include': a.arp.device_include,
    'cpu.bugs_include': a.cpu.bugs_include, 'cpu.flags_include': a.cpu.flags_include,
    'disk.device_exclude': a.disk.device_exclude, 'disk.device_include': a.disk.device_include,
    'filesystem.fs_types_exclude': a.filesystem.fs_types_exclude, 'filesystem.mount_points_exclude': a.filesystem.mount_points_exclude,
    'hwmon.chip_exclude': a.hwmon.chip_exclude, 'hwmon.chip_include': a.hwmon.chip_include,
    'netclass.ignored_devices': a.netclass.ignored_devices, 'netdev.device_exclude': a.netdev.device_exclude,
    'netdev.device_include': a.netdev.device_include, 'netstat.fields': a.netstat.fields,
    'powersupply.ignored_supplies': a.powersupply.ignored_supplies, 'vmstat.fields': a.vmstat.fields,
  };
  for (const [name, pattern] of Object.entries(patterns)) {
    try {
      Re2Regexp.compile(pattern);
    } catch (err) {
      return `${name}: invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** node_exporter refuses both an include and an exclude pattern for netdev and arp (Alloy passes them on). */
function exclusiveFilters(a: UnixArguments): string | undefined {
  for (const block of ['netdev', 'arp'] as const) {
    if (a[block].device_exclude !== '' && a[block].device_include !== '') return `${block}: device_exclude and device_include are mutually exclusive`;
  }
  return undefined;
}

const Exports = schema({ targets: attr(targetsType) });

type NodeCollectorModule = typeof import('./exporter-unix/node-collector.js');
let collectorsModule: Promise<NodeCollectorModule> | undefined;

export const prometheusExporterUnix = defineComponent({
  name: 'prometheus.exporter.unix',
  description: 'Exposes hardware and kernel metrics of a Unix host, as node_exporter does, as a scrape target.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    const { NodeCollector, selectCollectors } = await (collectorsModule ??= import('./exporter-unix/node-collector.js'));
    const create = (args: UnixArguments) => {
      const { unavailable } = selectCollectors(args);
      // Named in the config: worth a warning. Merely on by node_exporter's defaults: the user did not ask for them.
      const named = unavailable.filter((c) => args.set_collectors.includes(c) || args.enable_collectors.includes(c));
      if (named.length > 0) ctx.logger.warn('collectors not implemented by alloy-ts are left out', { collectors: named.join(',') });
      if (unavailable.length > named.length) ctx.logger.debug('default collectors not implemented by alloy-ts are left out', { collectors: unavailable.join(',') });
      return new NodeCollector(args, ctx.logger);
    };
    let collector = create(initial);
    ctx.setExports({ targets: [exporterTarget('prometheus.exporter.unix', ctx.globalId, 'integrations/unix', ctx.host.memoryAddr)] });
    return {
      update(next) {
        collector = create(next);
      },
      run: untilAborted,
      async handler(_req, res, rest) {
        if (rest !== 'metrics') {
          res.writeHead(404).end('404 page not found\n');
          return;
        }
        const body = await collector.scrape();
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      },
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments.fields.arp.schema, {
  device_exclude: 'Regular expression of the devices left out.',
  device_include: 'Regular expression of the only devices collected.',
  netlink: 'Read the ARP table over netlink instead of /proc/net/arp.',
}, 'Settings of the arp collector.');
describeSchema(Arguments.fields.bcache.schema, {
  priority_stats: 'Also expose the costly priority statistics.',
}, 'Settings of the bcache collector.');
describeSchema(Arguments.fields.cpu.schema, {
  bugs_include: 'Regular expression of the CPU bugs exposed by node_cpu_bug_info.',
  guest: 'Expose node_cpu_guest_seconds_total.',
  info: 'Expose node_cpu_info.',
  flags_include: 'Regular expression of the CPU flags exposed by node_cpu_flag_info.',
}, 'Settings of the cpu collector.');
describeSchema(Arguments.fields.disk.schema, {
  device_exclude: 'Regular expression of the devices left out.',
  device_include: 'Regular expression of the only devices collected.',
}, 'Settings of the diskstats collector.');
describeSchema(Arguments.fields.ethtool.schema, {
  device_exclude: 'Regular expression of the devices left out.',
  device_include: 'Regular expression of the only devices collected.',
  metrics_include: 'Regular expression of the ethtool statistics exposed.',
}, 'Settings of the ethtool collector.');
describeSchema(Arguments.fields.filesystem.schema, {
  fs_types_exclude: 'Regular expression of the filesystem types left out.',
  mount_points_exclude: 'Regular expression of the mount points left out.',
  mount_timeout: 'How long a stat of a mount point may take before it is reported stuck.',
}, 'Settings of the filesystem collector.');
describeSchema(Arguments.fields.hwmon.schema, {
  chip_exclude: 'Regular expression of the hwmon chips left out.',
  chip_include: 'Regular expression of the only hwmon chips collected.',
}, 'Settings of the hwmon collector.');
describeSchema(Arguments.fields.ipvs.schema, {
  backend_labels: 'Labels of the IPVS backend metrics.',
}, 'Settings of the ipvs collector.');
describeSchema(Arguments.fields.ntp.schema, {
  ip_ttl: 'IP TTL of the NTP query packets.',
  local_offset_tolerance: 'Offset between the local clock and the NTP server that is tolerated.',
  max_distance: 'Largest root distance accepted from the server.',
  protocol_version: 'NTP protocol version (2, 3 or 4).',
  server: 'NTP server queried.',
  server_is_local: 'Confirm that the server is the local host.',
}, 'Settings of the ntp collector.');
describeSchema(Arguments.fields.netclass.schema, {
  ignore_invalid_speed_device: 'Leave out devices with an invalid speed.',
  ignored_devices: 'Regular expression of the network devices left out.',
}, 'Settings of the netclass collector.');
describeSchema(Arguments.fields.netdev.schema, {
  address_info: 'Expose the addresses of the network devices.',
  device_exclude: 'Regular expression of the devices left out.',
  device_include: 'Regular expression of the only devices collected.',
}, 'Settings of the netdev collector.');
describeSchema(Arguments.fields.netstat.schema, {
  fields: 'Regular expression of the /proc/net/netstat and snmp fields exposed.',
}, 'Settings of the netstat collector.');
describeSchema(Arguments.fields.perf.schema, {
  cpus: 'CPUs to profile, such as 0-3 or 1,3.',
  tracepoint: 'Tracepoints to count, as subsystem:name.',
  disable_hardware_profilers: 'Turn off the hardware profilers.',
  disable_software_profilers: 'Turn off the software profilers.',
  disable_cache_profilers: 'Turn off the cache profilers.',
  hardware_profilers: 'Hardware profilers enabled (all when empty).',
  software_profilers: 'Software profilers enabled (all when empty).',
  cache_profilers: 'Cache profilers enabled (all when empty).',
}, 'Settings of the perf collector.');
describeSchema(Arguments.fields.powersupply.schema, {
  ignored_supplies: 'Regular expression of the power supplies left out.',
}, 'Settings of the powersupplyclass collector.');
describeSchema(Arguments.fields.runit.schema, {
  service_dir: 'Directory of the runit services.',
}, 'Settings of the runit collector.');
describeSchema(Arguments.fields.supervisord.schema, {
  url: 'XML-RPC URL of supervisord.',
}, 'Settings of the supervisord collector.');
describeSchema(Arguments.fields.sysctl.schema, {
  include: 'Numeric sysctl values exposed as metrics.',
  include_info: 'Sysctl values exposed as info metrics.',
}, 'Settings of the sysctl collector.');
describeSchema(Arguments.fields.systemd.schema, {
  enable_restarts: 'Expose service restart counts.',
  start_time: 'Expose unit start times.',
  task_metrics: 'Expose task counts of services.',
  unit_exclude: 'Regular expression of the units left out.',
  unit_include: 'Regular expression of the only units collected.',
}, 'Settings of the systemd collector.');
describeSchema(Arguments.fields.tapestats.schema, {
  ignored_devices: 'Regular expression of the tape devices left out.',
}, 'Settings of the tapestats collector.');
describeSchema(Arguments.fields.textfile.schema, {
  directory: 'Directory of *.prom files whose metrics are exposed.',
}, 'Settings of the textfile collector.');
describeSchema(Arguments.fields.vmstat.schema, {
  fields: 'Regular expression of the /proc/vmstat fields exposed.',
}, 'Settings of the vmstat collector.');
describeSchema(Arguments, {
  include_exporter_metrics: 'Also expose the exporter\'s own process metrics.',
  procfs_path: 'Mount point of procfs.',
  sysfs_path: 'Mount point of sysfs.',
  rootfs_path: 'Mount point of the host\'s root filesystem.',
  udev_data_path: 'Directory of the udev database.',
  enable_collectors: 'Collectors turned on in addition to the default ones.',
  disable_collectors: 'Default collectors turned off.',
  set_collectors: 'The exact set of collectors to run, replacing the defaults.',
});
describeSchema(Exports, {
  targets: 'The target to scrape for the host metrics.',
});
