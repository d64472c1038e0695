/** prometheus.exporter.unix as a component: Alloy's arguments and defaults, its target, its handler, collector selection, output format. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectCollectors } from '../../../../src/components/prometheus/exporter-unix/node-collector.js';
import { Exposition } from '../../../../src/components/prometheus/exporter-unix/exposition.js';
import type { ComponentInstance } from '../../../../src/runtime/component.js';
import { parseFile } from '../../../../src/lang/parser.js';
import { SourceFile } from '../../../../src/lang/position.js';
import { Harness } from '../../../support/harness.js';
import { FIXTURE, parseExposition, unixArgs } from './support.js';

const harnesses: Harness[] = [];
afterAll(() => Promise.all(harnesses.map((h) => h.stop())));

async function start(config: string): Promise<Harness> {
  const h = await Harness.start(config);
  harnesses.push(h);
  return h;
}

/** Calls the component's handler as the HTTP server does. */
async function request(h: Harness, id: string, rest: string): Promise<{ status: number; body: string; type: string | undefined }> {
  const instance = (h.controller.get(id) as unknown as { instance: ComponentInstance<unknown> }).instance;
  let status = 0;
  let body = '';
  let type: string | undefined;
  const res = {
    writeHead: (s: number, headers?: Record<string, string>) => ((status = s), (type = headers?.['Content-Type']), res),
    end: (b: string) => void (body = b),
  } as unknown as ServerResponse;
  await instance.handler!({} as IncomingMessage, res, rest);
  return { status, body, type };
}

describe('prometheus.exporter.unix component', () => {
  it('exports one target and serves node_exporter metrics for it', async () => {
    const h = await start(`prometheus.exporter.unix "host" {
  procfs_path = ${JSON.stringify(path.join(FIXTURE, 'proc'))}
  sysfs_path  = ${JSON.stringify(path.join(FIXTURE, 'sys'))}
  rootfs_path = ${JSON.stringify(path.join(FIXTURE, 'rootfs'))}
  set_collectors = ["cpu", "meminfo", "netdev"]
  cpu { guest = true }
  netdev { device_include = "^eth" }
}`);
    expect(h.targets('prometheus.exporter.unix.host')).toEqual([
      expect.objectContaining({ job: 'integrations/unix', __metrics_path__: '/api/v0/component/prometheus.exporter.unix.host/metrics', __meta_component_name: 'prometheus.exporter.unix' }),
    ]);
    const { status, body, type } = await request(h, 'prometheus.exporter.unix.host', 'metrics');
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(body);
    expect([...families.get('node_scrape_collector_success')!.series.keys()]).toEqual(['collector="cpu"', 'collector="meminfo"', 'collector="netdev"']);
    expect(families.has('node_cpu_guest_seconds_total')).toBe(true);
    expect([...families.get('node_network_receive_bytes_total')!.series.keys()]).toEqual(['device="eth0"']);
    expect(families.get('node_exporter_build_info')!.labelNames).toEqual(new Set(['branch', 'goarch', 'goos', 'goversion', 'revision', 'version']));
    expect((await request(h, 'prometheus.exporter.unix.host', 'other')).status).toBe(404);
  });

  it('include_exporter_metrics adds the handler metrics Alloy adds; the error counter is always there', async () => {
    const h = await start(`prometheus.exporter.unix "m" {
  procfs_path = ${JSON.stringify(path.join(FIXTURE, 'proc'))}
  set_collectors = ["loadavg"]
  include_exporter_metrics = true
}
prometheus.exporter.unix "plain" {
  procfs_path = ${JSON.stringify(path.join(FIXTURE, 'proc'))}
  set_collectors = ["loadavg"]
}`);
    await request(h, 'prometheus.exporter.unix.m', 'metrics');
    const families = parseExposition((await request(h, 'prometheus.exporter.unix.m', 'metrics')).body);
    expect(families.get('promhttp_metric_handler_requests_total')!.series.get('code="200"')).toBe(1);
    expect(families.get('promhttp_metric_handler_requests_in_flight')!.series.get('')).toBe(1);
    const plain = parseExposition((await request(h, 'prometheus.exporter.unix.plain', 'metrics')).body);
    expect(plain.has('promhttp_metric_handler_requests_total')).toBe(false);
    expect([...plain.get('promhttp_metric_handler_errors_total')!.series.keys()]).toEqual(['cause="encoding"', 'cause="gathering"']);
  });

  it('applies argument updates to the next scrape', async () => {
    const h = await start(`prometheus.exporter.unix "u" {
  procfs_path = ${JSON.stringify(path.join(FIXTURE, 'proc'))}
  set_collectors = ["loadavg"]
}`);
    expect(parseExposition((await request(h, 'prometheus.exporter.unix.u', 'metrics')).body).has('node_load1')).toBe(true);
    await h.apply(`prometheus.exporter.unix "u" {
  procfs_path = ${JSON.stringify(path.join(FIXTURE, 'proc'))}
  set_collectors = ["filefd"]
}`);
    const families = parseExposition((await request(h, 'prometheus.exporter.unix.u', 'metrics')).body);
    expect(families.has('node_load1')).toBe(false);
    expect(families.has('node_filefd_allocated')).toBe(true);
  });

  it('rejects a bad pattern and contradictory filters with a clear message', async () => {
    for (const [block, message] of [
      ['filesystem { mount_points_exclude = "(" }', /filesystem\.mount_points_exclude: invalid regular expression/],
      ['netdev {\n    device_include = "^eth"\n    device_exclude = "^lo$"\n  }', /netdev: device_exclude and device_include are mutually exclusive/],
    ] as const) {
      const h = await start('');
      const source = SourceFile.fromString('main.alloy', `prometheus.exporter.unix "bad" {\n  ${block}\n}\n`);
      const diagnostics = await h.controller.apply([{ source, file: parseFile(source).file }]);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(message);
    }
  });
});

