// OTLP pipeline benchmark (issue 19): the agent as its own process
// (`node bin/alloy-ts run`) with otelcol.receiver.otlp (gRPC) →
// otelcol.processor.batch (defaults) → otelcol.exporter.otlp (gRPC, gzip as
// Alloy's default) to a counting OTLP receiver in this process. A load
// generator here sends 1,000,000 spans, then 1,000,000 log records, in
// requests of 500 items, 8 in flight, as an SDK's batch processor would.
// Per signal it prints items/s, the agent's CPU-seconds per million items
// (utime+stime from /proc) and its peak RSS. References measured in the same
// run, with the same load and receiver: the floor (bench/otlp-floor.mjs, a
// plain grpc-js server → join → grpc-js client relay doing only the
// transport, so agent ÷ floor is what the agent adds) and the file log
// pipeline (bench/logs.mjs, plain variant). Agent and floor alternate for
// --rounds=N (default 1); medians are printed. Goal: ≤ 3 CPU-s per million
// spans.
//
//   npm run build && node bench/otlp.mjs [items] [--rounds=N] [--per-request=N] [--compression=none]
//     [--no-floor] [--no-file] [--no-reference (both)] [--only-floor] [--agent=path/to/bin/alloy-ts]
import * as grpc from '@grpc/grpc-js';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { agentNodeArgs, processStats } from './agent-stats.mjs';
import { repoRoot } from './corpus.mjs';

const TOTAL = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
// Items per incoming request: 500 divides the batch size (2000), so no request is cut; the
// OpenTelemetry SDKs' batch processors send up to 512 (--per-request=512: every batch cuts one).
const PER_REQUEST = Number(process.argv.find((a) => a.startsWith('--per-request='))?.split('=')[1] ?? 500);
const IN_FLIGHT = 8;
const SPANS_GOAL = 3;
const NO_FLOOR = process.argv.includes('--no-reference') || process.argv.includes('--no-floor');
const NO_FILE = process.argv.includes('--no-reference') || process.argv.includes('--no-file') || process.argv.includes('--only-floor');
// --agent=<path>: another build's bin/alloy-ts (to compare two builds in one run).
const AGENT_BIN = process.argv.find((a) => a.startsWith('--agent='))?.slice('--agent='.length) ?? path.join(repoRoot, 'bin/alloy-ts');
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1);
// Alloy's otelcol.processor.batch default send_batch_size (2000), in whole requests for the floor.
const BATCH_REQUESTS = Math.floor(2000 / PER_REQUEST);
// --compression=none: the exporter without gzip (Alloy's default is gzip).
const COMPRESSION = process.argv.find((a) => a.startsWith('--compression='))?.split('=')[1] ?? 'gzip';

const SERVICES = {
  traces: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', type: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest' },
  logs: { path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export', type: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest' },
};

function otlpRoot() {
  const root = new protobuf.Root();
  const dir = path.join(repoRoot, 'test/support/otlp');
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
  return root;
}

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }, { key: 'host.name', value: { stringValue: 'bench-host' } }] };

/** One request of PER_REQUEST spans, ids and names different for every request `r`. */
function spansRequest(r) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: PER_REQUEST }, (_, i) => {
    const id = Buffer.alloc(8);
    id.writeUInt32BE(r, 0);
    id.writeUInt32BE(i, 4);
    return {
      traceId: Buffer.concat([id, id]),
      spanId: id,
      name: `GET /api/items/${i % 50}`,
      kind: 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_500_000n),
      attributes: [
        { key: 'http.method', value: { stringValue: 'GET' } },
        { key: 'http.status_code', value: { intValue: 200 } },
        { key: 'http.route', value: { stringValue: `/api/items/${i % 50}` } },
      ],
      status: { code: 1 },
    };
  });
  return { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'bench', version: '1.0' }, spans }] }] };
}

function logsRequest(r) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: PER_REQUEST }, (_, i) => ({
    timeUnixNano: String(now + BigInt(i)),
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: `request ${r}-${i} handled path=/api/v1/items/${i % 97} status=200 duration_ms=${i % 100}` },
    attributes: [{ key: 'thread', value: { stringValue: `worker-${i % 8}` } }],
  }));
  return { resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'bench' }, logRecords }] }] };
}

