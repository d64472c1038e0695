/**
 * Hardware description and energy collectors (prometheus/node_exporter
 * v1.5.0 collector/dmi.go, nvme_linux.go, rapl_linux.go, with prometheus/procfs
 * v0.8.0 sysfs/class_dmi.go, class_nvme.go, class_powercap.go).
 */
import { join } from 'node:path';
import { isAbsent, listDir, NoDataError, readAttribute, readText, type Collector, type CollectorEnv } from './collector.js';
import { addLabelled, type Exposition } from './exposition.js';

/** /sys/class/dmi/id files and their labels (sys_vendor is system_vendor). */
const DMI_FILES: readonly (readonly [file: string, label: string])[] = [
  ['bios_date', 'bios_date'], ['bios_release', 'bios_release'], ['bios_vendor', 'bios_vendor'], ['bios_version', 'bios_version'],
  ['board_asset_tag', 'board_asset_tag'], ['board_name', 'board_name'], ['board_serial', 'board_serial'], ['board_vendor', 'board_vendor'],
  ['board_version', 'board_version'], ['chassis_asset_tag', 'chassis_asset_tag'], ['chassis_serial', 'chassis_serial'],
  ['chassis_vendor', 'chassis_vendor'], ['chassis_version', 'chassis_version'], ['product_family', 'product_family'],
  ['product_name', 'product_name'], ['product_serial', 'product_serial'], ['product_sku', 'product_sku'], ['product_uuid', 'product_uuid'],
  ['product_version', 'product_version'], ['sys_vendor', 'system_vendor'],
];

/** dmi: one info series of the DMI strings the firmware provides, read once as node_exporter does at start. */
export class DmiCollector implements Collector {
  private pairs: [string, string][] | undefined;

  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    this.pairs ??= await this.read();
    if (this.pairs.length === 0) throw new NoDataError('platform does not support DMI information');
    addLabelled(
      out.family(
        'node_dmi_info',
        'gauge',
        "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, product_version, system_vendor if provided by DMI.",
      ),
      1,
      this.pairs,
    );
  }

  private async read(): Promise<[string, string][]> {
    const dir = this.env.paths.sys('class/dmi/id');
    const present = new Set((await listDir(dir)) ?? []);
    const pairs: [string, string][] = [];
    for (const [file, label] of DMI_FILES) {
      if (!present.has(file)) continue;
      // Serial numbers and UUIDs are readable by root only: left out otherwise, as procfs does.
      const value = await readAttribute(join(dir, file));
      if (value !== undefined) pairs.push([label, value]);
    }
    return pairs;
  }
}

/** nvme: an info series per NVMe controller. */
export class NvmeCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/nvme');
    const devices = await listDir(root);
    if (devices === undefined) throw new NoDataError('nvme statistics not found');
    const info = out.family('node_nvme_info', 'gauge', 'Non-numeric data from /sys/class/nvme/<device>, value is always 1.', ['device', 'firmware_revision', 'model', 'serial', 'state']);
    for (const device of devices) {
      const attr = async (f: string) => (await readText(join(root, device, f))).trim();
      info.add(1, device, await attr('firmware_rev'), await attr('model'), await attr('serial'), await attr('state'));
    }
  }
}

/** rapl: energy counters of the powercap zones, named after each zone (procfs GetRaplZones). */
export class RaplCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/powercap');
    const entries = await listDir(root);
    if (entries === undefined) throw new NoDataError("platform doesn't have powercap files present");
    const uses = new Map<string, number>();
    for (const entry of entries) {
      const path = join(root, entry);
      const rawName = await readAttribute(join(path, 'name'));
      if (rawName === undefined) continue;
      const { index, name } = indexAndName(uses, rawName);
      uses.set(name, index + 1);
      let microjoules: string;
      try {
        microjoules = (await readText(join(path, 'energy_uj'))).trim();
      } catch (err) {
        // Since Linux 5.10 energy_uj is readable by root only.
        if (isAbsent(err)) throw new NoDataError("can't access energy_uj file");
        throw err;
      }
      const metric = `node_rapl_${name.replace(/_*[^0-9A-Za-z_]+_*/g, '_')}_joules_total`;
      out.family(metric, 'counter', `Current RAPL ${name} value in joules`, ['index', 'path']).add(Number(microjoules) / 1e6, String(index), path);
    }
  }
}

/** "package-0" is package, index 0; a name without a numeric suffix counts its uses. */
function indexAndName(uses: ReadonlyMap<string, number>, name: string): { index: number; name: string } {
  const parts = name.split('-');
  if (parts.length === 2 && /^[+-]?\d+$/.test(parts[1]!)) return { index: Number(parts[1]), name: parts[0]! };
  return { index: uses.get(name) ?? 0, name };
}
