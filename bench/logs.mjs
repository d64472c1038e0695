// Log pipeline benchmark (issue 5 item 7, issue 6): the agent, as a separate
// process (`node bin/alloy-ts run`), tails a 1,000,000-line file with
// local.file_match → loki.source.file [→ loki.process] → loki.write, pushing to
// a receiver in this process that decodes every push (snappy + protobuf) and
// counts entries. Per variant it prints lines/s, the agent's CPU-seconds per
// million lines (utime+stime from /proc/<pid>/stat) and its peak RSS (VmHWM).
//
// Variants:
//   plain     120-byte text lines, no processing. Reference: Promtail v2.8
//             needs 8–10 CPU-s per million such lines at 91 MiB peak RSS;
//             target ≤ 2 CPU-s per million and ≤ 100 MiB.
//   json      JSON lines (~170 bytes), no processing: the baseline of …
//   pipeline  the same JSON lines through loki.process with stage.json →
//             stage.labels → stage.timestamp → stage.output; target: at most
//             2× the CPU of `json`.
//
//   npm run build && node bench/logs.mjs [lines] [--variant=plain|json|pipeline]
//   AGENT_NODE_OPTIONS="--max-old-space-size=64" node bench/logs.mjs
//   AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/logs.mjs --variant=pipeline
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import protobuf from 'protobufjs/minimal.js';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { startDecodingReceiver } from './receiver.mjs';

const TOTAL = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const only = process.argv.find((a) => a.startsWith('--variant='))?.split('=')[1];
const LINE_BYTES = 120;

/** One 120-byte text line (newline included), different for every n. */
function textLine(n) {
  const head = `2024-05-01T12:00:00.${String(n % 1000).padStart(3, '0')}Z level=info msg="request handled" id=${String(n).padStart(8, '0')} path=/api/v1/items/${n % 9973} status=200`;
  return head.padEnd(LINE_BYTES - 1, ' x').slice(0, LINE_BYTES - 1) + '\n';
}

const LEVELS = ['info', 'warn', 'error', 'debug'];
const BASE_MS = Date.UTC(2024, 4, 1, 12);

/** One JSON line as an application logger writes it, different for every n. */
function jsonLine(n) {
  const ts = new Date(BASE_MS + n).toISOString().replace('Z', `${String(n % 1e6).padStart(6, '0')}Z`);
  return `{"ts":"${ts}","level":"${LEVELS[n % 4]}","msg":"request ${n} handled","method":"GET","path":"/api/v1/items/${n % 97}","status":200,"duration_ms":${(n % 1000) / 10}}\n`;
}

const PIPELINE = `
loki.process "json" {
  forward_to = [loki.write.out.receiver]

  stage.json {
    expressions = { level = "", ts = "", msg = "", status = "" }
  }

  stage.labels {
    values = { level = "" }
  }

  stage.timestamp {
    source = "ts"
    format = "RFC3339Nano"
  }

  stage.output {
    source = "msg"
  }
}
`;

const VARIANTS = {
  plain: { line: textLine, process: false, goal: 'target ≤ 2; Promtail 2.8: 8–10' },
  json: { line: jsonLine, process: false, goal: 'baseline of the pipeline variant' },
  pipeline: { line: jsonLine, process: true, goal: 'target ≤ 2× json' },
};

