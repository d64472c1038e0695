/**
 * Collectors that read one or two /proc files each (prometheus/node_exporter
 * v1.5.0 collector/stat_linux.go, loadavg*.go, meminfo*.go, vmstat_linux.go,
 * pressure_linux.go, schedstat_linux.go, entropy_linux.go, filefd_linux.go).
 */
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { fields, isAbsent, lines, NoDataError, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** stat: boot time, context switches, forks, interrupts, runnable and blocked processes. */
export class StatCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const values = new Map<string, number>();
    for (const line of lines(await readText(this.env.paths.proc('stat')))) {
      const parts = fields(line);
      if (parts.length >= 2 && !parts[0]!.startsWith('cpu')) values.set(parts[0]!, Number(parts[1]));
    }
    out.single('node_intr_total', 'counter', 'Total number of interrupts serviced.', values.get('intr'));
    out.single('node_context_switches_total', 'counter', 'Total number of context switches.', values.get('ctxt'));
    out.single('node_forks_total', 'counter', 'Total number of forks.', values.get('processes'));
    out.single('node_boot_time_seconds', 'gauge', 'Node boot time, in unixtime.', values.get('btime'));
    out.single('node_procs_running', 'gauge', 'Number of processes in runnable state.', values.get('procs_running'));
    out.single('node_procs_blocked', 'gauge', 'Number of processes blocked waiting for I/O to complete.', values.get('procs_blocked'));
  }
}

export class LoadavgCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const path = this.env.paths.proc('loadavg');
    const parts = fields(await readText(path));
    if (parts.length < 3) throw new Error(`unexpected content in ${path}`);
    const [l1, l5, l15] = parts.slice(0, 3).map((p) => {
      const v = Number(p);
      if (!Number.isFinite(v)) throw new Error(`could not parse load '${p}'`);
      return v;
    });
    out.single('node_load1', 'gauge', '1m load average.', l1);
    out.single('node_load5', 'gauge', '5m load average.', l5);
    out.single('node_load15', 'gauge', '15m load average.', l15);
  }
}

/** meminfo: every /proc/meminfo field; "(x)" becomes "_x", kB fields get "_bytes" and are scaled. */
export class MeminfoCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    for (const [key, value] of parseMeminfo(await readText(this.env.paths.proc('meminfo')))) {
      const type = key.endsWith('_total') ? 'counter' : 'gauge';
      out.single(`node_memory_${key}`, type, `Memory information field ${key}.`, value);
    }
  }
}

export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines(text)) {
    const parts = fields(line);
    if (parts.length === 0) continue;
    const value = Number(parts[1]);
    if (parts[1] === undefined || !Number.isFinite(value)) throw new Error(`invalid value in meminfo: ${JSON.stringify(line)}`);
    let key = parts[0]!.slice(0, -1).replace(/\((.*)\)/, '_$1');
    if (parts.length === 3) out.set((key += '_bytes'), value * 1024);
    else if (parts.length === 2) out.set(key, value);
    else throw new Error(`invalid line in meminfo: ${line}`);
  }
  return out;
}

export class VmstatCollector implements Collector {
  private readonly fields: Re2Regexp;

  constructor(
    private readonly env: CollectorEnv,
    pattern: string,
  ) {
    this.fields = Re2Regexp.compile(pattern);
  }

  async update(out: Exposition): Promise<void> {
    for (const line of lines(await readText(this.env.paths.proc('vmstat')))) {
      const [name, raw] = fields(line);
      if (name === undefined || !this.fields.test(name)) continue;
      const value = Number(raw);
      if (!Number.isFinite(value)) throw new Error(`invalid value ${raw} in vmstat`);
      out.single(`node_vmstat_${name}`, 'untyped', `/proc/vmstat information field ${name}.`, value);
    }
  }
}

