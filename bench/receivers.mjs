// Receiving benchmarks (issue 17): the agent as its own process
// (`node bin/alloy-ts run`) takes N log lines from a sender in this process
// and ships them with loki.write to a decoding Loki stand-in, also in this
// process. Per variant: messages/s from the first to the last delivered entry
// and the agent's CPU-seconds per million messages (utime+stime from /proc).
//
//   file        the file pipeline (local.file_match → loki.source.file): the
//               same N lines from a file, alloy-ts's own yardstick
//   syslog-tcp  loki.source.syslog: RFC 5424, octet-counted, over 4 TCP connections
//   push-api    loki.source.api: snappy protobuf pushes of 1,000 entries, 4 at a time
//
// Promtail 2.8.11 (../shared/tools/promtail) receives the same syslog stream
// and the same pushes in the same run (its `syslog` and `loki_push_api`
// scrape configs), and the ratio is printed beside each figure: this 2-core
// machine is shared, so only same-run ratios mean much.
//
//   npm run build && node bench/receivers.mjs [messages] [--variant=file|syslog-tcp|push-api]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, startDecodingReceiver } from './receiver.mjs';

const TOTAL = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500_000);
const only = process.argv.find((a) => a.startsWith('--variant='))?.split('=')[1];
const PROMTAIL = path.resolve(repoRoot, '../shared/tools/promtail');
const CONNECTIONS = 4;
const PUSH_ENTRIES = 1000;
const PUSHES_IN_FLIGHT = 4;

/** The message text of line n: ~100 bytes, different for every n. */
const text = (n) => `level=info msg="request handled" id=${String(n).padStart(8, '0')} path=/api/v1/items/${n % 9973} status=200 dur=${n % 997}ms`;

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// ---------------------------------------------------------------------------
// Senders

/** Writes TOTAL octet-counted RFC 5424 messages over CONNECTIONS sockets, honouring backpressure. */
async function sendSyslog(port) {
  const per = Math.ceil(TOTAL / CONNECTIONS);
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const from = c * per;
    const to = Math.min(TOTAL, from + per);
    let chunk = '';
    for (let n = from; n < to; n++) {
      const msg = `<14>1 2024-05-01T12:00:00.000Z host app ${n % 100} - - ${text(n)}`;
      chunk += `${Buffer.byteLength(msg)} ${msg}`;
      if (chunk.length > 64 * 1024 || n === to - 1) {
        if (!socket.write(chunk)) await once(socket, 'drain');
        chunk = '';
      }
    }
    socket.end();
    await once(socket, 'close');
  }));
}

const PushRequest = protobuf.loadSync(path.join(repoRoot, 'test/support/loki-push.proto')).lookupType('logproto.PushRequest');

/** Pre-encodes the pushes (the sender's cost is not what is measured). */
function pushBodies() {
  const bodies = [];
  const base = Math.floor(Date.now() / 1000);
  for (let start = 0; start < TOTAL; start += PUSH_ENTRIES) {
    const entries = [];
    for (let n = start; n < Math.min(TOTAL, start + PUSH_ENTRIES); n++) entries.push({ timestamp: { seconds: base, nanos: n }, line: text(n) });
    bodies.push(compressSync(Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams: [{ labels: '{job="bench"}', entries }] })).finish())));
  }
  return bodies;
}

/** Sends the pushes, PUSHES_IN_FLIGHT at a time; each must be answered 204. */
async function sendPushes(port, bodies) {
  let next = 0;
  await Promise.all(Array.from({ length: PUSHES_IN_FLIGHT }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const res = await fetch(`http://127.0.0.1:${port}/loki/api/v1/push`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-protobuf' } });
      if (res.status !== 204) throw new Error(`push answered ${res.status}: ${await res.text()}`);
    }
  }));
}

// ---------------------------------------------------------------------------
// Agents

function alloyConfig(kind, dir, inPort, lokiPort) {
  const write = `loki.write "out" {\n  endpoint {\n    url = "http://127.0.0.1:${lokiPort}/loki/api/v1/push"\n  }\n}\n`;
  if (kind === 'file') {
    return `local.file_match "logs" {\n  path_targets = [{"__path__" = ${JSON.stringify(path.join(dir, '*.log'))}, "job" = "bench"}]\n}\nloki.source.file "logs" {\n  targets    = local.file_match.logs.targets\n  forward_to = [loki.write.out.receiver]\n}\n${write}`;
  }
  if (kind === 'syslog-tcp') {
    return `loki.source.syslog "in" {\n  listener {\n    address = "127.0.0.1:${inPort}"\n    labels  = { job = "bench" }\n  }\n  forward_to = [loki.write.out.receiver]\n}\n${write}`;
  }
  return `loki.source.api "in" {\n  http {\n    listen_address = "127.0.0.1"\n    listen_port    = ${inPort}\n  }\n  forward_to = [loki.write.out.receiver]\n}\n${write}`;
}

