// Metrics pipeline benchmark: `alloy-ts run` (a separate process) scrapes a
// generated target of 100,000 series (about 6.7 MB of text per scrape) with
// prometheus.scrape and sends everything through prometheus.remote_write to a
// local receiver that decompresses and decodes every request. Runs at a 1 s
// and a 5 s scrape interval and prints, per run: samples/s delivered, the
// agent's CPU seconds per million samples, and the agent's peak RSS.
// Target and receiver run in their own processes; only the agent is measured,
// started the way users start it (`node bin/alloy-ts run`, which caps V8's
// young generation; see src/runtime/memory.ts). Peak RSS includes the first
// scrapes, when all 100,000 series are new.
//
//   npm run build && node bench/metrics.mjs [--seconds=N]
//   AGENT_NODE_ARGS="--max-semi-space-size=16" node bench/metrics.mjs
//
// Reference, measured in the same run against the same target and receiver:
// Prometheus 2.42 in agent mode (`prometheus --enable-feature=agent`, from
// scripts/prometheus-services.sh or $PROMETHEUS_BIN). Issue 20 goals 3 and 6:
// CPU per million samples ≤ 0.5× and peak RSS ≤ 0.5× Prometheus's at each
// interval; then alloy-ts again at 1 s with --memory-limit at half its default
// run's peak RSS.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentNodeArgs, processTreeStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { remoteWriteSamples, runReceiverChild } from './receiver.mjs';
import { memoryLimitMiB, memoryLimitRow, ratioRow } from './side-by-side.mjs';
import { execFileSync } from 'node:child_process';

const SERIES = 100_000;
const SERIES_PER_FAMILY = 100;
const secondsArg = process.argv.find((a) => a.startsWith('--seconds='));
const MEASURE_SECONDS = secondsArg ? Number(secondsArg.split('=')[1]) : 40;
const intervalsArg = process.argv.find((a) => a.startsWith('--intervals='));
const INTERVALS = intervalsArg ? intervalsArg.split('=')[1].split(',').map(Number) : [1, 5];
// A/B: --baseline=<dir> (a copy of bin/ and dist/ from an earlier build) runs that agent too, in the same run.
const baselineArg = process.argv.find((a) => a.startsWith('--baseline='));
const BASELINE = baselineArg ? path.resolve(baselineArg.split('=')[1]) : undefined;
const WITH_PROMETHEUS = !process.argv.includes('--no-prometheus');
const WITH_LIMIT = !process.argv.includes('--no-memory-limit');

const role = process.argv[2];
if (role === '--target') runTarget();
else if (role === '--receiver') await runReceiverChild(remoteWriteSamples());
else await main();

// ---------------------------------------------------------------------------
// Child: the scrape target. Values change every scrape, label sets do not.

function runTarget() {
  const families = SERIES / SERIES_PER_FAMILY;
  const prefixes = [];
  const headers = [];
  for (let f = 0; f < families; f++) {
    const name = `bench_family_${String(f).padStart(4, '0')}_total`;
    headers[f] = `# HELP ${name} Generated counter ${f}.\n# TYPE ${name} counter\n`;
    for (let s = 0; s < SERIES_PER_FAMILY; s++) prefixes.push(`${name}{series="${String(s).padStart(3, '0')}",pod="pod-${f % 50}",az="az-${s % 3}"} `);
  }
  let scrape = 0;
  const body = () => {
    scrape++;
    const parts = [];
    for (let i = 0; i < SERIES; i++) {
      if (i % SERIES_PER_FAMILY === 0) parts.push(headers[i / SERIES_PER_FAMILY]);
      parts.push(prefixes[i], String(scrape * 10 + (i % 7)), '.5\n');
    }
    return parts.join('');
  };
  let current = body();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(current);
    current = body(); // the next scrape sees new values; built after answering, off the agent's clock
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port, bytes: Buffer.byteLength(current) }));
  process.on('message', (m) => m === 'exit' && process.exit(0));
}

