// Cost of the write-ahead logs, WAL on against WAL off measured in the same
// run (the reference: this 2-core machine is shared, so only ratios mean much).
//
// - File pipeline: `alloy-ts run` reads a file of LINES lines with
//   loki.source.file and sends them through loki.write to a decoding
//   receiver (in this process), with `wal { enabled = true }` and without.
//   Prints the agent's CPU seconds and peak RSS for the whole file.
// - Metrics pipeline: bench/metrics.mjs (100,000 series scraped every 1 s and
//   5 s into prometheus.remote_write) run with its WAL (the default) and with
//   ALLOY_TS_WAL=off. Prints CPU-s per million samples and peak RSS.
//
// Goal: the WAL costs at most 1.5× the CPU and 1.2× the RSS of WAL off.
//
//   npm run build && node bench/wal.mjs [--seconds=N] [--only=file|metrics]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, startDecodingReceiver } from './receiver.mjs';

const LINES = 300_000;
const secondsArg = process.argv.find((a) => a.startsWith('--seconds='));
const METRICS_SECONDS = secondsArg ? Number(secondsArg.split('=')[1]) : 15;
const CPU_GOAL = 1.5;
const RSS_GOAL = 1.2;

const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
if (only !== 'metrics') await filePipeline();
if (only !== 'file') metricsPipeline();

async function filePipeline() {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-wal-'));
  const log = path.join(dir, 'app.log');
  const lines = [];
  for (let i = 0; i < LINES; i++) lines.push(`2024-01-01T00:00:00Z level=info msg="request served" path=/api/v1/items/${i} status=200 duration_ms=${i % 97}`);
  writeFileSync(log, lines.join('\n') + '\n');
  console.log(`file pipeline: ${LINES.toLocaleString('en')} lines, loki.source.file → loki.write`);
  const off = await runFileAgent(dir, log, false);
  const on = await runFileAgent(dir, log, true);
  report('file', off, on);
  rmSync(dir, { recursive: true, force: true });
}

async function runFileAgent(dir, log, wal) {
  const receiver = await startDecodingReceiver(lokiEntries());
  const data = path.join(dir, `data-${wal}`);
  const config = path.join(dir, `config-${wal}.alloy`);
  writeFileSync(config, `
local.file_match "f" {
  path_targets = [{"__path__" = "${log}"}]
}
loki.source.file "f" {
  targets    = local.file_match.f.targets
  forward_to = [loki.write.out.receiver]
  tail_from_end = false
}
loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${receiver.port}/loki/api/v1/push"
  }
  wal {
    enabled = ${wal}
  }
}
`);
  const started = performance.now();
  const agent = spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${data}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  agent.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const timeout = setTimeout(() => agent.kill('SIGKILL'), 120_000);
  await Promise.race([receiver.until(LINES), new Promise((_, reject) => agent.once('exit', () => reject(new Error(`agent exited: ${stderr}`))))]);
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  const { cpu, peakRssMiB } = processStats(agent.pid);
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  await receiver.close();
  console.log(`  WAL ${wal ? 'on ' : 'off'}: ${seconds.toFixed(1)} s   ${cpu.toFixed(2)} CPU-s   peak RSS ${peakRssMiB.toFixed(0)} MiB`);
  return { cpu, rss: peakRssMiB };
}

function metricsPipeline() {
  console.log(`metrics pipeline: bench/metrics.mjs --seconds=${METRICS_SECONDS}, prometheus.remote_write`);
  const run = (env) =>
    execFileSync(process.execPath, [path.join(repoRoot, 'bench/metrics.mjs'), `--seconds=${METRICS_SECONDS}`], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000 });
  const parse = (out) =>
    [...out.matchAll(/(?:scrape|alloy-ts\s+) every (\d+) s:.*?([\d.]+) CPU-s per million samples\s+peak RSS (\d+) MiB/g)].map((m) => ({ interval: m[1], cpu: Number(m[2]), rss: Number(m[3]) }));
  let off, on;
  try {
    off = parse(run({ ALLOY_TS_WAL: 'off' }));
    on = parse(run({}));
  } catch (err) {
    console.log(`  metrics pipeline not measured: bench/metrics.mjs failed: ${String(err.stderr ?? err.message).slice(-800)}`);
    return;
  }
  for (let i = 0; i < Math.min(off.length, on.length); i++) {
    console.log(`  scrape every ${on[i].interval} s: WAL off ${off[i].cpu.toFixed(2)} CPU-s/M, ${off[i].rss} MiB; WAL on ${on[i].cpu.toFixed(2)} CPU-s/M, ${on[i].rss} MiB`);
    report(`metrics ${on[i].interval} s`, off[i], on[i]);
  }
}

function report(what, off, on) {
  const cpu = on.cpu / off.cpu;
  const rss = on.rss / off.rss;
  console.log(`  ${what}: WAL on / off CPU ${cpu.toFixed(2)}× (goal ≤ ${CPU_GOAL}×)   RSS ${rss.toFixed(2)}× (goal ≤ ${RSS_GOAL}×)`);
}