function promtailConfig(kind, dir, inPort, lokiPort) {
  const receiver = kind === 'syslog-tcp'
    ? `    syslog: { listen_address: "127.0.0.1:${inPort}", labels: { job: bench } }`
    : `    loki_push_api: { server: { http_listen_address: 127.0.0.1, http_listen_port: ${inPort}, grpc_listen_port: 0 }, labels: { job: bench } }`;
  return `server: { disable: true }
positions: { filename: ${dir}/positions.yaml }
clients: [ { url: "http://127.0.0.1:${lokiPort}/loki/api/v1/push" } ]
scrape_configs:
  - job_name: bench
${receiver}
`;
}

function startAgent(agent, dir, configFile) {
  if (agent === 'promtail') return spawn(PROMTAIL, [`-config.file=${configFile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', configFile, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Waits until the agent accepts TCP connections on `port`. */
async function listening(port, child, log) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`agent exited: ${log()}`);
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`agent never listened on ${port}: ${log()}`);
}

/** The pid whose CPU counts: the launcher's child when it re-executes itself, else the process. */
function agentPid(child) {
  try {
    const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
    return kids ? Number(kids.split(/\s+/)[0]) : child.pid;
  } catch {
    return child.pid;
  }
}

async function run(kind, agent, bodies) {
  const dir = mkdtempSync(path.join(tmpdir(), `alloy-ts-bench-${kind}-${agent}-`));
  const receiver = await startDecodingReceiver(lokiEntries());
  const done = receiver.until(TOTAL);
  const inPort = await freePort();
  if (kind === 'file') writeFileSync(path.join(dir, 'app.log'), Array.from({ length: TOTAL }, (_, n) => `${text(n)}\n`).join(''));
  const configFile = path.join(dir, agent === 'promtail' ? 'promtail.yaml' : 'config.alloy');
  writeFileSync(configFile, agent === 'promtail' ? promtailConfig(kind, dir, inPort, receiver.port) : alloyConfig(kind, dir, inPort, receiver.port));
  const child = startAgent(agent, dir, configFile);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  if (kind !== 'file') await listening(inPort, child, () => stderr.slice(-2000));
  const pid = agentPid(child);
  // The file pipeline starts reading at once: its CPU counts from the first delivered line (start-up excluded, as for the others).
  if (kind === 'file') while (receiver.stats.items === 0) await new Promise((r) => setTimeout(r, 2));
  const before = processStats(pid);
  const t0 = performance.now();
  if (kind === 'syslog-tcp') await sendSyslog(inPort);
  if (kind === 'push-api') await sendPushes(inPort, bodies);
  await done;
  const end = processStats(pid);
  const seconds = (performance.now() - t0) / 1000;
  child.kill('SIGTERM');
  await once(child, 'exit');
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
  const cpu = end.cpu - before.cpu;
  return { rate: TOTAL / seconds, cpuPerMillion: (cpu / TOTAL) * 1e6, peakRssMiB: end.peakRssMiB };
}

if (!existsSync(path.join(repoRoot, 'dist/components/loki/source-syslog.js'))) throw new Error('run `npm run build` first');
const hasPromtail = existsSync(PROMTAIL);
if (!hasPromtail) console.log(`Promtail not found at ${PROMTAIL}: printing alloy-ts figures without the reference`);
const fmt = (r) => `${Math.round(r.rate).toLocaleString('en')} msg/s, ${r.cpuPerMillion.toFixed(2)} CPU-s per million, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`;
const bodies = !only || only === 'push-api' ? pushBodies() : [];
console.log(`${TOTAL.toLocaleString('en')} messages per variant; the receiving agent's CPU counted from the first message (start-up excluded)`);
let file;
for (const kind of ['file', 'syslog-tcp', 'push-api']) {
  if (only && only !== kind) continue;
  const ours = await run(kind, 'alloy-ts', bodies);
  if (kind === 'file') file = ours;
  let line = `[${kind}] alloy-ts: ${fmt(ours)}`;
  if (file && kind !== 'file') line += ` — ${(ours.cpuPerMillion / file.cpuPerMillion).toFixed(2)}× the file pipeline's CPU`;
  console.log(line);
  if (kind !== 'file' && hasPromtail) {
    const ref = await run(kind, 'promtail', bodies);
    console.log(`[${kind}] Promtail 2.8.11: ${fmt(ref)} — alloy-ts uses ${(ours.cpuPerMillion / ref.cpuPerMillion).toFixed(2)}× Promtail's CPU (goal ≤ 1)`);
  }
}