async function writeLogFile(file, line) {
  const out = createWriteStream(file);
  let chunk = '';
  let bytes = 0;
  for (let i = 0; i < TOTAL; i++) {
    chunk += line(i);
    if (chunk.length >= 1 << 20) {
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += chunk.length;
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

/** Counts the entries of a PushRequest and tallies their line bytes by walking its protobuf fields. */
function entryCounter() {
  const tally = { lineBytes: 0 };
  const count = (buf) => {
    const r = protobuf.Reader.create(buf);
    let entries = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 !== 1) { r.skipType(tag & 7); continue; }
      const streamEnd = r.uint32() + r.pos;
      while (r.pos < streamEnd) {
        const t = r.uint32();
        if (t >>> 3 !== 2) { r.skipType(t & 7); continue; }
        const entryEnd = r.uint32() + r.pos;
        entries++;
        while (r.pos < entryEnd) {
          const e = r.uint32();
          if (e >>> 3 === 2) { const len = r.uint32(); tally.lineBytes += len; r.pos += len; } else r.skipType(e & 7);
        }
      }
    }
    return entries;
  };
  return { count, tally };
}

function configText(dir, port, withProcess) {
  const sink = withProcess ? 'loki.process.json.receiver' : 'loki.write.out.receiver';
  return `local.file_match "logs" {
  path_targets = [{"__path__" = ${JSON.stringify(path.join(dir, '*.log'))}, "job" = "bench"}]
}

loki.source.file "logs" {
  targets    = local.file_match.logs.targets
  forward_to = [${sink}]
}
${withProcess ? PIPELINE : ''}
loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${port}/loki/api/v1/push"
  }
}
`;
}

/** Runs one variant with a fresh agent and returns its figures. */
async function runVariant(name) {
  const variant = VARIANTS[name];
  const dir = mkdtempSync(path.join(tmpdir(), `alloy-ts-bench-logs-${name}-`));
  let t0 = performance.now();
  const fileBytes = await writeLogFile(path.join(dir, 'app.log'), variant.line);
  console.log(`\n[${name}] generated ${TOTAL.toLocaleString('en')} lines, ${(fileBytes / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const { count, tally } = entryCounter();
  const receiver = await startDecodingReceiver(count);
  const done = receiver.until(TOTAL);
  const configFile = path.join(dir, 'config.alloy');
  writeFileSync(configFile, configText(dir, receiver.port, variant.process));

  t0 = performance.now();
  const agent = spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', configFile, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], {
    stdio: ['ignore', process.env.AGENT_STDOUT === 'inherit' ? 'inherit' : 'ignore', 'pipe'], // inherit: see --trace-gc
    // AGENT_NODE_OPTIONS passes V8/Node flags to the agent only (e.g. heap limits).
    env: { ...process.env, NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '' },
  });
  let stderr = '';
  agent.stderr.on('data', (d) => (stderr += d));
  agent.on('exit', (code) => {
    if (receiver.stats.items < TOTAL) {
      console.error(stderr);
      throw new Error(`agent exited (${code}) after ${receiver.stats.items} lines`);
    }
  });

  // CPU at the first push marks the end of start-up (loading, parsing, building).
  let startup;
  const sampler = setInterval(() => {
    if (!startup && receiver.stats.items > 0) startup = processStats(agent.pid);
  }, 5);
  await done;
  clearInterval(sampler);
  const end = processStats(agent.pid);
  const seconds = (performance.now() - t0) / 1000;
  const streaming = (performance.now() - receiver.stats.firstAt) / 1000;
  agent.kill('SIGTERM');
  await once(agent, 'exit');
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });

  const perMillion = (cpu) => (cpu / TOTAL) * 1e6;
  const cpuPerMillion = perMillion(end.cpu);
  console.log(`[${name}] delivered ${receiver.stats.items.toLocaleString('en')} lines (${(tally.lineBytes / 2 ** 20).toFixed(0)} MiB of line text) in ${receiver.stats.requests} pushes`);
  console.log(`[${name}] throughput: ${Math.round(TOTAL / seconds).toLocaleString('en')} lines/s end to end (${seconds.toFixed(2)} s incl. start-up), ${Math.round(TOTAL / streaming).toLocaleString('en')} lines/s from the first push`);
  console.log(`[${name}] agent CPU: ${end.cpu.toFixed(2)} s total = ${cpuPerMillion.toFixed(2)} CPU-s per million lines (${variant.goal}); ${(end.cpu - (startup?.cpu ?? 0)).toFixed(2)} s after start-up = ${perMillion(end.cpu - (startup?.cpu ?? 0)).toFixed(2)} CPU-s per million`);
  console.log(`[${name}] agent peak RSS (VmHWM): ${end.peakRssMiB.toFixed(0)} MiB${name === 'plain' ? ' (target ≤ 100; Promtail 2.8: 91)' : ''}`);
  return { cpuPerMillion };
}

if (!existsSync(path.join(repoRoot, 'dist/components/loki/source-file.js'))) throw new Error('run `npm run build` first');
const results = {};
for (const name of Object.keys(VARIANTS)) {
  if (!only || only === name || (only === 'pipeline' && name === 'json')) results[name] = await runVariant(name);
}
if (results.json && results.pipeline) {
  const ratio = results.pipeline.cpuPerMillion / results.json.cpuPerMillion;
  console.log(`\nloki.process pipeline costs ${ratio.toFixed(2)}× the CPU of the same JSON lines without it (target ≤ 2×)`);
}
