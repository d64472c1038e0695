// Docker pipeline side by side (issue 20, goals 2 and 6): one podman container
// writes 500,000 lines of 120 bytes and stays up; Promtail 2.8.11
// (`docker_sd_configs`, ../shared/tools/promtail) and alloy-ts
// (loki.source.docker → loki.write, default start-up) each ship that same
// container stream to a fresh decoding receiver (snappy + full protobuf decode),
// in one invocation. Per shipper: CPU-s (utime+stime, start-up included), peak
// RSS (VmHWM) and wall time until the last line arrived. Prints each ratio
// beside its goal (CPU ≤ 0.25×, peak RSS ≤ 1.0× Promtail's), then runs
// alloy-ts again with --memory-limit at half its default run's peak (goal 6).
//
// Needs the Docker API of `scripts/test-services.sh start` (or $DOCKER_HOST).
//
//   npm run build && node bench/docker.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { agentNodeArgs, processTreeStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, startDecodingReceiver } from './receiver.mjs';
import { memoryLimitMiB, memoryLimitRow, ratioRow } from './side-by-side.mjs';

const LINES = Number(process.env.BENCH_DOCKER_LINES ?? 500_000);
const LINE_BYTES = 120;
const IMAGE = 'localhost/local/busybox:latest';
const promtail = path.resolve(repoRoot, '..', 'shared', 'tools', 'promtail');

const socket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/tmp/podman.sock';
if (!existsSync(socket)) {
  console.log(`docker pipeline: skipped, no Docker API socket at ${socket} (run scripts/test-services.sh start)`);
  process.exit(0);
}
const docker = new Docker({ socketPath: socket });

const container = await writeLogs();
try {
  console.log(`docker pipeline: ${LINES.toLocaleString('en')} lines of ${LINE_BYTES} B from one container, each shipper to its own decoding receiver`);
  const alloy = await ship('alloy-ts', alloyCommand);
  let ref;
  if (existsSync(promtail)) ref = await ship('promtail', promtailCommand);
  else console.log(`  Promtail: skipped, ${promtail} not found`);
  if (ref) {
    ratioRow('CPU-s', alloy.cpu, 'Promtail', ref.cpu, 0.25);
    ratioRow('peak RSS MiB', alloy.rss, 'Promtail', ref.rss, 1.0);
  }
  const limit = memoryLimitMiB(alloy.rss);
  const limited = await ship(`alloy-ts limit`, (dir, url) => alloyCommand(dir, url, [`--memory-limit=${limit}MiB`]));
  memoryLimitRow('docker', limit, limited.rss, ` (CPU ${limited.cpu.toFixed(2)} s vs ${alloy.cpu.toFixed(2)} s unlimited)`);
} finally {
  await docker.getContainer(container.id).remove({ force: true });
}

/** Starts a container that writes LINES lines of LINE_BYTES bytes and then idles (Promtail's Docker discovery lists running containers only); waits for the writing to end. */
async function writeLogs() {
  const program = `BEGIN { for (i = 0; i < ${LINES}; i++) printf "%-${LINE_BYTES - 1}.${LINE_BYTES - 1}s\\n", sprintf("ts=%d seq=%d msg=\\"GET /api/v1/orders/%d user=%d status=%d latency_ms=%d region=eu-west\\" trace=%x", 1700000000 + i, i, i * 7919 % 100000, i % 1000, i % 13 ? 200 : 500, i % 977, i * 2654435761 % 4294967296) }`;
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['busybox', 'sh', '-c', `busybox awk '${program}'; exec busybox sleep 3600`], Labels: { 'alloy-ts-test': 'bench' } });
  const t = Date.now();
  await c.start();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const top = await c.top();
    if (!top.Processes.some((p) => p.join(' ').includes('awk'))) break;
  }
  console.log(`container wrote ${LINES.toLocaleString('en')} lines in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return c;
}

function alloyCommand(dir, pushUrl, extra = []) {
  const config = path.join(dir, 'config.alloy');
  writeFileSync(
    config,
    `logging {
  level = "warn"
}
loki.source.docker "bench" {
  host       = "unix://${socket}"
  targets    = [{"__meta_docker_container_id" = "${container.id}"}]
  labels     = {"job" = "bench"}
  forward_to = [loki.write.bench.receiver]
}
loki.write "bench" {
  endpoint {
    url        = ${JSON.stringify(pushUrl)}
    batch_wait = "100ms"
  }
}
`,
  );
  return [process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`, ...extra]];
}

function promtailCommand(dir, pushUrl) {
  const config = path.join(dir, 'promtail.yaml');
  writeFileSync(
    config,
    `server: { disable: true }
positions: { filename: ${path.join(dir, 'positions.yaml')} }
clients: [ { url: ${JSON.stringify(pushUrl)}, batchwait: 100ms } ]
scrape_configs:
  - job_name: bench
    docker_sd_configs:
      - host: unix://${socket}
        refresh_interval: 1s
        filters: [ { name: id, values: [ ${container.id} ] } ]
    relabel_configs:
      - target_label: job
        replacement: bench
`,
  );
  return [promtail, [`-config.file=${config}`]];
}

/** Runs one shipper until the receiver has every line; returns CPU-s and peak RSS. */
async function ship(name, command) {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-docker-'));
  const receiver = await startDecodingReceiver(lokiEntries());
  const [cmd, args] = command(dir, `http://127.0.0.1:${receiver.port}/loki/api/v1/push`);
  const t0 = performance.now();
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let stats;
  const done = receiver.until(LINES);
  for (;;) {
    const finished = await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]);
    if (proc.exitCode !== null) throw new Error(`${name} exited early: ${stderr}`);
    stats = processTreeStats(proc.pid);
    if (finished) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  proc.kill('SIGTERM');
  await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`  ${name.padEnd(15)} ${stats.cpu.toFixed(2).padStart(6)} CPU-s (user ${stats.user.toFixed(2)}, system ${stats.system.toFixed(2)})  ${stats.peakRssMiB.toFixed(0).padStart(4)} MiB peak RSS  ${seconds.toFixed(1).padStart(6)} s  ${receiver.stats.items.toLocaleString('en')} lines in ${receiver.stats.requests} requests${stats.processes > 1 ? ` (${stats.processes} processes: launcher and agent; the agent alone ${stats.largestPeakRssMiB.toFixed(0)} MiB)` : ''}`);
  return { cpu: stats.cpu, rss: stats.peakRssMiB, seconds };
}
