/**
 * The mdadm collector (prometheus/node_exporter v1.5.0
 * collector/mdadm_linux.go, /proc/mdstat parsed as prometheus/procfs v0.8.0
 * mdstat.go does) and the bonding collector (collector/bonding_linux.go).
 */
import { join } from 'node:path';
import { fields, isAbsent, NoDataError, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

export interface MdStat {
  readonly name: string;
  readonly state: string;
  readonly active: number;
  readonly total: number;
  readonly failed: number;
  readonly spare: number;
  readonly blocks: number;
  readonly synced: number;
}

/** md_state series: the activity state each reports, and its `state` label. */
const MD_STATES: readonly (readonly [activity: string, label: string])[] = [
  ['active', 'active'], ['inactive', 'inactive'], ['recovering', 'recovering'], ['resyncing', 'resync'], ['checking', 'check'],
];

export class MdadmCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    let text: string;
    try {
      text = await readText(this.env.paths.proc('mdstat'));
    } catch (err) {
      if (isAbsent(err)) throw new NoDataError('no mdstat file');
      throw err;
    }
    const stats = parseMdstat(text);
    const disksRequired = out.family('node_md_disks_required', 'gauge', 'Total number of disks of device.', ['device']);
    const disks = out.family('node_md_disks', 'gauge', 'Number of active/failed/spare disks of device.', ['device', 'state']);
    const state = out.family('node_md_state', 'gauge', 'Indicates the state of md-device.', ['device', 'state']);
    const blocks = out.family('node_md_blocks', 'gauge', 'Total number of blocks on device.', ['device']);
    const synced = out.family('node_md_blocks_synced', 'gauge', 'Number of blocks synced on device.', ['device']);
    for (const md of stats) {
      disksRequired.add(md.total, md.name);
      disks.add(md.active, md.name, 'active');
      disks.add(md.failed, md.name, 'failed');
      disks.add(md.spare, md.name, 'spare');
      for (const [activity, label] of MD_STATES) state.add(md.state === activity ? 1 : 0, md.name, label);
      blocks.add(md.blocks, md.name);
      synced.add(md.synced, md.name);
    }
  }
}

const STATUS_LINE = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/;
const RECOVERY_BLOCKS = /\((\d+)\/\d+\)/;

export function parseMdstat(text: string): MdStat[] {
  const all = text.split('\n');
  const out: MdStat[] = [];
  all.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith(' ') || line.startsWith('Personalities') || line.startsWith('unused')) return;
    const device = fields(line);
    if (device.length < 3) throw new Error(`not enough fields in mdline (expected at least 3): ${line}`);
    const name = device[0]!;
    let state = device[2]!;
    if (all.length <= i + 3) throw new Error(`error parsing ${JSON.stringify(name)}: too few lines for md device`);
    const { active, total, blocks } = statusOf(line, all[i + 1]!);
    const syncLine = all[i + 2]!.includes('bitmap') ? all[i + 3]! : all[i + 2]!;
    let synced = blocks;
    const recovering = syncLine.includes('recovery');
    const resyncing = syncLine.includes('resync');
    const checking = syncLine.includes('check');
    if (recovering || resyncing || checking) {
      state = recovering ? 'recovering' : checking ? 'checking' : 'resyncing';
      if (syncLine.includes('PENDING') || syncLine.includes('DELAYED')) synced = 0;
      else {
        const m = RECOVERY_BLOCKS.exec(syncLine);
        if (!m) throw new Error(`error parsing sync line in md device ${JSON.stringify(name)}: unexpected recoveryLine: ${syncLine}`);
        synced = Number(m[1]);
      }
    }
    out.push({ name, state, active, total, failed: count(line, '(F)'), spare: count(line, '(S)'), blocks, synced });
  });
  return out;
}

function statusOf(deviceLine: string, statusLine: string): { active: number; total: number; blocks: number } {
  const blocks = Number(fields(statusLine)[0]);
  if (!Number.isInteger(blocks)) throw new Error(`unexpected statusLine ${JSON.stringify(statusLine)}`);
  if (deviceLine.includes('raid0') || deviceLine.includes('linear')) {
    const total = count(deviceLine, '[');
    return { active: total, total, blocks };
  }
  if (deviceLine.includes('inactive')) return { active: 0, total: 0, blocks };
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new Error(`couldn't find all the substring matches: ${statusLine}`);
  return { active: Number(m[3]), total: Number(m[2]), blocks };
}

function count(s: string, needle: string): number {
  return s.split(needle).length - 1;
}

export class BondingCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/net');
    let masters: string;
    try {
      masters = await readText(join(root, 'bonding_masters'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NoDataError('no bonding_masters file');
      throw err;
    }
    const slavesFamily = out.family('node_bonding_slaves', 'gauge', 'Number of configured slaves per bonding interface.', ['master']);
    const activeFamily = out.family('node_bonding_active', 'gauge', 'Number of active slaves per bonding interface.', ['master']);
    for (const master of fields(masters)) {
      let slaves = 0;
      let active = 0;
      for (const slave of fields(await readText(join(root, master, 'bonding/slaves')))) {
        const status = await readText(join(root, master, `lower_${slave}`, 'bonding_slave/mii_status')).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return readText(join(root, master, `slave_${slave}`, 'bonding_slave/mii_status'));
          throw err;
        });
        slaves++;
        if (status.trim() === 'up') active++;
      }
      slavesFamily.add(slaves, master);
      activeFamily.add(active, master);
    }
  }
}