/** pressure: PSI totals of /proc/pressure/{cpu,io,memory}, microseconds to seconds. */
export class PressureCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    for (const resource of ['cpu', 'io', 'memory'] as const) {
      let text: string;
      try {
        text = await readText(this.env.paths.proc('pressure', resource));
      } catch (err) {
        // Kernels before 4.20, or without CONFIG_PSI / psi=1, have no (readable) pressure files.
        if (isAbsent(err) || (err as NodeJS.ErrnoException).code === 'EOPNOTSUPP') throw new NoDataError('pressure information is unavailable');
        throw err;
      }
      const psi = parsePsi(text);
      const seconds = (us: number | undefined) => (us === undefined ? undefined : us / 1e6);
      if (resource === 'cpu') {
        out.single('node_pressure_cpu_waiting_seconds_total', 'counter', 'Total time in seconds that processes have waited for CPU time', seconds(psi.some));
      } else if (resource === 'io') {
        out.single('node_pressure_io_waiting_seconds_total', 'counter', 'Total time in seconds that processes have waited due to IO congestion', seconds(psi.some));
        out.single('node_pressure_io_stalled_seconds_total', 'counter', 'Total time in seconds no process could make progress due to IO congestion', seconds(psi.full ?? 0));
      } else {
        out.single('node_pressure_memory_waiting_seconds_total', 'counter', 'Total time in seconds that processes have waited for memory', seconds(psi.some));
        out.single('node_pressure_memory_stalled_seconds_total', 'counter', 'Total time in seconds no process could make progress due to memory congestion', seconds(psi.full ?? 0));
      }
    }
  }
}

/** The `total=` of a PSI file's "some" and "full" lines (microseconds). */
export function parsePsi(text: string): { some?: number; full?: number } {
  const out: { some?: number; full?: number } = {};
  for (const line of lines(text)) {
    const kind = line.startsWith('some ') ? 'some' : line.startsWith('full ') ? 'full' : undefined;
    const total = /\btotal=(\d+)/.exec(line);
    if (kind && total) out[kind] = Number(total[1]);
  }
  return out;
}

/** schedstat: per-CPU running/waiting time and timeslices of /proc/schedstat. */
export class SchedstatCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    let text: string;
    try {
      text = await readText(this.env.paths.proc('schedstat'));
    } catch (err) {
      if (isAbsent(err)) throw new NoDataError('schedstat file does not exist');
      throw err;
    }
    const running = out.family('node_schedstat_running_seconds_total', 'counter', 'Number of seconds CPU spent running a process.', ['cpu']);
    const waiting = out.family('node_schedstat_waiting_seconds_total', 'counter', 'Number of seconds spent by processing waiting for this CPU.', ['cpu']);
    const slices = out.family('node_schedstat_timeslices_total', 'counter', 'Number of timeslices executed by CPU.', ['cpu']);
    for (const line of lines(text)) {
      // "cpuN" then 9 numbers; the last three are running ns, waiting ns and timeslices (procfs schedstat.go).
      const m = /^cpu(\d+) (?:\d+ ){6}(\d+) (\d+) (\d+)/.exec(line);
      if (!m) continue;
      running.add(Number(m[2]) / 1e9, m[1]!);
      waiting.add(Number(m[3]) / 1e9, m[1]!);
      slices.add(Number(m[4]), m[1]!);
    }
  }
}

export class EntropyCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const avail = await readInteger(this.env.paths.proc('sys/kernel/random/entropy_avail'), "couldn't get entropy_avail");
    out.single('node_entropy_available_bits', 'gauge', 'Bits of available entropy.', avail);
    const pool = await readInteger(this.env.paths.proc('sys/kernel/random/poolsize'), "couldn't get entropy poolsize");
    out.single('node_entropy_pool_size_bits', 'gauge', 'Bits of entropy pool.', pool);
  }
}

export class FilefdCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const parts = fields(await readText(this.env.paths.proc('sys/fs/file-nr')));
    if (parts.length < 3) throw new Error('unexpected content in file-nr');
    out.single('node_filefd_allocated', 'gauge', 'File descriptor statistics: allocated.', Number(parts[0]));
    out.single('node_filefd_maximum', 'gauge', 'File descriptor statistics: maximum.', Number(parts[2]));
  }
}

async function readInteger(path: string, what: string): Promise<number> {
  const text = (await readText(path).catch((err: Error) => Promise.reject(new Error(`${what}: ${err.message}`)))).trim();
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new Error(`${what}: invalid value ${JSON.stringify(text)}`);
  return v;
}
