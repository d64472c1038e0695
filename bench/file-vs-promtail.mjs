// File pipeline side by side (issue 20, goal 1): the same 1,000,000 × 120-byte
// file shipped by Promtail 2.8.11 (../shared/tools/promtail) and by alloy-ts
// (local.file_match → loki.source.file → loki.write, default start-up), each
// to the same decoding receiver (a forked process that snappy-decodes and
// fully protobuf-decodes every push), alternating runs in one invocation.
// Per run: CPU-s (utime+stime of the shipper), peak RSS (VmHWM) and lines/s
// from process start to the last line received. Prints medians and each
// ratio beside its goal: CPU ≤ 0.2×, peak RSS ≤ 1.0×, lines/s ≥ 4× Promtail's.
//
//   npm run build && node bench/file-vs-promtail.mjs [lines] [--rounds=N]
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentNodeArgs, processTreeStats } from './agent-stats.mjs';
import { memoryLimitMiB, memoryLimitRow } from './side-by-side.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, runReceiverChild } from './receiver.mjs';

const TOTAL = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 2);
const LINE_BYTES = 120;
const promtail = path.resolve(repoRoot, '..', 'shared', 'tools', 'promtail');

function textLine(n) {
  const head = `2024-05-01T12:00:00.${String(n % 1000).padStart(3, '0')}Z level=info msg="request handled" id=${String(n).padStart(8, '0')} path=/api/v1/items/${n % 9973} status=200`;
  return head.padEnd(LINE_BYTES - 1, ' x').slice(0, LINE_BYTES - 1) + '\n';
}

async function writeLogFile(file) {
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < TOTAL; i++) {
    chunk += textLine(i);
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** A receiver in its own process (its CPU is not charged to the shipper). */
async function startReceiver() {
  const child = fork(fileURLToPath(import.meta.url), ['--receiver'], { stdio: 'inherit' });
  const [{ port }] = await once(child, 'message');
  const report = async () => {
    child.send('report');
    const [stats] = await once(child, 'message');
    return stats;
  };
  return { port, report, close: () => { child.send('exit'); return once(child, 'exit'); } };
}

function alloyConfig(logDir, port) {
  return `local.file_match "logs" {
  path_targets = [{"__path__" = ${JSON.stringify(path.join(logDir, '*.log'))}, "job" = "perf"}]
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
`;
}

function promtailConfig(dir, logDir, port) {
  return `server: { disable: true }
positions: { filename: ${path.join(dir, 'positions.yaml')} }
clients: [ { url: "http://127.0.0.1:${port}/loki/api/v1/push" } ]
scrape_configs:
  - job_name: perf
    static_configs:
      - targets: [localhost]
        labels: { job: perf, __path__: "${path.join(logDir, '*.log')}" }
`;
}

/** Runs one shipper over the file; returns CPU-s, peak RSS (MiB) and lines/s including start-up. */
async function ship(name, logDir, extraArgs = []) {
  const dir = mkdtempSync(path.join(tmpdir(), `alloy-ts-bench-${name}-`));
  const receiver = await startReceiver();
  let cmd;
  let args;
  if (name === 'promtail') {
    const cfg = path.join(dir, 'promtail.yaml');
    writeFileSync(cfg, promtailConfig(dir, logDir, receiver.port));
    cmd = promtail;
    args = [`-config.file=${cfg}`];
  } else {
    const cfg = path.join(dir, 'config.alloy');
    writeFileSync(cfg, alloyConfig(logDir, receiver.port));
    cmd = process.execPath;
    args = [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', cfg, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`, ...extraArgs];
  }
  const t0 = performance.now();
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  proc.once('exit', () => (exited = true));
  let stats;
  let lastPeak = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    if (exited) throw new Error(`${name} exited early: ${stderr}`);
    lastPeak = processTreeStats(proc.pid);
    const r = await receiver.report();
    if (r.items >= TOTAL) {
      stats = { ...lastPeak, seconds: (performance.now() - t0) / 1000, items: r.items };
      break;
    }
  }
  proc.kill('SIGTERM');
  await once(proc, 'exit');
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
  const result = { cpu: stats.cpu, rss: stats.peakRssMiB, linesPerSecond: TOTAL / stats.seconds };
  console.log(`  ${name.padEnd(9)} ${result.cpu.toFixed(2).padStart(6)} CPU-s  ${result.rss.toFixed(0).padStart(4)} MiB peak RSS  ${Math.round(result.linesPerSecond).toLocaleString('en').padStart(9)} lines/s`);
  return result;
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  if (!existsSync(promtail)) {
    console.log(`file pipeline vs Promtail: skipped, ${promtail} not found`);
    return;
  }
  const logRoot = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-file-'));
  const logDir = path.join(logRoot, 'logs');
  mkdirSync(logDir);
  await writeLogFile(path.join(logDir, 'app.log'));
  console.log(`file pipeline: ${TOTAL.toLocaleString('en')} × ${LINE_BYTES} B lines, ${ROUNDS} alternating rounds`);
  const runs = { promtail: [], alloy: [] };
  let limited;
  let limit;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of i % 2 === 0 ? ['promtail', 'alloy'] : ['alloy', 'promtail']) runs[name].push(await ship(name, logDir));
    }
    // Goal 6: alloy-ts again with --memory-limit at half its default runs' peak.
    limit = memoryLimitMiB(median(runs.alloy.map((r) => r.rss)));
    limited = await ship('alloy', logDir, [`--memory-limit=${limit}MiB`]).catch((err) => ({ error: err.message.split('\n')[0] }));
  } finally {
    rmSync(logRoot, { recursive: true, force: true });
  }
  const m = (name, key) => median(runs[name].map((r) => r[key]));
  const row = (what, ours, ref, goal, better) => {
    const ratio = ours / ref;
    const met = better === 'lower' ? ratio <= goal : ratio >= goal;
    console.log(`  ${what.padEnd(10)} alloy-ts ${ours.toFixed(2).padStart(10)}  Promtail ${ref.toFixed(2).padStart(10)}  ratio ${ratio.toFixed(2).padStart(5)}  goal ${better === 'lower' ? '<=' : '>='} ${goal}  ${met ? 'met' : 'NOT met'}`);
  };
  console.log('medians:');
  row('CPU-s', m('alloy', 'cpu'), m('promtail', 'cpu'), 0.2, 'lower');
  row('peak RSS', m('alloy', 'rss'), m('promtail', 'rss'), 1.0, 'lower');
  row('lines/s', m('alloy', 'linesPerSecond'), m('promtail', 'linesPerSecond'), 4, 'higher');
  if (limited.error) console.log(`  file pipeline --memory-limit=${limit}MiB: agent failed: ${limited.error}  NOT met`);
  else memoryLimitRow('file pipeline', limit, limited.rss, ` (CPU ${limited.cpu.toFixed(2)} s)`);
}

if (process.argv[2] === '--receiver') await runReceiverChild(lokiEntries());
else await main();
