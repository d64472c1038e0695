// Many small files (issue 15 item 3): N one-line files matched by `*.log`
// (MANY_FILES, default 10,000), shipped by the agent (local.file_match →
// loki.source.file → loki.write) and by Promtail 2.8 on the same files to the
// same kind of receiver, in the same run. Prints for each: the first load
// (start to every line received) and the CPU it took, CPU while the files sit
// idle, RSS and open file descriptors, with the goals, the ratio to Promtail
// and the load average (the machine is shared: compare within one run).
//
//   node bench/many-files.mjs            (after npm run build)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, startDecodingReceiver } from './receiver.mjs';

const FILES = Number(process.env.MANY_FILES ?? 10_000);
const IDLE_SECONDS = Number(process.env.MANY_FILES_IDLE_SECONDS ?? 30);
const LOAD_TIMEOUT_MS = 120_000;
const PROMTAIL = process.env.MANY_FILES_PROMTAIL ?? '/work/shared/tools/promtail';

function makeFiles(dir) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(dir, `f${String(i).padStart(6, '0')}.log`), `line of file ${i}\n`);
}

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

function openFds(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Runs one shipper on the files; returns its figures. */
async function measure(name, start) {
  const receiver = await startDecodingReceiver(lokiEntries());
  const loadAverageBefore = loadAverage();
  const t0 = performance.now();
  const child = start(receiver.port);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  let maxFds = 0;
  const fdSampler = setInterval(() => {
    try {
      maxFds = Math.max(maxFds, openFds(child.pid));
    } catch {}
  }, 100);
  const timeout = sleep(LOAD_TIMEOUT_MS).then(() => 'timeout');
  const loaded = await Promise.race([receiver.until(FILES).then(() => 'loaded'), timeout]);
  const loadSeconds = (performance.now() - t0) / 1000;
  const loadCpuSeconds = processStats(child.pid).cpu;
  const loadAverageAfter = loadAverage();
  if (loaded !== 'loaded') console.log(`[${name}] first load NOT finished after ${LOAD_TIMEOUT_MS / 1000} s: ${receiver.stats.items} of ${FILES} lines`);
  // Let the last acknowledgements, positions writes and start-up logging settle, then measure idling.
  await sleep(5_000);
  const before = processStats(child.pid);
  await sleep(IDLE_SECONDS * 1000);
  const after = processStats(child.pid);
  clearInterval(fdSampler);
  const result = {
    loadSeconds,
    loadCpuSeconds,
    delivered: receiver.stats.items,
    idleCpuPercent: ((after.cpu - before.cpu) / IDLE_SECONDS) * 100,
    rssMiB: rssMiB(child.pid),
    peakRssMiB: after.peakRssMiB,
    fds: openFds(child.pid),
    maxFds,
  };
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), sleep(10_000)]);
  child.kill('SIGKILL');
  await receiver.close();
  if (result.delivered < FILES) console.log(stderr.slice(-3000));
  console.log(
    `[${name}] first load ${result.loadSeconds.toFixed(1)} s, ${result.loadCpuSeconds.toFixed(1)} CPU-s (${result.delivered.toLocaleString('en')} of ${FILES.toLocaleString('en')} lines; load average ${loadAverageBefore} -> ${loadAverageAfter}); ` +
      `idle CPU ${result.idleCpuPercent.toFixed(1)}% of a core over ${IDLE_SECONDS} s; RSS ${result.rssMiB.toFixed(0)} MiB (peak ${result.peakRssMiB.toFixed(0)}); ` +
      `open fds ${result.fds} idle, ${result.maxFds} at most`,
  );
  return result;
}

if (!existsSync(path.join(repoRoot, 'dist/components/loki/source-file.js'))) throw new Error('run `npm run build` first');
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-many-files-'));
const logs = path.join(dir, 'logs');
makeFiles(logs);
console.log(`${FILES.toLocaleString('en')} one-line files in ${logs}`);

const agent = await measure('alloy-ts', (port) => {
  const config = path.join(dir, 'config.alloy');
  writeFileSync(
    config,
    `local.file_match "logs" {
  path_targets = [{"__path__" = ${JSON.stringify(path.join(logs, '*.log'))}, "job" = "bench"}]
}
loki.source.file "logs" {
  targets    = local.file_match.logs.targets
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${port}/loki/api/v1/push"
  }
}
`,
  );
  return spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
});

let promtail;
if (existsSync(PROMTAIL)) {
  promtail = await measure('promtail', (port) => {
    const config = path.join(dir, 'promtail.yaml');
    writeFileSync(
      config,
      `server: { disable: true }
positions: { filename: ${path.join(dir, 'promtail-positions.yaml')} }
clients: [ { url: "http://127.0.0.1:${port}/loki/api/v1/push" } ]
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: [localhost]
        labels: { job: bench, __path__: "${path.join(logs, '*.log')}" }
`,
    );
    return spawn(PROMTAIL, [`-config.file=${config}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
} else console.log(`(Promtail reference skipped: ${PROMTAIL} missing)`);

const ratio = (a, b, unit) => (b !== undefined ? ` (Promtail ${b.toFixed(1)}${unit}: ${(a / b).toFixed(2)}×)` : '');
const goal = (met, text) => `   goal ${text}: ${met ? 'met' : 'NOT met'}`;
console.log(`\nalloy-ts with ${FILES.toLocaleString('en')} files (${new Date().toISOString().slice(0, 16)}Z, load average ${loadAverage()}, ${os.cpus().length} CPUs):`);
console.log(`  first load   ${agent.loadSeconds.toFixed(1)} s${ratio(agent.loadSeconds, promtail?.loadSeconds, ' s')}${goal(agent.loadSeconds <= 10 && agent.delivered === FILES, '≤ 10 s, every line')}`);
console.log(`  load CPU     ${agent.loadCpuSeconds.toFixed(1)} CPU-s${ratio(agent.loadCpuSeconds, promtail?.loadCpuSeconds, ' CPU-s')}`);
console.log(`  idle CPU     ${agent.idleCpuPercent.toFixed(1)}% of a core${ratio(agent.idleCpuPercent, promtail?.idleCpuPercent, '%')}${goal(agent.idleCpuPercent <= 5, '≤ 5%')}`);
console.log(`  RSS          ${agent.rssMiB.toFixed(0)} MiB (peak ${agent.peakRssMiB.toFixed(0)})${ratio(agent.rssMiB, promtail?.rssMiB, ' MiB')}${goal(agent.rssMiB <= 300, '≤ 300 MiB')}`);
console.log(`  open fds     ${agent.fds} idle, ${agent.maxFds} at most${promtail ? ` (Promtail: ${promtail.fds} idle, ${promtail.maxFds} at most)` : ''}${goal(agent.maxFds <= 512 + 64, 'bounded (512 tailed files + the agent\'s own)')}`);
rmSync(dir, { recursive: true, force: true });
