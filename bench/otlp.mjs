// OTLP pipeline benchmark (issue 19): the agent as its own process
// (`node bin/alloy-ts run`) with otelcol.receiver.otlp (gRPC) →
// otelcol.processor.batch (defaults) → otelcol.exporter.otlp (gRPC, gzip as
// Alloy's default) to a counting OTLP receiver in this process. A load
// generator here sends 1,000,000 spans, then 1,000,000 log records, in
// requests of 500 items, 8 in flight, as an SDK's batch processor would.
// Per signal it prints items/s, the agent's CPU-seconds per million items
// (utime+stime from /proc) and its peak RSS; then, as the reference measured
// in the same run, the file log pipeline (bench/logs.mjs, plain variant).
// Goal: ≤ 3 CPU-s per million spans.
//
//   npm run build && node bench/otlp.mjs [items] [--no-reference]
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
const PER_REQUEST = 500;
const IN_FLIGHT = 8;
const SPANS_GOAL = 3;
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

const receiver = await countingReceiver();
const agentPort = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-otlp-'));
const configFile = path.join(dir, 'config.alloy');
writeFileSync(
  configFile,
  `otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:${agentPort}" }
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
    endpoint    = "127.0.0.1:${receiver.port}"
    compression = "${COMPRESSION}"
    tls { insecure = true }
  }
}
`,
);

const agent = spawn(process.execPath, [...agentNodeArgs, path.join(repoRoot, 'bin/alloy-ts'), 'run', configFile, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${path.join(dir, 'data')}`], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '' },
});
let stderr = '';
agent.stderr.on('data', (d) => (stderr += d));
agent.on('exit', (code) => {
  if (code !== null && code !== 0) console.error(`agent exited ${code}\n${stderr}`);
});

const client = new grpc.Client(`127.0.0.1:${agentPort}`, grpc.credentials.createInsecure());
await waitFor(() => true, 0);
// Ready once the receiver answers (a request of zero items).
await (async () => {
  const end = Date.now() + 20_000;
  for (;;) {
    const err = await new Promise((resolve) => client.makeUnaryRequest(SERVICES.traces.path, (b) => b, (b) => b, Buffer.alloc(0), (e) => resolve(e)));
    if (!err) return;
    if (Date.now() > end) throw new Error(`agent not ready: ${err.message}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
})();

const results = {};
for (const signal of ['traces', 'logs']) {
  const before = processStats(agent.pid);
  const t0 = performance.now();
  await load(client, signal, TOTAL, signal === 'traces' ? spanRequests : logRequests);
  await waitFor(() => receiver.stats[signal] >= TOTAL, 120_000);
  const seconds = (performance.now() - t0) / 1000;
  const after = processStats(agent.pid);
  const cpuPerMillion = ((after.cpu - before.cpu) / TOTAL) * 1e6;
  results[signal] = { cpuPerMillion, seconds, peak: after.peakRssMiB };
  const unit = signal === 'traces' ? 'spans' : 'log records';
  console.log(`[otlp ${signal}] ${receiver.stats[signal].toLocaleString('en')} ${unit} delivered in ${seconds.toFixed(2)} s (${Math.round(TOTAL / seconds).toLocaleString('en')}/s)`);
  console.log(`[otlp ${signal}] agent CPU: ${(after.cpu - before.cpu).toFixed(2)} s = ${cpuPerMillion.toFixed(2)} CPU-s per million ${unit} (user ${(after.user - before.user).toFixed(2)}, system ${(after.system - before.system).toFixed(2)})${signal === 'traces' ? ` — goal ≤ ${SPANS_GOAL}: ${(cpuPerMillion / SPANS_GOAL).toFixed(2)}× the goal` : ''}`);
  console.log(`[otlp ${signal}] agent peak RSS (VmHWM) so far: ${after.peakRssMiB.toFixed(0)} MiB`);
}
client.close();
agent.kill('SIGTERM');
await once(agent, 'exit');
receiver.close();
rmSync(dir, { recursive: true, force: true });

if (!process.argv.includes('--no-reference')) {
  console.log('\n[reference] file pipeline in the same run (bench/logs.mjs, plain variant):');
  const out = execFileSync(process.execPath, [path.join(repoRoot, 'bench/logs.mjs'), String(TOTAL), '--variant=plain'], { encoding: 'utf8' });
  process.stdout.write(out);
  const m = /= ([\d.]+) CPU-s per million lines/.exec(out);
  const rss = /peak RSS \(VmHWM\): (\d+) MiB/.exec(out);
  if (m) {
    const file = Number(m[1]);
    console.log(`\nOTLP spans: ${results.traces.cpuPerMillion.toFixed(2)} CPU-s per million (${(results.traces.cpuPerMillion / file).toFixed(2)}× the file pipeline's ${file.toFixed(2)} per million lines); log records: ${results.logs.cpuPerMillion.toFixed(2)} (${(results.logs.cpuPerMillion / file).toFixed(2)}×)`);
    console.log(`peak RSS: OTLP agent ${results.logs.peak.toFixed(0)} MiB, file pipeline agent ${rss?.[1] ?? '?'} MiB`);
  }
}
