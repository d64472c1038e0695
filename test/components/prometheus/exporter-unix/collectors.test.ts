/**
 * prometheus.exporter.unix collectors on /proc and /sys files captured from a
 * real machine (scripts/capture-exporter-unix-fixtures.sh), checked against
 * the files themselves and against what the node exporter reported from the
 * same machine at capture time (expected.txt); plus the edge cases a live
 * host produces: a CPU going offline, counters going backwards, a mount that
 * disappears between the mount table and statfs, unreadable files, absent
 * sources.
 */
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeCollector, selectCollectors } from '../../../../src/components/prometheus/exporter-unix/node-collector.js';
import { FIXTURE, fixtureArgs, fixtureCopy, parseExposition, recordingLogger, unixArgs, type ScrapedFamily } from './support.js';

const expected = parseExposition(readFileSync(path.join(FIXTURE, 'expected.txt'), 'utf8'));
const fixtureFile = (...p: string[]) => readFileSync(path.join(FIXTURE, ...p), 'latin1');

/** Collectors whose families depend only on captured files (not on the clock, uname(2) or statfs of this machine). */
const FILE_COLLECTORS = ['arp', 'conntrack', 'cpu', 'diskstats', 'entropy', 'filefd', 'loadavg', 'meminfo', 'netclass', 'netdev', 'netstat', 'os', 'pressure', 'sockstat', 'softnet', 'stat', 'udp_queues', 'vmstat'];

/** The node exporter that produced expected.txt runs with Debian's defaults: guest CPU time on, lo left out of netdev. */
const DEBIAN_LIKE = { cpu: { guest: true }, netdev: { device_exclude: '^lo$' } } as const;

async function scrape(args = fixtureArgs(FIXTURE, DEBIAN_LIKE)) {
  const { logger, lines } = recordingLogger();
  const collector = new NodeCollector(args, logger);
  const families = parseExposition(await collector.scrape());
  return { families, lines, collector };
}

function success(families: Map<string, ScrapedFamily>, collector: string): number | undefined {
  return families.get('node_scrape_collector_success')?.series.get(`collector="${collector}"`);
}

function value(families: Map<string, ScrapedFamily>, name: string, key = ''): number | undefined {
  return families.get(name)?.series.get(key);
}

