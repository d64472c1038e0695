/**
 * cAdvisor's `container_*` / `machine_*` metrics computed from Docker Engine
 * API answers (container stats, inspect, daemon info), rendered in the
 * Prometheus text format. Metric names, types and the `id`/`image`/`name`
 * labels follow cAdvisor; `id` is `/docker/<container id>` (the Docker API
 * does not tell the cgroup path).
 */

/** The parts of `GET /containers/{id}/stats?stream=false` that are read. */
export interface DockerStats {
  readonly cpu_stats?: { readonly cpu_usage?: { readonly total_usage?: number; readonly usage_in_usermode?: number; readonly usage_in_kernelmode?: number } };
  readonly memory_stats?: { readonly usage?: number; readonly limit?: number; readonly stats?: Readonly<Record<string, number>> };
  readonly networks?: Readonly<Record<string, NetworkStats>> | null;
  readonly blkio_stats?: { readonly io_service_bytes_recursive?: readonly BlkioEntry[] | null; readonly io_serviced_recursive?: readonly BlkioEntry[] | null };
  readonly pids_stats?: { readonly current?: number };
}

interface NetworkStats {
  readonly rx_bytes?: number;
  readonly rx_packets?: number;
  readonly rx_errors?: number;
  readonly rx_dropped?: number;
  readonly tx_bytes?: number;
  readonly tx_packets?: number;
  readonly tx_errors?: number;
  readonly tx_dropped?: number;
}

interface BlkioEntry {
  readonly major: number;
  readonly minor: number;
  readonly op: string;
  readonly value: number;
}

/** One container as the exporter sees it. */
export interface ContainerSample {
  /** cAdvisor's labels: id, image, name and container_label_* / container_env_*. */
  readonly labels: Readonly<Record<string, string>>;
  readonly stats: DockerStats;
  /** When the container (last) started, unix seconds. */
  readonly startTime: number;
}

/** Metric groups of cAdvisor that a Docker stats source can fill. */
export type MetricGroup = 'cpu' | 'memory' | 'network' | 'diskIO' | 'process';

type MetricType = 'counter' | 'gauge';

interface Family {
  readonly help: string;
  readonly type: MetricType;
  readonly samples: string[];
}

/** Collects samples per metric name and renders the exposition text. */
export class MetricsText {
  private readonly families = new Map<string, Family>();

  add(name: string, type: MetricType, help: string, labels: Readonly<Record<string, string>>, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    let family = this.families.get(name);
    if (!family) this.families.set(name, (family = { help, type, samples: [] }));
    family.samples.push(`${name}${labelText(labels)} ${formatValue(value)}`);
  }

  render(): string {
    const out: string[] = [];
    for (const name of [...this.families.keys()].sort()) {
      const f = this.families.get(name)!;
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n]!)}"`).join(',')}}`;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  return String(v);
}

const NS_PER_S = 1e9;

/** Adds one container's metrics of the enabled groups. */
export function addContainer(out: MetricsText, c: ContainerSample, groups: ReadonlySet<MetricGroup>, nowSeconds: number): void {
  const l = c.labels;
  out.add('container_last_seen', 'gauge', 'Last time a container was seen by the exporter', l, nowSeconds);
  out.add('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds.', l, c.startTime);
  if (groups.has('cpu')) addCpu(out, c);
  if (groups.has('memory')) addMemory(out, c);
  if (groups.has('network')) addNetwork(out, c);
  if (groups.has('diskIO')) addDiskIO(out, c);
  if (groups.has('process')) out.add('container_processes', 'gauge', 'Number of processes running inside the container.', l, c.stats.pids_stats?.current);
}

function addCpu(out: MetricsText, c: ContainerSample): void {
  const usage = c.stats.cpu_stats?.cpu_usage;
  if (!usage) return;
  const seconds = (ns: number | undefined) => (ns === undefined ? undefined : ns / NS_PER_S);
  out.add('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', { ...c.labels, cpu: 'total' }, seconds(usage.total_usage));
  out.add('container_cpu_user_seconds_total', 'counter', 'Cumulative user cpu time consumed in seconds.', c.labels, seconds(usage.usage_in_usermode));
  out.add('container_cpu_system_seconds_total', 'counter', 'Cumulative system cpu time consumed in seconds.', c.labels, seconds(usage.usage_in_kernelmode));
}

