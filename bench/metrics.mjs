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
// Reference (Prometheus 2.42 in agent mode, same setup): 2.8 CPU-s per
// million samples at 1 s, 3.4 at 5 s; 440 MiB peak RSS. Targets: ≤ 2.8
// CPU-s per million samples, ≤ 220 MiB.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { remoteWriteSamples, runReceiverChild } from './receiver.mjs';

const SERIES = 100_000;
const SERIES_PER_FAMILY = 100;
const secondsArg = process.argv.find((a) => a.startsWith('--seconds='));
const MEASURE_SECONDS = secondsArg ? Number(secondsArg.split('=')[1]) : 40;

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
  const results = [];
  for (const interval of [1, 5]) results.push(await runAgent(interval, targetPort, receiverPort, receiver));
  for (const r of results) {
    console.log(`  scrape every ${r.interval} s: ${Math.round(r.samplesPerSecond).toLocaleString('en').padStart(9)} samples/s   ${r.cpuPerMillion.toFixed(2).padStart(5)} CPU-s per million samples   peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
  }
  console.log('  reference: Prometheus 2.42 agent mode 2.8 (1 s) / 3.4 (5 s) CPU-s per million samples, 440 MiB peak RSS');
  target.send('exit');
  receiver.send('exit');
}

async function runAgent(intervalSeconds, targetPort, receiverPort, receiver) {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-metrics-'));
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
  const agent = spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  agent.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const warmup = Math.max(3 * intervalSeconds, 5);
  await sleep(warmup * 1000);
  if (agent.exitCode !== null) throw new Error(`agent exited: ${stderr}`);
  const before = { cpu: processStats(agent.pid).cpu, received: (await receiver.ask('report')).items, at: performance.now() };
  await sleep(MEASURE_SECONDS * 1000);
  const after = { cpu: processStats(agent.pid).cpu, received: (await receiver.ask('report')).items, at: performance.now() };
  const { peakRssMiB } = processStats(agent.pid);
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  const samples = after.received - before.received;
  if (samples === 0) throw new Error(`no samples received; agent log:\n${stderr}`);
  const cpuSeconds = after.cpu - before.cpu;
  return {
    interval: intervalSeconds,
    samplesPerSecond: samples / ((after.at - before.at) / 1000),
    cpuPerMillion: cpuSeconds / (samples / 1e6),
    peakRssMiB,
  };
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
