/**
 * The diskstats collector (prometheus/node_exporter v1.5.0
 * collector/diskstats_linux.go, diskstats_common.go): /proc/diskstats per
 * block device, with the udev database's properties for node_disk_info and
 * the filesystem / device-mapper / ATA info series.
 */
import { fields, lines, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';
import { DeviceFilter } from './network.js';

/** Sectors are 512 bytes and times are milliseconds in /proc/diskstats, whatever the device. */
const SECTOR_BYTES = 512;
const SECONDS_PER_TICK = 1 / 1000;

/** The 17 columns after major, minor and name, in order, and how each is scaled; older kernels have fewer. */
const COLUMNS: readonly (readonly [name: string, type: 'counter' | 'gauge', help: string, scale: number])[] = [
  ['reads_completed_total', 'counter', 'The total number of reads completed successfully.', 1],
  ['reads_merged_total', 'counter', 'The total number of reads merged.', 1],
  ['read_bytes_total', 'counter', 'The total number of bytes read successfully.', SECTOR_BYTES],
  ['read_time_seconds_total', 'counter', 'The total number of seconds spent by all reads.', SECONDS_PER_TICK],
  ['writes_completed_total', 'counter', 'The total number of writes completed successfully.', 1],
  ['writes_merged_total', 'counter', 'The number of writes merged.', 1],
  ['written_bytes_total', 'counter', 'The total number of bytes written successfully.', SECTOR_BYTES],
  ['write_time_seconds_total', 'counter', 'This is the total number of seconds spent by all writes.', SECONDS_PER_TICK],
  ['io_now', 'gauge', 'The number of I/Os currently in progress.', 1],
  ['io_time_seconds_total', 'counter', 'Total seconds spent doing I/Os.', SECONDS_PER_TICK],
  ['io_time_weighted_seconds_total', 'counter', 'The weighted # of seconds spent doing I/Os.', SECONDS_PER_TICK],
  ['discards_completed_total', 'counter', 'The total number of discards completed successfully.', 1],
  ['discards_merged_total', 'counter', 'The total number of discards merged.', 1],
  ['discarded_sectors_total', 'counter', 'The total number of sectors discarded successfully.', 1],
  ['discard_time_seconds_total', 'counter', 'This is the total number of seconds spent by all discards.', SECONDS_PER_TICK],
  ['flush_requests_total', 'counter', 'The total number of flush requests completed successfully', 1],
  ['flush_requests_time_seconds_total', 'counter', 'This is the total number of seconds spent by all flush requests.', SECONDS_PER_TICK],
];

const ATA_ATTRIBUTES: readonly (readonly [property: string, name: string, help: string])[] = [
  ['ID_ATA_WRITE_CACHE', 'ata_write_cache', 'ATA disk has a write cache.'],
  ['ID_ATA_WRITE_CACHE_ENABLED', 'ata_write_cache_enabled', 'ATA disk has its write cache enabled.'],
  ['ID_ATA_ROTATION_RATE_RPM', 'ata_rotation_rate_rpm', 'ATA disk rotation rate in RPMs (0 for SSDs).'],
];

export class DiskstatsCollector implements Collector {
  constructor(
    private readonly env: CollectorEnv,
    private readonly filter: DeviceFilter,
  ) {}

  async update(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('diskstats')).catch((err: Error) => Promise.reject(new Error(`couldn't get diskstats: ${err.message}`)));
    const families = COLUMNS.map(([name, type, help]) => out.family(`node_disk_${name}`, type, help, ['device']));
    const info = out.family('node_disk_info', 'gauge', 'Info of /sys/block/<block_device>.', ['device', 'major', 'minor', 'path', 'wwn', 'model', 'serial', 'revision']);
    for (const line of lines(text)) {
      const parts = fields(line);
      if (parts.length < 4) continue;
      const [major, minor, device] = parts as [string, string, string];
      if (this.filter.ignored(device)) continue;
      const udev = await this.udevProperties(major, minor);
      const p = (k: string) => udev.get(k) ?? '';
      info.add(1, device, major, minor, p('ID_PATH'), p('ID_WWN'), p('ID_MODEL'), p('ID_SERIAL_SHORT'), p('ID_REVISION'));
      const values = parts.slice(3);
      for (let i = 0; i < COLUMNS.length && i < values.length; i++) families[i]!.add(Number(values[i]) * COLUMNS[i]![3], device);
      this.addUdevInfo(out, device, udev);
    }
  }

  private addUdevInfo(out: Exposition, device: string, udev: Map<string, string>): void {
    const p = (k: string) => udev.get(k) ?? '';
    if (p('ID_FS_TYPE')) {
      out.family('node_disk_filesystem_info', 'gauge', 'Info about disk filesystem.', ['device', 'type', 'usage', 'uuid', 'version'])
        .add(1, device, p('ID_FS_TYPE'), p('ID_FS_USAGE'), p('ID_FS_UUID'), p('ID_FS_VERSION'));
    }
    if (p('DM_NAME')) {
      out.family('node_disk_device_mapper_info', 'gauge', 'Info about disk device mapper.', ['device', 'name', 'uuid', 'vg_name', 'lv_name', 'lv_layer'])
        .add(1, device, p('DM_NAME'), p('DM_UUID'), p('DM_VG_NAME'), p('DM_LV_NAME'), p('DM_LV_LAYER'));
    }
    if (p('ID_ATA')) {
      for (const [property, name, help] of ATA_ATTRIBUTES) {
        const raw = udev.get(property);
        const value = raw === undefined ? NaN : Number(raw);
        if (!Number.isNaN(value)) out.family(`node_disk_${name}`, 'gauge', help, ['device']).add(value, device);
      }
    }
  }

  /** The `E:` properties of the udev database entry b<major>:<minor>; empty when there is none. */
  private async udevProperties(major: string, minor: string): Promise<Map<string, string>> {
    const props = new Map<string, string>();
    let text: string;
    try {
      text = await readText(this.env.paths.udevData(`b${major}:${minor}`));
    } catch {
      return props;
    }
    for (const line of lines(text)) {
      if (!line.startsWith('E:')) continue;
      const eq = line.indexOf('=');
      if (eq > 0) props.set(line.slice(2, eq), line.slice(eq + 1));
    }
    return props;
  }
}
