/**
 * The netclass collector (prometheus/node_exporter v1.5.0
 * collector/netclass_linux.go, with prometheus/procfs sysfs/net_class.go):
 * each interface's attributes under /sys/class/net/<iface>. An attribute the
 * driver refuses to give (`speed` or `carrier` of a link that is down, ...)
 * is left out, as procfs leaves it nil.
 */
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { isDirectory, listDir, NoDataError, readAttribute, readNumberAttribute, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** Numeric attributes: metric name, sysfs file, type; in node_exporter's order. */
const NUMERIC: readonly (readonly [name: string, file: string, type: 'gauge' | 'counter'])[] = [
  ['address_assign_type', 'addr_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes_total', 'carrier_changes', 'counter'],
  ['carrier_up_changes_total', 'carrier_up_count', 'counter'],
  ['carrier_down_changes_total', 'carrier_down_count', 'counter'],
  ['device_id', 'dev_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['iface_id', 'ifindex', 'gauge'],
  ['iface_link', 'iflink', 'gauge'],
  ['iface_link_mode', 'link_mode', 'gauge'],
  ['mtu_bytes', 'mtu', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['net_dev_group', 'netdev_group', 'gauge'],
  ['transmit_queue_length', 'tx_queue_len', 'gauge'],
  ['protocol_type', 'type', 'gauge'],
];

export interface NetclassSettings {
  readonly ignored_devices: string;
  readonly ignore_invalid_speed_device: boolean;
}

export class NetclassCollector implements Collector {
  private readonly ignored: Re2Regexp;

  constructor(
    private readonly env: CollectorEnv,
    private readonly settings: NetclassSettings,
  ) {
    this.ignored = Re2Regexp.compile(settings.ignored_devices);
  }

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/net');
    const names = await listDir(root);
    if (names === undefined) throw new NoDataError('could not read netclass directory');
    const up = out.family('node_network_up', 'gauge', "Value is 1 if operstate is 'up', 0 otherwise.", ['device']);
    const info = out.family('node_network_info', 'gauge', 'Non-numeric data from /sys/class/net/<iface>, value is always 1.', ['device', 'address', 'broadcast', 'duplex', 'operstate', 'ifalias']);
    const numeric = NUMERIC.map(([name, , type]) => out.family(`node_network_${name}`, type, `Network device property: ${name}`, ['device']));
    const speed = out.family('node_network_speed_bytes', 'gauge', 'Network device property: speed_bytes', ['device']);
    for (const device of names) {
      if (this.ignored.test(device)) continue;
      const dir = `${root}/${device}`;
      if (!(await isDirectory(dir))) continue; // bonding_masters and other plain files
      const text = (file: string) => readAttribute(`${dir}/${file}`);
      const operstate = (await text('operstate')) ?? '';
      up.add(operstate === 'up' ? 1 : 0, device);
      info.add(1, device, (await text('address')) ?? '', (await text('broadcast')) ?? '', (await text('duplex')) ?? '', operstate, (await text('ifalias')) ?? '');
      for (const [i, [, file]] of NUMERIC.entries()) numeric[i]!.add(await readNumberAttribute(`${dir}/${file}`), device);
      const mbps = await readNumberAttribute(`${dir}/speed`);
      // Some drivers report -1 for an unknown speed (netclass_linux.go).
      if (mbps !== undefined && (mbps >= 0 || !this.settings.ignore_invalid_speed_device)) speed.add(Math.trunc((mbps * 1000 * 1000) / 8), device);
    }
  }
}

