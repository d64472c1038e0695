/**
 * The cpu collector (prometheus/node_exporter collector/cpu_linux.go,
 * cpu_common.go at v1.5.0): per-CPU time by mode from /proc/stat, guest time,
 * /proc/cpuinfo info series when asked, isolated CPUs and thermal throttle
 * counts from sysfs.
 */
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { fields, lines, listDir, readAttribute, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** USER_HZ: /proc/stat counts in 1/100 s (prometheus/procfs stat.go). */
const USER_HZ = 100;
/** An idle counter this far below the last one means the CPU's counters were reset (cpu_linux.go jumpBackSeconds). */
const JUMP_BACK_SECONDS = 3;
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
/** Column of each mode in a `cpuN` line (after the name), and guest/guest_nice. */
const COLUMN: Record<(typeof MODES)[number], number> = { user: 0, nice: 1, system: 2, idle: 3, iowait: 4, irq: 5, softirq: 6, steal: 7 };
const GUEST = 8;
const GUEST_NICE = 9;

export interface CpuSettings {
  readonly guest: boolean;
  readonly info: boolean;
  readonly flags_include: string;
  readonly bugs_include: string;
}

/** One CPU's line of /proc/stat, in seconds: the 8 modes then guest, guest_nice. */
type CpuTimes = Float64Array;

export class CpuCollector implements Collector {
  /** Last values shown per CPU id, so that counters never go backwards (cpu_linux.go updateCPUStats). */
  private readonly last = new Map<string, CpuTimes>();
  private readonly flagsInclude: Re2Regexp | undefined;
  private readonly bugsInclude: Re2Regexp | undefined;
  private readonly info: boolean;

  constructor(
    private readonly env: CollectorEnv,
    private readonly settings: CpuSettings,
  ) {
    this.flagsInclude = settings.flags_include ? Re2Regexp.compile(settings.flags_include) : undefined;
    this.bugsInclude = settings.bugs_include ? Re2Regexp.compile(settings.bugs_include) : undefined;
    // Setting a flags or bugs filter turns the info series on (cpu_linux.go NewCPUCollector).
    this.info = settings.info || this.flagsInclude !== undefined || this.bugsInclude !== undefined;
  }

  async update(out: Exposition): Promise<void> {
    if (this.info) await this.updateInfo(out);
    await this.updateStat(out);
    await this.updateIsolated(out);
    await this.updateThermalThrottle(out);
  }

  private async updateStat(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('stat'));
    const seconds = out.family('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.', ['cpu', 'mode']);
    const guest = this.settings.guest ? out.family('node_cpu_guest_seconds_total', 'counter', 'Seconds the CPUs spent in guests (VMs) for each mode.', ['cpu', 'mode']) : undefined;
    const seen = new Set<string>();
    for (const line of lines(text)) {
      if (!line.startsWith('cpu') || line.startsWith('cpu ')) continue;
      const parts = fields(line);
      const id = parts[0]!.slice(3);
      seen.add(id);
      const times = this.monotonic(id, parseCpuLine(parts));
      for (const mode of MODES) seconds.add(times[COLUMN[mode]], id, mode);
      guest?.add(times[GUEST], id, 'user');
      guest?.add(times[GUEST_NICE], id, 'nice');
    }
    // A CPU that went offline has no line: its series go, and it starts afresh when it comes back.
    for (const id of this.last.keys()) if (!seen.has(id)) this.last.delete(id);
  }

  /** The values to show: each counter keeps its last value when the kernel's went backwards. */
  private monotonic(id: string, now: CpuTimes): CpuTimes {
    const last = this.last.get(id);
    if (!last || last[COLUMN.idle]! - now[COLUMN.idle]! >= JUMP_BACK_SECONDS) {
      this.last.set(id, now);
      return now;
    }
    for (let i = 0; i < now.length; i++) if (now[i]! >= last[i]!) last[i] = now[i]!;
    return last;
  }

  private async updateInfo(out: Exposition): Promise<void> {
    const text = await readText(this.env.paths.proc('cpuinfo'));
    const info = out.family('node_cpu_info', 'gauge', 'CPU information from /proc/cpuinfo.', [
      'package', 'core', 'cpu', 'vendor', 'family', 'model', 'model_name', 'microcode', 'stepping', 'cachesize',
    ]);
    const cpus = parseCpuInfo(text);
    for (const c of cpus) {
      info.add(1, c['physical id'] ?? '', c['core id'] ?? '', c['processor'] ?? '', c['vendor_id'] ?? '', c['cpu family'] ?? '', c['model'] ?? '',
        c['model name'] ?? '', c['microcode'] ?? '', c['stepping'] ?? '', c['cache size'] ?? '');
    }
    const first = cpus[0];
    if (!first) return;
    if (this.flagsInclude) {
      const f = out.family('node_cpu_flag_info', 'gauge', 'The `flags` field of CPU information from /proc/cpuinfo taken from the first core.', ['flag']);
      for (const flag of fields(first['flags'] ?? '')) if (this.flagsInclude.test(flag)) f.add(1, flag);
    }
    if (this.bugsInclude) {
      const f = out.family('node_cpu_bug_info', 'gauge', 'The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.', ['bug']);
      for (const bug of fields(first['bugs'] ?? '')) if (this.bugsInclude.test(bug)) f.add(1, bug);
    }
  }

  private async updateIsolated(out: Exposition): Promise<void> {
    const text = await readAttribute(this.env.paths.sys('devices/system/cpu/isolated'));
    if (!text) return;
    const f = out.family('node_cpu_isolated', 'gauge', 'Whether each core is isolated, information from /sys/devices/system/cpu/isolated.', ['cpu']);
    for (const cpu of parseCpuRanges(text)) f.add(1, String(cpu));
  }

  private async updateThermalThrottle(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('devices/system/cpu');
    const cpus = await cpuDirectories(root);
    const packageThrottles = new Map<string, number>();
    const coreThrottles = new Map<string, number>();
    for (const cpu of cpus) {
      const pkg = await readAttribute(`${root}/${cpu}/topology/physical_package_id`);
      const core = await readAttribute(`${root}/${cpu}/topology/core_id`);
      if (pkg === undefined || core === undefined) continue;
      const key = `${pkg}\u0000${core}`;
      if (!coreThrottles.has(key)) {
        const n = await readAttribute(`${root}/${cpu}/thermal_throttle/core_throttle_count`);
        if (n !== undefined) coreThrottles.set(key, Number(n));
      }
      if (!packageThrottles.has(pkg)) {
        const n = await readAttribute(`${root}/${cpu}/thermal_throttle/package_throttle_count`);
        if (n !== undefined) packageThrottles.set(pkg, Number(n));
      }
    }
    if (packageThrottles.size > 0) {
      const f = out.family('node_cpu_package_throttles_total', 'counter', 'Number of times this CPU package has been throttled.', ['package']);
      for (const [pkg, n] of packageThrottles) f.add(n, pkg);
    }
    if (coreThrottles.size > 0) {
      const f = out.family('node_cpu_core_throttles_total', 'counter', 'Number of times this CPU core has been throttled.', ['package', 'core']);
      for (const [key, n] of coreThrottles) f.add(n, ...(key.split('\u0000') as [string, string]));
    }
  }
}

/** A `cpuN` line's columns in seconds; columns an old kernel lacks read as 0 (procfs does the same). */
function parseCpuLine(parts: readonly string[]): CpuTimes {
  const times = new Float64Array(10);
  for (let i = 0; i < 10; i++) {
    const v = Number(parts[i + 1] ?? 0);
    times[i] = Number.isFinite(v) ? v / USER_HZ : 0;
  }
  return times;
}

/** /proc/cpuinfo as one key → value record per processor. */
export function parseCpuInfo(text: string): Record<string, string>[] {
  const cpus: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') cpus.push((current = {}));
    if (current) current[key] = value;
  }
  return cpus;
}

/** A kernel CPU list ("0-3,8,10-11") as CPU numbers. */
export function parseCpuRanges(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Error(`invalid CPU list ${JSON.stringify(text.trim())}`);
    for (let c = from; c <= to; c++) out.push(c);
  }
  return out;
}

/** The cpuN entries of /sys/devices/system/cpu (filepath.Glob "cpu[0-9]*"). */
export async function cpuDirectories(root: string): Promise<string[]> {
  return ((await listDir(root)) ?? []).filter((n) => /^cpu[0-9]/.test(n));
}