// ---------------------------------------------------------------------------
// Parent: runs the agent against both children at each interval.

async function main() {
  const target = child('--target');
  const receiver = child('--receiver');
  const { port: targetPort, bytes } = await target.next();
  const { port: receiverPort } = await receiver.next();
  console.log(`metrics pipeline: ${SERIES.toLocaleString('en')} series, ${(bytes / 1e6).toFixed(1)} MB per scrape, measured for ${MEASURE_SECONDS} s per interval`);
  if (agentNodeArgs.length > 0) console.log(`agent Node flags: ${agentNodeArgs.join(' ')}`);
  const prometheus = WITH_PROMETHEUS ? prometheusBinary() : { why: '--no-prometheus' };
  if (!prometheus.path) console.log(`  Prometheus: skipped, ${prometheus.why}`);
  const ports = { targetPort, receiverPort };
  for (const interval of INTERVALS) {
    const base = BASELINE ? await runAgent('alloy-ts base', (dir, i, p) => alloyCommand(dir, i, p, [], BASELINE), interval, ports, receiver) : undefined;
    const ours = await runAgent('alloy-ts', alloyCommand, interval, ports, receiver);
    if (base) {
      ratioRow(`base CPU/M ${interval} s`, ours.cpuPerMillion, 'baseline', base.cpuPerMillion, 1);
      ratioRow(`base RSS ${interval} s`, ours.peakRssMiB, 'baseline', base.peakRssMiB, 1);
    }
    if (!prometheus.path) continue;
    const ref = await runAgent('prometheus', (dir, i, p) => prometheusCommand(prometheus.path, dir, i, p), interval, ports, receiver);
    if (base) {
      ratioRow(`base CPU/M ${interval} s`, base.cpuPerMillion, 'Prometheus', ref.cpuPerMillion, 0.5);
      ratioRow(`base RSS ${interval} s`, base.peakRssMiB, 'Prometheus', ref.peakRssMiB, 0.5);
    }
    ratioRow(`CPU/M ${interval} s`, ours.cpuPerMillion, 'Prometheus', ref.cpuPerMillion, 0.5);
    ratioRow(`RSS MiB ${interval} s`, ours.peakRssMiB, 'Prometheus', ref.peakRssMiB, 0.5);
    if (interval === 1 && WITH_LIMIT) {
      const limit = memoryLimitMiB(ours.peakRssMiB);
      try {
        const limited = await runAgent('alloy-ts limit', (dir, i, p) => alloyCommand(dir, i, p, [`--memory-limit=${limit}MiB`]), interval, ports, receiver);
        memoryLimitRow('metrics 1 s', limit, limited.peakRssMiB, ` (${Math.round(limited.samplesPerSecond).toLocaleString('en')} samples/s vs ${Math.round(ours.samplesPerSecond).toLocaleString('en')} unlimited)`);
      } catch (err) {
        const reason = /heap out of memory/.test(err.message) ? 'JavaScript heap out of memory' : err.message.split('\n')[0];
        console.log(`  ${'metrics 1 s'.padEnd(14)} --memory-limit=${limit}MiB (half the default run's peak): agent failed: ${reason}  goal <= 1  NOT met`);
      }
    }
  }
  target.send('exit');
  receiver.send('exit');
}

/** Prometheus 2.42 (agent mode needs ≥ 2.32): $PROMETHEUS_BIN or the one on PATH. */
function prometheusBinary() {
  const bin = process.env.PROMETHEUS_BIN ?? 'prometheus';
  try {
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { path: bin, version: version.split('\n')[0] };
  } catch {
    return { why: `no ${bin} binary (scripts/prometheus-services.sh start installs it)` };
  }
}