/** Counts spans or log records by walking the protobuf fields (request → resource → scope → items). */
function countItems(buf) {
  const r = protobuf.Reader.create(buf);
  let n = 0;
  const nested = (end, depth) => {
    while (r.pos < end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const want = depth === 0 ? 1 : 2;
      if (field !== want || (tag & 7) !== 2) {
        r.skipType(tag & 7);
        continue;
      }
      const len = r.uint32();
      if (depth === 2) {
        n++;
        r.pos += len;
      } else nested(r.pos + len, depth + 1);
    }
  };
  nested(r.len, 0);
  return n;
}

async function countingReceiver() {
  const stats = { traces: 0, logs: 0, requests: 0 };
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  const id = (b) => b;
  for (const [signal, svc] of Object.entries(SERVICES)) {
    server.addService(
      { Export: { path: svc.path, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
      {
        Export: (call, cb) => {
          stats[signal] += countItems(call.request);
          stats.requests++;
          cb(null, Buffer.alloc(0));
        },
      },
    );
  }
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { stats, port, close: () => server.forceShutdown() };
}

async function freePort() {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return port;
}

/** Sends `total` items of `signal` to the agent, IN_FLIGHT requests at a time. */
async function load(client, signal, total, requests) {
  const n = Math.ceil(total / PER_REQUEST);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const body = requests[next++ % requests.length];
      for (;;) {
        const err = await new Promise((resolve) => client.makeUnaryRequest(SERVICES[signal].path, (b) => b, (b) => b, body, (e) => resolve(e)));
        if (!err) break;
        if (err.code !== grpc.status.UNAVAILABLE) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

async function waitFor(check, ms) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (!existsSync(path.join(repoRoot, 'dist/components/otelcol/receiver-otlp.js'))) throw new Error('run `npm run build` first');

const root = otlpRoot();
const encode = (signal, obj) => {
  const t = root.lookupType(SERVICES[signal].type);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
};
const spanRequests = Array.from({ length: 50 }, (_, r) => encode('traces', spansRequest(r)));
const logRequests = Array.from({ length: 50 }, (_, r) => encode('logs', logsRequest(r)));

function agentConfig(port, receiverPort) {
  return `otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:${port}" }
  output {
    traces = [otelcol.processor.batch.b.input]
    logs   = [otelcol.processor.batch.b.input]
  }
}

otelcol.processor.batch "b" {
  output {
    traces = [otelcol.exporter.otlp.out.input]
    logs   = [otelcol.exporter.otlp.out.input]
  }
}

otelcol.exporter.otlp "out" {
  client {
    endpoint    = "127.0.0.1:${receiverPort}"
    compression = "${COMPRESSION}"
    tls { insecure = true }
  }
}
`;
}

/** Starts the agent (`alloy-ts run`) or the floor relay listening on `port`, sending to `receiverPort`. */
function startTarget(kind, port, receiverPort, dir) {
  let args;
  if (kind === 'agent') {
    const configFile = path.join(dir, 'config.alloy');
    writeFileSync(configFile, agentConfig(port, receiverPort));
    args = [...agentNodeArgs, AGENT_BIN, 'run', configFile, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`];
  } else args = [...agentNodeArgs, path.join(repoRoot, 'bench/otlp-floor.mjs'), String(port), String(receiverPort), String(BATCH_REQUESTS), COMPRESSION];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: kind === 'agent' ? (process.env.AGENT_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '') : '' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${kind} exited ${code}\n${stderr}`);
  });
  return { child, stderr: () => stderr };
}

/** Ready once the target answers (a request of zero items). */
async function waitReady(client, target) {
  const end = Date.now() + 20_000;
  for (;;) {
    const err = await new Promise((resolve) => client.makeUnaryRequest(SERVICES.traces.path, (b) => b, (b) => b, Buffer.alloc(0), (e) => resolve(e)));
    if (!err) return;
    if (Date.now() > end) throw new Error(`not ready: ${err.message}\n${target.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One target through both signals: per signal CPU-s per million items, seconds, peak RSS. */
async function measure(kind) {
  const receiver = await countingReceiver();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-otlp-'));
  const target = startTarget(kind, port, receiver.port, dir);
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const out = {};
  try {
    await waitReady(client, target);
    for (const signal of ['traces', 'logs']) {
      const before = processStats(target.child.pid);
      const t0 = performance.now();
      await load(client, signal, TOTAL, signal === 'traces' ? spanRequests : logRequests);
      await waitFor(() => receiver.stats[signal] >= TOTAL, 120_000);
      const seconds = (performance.now() - t0) / 1000;
      const after = processStats(target.child.pid);
      const cpu = after.cpu - before.cpu;
      out[signal] = { cpuPerMillion: (cpu / TOTAL) * 1e6, seconds, peak: after.peakRssMiB };
      const unit = signal === 'traces' ? 'spans' : 'log records';
      console.log(
        `[otlp ${kind} ${signal}] ${receiver.stats[signal].toLocaleString('en')} ${unit} in ${seconds.toFixed(2)} s (${Math.round(TOTAL / seconds).toLocaleString('en')}/s); ` +
          `CPU ${cpu.toFixed(2)} s = ${out[signal].cpuPerMillion.toFixed(2)} CPU-s per million (user ${(after.user - before.user).toFixed(2)}, system ${(after.system - before.system).toFixed(2)}); peak RSS so far ${after.peakRssMiB.toFixed(0)} MiB`,
      );
    }
  } finally {
    client.close();
    target.child.kill('SIGTERM');
    await once(target.child, 'exit');
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const runs = { agent: [], floor: [] };
for (let round = 0; round < ROUNDS; round++) {
  if (!process.argv.includes('--only-floor')) runs.agent.push(await measure('agent'));
  if (!NO_FLOOR) runs.floor.push(await measure('floor'));
}
const med = (kind, signal, key) => (runs[kind].length ? median(runs[kind].map((r) => r[signal][key])) : undefined);

let file;
if (!NO_FILE) {
  console.log('\n[reference] file pipeline in the same run (bench/logs.mjs, plain variant):');
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'bench/logs.mjs'), String(TOTAL), '--variant=plain'], { encoding: 'utf8' });
  process.stdout.write(out);
  const m = /= ([\d.]+) CPU-s per million lines/.exec(out);
  const rss = /peak RSS \(VmHWM\): (\d+) MiB/.exec(out);
  if (m) file = { cpuPerMillion: Number(m[1]), peak: Number(rss?.[1]) };
}

const rounds = ROUNDS > 1 ? ` (medians of ${ROUNDS} alternating rounds)` : '';
console.log(`\nOTLP pipeline, ${TOTAL.toLocaleString('en')} items per signal in requests of ${PER_REQUEST}, exporter compression ${COMPRESSION}${rounds}:`);
for (const signal of runs.agent.length ? ['traces', 'logs'] : []) {
  const agent = med('agent', signal, 'cpuPerMillion');
  const floor = med('floor', signal, 'cpuPerMillion');
  const parts = [`agent ${agent.toFixed(2)} CPU-s per million ${signal === 'traces' ? 'spans' : 'log records'}`];
  if (signal === 'traces') parts.push(`goal ≤ ${SPANS_GOAL}: ${(agent / SPANS_GOAL).toFixed(2)}× the goal (${agent <= SPANS_GOAL ? 'met' : 'not met'})`);
  if (floor !== undefined) parts.push(`floor (plain grpc-js relay) ${floor.toFixed(2)}: agent ${(agent / floor).toFixed(2)}× the floor`);
  if (file) parts.push(`file pipeline ${file.cpuPerMillion.toFixed(2)} per million lines: ${(agent / file.cpuPerMillion).toFixed(2)}× it`);
  console.log(`  ${signal}: ${parts.join('; ')}`);
}
const rssParts = runs.agent.length ? [`agent ${med('agent', 'logs', 'peak').toFixed(0)} MiB`] : [];
if (runs.floor.length) rssParts.push(`floor ${med('floor', 'logs', 'peak').toFixed(0)} MiB`);
if (file) rssParts.push(`file pipeline agent ${file.peak} MiB`);
console.log(`  peak RSS: ${rssParts.join(', ')}`);
