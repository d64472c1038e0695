// prometheus.exporter.unix against the node exporter (Debian's 1.5.0 on
// 127.0.0.1:9100, scripts/prometheus-services.sh start), measured in the same
// run on this shared machine:
//
// - CPU-ms per scrape over HTTP: `alloy-ts run` with the exporter as its own
//   process and the node exporter, each scraped N times in turn (plain HTTP,
//   no gzip), CPU read from /proc/<pid>/stat before and after. Goal: ratio ≤ 1.
// - In-process CPU-ms and bytes allocated per scrape of the collectors alone
//   (a child with --expose-gc: a full GC, the V8 heap's used size, one scrape,
//   the used size again, with a young generation large enough that no GC runs
//   during a scrape).
//
//   node bench/exporter-unix.mjs            (after npm run build)
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';

const NODE_EXPORTER = process.env.NODE_EXPORTER_ADDR ?? '127.0.0.1:9100';
const SCRAPES = Number(process.env.SCRAPES ?? 150);
const ROUNDS = 3;
const GOAL = 1;
/** Configured as Debian runs its node exporter, so both do the same work (see test/integration/node-exporter.test.ts). */
const BLOCKS = `
  cpu { guest = true }
  netdev { device_exclude = "^lo$" }
  filesystem { mount_points_exclude = "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)" }
  textfile { directory = "/var/lib/prometheus/node-exporter" }`;

if (process.argv[2] === '--in-process') await inProcess();
else await main();

async function main() {
  const nePid = nodeExporterPid();
  if (!nePid) {
    console.log(`exporter-unix: skipped: no node exporter process serving ${NODE_EXPORTER} (scripts/prometheus-services.sh start)`);
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-exporter-unix-'));
  const config = path.join(dir, 'config.alloy');
  writeFileSync(config, `prometheus.exporter.unix "bench" {${BLOCKS}\n}\n`);
  const agent = spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', config, `--server.http.listen-addr=127.0.0.1:${port}`, `--storage.path=${path.join(dir, 'data')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  agent.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  try {
    const ours = `127.0.0.1:${port}/api/v0/component/prometheus.exporter.unix.bench/metrics`;
    const theirs = `${NODE_EXPORTER}/metrics`;
    await waitFor(ours, () => agent.exitCode !== null && new Error(`agent exited: ${stderr}`));
    for (let i = 0; i < 30; i++) await Promise.all([scrape(ours), scrape(theirs)]); // warm-up: JIT, file handles
    const ratios = [];
    const figures = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ne = await cpuPerScrape(nePid, theirs);
      const us = await cpuPerScrape(agent.pid, ours);
      figures.push({ us, ne });
      ratios.push(us.ms / ne.ms);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const m = (k, who) => median(figures.map((f) => f[who][k]));
    console.log(`exporter-unix over HTTP, ${SCRAPES} scrapes x ${ROUNDS} rounds (median):`);
    console.log(`  alloy-ts agent:  ${m('ms', 'us').toFixed(2)} CPU-ms/scrape, ${m('bytes', 'us') | 0} B, ${m('series', 'us')} series`);
    console.log(`  node_exporter:   ${m('ms', 'ne').toFixed(2)} CPU-ms/scrape, ${m('bytes', 'ne') | 0} B, ${m('series', 'ne')} series`);
    console.log(`  ratio alloy-ts / node_exporter: ${median(ratios).toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; goal ≤ ${GOAL})`);
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => (agent.exitCode !== null ? r() : agent.once('exit', r)));
  }
  const child = fork(fileURLToPath(import.meta.url), ['--in-process'], { execArgv: ['--expose-gc', '--max-semi-space-size=64'], stdio: 'inherit' });
  await new Promise((r) => child.once('exit', r));
}

/** CPU-ms per scrape of process `pid` while it answers SCRAPES sequential scrapes of `addr`. */
async function cpuPerScrape(pid, addr) {
  const before = processStats(pid).cpu;
  let bytes = 0;
  let series = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const body = await scrape(addr);
    bytes = body.length;
    series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
  }
  const after = processStats(pid).cpu;
  return { ms: ((after - before) * 1000) / SCRAPES, bytes, series };
}

function scrape(addr) {
  const [host, port] = addr.split('/')[0].split(':');
  const pathname = `/${addr.split('/').slice(1).join('/')}`;
  return new Promise((resolve, reject) => {
    get({ host, port: Number(port), path: pathname, headers: { 'accept-encoding': 'identity' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${addr}: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function waitFor(addr, failed) {
  for (let i = 0; i < 200; i++) {
    const err = failed();
    if (err) throw err;
    try {
      await scrape(addr);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${addr} did not answer`);
}

/** The node exporter's pid: from prometheus-services.sh's pid file, else the process whose command line names it. */
function nodeExporterPid() {
  const pidFile = path.join(process.env.ALLOY_TS_PROM_DIR ?? '/tmp/alloy-ts-prometheus', 'node-exporter.pid');
  const candidates = existsSync(pidFile) ? [readFileSync(pidFile, 'utf8').trim()] : [];
  candidates.push(...readdirSync('/proc').filter((p) => /^\d+$/.test(p)));
  for (const pid of candidates) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/node[-_]exporter/.test(cmd.split('\0')[0] ?? '')) return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The collectors alone, in this process: CPU-ms and bytes allocated per scrape. */
async function inProcess() {
  const dist = (p) => pathToFileURL(path.join(repoRoot, 'dist', p)).href;
  const { NodeCollector } = await import(dist('components/prometheus/exporter-unix/node-collector.js'));
  const { prometheusExporterUnix } = await import(dist('components/prometheus/exporter-unix.js'));
  const { defaultsOf } = await import(dist('lang/schema.js'));
  const { Logger, LogSettings } = await import(dist('runtime/logger.js'));
  const base = defaultsOf(prometheusExporterUnix.args);
  const args = {
    ...base,
    cpu: { ...base.cpu, guest: true },
    netdev: { ...base.netdev, device_exclude: '^lo$' },
    filesystem: { ...base.filesystem, mount_points_exclude: '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)' },
    textfile: { directory: '/var/lib/prometheus/node-exporter' },
  };
  const collector = new NodeCollector(args, new Logger(LogSettings.defaults(() => {})));
  for (let i = 0; i < 30; i++) await collector.scrape();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < SCRAPES; i++) await collector.scrape();
  const cpu = process.cpuUsage(cpu0);
  const { getHeapStatistics } = await import('node:v8');
  let allocated = 0;
  const samples = 50;
  for (let i = 0; i < samples; i++) {
    globalThis.gc();
    const before = getHeapStatistics().used_heap_size;
    await collector.scrape();
    allocated += getHeapStatistics().used_heap_size - before;
  }
  console.log(`exporter-unix in-process (collectors only): ${((cpu.user + cpu.system) / 1000 / SCRAPES).toFixed(2)} CPU-ms/scrape, ${(allocated / samples / 1024).toFixed(0)} KiB allocated/scrape`);
}