function alloyCommand(dir, intervalSeconds, { targetPort, receiverPort }, extra = [], root = repoRoot) {
  const config = path.join(dir, 'config.alloy');
  writeFileSync(config, `
prometheus.scrape "bench" {
  targets         = [{"__address__" = "127.0.0.1:${targetPort}"}]
  forward_to      = [prometheus.remote_write.bench.receiver]
  scrape_interval = "${intervalSeconds}s"
  scrape_timeout  = "${Math.min(intervalSeconds, 5)}s"
}
prometheus.remote_write "bench" {
  endpoint {
    url = "http://127.0.0.1:${receiverPort}/api/v1/write"
  }
}
`);
  return [process.execPath, [...agentNodeArgs, path.join(root, 'bin/alloy-ts'), 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`, ...extra]];
}

function prometheusCommand(bin, dir, intervalSeconds, { targetPort, receiverPort }) {
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, `global:
  scrape_interval: ${intervalSeconds}s
  scrape_timeout: ${Math.min(intervalSeconds, 5)}s
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: ["127.0.0.1:${targetPort}"]
remote_write:
  - url: "http://127.0.0.1:${receiverPort}/api/v1/write"
`);
  return [bin, ['--enable-feature=agent', `--config.file=${config}`, `--storage.agent.path=${path.join(dir, 'wal')}`, '--web.listen-address=127.0.0.1:0']];
}

async function runAgent(name, command, intervalSeconds, ports, receiver) {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-metrics-'));
  const [cmd, args] = command(dir, intervalSeconds, ports);
  // AGENT_STDOUT=<file>: keep the agents' output (e.g. with AGENT_NODE_ARGS=--trace-gc).
  const stdout = process.env.AGENT_STDOUT ? openSync(process.env.AGENT_STDOUT, 'a') : 'ignore';
  const agent = spawn(cmd, args, { stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  agent.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    if (typeof stdout === 'number') writeSync(stdout, d);
  });
  // Warm-up: until a whole scrape has arrived (Prometheus replays its WAL
  // before sending; on a loaded machine the first scrape takes seconds), then
  // one more interval, so the measured window is steady state for both sides.
  const start = (await receiver.ask('report')).items;
  const deadline = performance.now() + 120_000;
  while ((await receiver.ask('report')).items - start < SERIES) {
    if (agent.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    if (performance.now() > deadline) throw new Error(`${name} delivered no whole scrape in 120 s; log:\n${stderr}`);
    await sleep(250);
  }
  await sleep(intervalSeconds * 1000);
  const before = { cpu: processTreeStats(agent.pid).cpu, received: (await receiver.ask('report')).items, at: performance.now() };
  await sleep(MEASURE_SECONDS * 1000);
  const after = { cpu: processTreeStats(agent.pid).cpu, received: (await receiver.ask('report')).items, at: performance.now() };
  const { peakRssMiB } = processTreeStats(agent.pid);
  // An agent that died while measured (e.g. out of memory under --memory-limit) has no CPU or RSS left to read.
  if (agent.exitCode !== null || agent.signalCode !== null) throw new Error(`${name} exited while measured: ${stderr}`);
  agent.kill('SIGTERM');
  await new Promise((r) => (agent.exitCode !== null ? r() : agent.once('exit', r)));
  const samples = after.received - before.received;
  if (samples === 0) throw new Error(`no samples received from ${name}; log:\n${stderr}`);
  const result = {
    interval: intervalSeconds,
    samplesPerSecond: samples / ((after.at - before.at) / 1000),
    cpuPerMillion: (after.cpu - before.cpu) / (samples / 1e6),
    peakRssMiB,
  };
  console.log(`  ${name.padEnd(15)} every ${intervalSeconds} s: ${Math.round(result.samplesPerSecond).toLocaleString('en').padStart(9)} samples/s   ${result.cpuPerMillion.toFixed(2).padStart(5)} CPU-s per million samples   peak RSS ${peakRssMiB.toFixed(0)} MiB`);
  return result;
}

function child(flag) {
  const proc = fork(fileURLToPath(import.meta.url), [flag], { stdio: 'inherit' });
  return {
    send: (m) => proc.send(m),
    next: () => new Promise((resolve) => proc.once('message', resolve)),
    ask: (m) => new Promise((resolve) => {
      proc.once('message', resolve);
      proc.send(m);
    }),
  };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
