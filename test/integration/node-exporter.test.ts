/**
 * prometheus.exporter.unix side by side with the real node exporter (Debian's
 * prometheus-node-exporter 1.5.0 on 127.0.0.1:9100, started by
 * scripts/prometheus-services.sh), both reading this machine in the same test.
 *
 * For every family the node exporter exposes from a collector alloy-ts
 * enables: the same name, type, help, label names and label sets; gauges
 * within a small tolerance; counters sandwiched between the node exporter's
 * readings just before and just after ours, and monotonic across scrapes.
 * Families alloy-ts leaves out on purpose are the ones listed in README's
 * "prometheus.exporter.unix" section, asserted here so the list cannot grow
 * unnoticed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComponentInstance } from '../../src/runtime/component.js';
import { parseExposition, type ScrapedFamily } from '../components/prometheus/exporter-unix/support.js';
import { Harness } from '../support/harness.js';
import { NODE_EXPORTER_ADDR } from '../support/prometheus.js';

/** node_exporter families alloy-ts does not expose, by prefix, with README's reason. */
const OMITTED_PREFIXES = ['node_timex_', 'node_btrfs_device_unused_', 'node_btrfs_device_errors_'];
/** The node exporter's own process and HTTP handler metrics: not host metrics (Alloy's include_exporter_metrics adds Alloy's instead). */
const EXPORTER_OWN = /^(go_|process_|promhttp_)/;

/** Absolute tolerance of gauges that move on a busy machine between two reads; others get 2 % (or 1 when smaller). */
const GAUGE_TOLERANCE: readonly (readonly [RegExp, number])[] = [
  [/^node_scrape_collector_duration_seconds$/, Infinity],
  [/^node_time_seconds$/, 10],
  [/^node_load/, 2],
  [/^node_procs_(running|blocked)$/, 50],
  [/^node_memory_/, 512 * 2 ** 20],
  [/^node_filesystem_(avail|free)_bytes$/, 4 * 2 ** 30],
  [/^node_filesystem_files_free$/, 200_000],
  [/^node_filefd_allocated$/, 5000],
  // Socket buffer memory is counted in pages (net/ipv4/proc.c sockstat "mem"): the bytes form moves by 4 KiB steps, hundreds of them under other tests' traffic.
  [/^node_sockstat_\w+_mem_bytes$/, 1000 * 4096],
  [/^node_(sockstat|netstat)_/, 1000],
  [/^node_udp_queues$/, 2 ** 22],
  [/^node_nf_conntrack_entries$/, 1000],
  [/^node_entropy_available_bits$/, 1024],
  [/^node_disk_io_now$/, 100],
  [/^node_vmstat_/, Infinity], // untyped counters: checked as counters below
];
/** Untyped families that are counters in the kernel (checked by the counter rules). */
const UNTYPED_COUNTERS = /^node_(vmstat_|netstat_(?!Tcp_CurrEstab$|Ip_Forwarding$))/;

