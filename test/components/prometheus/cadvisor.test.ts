import { describe, expect, it } from 'vitest';
import { addContainer, addMachine, MetricsText, type ContainerSample } from '../../../src/components/prometheus/exporter-cadvisor/metrics.js';
import { enabledGroups } from '../../../src/components/prometheus/exporter-cadvisor.js';

// A Docker (cgroup v2) stats answer, trimmed.
const sample: ContainerSample = {
  labels: { id: '/docker/abc', name: 'web', image: 'nginx:1', container_label_com_example_team: 'a' },
  startTime: 1_700_000_000,
  stats: {
    cpu_stats: { cpu_usage: { total_usage: 2_500_000_000, usage_in_usermode: 2_000_000_000, usage_in_kernelmode: 500_000_000 } },
    memory_stats: { usage: 10_000_000, limit: 2_000_000_000, stats: { inactive_file: 3_000_000, anon: 6_000_000, file: 4_000_000 } },
    networks: { eth0: { rx_bytes: 1000, rx_packets: 10, rx_errors: 0, rx_dropped: 0, tx_bytes: 2000, tx_packets: 20, tx_errors: 0, tx_dropped: 1 } },
    blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'read', value: 4096 }, { major: 8, minor: 0, op: 'write', value: 8192 }] },
    pids_stats: { current: 3 },
  },
};

describe('cAdvisor metrics from Docker stats', () => {
  it('renders cAdvisor names, types and labels', () => {
    const out = new MetricsText();
    addMachine(out, { NCPU: 2, MemTotal: 8_000_000_000 });
    addContainer(out, sample, enabledGroups({ enabled_metrics: [], disabled_metrics: ['process'] }), 1_700_000_100.5);
    const text = out.render();
    const base = { container_label_com_example_team: 'a', id: '/docker/abc', image: 'nginx:1', name: 'web' };
    /** The label text of the base labels plus `extra`, sorted as rendered. */
    const with_ = (extra: Record<string, string> = {}) => Object.entries({ ...base, ...extra }).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join(',');
    const l = with_();
    expect(text).toContain('# TYPE container_cpu_usage_seconds_total counter\n');
    expect(text).toContain(`container_cpu_usage_seconds_total{${with_({ cpu: 'total' })}} 2.5\n`);
    expect(text).toContain(`container_cpu_user_seconds_total{${l}} 2\n`);
    expect(text).toContain(`container_memory_usage_bytes{${l}} 10000000\n`);
    expect(text).toContain(`container_memory_working_set_bytes{${l}} 7000000\n`);
    expect(text).toContain(`container_memory_rss{${l}} 6000000\n`);
    expect(text).toContain(`container_network_receive_bytes_total{${with_({ interface: 'eth0' })}} 1000\n`);
    expect(text).toContain(`container_network_transmit_packets_dropped_total{${with_({ interface: 'eth0' })}} 1\n`);
    expect(text).toContain(`container_fs_reads_bytes_total{${with_({ device: '8:0' })}} 4096\n`);
    expect(text).toContain(`container_fs_writes_bytes_total{${with_({ device: '8:0' })}} 8192\n`);
    expect(text).toContain(`container_last_seen{${l}} 1700000100.5\n`);
    expect(text).toContain(`container_start_time_seconds{${l}} 1700000000\n`);
    expect(text).toContain('machine_cpu_cores 2\n');
    expect(text).toContain('machine_memory_bytes 8000000000\n');
    expect(text).not.toContain('container_processes');
  });

  it('selects metric groups: enabled_metrics overrides disabled_metrics', () => {
    expect([...enabledGroups({ enabled_metrics: [], disabled_metrics: ['process', 'tcp'] })]).toEqual(['cpu', 'memory', 'network', 'diskIO']);
    expect([...enabledGroups({ enabled_metrics: ['cpu', 'process'], disabled_metrics: ['cpu'] })]).toEqual(['cpu', 'process']);
  });

  it('escapes label values', () => {
    const out = new MetricsText();
    out.add('m', 'gauge', 'h', { a: 'x"y\\z\n' }, 1);
    expect(out.render()).toBe('# HELP m h\n# TYPE m gauge\nm{a="x\\"y\\\\z\\n"} 1\n');
  });
});
