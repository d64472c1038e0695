// loki.write benchmark: pushes 1,000,000 lines of 120 bytes (10 streams,
// batches of 1,000 lines, up to 64 pushes awaiting acknowledgement) through
// loki.write to a Loki stand-in in a child process that decompresses and
// decodes every request. Prints lines/s and the CPU seconds the pushing
// process spent per million lines (the receiver's CPU is not counted).
//
//   npm run build && node bench/loki-write.mjs
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './corpus.mjs';
import { lokiEntries, runReceiverChild } from './receiver.mjs';

const TOTAL_LINES = 1_000_000;
const WARMUP_LINES = 100_000;
const LINE_BYTES = 120;
const LINES_PER_PUSH = 1000;
const STREAMS = 10;
const WINDOW = 64;

if (process.argv[2] === '--receiver') await runReceiverChild(lokiEntries());
else await runPusher();

async function runPusher() {
  const child = fork(fileURLToPath(import.meta.url), ['--receiver'], { stdio: 'inherit' });
  const ask = (msg) => new Promise((resolve) => {
    child.once('message', resolve);
    if (msg) child.send(msg);
  });
  const { port } = await ask();
  const { controller, receiver } = await startLokiWrite(`http://127.0.0.1:${port}/loki/api/v1/push`);

  await pushAll(receiver, makeBatches(WARMUP_LINES));
  const batches = makeBatches(TOTAL_LINES);
  const receiverBefore = await ask('report');
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pushAll(receiver, batches);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const receiverAfter = await ask('report');

  const received = receiverAfter.items - receiverBefore.items;
  if (received !== TOTAL_LINES) throw new Error(`receiver decoded ${received} entries, expected ${TOTAL_LINES}`);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const receiverCpu = (receiverAfter.cpu.user + receiverAfter.cpu.system - receiverBefore.cpu.user - receiverBefore.cpu.system) / 1e6;
  const sentMiB = (receiverAfter.bytes - receiverBefore.bytes) / 2 ** 20;
  const requests = receiverAfter.requests - receiverBefore.requests;
  console.log(`loki.write: ${TOTAL_LINES.toLocaleString('en')} lines of ${LINE_BYTES} B in ${requests} requests, ${sentMiB.toFixed(1)} MiB snappy (${((TOTAL_LINES * LINE_BYTES) / 2 ** 20 / sentMiB).toFixed(2)}:1 on the lines)`);
  console.log(`  throughput          ${Math.round(TOTAL_LINES / seconds).toLocaleString('en').padStart(10)} lines/s  (${seconds.toFixed(2)} s wall)`);
  console.log(`  pushing side CPU    ${(cpuSeconds / (TOTAL_LINES / 1e6)).toFixed(2).padStart(10)} CPU-s per million lines  (user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)`);
  console.log(`  receiver CPU        ${receiverCpu.toFixed(2).padStart(10)} CPU-s (decompress + decode, not counted above)`);

  await controller.stop();
  child.send('exit');
}

/** A Controller running one loki.write, as `alloy-ts run` would; returns its receiver. */
async function startLokiWrite(url) {
  const dist = (p) => path.join(repoRoot, 'dist', p);
  const { lokiWrite } = await import(dist('components/loki/write.js'));
  const { ComponentRegistry } = await import(dist('runtime/component.js'));
  const { Controller } = await import(dist('runtime/controller.js'));
  const { LiveDebugHub } = await import(dist('runtime/live-debug.js'));
  const { Logger, LogSettings } = await import(dist('runtime/logger.js'));
  const { parseFile } = await import(dist('lang/parser.js'));
  const { SourceFile } = await import(dist('lang/position.js'));
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');

  const controller = new Controller(
    {
      registry: new ComponentRegistry().register(lokiWrite),
      logger: new Logger(LogSettings.defaults()),
      storagePath: mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-')),
      minStability: 'generally-available',
      liveDebug: new LiveDebugHub(),
      onConfigBlock: () => {},
      shutdownDeadlineMs: 30_000,
      host: { httpListenAddr: '127.0.0.1:0', memoryAddr: 'alloy.internal:12345', gatherMetrics: async () => ({ contentType: 'text/plain', body: '' }) },
    },
    { modulePath: '' },
  );
  // batch_wait is shortened so the last, partial batch does not add a second of idle time.
  const text = `loki.write "bench" {\n  endpoint {\n    url = ${JSON.stringify(url)}\n    batch_wait = "100ms"\n  }\n}\n`;
  const source = SourceFile.fromString('bench.alloy', text);
  const problems = await controller.apply([{ source, file: parseFile(source).file }]);
  if (problems.length > 0) throw new Error(problems.map((d) => d.message).join('\n'));
  const receiver = controller.get('loki.write.bench').exports.fields.get('receiver').payload;
  return { controller, receiver };
}

/** Batches of LINES_PER_PUSH lines, round-robin over the streams; built before timing starts. */
function makeBatches(lines) {
  const labelSets = Array.from({ length: STREAMS }, (_, i) => ({ job: 'bench', filename: `/var/log/app-${i}.log`, level: i % 2 ? 'info' : 'warn' }));
  const words = 'GET POST user order payment cache miss hit latency_ms status=200 status=500 region=eu-west id trace span retry timeout ok failed'.split(' ');
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const batches = [];
  const start = Date.now();
  for (let n = 0; n < lines / LINES_PER_PUSH; n++) {
    const texts = new Array(LINES_PER_PUSH);
    const ms = new Float64Array(LINES_PER_PUSH);
    for (let i = 0; i < LINES_PER_PUSH; i++) {
      const seq = n * LINES_PER_PUSH + i;
      // Log-like text: fixed keys, varying words and numbers, so snappy gets a realistic ratio (about 2:1).
      let text = `ts=${start + seq} seq=${seq} msg="`;
      while (text.length < LINE_BYTES) text += `${words[Math.floor(random() * words.length)]} ${Math.floor(random() * 100000)} `;
      texts[i] = text.slice(0, LINE_BYTES);
      ms[i] = start + seq;
    }
    batches.push({ labels: labelSets[n % STREAMS], ms, ns: new Int32Array(LINES_PER_PUSH), lines: texts });
  }
  return batches;
}

/** Pushes every batch, keeping up to WINDOW unacknowledged pushes (as a source advancing on acks would). */
async function pushAll(receiver, batches) {
  const inFlight = new Set();
  for (const batch of batches) {
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    const p = receiver.push(batch).then(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}