function addMemory(out: MetricsText, c: ContainerSample): void {
  const mem = c.stats.memory_stats;
  if (!mem || mem.usage === undefined) return;
  const stats = mem.stats ?? {};
  // cgroup v2 reports inactive_file, v1 total_inactive_file; without either (podman) the working set is the usage.
  const inactive = stats['inactive_file'] ?? stats['total_inactive_file'] ?? 0;
  const l = c.labels;
  out.add('container_memory_usage_bytes', 'gauge', 'Current memory usage in bytes, including all memory regardless of when it was accessed', l, mem.usage);
  out.add('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', l, Math.max(0, mem.usage - inactive));
  out.add('container_memory_rss', 'gauge', 'Size of RSS in bytes.', l, stats['anon'] ?? stats['total_rss'] ?? stats['rss']);
  out.add('container_memory_cache', 'gauge', 'Number of bytes of page cache memory.', l, stats['file'] ?? stats['total_cache'] ?? stats['cache']);
  // cAdvisor reports 0 for "no limit"; Docker reports the host's memory then.
  out.add('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.', l, mem.limit);
}

const NETWORK_COUNTERS: readonly [keyof NetworkStats, string, string][] = [
  ['rx_bytes', 'container_network_receive_bytes_total', 'Cumulative count of bytes received'],
  ['rx_packets', 'container_network_receive_packets_total', 'Cumulative count of packets received'],
  ['rx_errors', 'container_network_receive_errors_total', 'Cumulative count of errors encountered while receiving'],
  ['rx_dropped', 'container_network_receive_packets_dropped_total', 'Cumulative count of packets dropped while receiving'],
  ['tx_bytes', 'container_network_transmit_bytes_total', 'Cumulative count of bytes transmitted'],
  ['tx_packets', 'container_network_transmit_packets_total', 'Cumulative count of packets transmitted'],
  ['tx_errors', 'container_network_transmit_errors_total', 'Cumulative count of errors encountered while transmitting'],
  ['tx_dropped', 'container_network_transmit_packets_dropped_total', 'Cumulative count of packets dropped while transmitting'],
];

function addNetwork(out: MetricsText, c: ContainerSample): void {
  for (const [iface, net] of Object.entries(c.stats.networks ?? {})) {
    const labels = { ...c.labels, interface: iface };
    for (const [field, name, help] of NETWORK_COUNTERS) out.add(name, 'counter', help, labels, net[field]);
  }
}

function addDiskIO(out: MetricsText, c: ContainerSample): void {
  const bytes = c.stats.blkio_stats?.io_service_bytes_recursive ?? [];
  const ops = c.stats.blkio_stats?.io_serviced_recursive ?? [];
  const device = (e: BlkioEntry) => ({ ...c.labels, device: `${e.major}:${e.minor}` });
  for (const e of bytes) {
    const op = e.op.toLowerCase();
    if (op === 'read') out.add('container_fs_reads_bytes_total', 'counter', 'Cumulative count of bytes read', device(e), e.value);
    if (op === 'write') out.add('container_fs_writes_bytes_total', 'counter', 'Cumulative count of bytes written', device(e), e.value);
  }
  for (const e of ops) {
    const op = e.op.toLowerCase();
    if (op === 'read') out.add('container_fs_reads_total', 'counter', 'Cumulative count of reads completed', device(e), e.value);
    if (op === 'write') out.add('container_fs_writes_total', 'counter', 'Cumulative count of writes completed', device(e), e.value);
  }
}

/** `machine_*` basics from the daemon's `GET /info`. */
export function addMachine(out: MetricsText, info: { NCPU?: number; MemTotal?: number }): void {
  out.add('machine_cpu_cores', 'gauge', 'Number of logical CPU cores.', {}, info.NCPU);
  out.add('machine_memory_bytes', 'gauge', 'Amount of memory installed on the machine.', {}, info.MemTotal);
}