describe('collectors on captured host files', () => {
  it('expose the families, types, help texts and label sets the node exporter reported from the same machine', async () => {
    const { families } = await scrape(fixtureArgs(FIXTURE, { ...DEBIAN_LIKE, set_collectors: FILE_COLLECTORS }));
    const compared: string[] = [];
    for (const [name, theirs] of expected) {
      const collector = collectorOf(name);
      if (!collector || !FILE_COLLECTORS.includes(collector)) continue;
      const ours = families.get(name);
      expect(ours, name).toBeDefined();
      expect({ name, type: ours!.type, help: ours!.help }).toEqual({ name, type: theirs.type, help: theirs.help });
      expect([...ours!.series.keys()].sort(), name).toEqual([...theirs.series.keys()].sort());
      compared.push(name);
    }
    expect(compared.length).toBeGreaterThan(150);
    for (const c of FILE_COLLECTORS) expect(success(families, c), c).toBe(1);
  });

  it('take values from the files, scaled as the node exporter scales them', async () => {
    const { families } = await scrape();
    const cpu0 = fixtureFile('proc/stat').split('\n').find((l) => l.startsWith('cpu0 '))!.split(/\s+/).map(Number);
    expect(value(families, 'node_cpu_seconds_total', 'cpu="0",mode="user"')).toBe(cpu0[1]! / 100);
    expect(value(families, 'node_cpu_seconds_total', 'cpu="0",mode="idle"')).toBe(cpu0[4]! / 100);
    expect(value(families, 'node_cpu_guest_seconds_total', 'cpu="0",mode="nice"')).toBe(cpu0[10]! / 100);
    const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(fixtureFile('proc/meminfo'))![1]);
    expect(value(families, 'node_memory_MemTotal_bytes')).toBe(memTotalKb * 1024);
    // The node exporter read the same (static) values at capture time.
    for (const [name, key] of [
      ['node_memory_MemTotal_bytes', ''], ['node_entropy_pool_size_bits', ''], ['node_filefd_maximum', ''], ['node_boot_time_seconds', ''],
      ['node_network_mtu_bytes', 'device="eth0"'], ['node_network_flags', 'device="eth0"'], ['node_network_iface_id', 'device="eth0"'],
      ['node_nf_conntrack_entries_limit', ''], ['node_os_version', 'id="debian",id_like="",name="Debian GNU/Linux"'],
    ] as const) {
      expect(value(families, name, key), `${name}{${key}}`).toBe(value(expected, name, key));
    }
    const eth0 = fixtureFile('proc/net/dev').split('\n').find((l) => l.trim().startsWith('eth0:'))!.split(':')[1]!.trim().split(/\s+/).map(Number);
    expect(value(families, 'node_network_receive_bytes_total', 'device="eth0"')).toBe(eth0[0]);
    expect(value(families, 'node_network_transmit_packets_total', 'device="eth0"')).toBe(eth0[9]);
    expect(families.get('node_network_receive_bytes_total')!.series.has('device="lo"')).toBe(false);
  });

  it('report every enabled collector with success and duration, and absent sources as no data without errors', async () => {
    const { families, lines, collector } = await scrape();
    expect(collector.names).toEqual(selectCollectors(unixArgs()).enabled);
    for (const name of collector.names) {
      expect(families.get('node_scrape_collector_duration_seconds')!.series.get(`collector="${name}"`), name).toBeGreaterThanOrEqual(0);
    }
    // This machine has no /proc/schedstat and no /sys/class/hwmon: no data, as the node exporter reported.
    expect(success(families, 'schedstat')).toBe(0);
    expect(success(families, 'hwmon')).toBe(0);
    expect(success(expected, 'schedstat')).toBe(0);
    expect(success(expected, 'hwmon')).toBe(0);
    expect(families.has('node_schedstat_running_seconds_total')).toBe(false);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('edge cases', () => {
  it('a CPU going offline loses its series; one coming back starts afresh; counters never go backwards', async () => {
    const root = fixtureCopy();
    try {
      const statPath = path.join(root, 'proc/stat');
      const original = readFileSync(statPath, 'latin1');
      const { logger } = recordingLogger();
      const collector = new NodeCollector(fixtureArgs(root, { set_collectors: ['cpu'] }), logger);
      const first = parseExposition(await collector.scrape());
      expect(first.get('node_cpu_seconds_total')!.series.has('cpu="1",mode="user"')).toBe(true);

      writeFileSync(statPath, original.split('\n').filter((l) => !l.startsWith('cpu1 ')).join('\n'));
      const offline = parseExposition(await collector.scrape());
      expect(success(offline, 'cpu')).toBe(1);
      expect([...offline.get('node_cpu_seconds_total')!.series.keys()].some((k) => k.startsWith('cpu="1"'))).toBe(false);

      // cpu0's user time goes back by 1 s (a hypervisor quirk): the last value stays.
      const cpu0User = value(first, 'node_cpu_seconds_total', 'cpu="0",mode="user"')!;
      writeFileSync(statPath, original.replace(/^cpu0 (\d+)/m, (_, user: string) => `cpu0 ${Number(user) - 100}`));
      const back = parseExposition(await collector.scrape());
      expect(value(back, 'node_cpu_seconds_total', 'cpu="0",mode="user"')).toBe(cpu0User);
      expect(back.get('node_cpu_seconds_total')!.series.has('cpu="1",mode="user"')).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a mount that disappears between the mount table and statfs reports device_error 1, the others their sizes', async () => {
    const root = fixtureCopy();
    try {
      mkdirSync(path.join(root, 'rootfs/data'), { recursive: true });
      const mounts = path.join(root, 'proc/1/mounts');
      writeFileSync(mounts, `${readFileSync(mounts, 'latin1')}/dev/vdb /data ext4 ro,relatime 0 0\n/dev/vdc /gone\\040away xfs rw 0 0\n`);
      const { logger } = recordingLogger();
      const { families } = { families: parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['filesystem'] }), logger).scrape()) };
      expect(success(families, 'filesystem')).toBe(1);
      expect(value(families, 'node_filesystem_device_error', 'device="/dev/vdb",fstype="ext4",mountpoint="/data"')).toBe(0);
      expect(value(families, 'node_filesystem_readonly', 'device="/dev/vdb",fstype="ext4",mountpoint="/data"')).toBe(1);
      expect(value(families, 'node_filesystem_size_bytes', 'device="/dev/vdb",fstype="ext4",mountpoint="/data"')).toBeGreaterThan(0);
      expect(value(families, 'node_filesystem_device_error', 'device="/dev/vdc",fstype="xfs",mountpoint="/gone away"')).toBe(1);
      expect(value(families, 'node_filesystem_size_bytes', 'device="/dev/vdc",fstype="xfs",mountpoint="/gone away"')).toBeUndefined();
      // Excluded by Alloy's defaults: /dev, /proc, /sys mounts and pseudo filesystems.
      expect([...families.get('node_filesystem_size_bytes')!.series.keys()].some((k) => k.includes('mountpoint="/proc"'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an unreadable file fails only its collector; an unreadable attribute is left out', async () => {
    const root = fixtureCopy();
    try {
      // A directory where a file should be cannot be read (EISDIR), whoever runs the test (root reads chmod 000 files).
      unlinkSync(path.join(root, 'proc/meminfo'));
      mkdirSync(path.join(root, 'proc/meminfo'));
      unlinkSync(path.join(root, 'sys/class/net/eth0/mtu'));
      mkdirSync(path.join(root, 'sys/class/net/eth0/mtu'));
      const { logger, lines } = recordingLogger();
      const families = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['meminfo', 'netclass', 'loadavg'] }), logger).scrape());
      expect(success(families, 'meminfo')).toBe(0);
      expect(success(families, 'netclass')).toBe(1);
      expect(success(families, 'loadavg')).toBe(1);
      expect(value(families, 'node_network_mtu_bytes', 'device="eth0"')).toBeUndefined();
      expect(value(families, 'node_network_mtu_bytes', 'device="lo"')).toBeGreaterThan(0);
      expect(lines.some((l) => l.level === 'error' && l.line.includes('meminfo'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an empty sysfs and procfs make every collector report failure or nothing, never throw', async () => {
    const root = fixtureCopy();
    try {
      rmSync(path.join(root, 'sys'), { recursive: true });
      rmSync(path.join(root, 'proc'), { recursive: true });
      mkdirSync(path.join(root, 'sys'));
      mkdirSync(path.join(root, 'proc'));
      const { logger } = recordingLogger();
      const families = parseExposition(await new NodeCollector(fixtureArgs(root), logger).scrape());
      expect(success(families, 'hwmon')).toBe(0);
      expect(success(families, 'pressure')).toBe(0);
      expect(success(families, 'conntrack')).toBe(0);
      expect(success(families, 'thermal_zone')).toBe(1);
      expect(success(families, 'cpu')).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('sysfs hardware collectors', () => {
  it('read hwmon, thermal zones, cpufreq, power supplies, EDAC counters, DMI, NVMe and RAPL', async () => {
    const root = fixtureCopy();
    try {
      const put = (file: string, content: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), `${content}\n`);
      };
      put('sys/class/hwmon/hwmon0/name', 'coretemp');
      put('sys/class/hwmon/hwmon0/temp1_input', '45000');
      put('sys/class/hwmon/hwmon0/temp1_label', 'Package id 0');
      put('sys/class/hwmon/hwmon0/temp1_crit_alarm', '0');
      put('sys/class/hwmon/hwmon0/fan2_input', '1200');
      put('sys/class/hwmon/hwmon0/in0_input', '1100');
      put('sys/class/thermal/thermal_zone0/type', 'x86_pkg_temp');
      put('sys/class/thermal/thermal_zone0/temp', '52000');
      put('sys/class/thermal/cooling_device0/type', 'Processor');
      put('sys/class/thermal/cooling_device0/cur_state', '0');
      put('sys/class/thermal/cooling_device0/max_state', '3');
      put('sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq', '2400000');
      put('sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '3500000');
      put('sys/class/power_supply/BAT0/capacity', '87');
      put('sys/class/power_supply/BAT0/status', 'Discharging');
      put('sys/class/power_supply/BAT0/voltage_now', '12100000');
      put('sys/devices/system/edac/mc/mc0/ce_count', '3');
      put('sys/devices/system/edac/mc/mc0/ce_noinfo_count', '1');
      put('sys/devices/system/edac/mc/mc0/ue_count', '0');
      put('sys/devices/system/edac/mc/mc0/ue_noinfo_count', '0');
      put('sys/devices/system/edac/mc/mc0/csrow0/ce_count', '2');
      put('sys/devices/system/edac/mc/mc0/csrow0/ue_count', '0');
      put('sys/class/dmi/id/sys_vendor', 'QEMU');
      put('sys/class/dmi/id/product_name', 'Standard PC (Q35 + ICH9, 2009)');
      put('sys/class/dmi/id/chassis_asset_tag', '');
      put('sys/class/nvme/nvme0/firmware_rev', '1.0');
      put('sys/class/nvme/nvme0/model', 'Example SSD');
      put('sys/class/nvme/nvme0/serial', 'S123');
      put('sys/class/nvme/nvme0/state', 'live');
      put('sys/class/powercap/intel-rapl:0/name', 'package-0');
      put('sys/class/powercap/intel-rapl:0/max_energy_range_uj', '262143328850');
      put('sys/class/powercap/intel-rapl:0/energy_uj', '12345678');
      put('sys/class/powercap/intel-rapl:0:0/name', 'core');
      put('sys/class/powercap/intel-rapl:0:0/energy_uj', '2000000');
      const { logger } = recordingLogger();
      const collectors = ['hwmon', 'thermal_zone', 'cpufreq', 'powersupplyclass', 'edac', 'dmi', 'nvme', 'rapl'];
      const f = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: collectors }), logger).scrape());
      for (const c of collectors) expect(success(f, c), c).toBe(1);
      expect(value(f, 'node_dmi_info', 'chassis_asset_tag="",product_name="Standard PC (Q35 + ICH9, 2009)",system_vendor="QEMU"')).toBe(1);
      expect(value(f, 'node_nvme_info', 'device="nvme0",firmware_revision="1.0",model="Example SSD",serial="S123",state="live"')).toBe(1);
      const powercap = path.join(root, 'sys/class/powercap');
      expect(value(f, 'node_rapl_package_joules_total', `index="0",path=${JSON.stringify(path.join(powercap, 'intel-rapl:0'))}`)).toBe(12.345678);
      expect(value(f, 'node_rapl_core_joules_total', `index="0",path=${JSON.stringify(path.join(powercap, 'intel-rapl:0:0'))}`)).toBe(2);
      expect(f.get('node_rapl_core_joules_total')!.help).toBe('Current RAPL core value in joules');
      expect(value(f, 'node_hwmon_temp_celsius', 'chip="coretemp",sensor="temp1"')).toBe(45);
      expect(f.get('node_hwmon_temp_celsius')!.help).toBe('Hardware monitor for temperature (input)');
      // Only a bare "alarm" element is a status; "crit_alarm" is named like a temperature, as node_exporter names it.
      expect(value(f, 'node_hwmon_temp_crit_alarm_celsius', 'chip="coretemp",sensor="temp1"')).toBe(0);
      expect(f.get('node_hwmon_temp_crit_alarm_celsius')!.help).toBe('Hardware monitor for temperature (crit_alarm)');
      expect(value(f, 'node_hwmon_sensor_label', 'chip="coretemp",label="Package id 0",sensor="temp1"')).toBe(1);
      expect(value(f, 'node_hwmon_fan_rpm', 'chip="coretemp",sensor="fan2"')).toBe(1200);
      expect(value(f, 'node_hwmon_in_volts', 'chip="coretemp",sensor="in0"')).toBe(1.1);
      expect(value(f, 'node_hwmon_chip_names', 'chip="coretemp",chip_name="coretemp"')).toBe(1);
      expect(value(f, 'node_thermal_zone_temp', 'type="x86_pkg_temp",zone="0"')).toBe(52);
      expect(value(f, 'node_cooling_device_max_state', 'name="0",type="Processor"')).toBe(3);
      expect(value(f, 'node_cpu_scaling_frequency_hertz', 'cpu="0"')).toBe(2.4e9);
      expect(value(f, 'node_cpu_frequency_max_hertz', 'cpu="0"')).toBe(3.5e9);
      expect(value(f, 'node_power_supply_capacity', 'power_supply="BAT0"')).toBe(87);
      expect(value(f, 'node_power_supply_voltage_volt', 'power_supply="BAT0"')).toBe(12.1);
      expect(value(f, 'node_power_supply_info', 'power_supply="BAT0",status="Discharging"')).toBe(1);
      expect(value(f, 'node_edac_correctable_errors_total', 'controller="0"')).toBe(3);
      expect(value(f, 'node_edac_csrow_correctable_errors_total', 'controller="0",csrow="unknown"')).toBe(1);
      expect(value(f, 'node_edac_csrow_correctable_errors_total', 'controller="0",csrow="0"')).toBe(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('diskstats', () => {
  it("labels devices from the udev database under udev_data_path and honours Alloy's device filters", async () => {
    const root = fixtureCopy();
    try {
      mkdirSync(path.join(root, 'udev'));
      writeFileSync(
        path.join(root, 'udev/b254:0'),
        'S:disk/by-path/virtio-pci-0000:00:05.0\nE:ID_PATH=virtio-pci-0000:00:05.0\nE:ID_SERIAL_SHORT=ABC123\nE:ID_FS_TYPE=ext4\nE:ID_FS_USAGE=filesystem\nE:ID_FS_UUID=1234-abcd\nE:ID_FS_VERSION=1.0\nE:ID_ATA=1\nE:ID_ATA_ROTATION_RATE_RPM=0\n',
      );
      const { logger } = recordingLogger();
      const f = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['diskstats'] }), logger).scrape());
      expect(value(f, 'node_disk_info', 'device="vda",major="254",minor="0",model="",path="virtio-pci-0000:00:05.0",revision="",serial="ABC123",wwn=""')).toBe(1);
      expect(value(f, 'node_disk_filesystem_info', 'device="vda",type="ext4",usage="filesystem",uuid="1234-abcd",version="1.0"')).toBe(1);
      expect(value(f, 'node_disk_ata_rotation_rate_rpm', 'device="vda"')).toBe(0);
      expect(f.has('node_disk_ata_write_cache')).toBe(false);
      // An include pattern replaces the default exclude pattern, as Alloy maps it.
      const only = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['diskstats'], disk: { device_include: '^zram' } }), logger).scrape());
      expect([...only.get('node_disk_reads_completed_total')!.series.keys()]).toEqual(['device="zram0"']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('mdadm and bonding', () => {
  it('read /proc/mdstat (active, recovering with a failed and a spare disk, inactive) and bonding slaves', async () => {
    const root = fixtureCopy();
    try {
      writeFileSync(
        path.join(root, 'proc/mdstat'),
        [
          'Personalities : [raid1] [raid6] [raid5] [raid4]',
          'md127 : active raid1 sdb1[1] sda1[0]',
          '      1046528 blocks super 1.2 [2/2] [UU]',
          '      bitmap: 0/1 pages [0KB], 65536KB chunk',
          '',
          'md1 : active raid5 sdd1[3] sdc1[1] sde1[2](S) sdf1[4](F)',
          '      2093056 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [UU_]',
          '      [=>...................]  recovery =  8.5% (89088/1046528) finish=1.2min speed=12727K/sec',
          '',
          'md0 : inactive sdg1[0](S)',
          '      1046528 blocks super 1.2',
          '',
          'unused devices: <none>',
          '',
        ].join('\n'),
      );
      const net = path.join(root, 'sys/class/net');
      writeFileSync(path.join(net, 'bonding_masters'), 'bond0\n');
      for (const [dir, status] of [['lower_eth1', 'up'], ['slave_eth2', 'down']]) {
        mkdirSync(path.join(net, 'bond0', dir, 'bonding_slave'), { recursive: true });
        writeFileSync(path.join(net, 'bond0', dir, 'bonding_slave/mii_status'), `${status}\n`);
      }
      mkdirSync(path.join(net, 'bond0/bonding'), { recursive: true });
      writeFileSync(path.join(net, 'bond0/bonding/slaves'), 'eth1 eth2\n');
      const { logger } = recordingLogger();
      const f = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['mdadm', 'bonding'] }), logger).scrape());
      expect(success(f, 'mdadm')).toBe(1);
      expect(success(f, 'bonding')).toBe(1);
      const md = (name: string, key: string) => value(f, name, key);
      expect(md('node_md_disks_required', 'device="md127"')).toBe(2);
      expect(md('node_md_state', 'device="md127",state="active"')).toBe(1);
      expect(md('node_md_blocks_synced', 'device="md127"')).toBe(1046528);
      expect(md('node_md_state', 'device="md1",state="recovering"')).toBe(1);
      expect(md('node_md_state', 'device="md1",state="active"')).toBe(0);
      expect(md('node_md_disks', 'device="md1",state="active"')).toBe(2);
      expect(md('node_md_disks', 'device="md1",state="failed"')).toBe(1);
      expect(md('node_md_disks', 'device="md1",state="spare"')).toBe(1);
      expect(md('node_md_blocks', 'device="md1"')).toBe(2093056);
      expect(md('node_md_blocks_synced', 'device="md1"')).toBe(89088);
      expect(md('node_md_state', 'device="md0",state="inactive"')).toBe(1);
      expect(md('node_md_disks_required', 'device="md0"')).toBe(0);
      expect(value(f, 'node_bonding_slaves', 'master="bond0"')).toBe(2);
      expect(value(f, 'node_bonding_active', 'master="bond0"')).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('nfs', () => {
  it('reads NFS client statistics, every procedure of v2, v3 and v4', async () => {
    const root = fixtureCopy();
    try {
      mkdirSync(path.join(root, 'proc/net/rpc'), { recursive: true });
      const v3 = Array.from({ length: 22 }, (_, i) => i * 10);
      writeFileSync(
        path.join(root, 'proc/net/rpc/nfs'),
        `net 18628 0 18628 6\nrpc 4329785 7 4338291\nproc2 18 2 69 0 0 4410 0 0 0 0 0 0 0 0 0 0 0 99 2\nproc3 22 ${v3.join(' ')}\nproc4 3 1 2 3\n`,
      );
      const { logger } = recordingLogger();
      const f = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['nfs'] }), logger).scrape());
      expect(success(f, 'nfs')).toBe(1);
      expect(value(f, 'node_nfs_packets_total', 'protocol="tcp"')).toBe(18628);
      expect(value(f, 'node_nfs_connections_total')).toBe(6);
      expect(value(f, 'node_nfs_rpc_retransmissions_total')).toBe(7);
      expect(value(f, 'node_nfs_requests_total', 'method="Lookup",proto="2"')).toBe(4410);
      expect(value(f, 'node_nfs_requests_total', 'method="Commit",proto="3"')).toBe(210);
      expect(value(f, 'node_nfs_requests_total', 'method="Read",proto="4"')).toBe(2);
      expect(value(f, 'node_nfs_requests_total', 'method="Clone",proto="4"')).toBe(0);
      expect(f.get('node_nfs_requests_total')!.series.size).toBe(18 + 22 + 59);
      writeFileSync(path.join(root, 'proc/net/rpc/nfs'), 'proc3 5 1 2\n');
      const broken = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['nfs'] }), logger).scrape());
      expect(success(broken, 'nfs')).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('textfile collector', () => {
  it('exposes the metrics of *.prom files with their mtimes, and flags a broken file', async () => {
    const root = fixtureCopy();
    try {
      const dir = path.join(root, 'textfile');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'good.prom'), '# HELP backup_age_seconds Age of the last backup.\n# TYPE backup_age_seconds gauge\nbackup_age_seconds{job="db"} 3600\nbackup_age_seconds{job="files",host="a"} 60\nraid_ok 1\n');
      writeFileSync(path.join(dir, 'bad.prom'), 'this is { not metrics\n');
      writeFileSync(path.join(dir, 'ignored.txt'), 'x 1\n');
      const { logger } = recordingLogger();
      const f = parseExposition(await new NodeCollector(fixtureArgs(root, { set_collectors: ['textfile'], textfile: { directory: dir } }), logger).scrape());
      expect(success(f, 'textfile')).toBe(1);
      expect(value(f, 'node_textfile_scrape_error')).toBe(1);
      expect(value(f, 'backup_age_seconds', 'host="",job="db"')).toBe(3600);
      expect(value(f, 'backup_age_seconds', 'host="a",job="files"')).toBe(60);
      expect(f.get('backup_age_seconds')!.type).toBe('gauge');
      expect(f.get('raid_ok')!.help).toBe(`Metric read from ${path.join(dir, 'good.prom')}`);
      expect(value(f, 'node_textfile_mtime_seconds', `file=${JSON.stringify(path.join(dir, 'good.prom'))}`)).toBeGreaterThan(1e9);
      expect(value(f, 'node_textfile_mtime_seconds', `file=${JSON.stringify(path.join(dir, 'bad.prom'))}`)).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('with no directory configured (Alloy default) reports no error', async () => {
    const { logger } = recordingLogger();
    const f = parseExposition(await new NodeCollector(fixtureArgs(FIXTURE, { set_collectors: ['textfile'] }), logger).scrape());
    expect(value(f, 'node_textfile_scrape_error')).toBe(0);
  });
});

/** The collector a node_exporter family comes from, for the families compared here. */
function collectorOf(name: string): string | undefined {
  const prefixes: [RegExp, string][] = [
    [/^node_cpu_/, 'cpu'], [/^node_disk_/, 'diskstats'], [/^node_memory_/, 'meminfo'], [/^node_vmstat_/, 'vmstat'], [/^node_netstat_/, 'netstat'],
    [/^node_sockstat_/, 'sockstat'], [/^node_softnet_/, 'softnet'], [/^node_arp_/, 'arp'], [/^node_udp_queues$/, 'udp_queues'], [/^node_nf_conntrack_/, 'conntrack'],
    [/^node_entropy_/, 'entropy'], [/^node_filefd_/, 'filefd'], [/^node_load/, 'loadavg'], [/^node_pressure_/, 'pressure'], [/^node_os_/, 'os'],
    [/^node_(intr_total|context_switches_total|forks_total|boot_time_seconds|procs_running|procs_blocked)$/, 'stat'],
    [/^node_network_(receive|transmit)_(?!queue)/, 'netdev'], [/^node_network_/, 'netclass'],
  ];
  return prefixes.find(([re]) => re.test(name))?.[1];
}