const nodeExporterUp = await fetch(`http://${NODE_EXPORTER_ADDR}/metrics`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
const skipReason = nodeExporterUp ? '' : `no node exporter at ${NODE_EXPORTER_ADDR}: run scripts/prometheus-services.sh start`;
if (skipReason && process.env['CI']) throw new Error(`node exporter side-by-side test cannot run in CI: ${skipReason}`);
if (skipReason) console.warn(`[skip] node exporter side-by-side test: ${skipReason}`);

/**
 * alloy-ts configured as Debian runs its node exporter (prometheus-node-exporter --help):
 * guest CPU time on (node_exporter 1.5.0's default), lo left out of netdev,
 * Debian's mount point exclusions and textfile directory.
 */
const CONFIG = `prometheus.exporter.unix "side_by_side" {
  cpu { guest = true }
  netdev { device_exclude = "^lo$" }
  filesystem { mount_points_exclude = "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)" }
  textfile { directory = "/var/lib/prometheus/node-exporter" }
}`;
const ID = 'prometheus.exporter.unix.side_by_side';

const harnesses: Harness[] = [];
afterAll(() => Promise.all(harnesses.map((h) => h.stop())));

async function scrapeOurs(h: Harness): Promise<Map<string, ScrapedFamily>> {
  const instance = (h.controller.get(ID) as unknown as { instance: ComponentInstance<unknown> }).instance;
  let body = '';
  const res = { writeHead: () => res, end: (b: string) => void (body = b) } as unknown as ServerResponse;
  await instance.handler!({} as IncomingMessage, res, 'metrics');
  return parseExposition(body);
}

async function scrapeTheirs(): Promise<Map<string, ScrapedFamily>> {
  const families = parseExposition(await (await fetch(`http://${NODE_EXPORTER_ADDR}/metrics`)).text());
  for (const name of [...families.keys()]) if (EXPORTER_OWN.test(name)) families.delete(name);
  return families;
}

/** Ours without the handler's own metrics, which the node exporter's side leaves out too. */
async function scrapeOursHostOnly(h: Harness): Promise<Map<string, ScrapedFamily>> {
  const families = await scrapeOurs(h);
  for (const name of [...families.keys()]) if (EXPORTER_OWN.test(name)) families.delete(name);
  return families;
}

describe.skipIf(skipReason !== '')('prometheus.exporter.unix beside the node exporter', () => {
  it('exposes what the node exporter exposes from the same collectors, with matching values', async () => {
    const h = await Harness.start(CONFIG);
    harnesses.push(h);
    // Interleaved: theirs, ours, theirs, ours (after a second), theirs — so each of our counter readings lies between two of theirs.
    const theirs1 = await scrapeTheirs();
    const ours1 = await scrapeOursHostOnly(h);
    const theirs2 = await scrapeTheirs();
    await new Promise((r) => setTimeout(r, 1100));
    const ours2 = await scrapeOursHostOnly(h);
    const theirs3 = await scrapeTheirs();

    // Names, help texts and defaults are node_exporter 1.5.0's (Debian bookworm's package): another version is another reference.
    const version = [...theirs1.get('node_exporter_build_info')!.series.keys()][0] ?? '';
    expect(version, 'the node exporter on the test machine must be 1.5.0').toContain('version="1.5.0"');

    const collectors = [...ours1.get('node_scrape_collector_success')!.series.keys()];
    const onlyTheirs = [...theirs1.keys()].filter((n) => !ours1.has(n));
    const onlyOurs = [...ours1.keys()].filter((n) => !theirs1.has(n));
    expect(onlyOurs).toEqual([]);
    expect(onlyTheirs.filter((n) => !OMITTED_PREFIXES.some((p) => n.startsWith(p)))).toEqual([]);

    let compared = 0;
    for (const [name, ours] of ours1) {
      const theirs = theirs1.get(name)!;
      expect({ name, type: ours.type, help: ours.help }).toEqual({ name, type: theirs.type, help: theirs.help });
      expect([...ours.labelNames].sort(), name).toEqual([...theirs.labelNames].sort());
      if (name === 'node_exporter_build_info') continue; // versions differ by design
      const theirKeys = [...theirs.series.keys()].filter((k) => !name.startsWith('node_scrape_collector_') || collectors.includes(k));
      expect([...ours.series.keys()].sort(), name).toEqual(theirKeys.sort());
      for (const key of ours.series.keys()) {
        compareValue(name, key, ours.type, { theirs1, ours1, theirs2, ours2, theirs3 });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(250);
    // Collectors succeed or find no data exactly as the node exporter's do.
    for (const key of collectors) {
      expect(ours1.get('node_scrape_collector_success')!.series.get(key), key).toBe(theirs1.get('node_scrape_collector_success')!.series.get(key));
    }
  });

  it("README lists every family left out, with the prefixes this test allows", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('Host metrics (`prometheus.exporter.unix`)'));
    for (const prefix of OMITTED_PREFIXES) expect(section).toContain(`\`${prefix}*\``);
  });
});

interface Scrapes {
  readonly theirs1: Map<string, ScrapedFamily>;
  readonly ours1: Map<string, ScrapedFamily>;
  readonly theirs2: Map<string, ScrapedFamily>;
  readonly ours2: Map<string, ScrapedFamily>;
  readonly theirs3: Map<string, ScrapedFamily>;
}

function compareValue(name: string, key: string, type: string, s: Scrapes): void {
  const get = (m: Map<string, ScrapedFamily>) => m.get(name)?.series.get(key);
  const [t1, o1, t2, o2, t3] = [get(s.theirs1), get(s.ours1), get(s.theirs2), get(s.ours2), get(s.theirs3)];
  const what = `${name}{${key}}`;
  expect(o1, what).toBeDefined();
  if (type === 'counter' || UNTYPED_COUNTERS.test(name)) {
    // Same kernel counter read in between: never before their earlier reading, never past their later one.
    // The kernel's idle and iowait times can step back a little; each exporter then holds its own last value.
    const slack = name === 'node_cpu_seconds_total' && /mode="(idle|iowait)"/.test(key) ? 1 : 1e-9;
    if (t1 !== undefined && t2 !== undefined) {
      expect(o1!, `${what} ≥ node exporter before`).toBeGreaterThanOrEqual(t1 - slack);
      expect(o1!, `${what} ≤ node exporter after`).toBeLessThanOrEqual(t2 + slack);
    }
    if (o2 !== undefined) expect(o2, `${what} monotonic`).toBeGreaterThanOrEqual(o1!);
    if (o2 !== undefined && t2 !== undefined && t3 !== undefined) {
      expect(o2, `${what} (second scrape) ≥ node exporter before`).toBeGreaterThanOrEqual(t2 - slack);
      expect(o2, `${what} (second scrape) ≤ node exporter after`).toBeLessThanOrEqual(t3 + slack);
    }
    return;
  }
  const tolerance = GAUGE_TOLERANCE.find(([re]) => re.test(name))?.[1] ?? Math.max(1, 0.02 * Math.max(Math.abs(o1!), Math.abs(t1 ?? 0)));
  if (tolerance === Infinity) return;
  const nearest = Math.min(...[t1, t2].filter((v): v is number => v !== undefined).map((t) => Math.abs(t - o1!)));
  expect(nearest, `${what}: ours ${o1}, theirs ${t1}/${t2}`).toBeLessThanOrEqual(tolerance);
}
