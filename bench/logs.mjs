// Log pipeline benchmark (issue 5 item 7): the agent, as a separate process
// (`node bin/alloy-ts run`), tails a 1,000,000-line file of 120-byte lines with
// local.file_match → loki.source.file → loki.write, pushing to a receiver in
// this process that decodes every push (snappy + protobuf) and counts entries.
// Prints lines/s, the agent's CPU-seconds per million lines (utime+stime from
// /proc/<pid>/stat) and its peak RSS (VmHWM from /proc/<pid>/status).
// Reference: Promtail v2.8 needs 8–10 CPU-s per million such lines at 91 MiB
// peak RSS; target ≤ 2 CPU-s per million and ≤ 100 MiB.
//
//   npm run build && node bench/logs.mjs [lines]
//   AGENT_NODE_OPTIONS="--max-old-space-size=64" node bench/logs.mjs
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import protobuf from 'protobufjs/minimal.js';
import { repoRoot } from './corpus.mjs';
import { startDecodingReceiver } from './receiver.mjs';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const LINE_BYTES = 120;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-logs-'));
const logFile = path.join(dir, 'app.log');

/** One 120-byte line (newline included), different for every n. */
function logLine(n) {
  const head = `2024-05-01T12:00:00.${String(n % 1000).padStart(3, '0')}Z level=info msg="request handled" id=${String(n).padStart(8, '0')} path=/api/v1/items/${n % 9973} status=200`;
  return head.padEnd(LINE_BYTES - 1, ' x').slice(0, LINE_BYTES - 1) + '\n';
}

async function writeLogFile() {
  const out = createWriteStream(logFile);
  let chunk = '';
  for (let i = 0; i < TOTAL; i++) {
    chunk += logLine(i);
    if (chunk.length >= 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Line text received, tallied by countEntries. */
let lineBytes = 0;

/** Counts the entries of a PushRequest (and tallies its line bytes) by walking its protobuf fields. */
function countEntries(buf) {
  const r = protobuf.Reader.create(buf);
  let entries = 0;
  let bytes = 0;
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
        if (e >>> 3 === 2) { const len = r.uint32(); bytes += len; r.pos += len; } else r.skipType(e & 7);
      }
    }
  }
  lineBytes += bytes;
  return entries;
}


function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpu, hwmMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

function config(port) {
  const haveFileMatch = existsSync(path.join(repoRoot, 'dist/components/local/file-match.js'));
  const targets = haveFileMatch ? 'local.file_match.logs.targets' : `[{"__path__" = ${JSON.stringify(logFile)}, "job" = "bench"}]`;
  const fileMatch = haveFileMatch ? `local.file_match "logs" {\n  path_targets = [{"__path__" = ${JSON.stringify(path.join(dir, '*.log'))}, "job" = "bench"}]\n}\n` : '';
  return {
    haveFileMatch,
    text: `${fileMatch}
loki.source.file "logs" {
  targets    = ${targets}
  forward_to = [loki.write.out.receiver]
}

loki.write "out" {
  endpoint {
    url = "http://127.0.0.1:${port}/loki/api/v1/push"
  }
}
`,
  };
}

if (!existsSync(path.join(repoRoot, 'dist/components/loki/source-file.js'))) throw new Error('run `npm run build` first');
let t0 = performance.now();
await writeLogFile();
console.log(`generated ${TOTAL.toLocaleString('en')} lines of ${LINE_BYTES} bytes (${((TOTAL * LINE_BYTES) / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const receiver = await startDecodingReceiver(countEntries);
const done = receiver.until(TOTAL);
const cfg = config(receiver.port);
const configFile = path.join(dir, 'config.alloy');
writeFileSync(configFile, cfg.text);
if (!cfg.haveFileMatch) console.log('note: local.file_match is not built yet; loki.source.file gets the target directly');

t0 = performance.now();
const agent = spawn(process.execPath, [path.join(repoRoot, 'bin/alloy-ts'), 'run', configFile, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], {
  stdio: ['ignore', 'ignore', 'pipe'],
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
  if (!startup && receiver.stats.items > 0) startup = procStats(agent.pid);
}, 5);
await done;
clearInterval(sampler);
const end = procStats(agent.pid);
const seconds = (performance.now() - t0) / 1000;
const streaming = (performance.now() - receiver.stats.firstAt) / 1000;
agent.kill('SIGTERM');
await once(agent, 'exit');
await receiver.close();

const perMillion = (cpu) => (cpu / TOTAL) * 1e6;
console.log(`delivered ${receiver.stats.items.toLocaleString('en')} lines (${(lineBytes / 2 ** 20).toFixed(0)} MiB of line text) in ${receiver.stats.requests} pushes`);
console.log(`throughput: ${Math.round(TOTAL / seconds).toLocaleString('en')} lines/s end to end (${seconds.toFixed(2)} s incl. start-up), ${Math.round(TOTAL / streaming).toLocaleString('en')} lines/s from the first push`);
console.log(`agent CPU: ${end.cpu.toFixed(2)} s total = ${perMillion(end.cpu).toFixed(2)} CPU-s per million lines; ${(end.cpu - (startup?.cpu ?? 0)).toFixed(2)} s after start-up = ${perMillion(end.cpu - (startup?.cpu ?? 0)).toFixed(2)} CPU-s per million (target ≤ 2; Promtail 2.8: 8–10)`);
console.log(`agent peak RSS (VmHWM): ${end.hwmMiB.toFixed(0)} MiB (target ≤ 100; Promtail 2.8: 91)`);
rmSync(dir, { recursive: true, force: true });