describe('collector selection (Alloy mapConfigToNodeConfig)', () => {
  it("defaults to node_exporter's default collectors that alloy-ts implements", () => {
    const { enabled, unavailable } = selectCollectors(unixArgs());
    expect(enabled).toEqual([
      'arp', 'bonding', 'btrfs', 'conntrack', 'cpu', 'cpufreq', 'diskstats', 'dmi', 'edac', 'entropy', 'filefd', 'filesystem', 'hwmon', 'loadavg', 'mdadm', 'meminfo', 'netclass',
      'netdev', 'netstat', 'nfs', 'nfsd', 'nvme', 'os', 'powersupplyclass', 'pressure', 'rapl', 'schedstat', 'selinux', 'sockstat', 'softnet', 'stat', 'textfile', 'thermal_zone', 'time',
      'udp_queues', 'uname', 'vmstat', 'xfs', 'zfs',
    ]);
    expect(unavailable).toContain('timex');
    expect(unavailable).not.toContain('systemd');
  });

  it('set_collectors replaces the defaults; disable then enable adjust them; unknown names are dropped', () => {
    expect(selectCollectors(unixArgs({ set_collectors: ['cpu', 'meminfo', 'nonsense'] })).enabled).toEqual(['cpu', 'meminfo']);
    expect(selectCollectors(unixArgs({ set_collectors: ['cpu'], enable_collectors: ['loadavg'], disable_collectors: ['cpu'] })).enabled).toEqual(['loadavg']);
    const adjusted = selectCollectors(unixArgs({ disable_collectors: ['cpu', 'netdev'], enable_collectors: ['netdev'] })).enabled;
    expect(adjusted).not.toContain('cpu');
    expect(adjusted).toContain('netdev');
  });
});

describe('exposition', () => {
  it('renders as client_golang does: sorted families and series, empty labels kept, Go float formatting', () => {
    const out = new Exposition();
    const f = out.family('node_b', 'gauge', 'B help with \\ backslash.', ['device', 'alias']);
    f.add(270553174016, 'vda', '');
    f.add(16777216, 'eth0', 'x"y');
    f.add(300.2, 'lo', 'a\nb');
    out.single('node_a_total', 'counter', 'A.', 0.27);
    expect(out.render()).toBe(
      [
        '# HELP node_a_total A.',
        '# TYPE node_a_total counter',
        'node_a_total 0.27',
        '# HELP node_b B help with \\\\ backslash.',
        '# TYPE node_b gauge',
        'node_b{alias="",device="vda"} 2.70553174016e+11',
        'node_b{alias="a\\nb",device="lo"} 300.2',
        'node_b{alias="x\\"y",device="eth0"} 1.6777216e+07',
        '',
      ].join('\n'),
    );
  });
});
