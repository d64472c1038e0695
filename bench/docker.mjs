// loki.source.docker benchmark: a container that has written 500,000 lines of
// 120 bytes is shipped by an agent (`alloy-ts run`, a child process) through
// loki.source.docker → loki.write to a Loki stand-in in this process that
// decompresses and decodes every request. Prints the agent's CPU seconds per
// million lines (the CPU of an idle agent's start-up subtracted), split into
// user and system (kernel) time, and its peak RSS. Reference: Promtail needs
// 11.1 CPU-s per million lines; target ≤ 3.
//
// Needs the Docker API of `scripts/test-services.sh start` (or $DOCKER_HOST).
//
//   npm run build && node bench/docker.mjs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, startDecodingReceiver } from './receiver.mjs';

const LINES = Number(process.env.BENCH_DOCKER_LINES ?? 500_000);
const LINE_BYTES = 120;
const IMAGE = 'localhost/local/busybox:latest';

const socket = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/tmp/podman.sock';
if (!existsSync(socket)) {
  console.log(`bench:docker skipped: no Docker API socket at ${socket} (run scripts/test-services.sh start)`);
  process.exit(0);
}
const docker = new Docker({ socketPath: socket });

const container = await writeLogs();
const receiver = await startDecodingReceiver(lokiEntries());
const pushUrl = `http://127.0.0.1:${receiver.port}/loki/api/v1/push`;
try {
  const idle = await measureAgent([], () => new Promise((r) => setTimeout(r, 2000)));
  const t0 = Date.now();
  const busy = await measureAgent([container.id], () => receiver.until(LINES));
  const seconds = (Date.now() - t0) / 1000;
  const cpu = busy.cpuSeconds - idle.cpuSeconds;
  const perM = (s) => (s / (LINES / 1e6)).toFixed(2);
  console.log(`loki.source.docker → loki.write: ${LINES.toLocaleString('en')} lines of ${LINE_BYTES} B from one stopped container, ${receiver.stats.requests} requests`);
  console.log(`  wall time           ${seconds.toFixed(2).padStart(8)} s (agent start included)`);
  console.log(`  agent CPU           ${(cpu / (LINES / 1e6)).toFixed(2).padStart(8)} CPU-s per million lines (${busy.cpuSeconds.toFixed(2)} s in all, ${idle.cpuSeconds.toFixed(2)} s of it an idle start-up)`);
  console.log(`    user / system     ${perM(busy.user - idle.user).padStart(8)} / ${perM(busy.system - idle.system)} CPU-s per million lines`);
  console.log(`  agent peak RSS      ${busy.peakRssMiB.toFixed(0).padStart(8)} MiB (idle agent: ${idle.peakRssMiB.toFixed(0)} MiB)`);
  console.log(`  reference: Promtail 11.1 CPU-s per million lines; target ≤ 3`);
} finally {
  receiver.close();
  await docker.getContainer(container.id).remove({ force: true });
}

/** Creates a container that writes LINES lines of LINE_BYTES bytes, and waits for it to exit. */
async function writeLogs() {
  const program = `BEGIN { for (i = 0; i < ${LINES}; i++) printf "%-${LINE_BYTES - 1}.${LINE_BYTES - 1}s\\n", sprintf("ts=%d seq=%d msg=\\"GET /api/v1/orders/%d user=%d status=%d latency_ms=%d region=eu-west\\" trace=%x", 1700000000 + i, i, i * 7919 % 100000, i % 1000, i % 13 ? 200 : 500, i % 977, i * 2654435761 % 4294967296) }`;
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['busybox', 'awk', program], Labels: { 'alloy-ts-test': 'bench' } });
  const t = Date.now();
  await c.start();
  await c.wait();
  console.log(`container wrote ${LINES.toLocaleString('en')} lines in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return c;
}

/** Runs an agent tailing `ids` until `until()` resolves; returns its CPU seconds and peak RSS. */
async function measureAgent(ids, until) {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-docker-'));
  const targets = ids.map((id) => `{"__meta_docker_container_id" = "${id}"}`).join(', ');
  writeFileSync(
    path.join(dir, 'config.alloy'),
    `logging {
  level = "warn"
}
loki.source.docker "bench" {
  host       = "unix://${socket}"
  targets    = [${targets}]
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
  const done = until();
  const agent = spawn(process.execPath, [path.join(repoRoot, 'bin/alloy-ts'), 'run', path.join(dir, 'config.alloy'), '--server.http.listen-addr', '127.0.0.1:0', '--storage.path', path.join(dir, 'data')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await done;
  const { user, system, peakRssMiB } = processStats(agent.pid);
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  return { cpuSeconds: user + system, user, system, peakRssMiB };
}
