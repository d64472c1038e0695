// loki.process benchmark: 1,000,000 JSON lines (batches of 1,000, one
// stream) through stage.json → stage.labels → stage.timestamp → stage.output
// in-process, forwarded to a receiver that only counts. Prints CPU seconds
// (user + system) per million lines.
import path from 'node:path';
import { repoRoot } from './corpus.mjs';

const dist = (p) => import(path.join(repoRoot, 'dist', p));
const { lokiProcess } = await dist('components/loki/process.js');
const { receiverOf } = await dist('components/common/log-entries.js');
const { parseFile } = await dist('lang/parser.js');
const { SourceFile } = await dist('lang/position.js');
const { decodeBody } = await dist('lang/schema.js');
const { Scope, evaluateInto } = await dist('lang/eval.js');
const { Logger, LogSettings } = await dist('runtime/logger.js');
const { Registry } = await import('prom-client');

const LINES = Number(process.env.LINES ?? 1_000_000);
const BATCH = 1000;

const config = `loki.process "bench" {
  forward_to = []
  stage.json { expressions = { level = "", ts = "", msg = "", status = "" } }
  stage.labels { values = { level = "" } }
  stage.timestamp {
    source = "ts"
    format = "RFC3339Nano"
  }
  stage.output { source = "msg" }
}`;

function decodeArgs() {
  const source = SourceFile.fromString('bench.alloy', config);
  const block = parseFile(source).file.body[0];
  const ctx = {
    source,
    evaluate(expr, desc) {
      const r = evaluateInto(expr, new Scope(), source, desc);
      return r.ok ? { ok: true, value: r.value } : { ok: false, diagnostic: r.error.diagnostic };
    },
  };
  const r = decodeBody(lokiProcess.args, block.body, ctx, block);
  if (r.diagnostic) throw new Error(r.diagnostic.message);
  return r.value;
}

let forwarded = 0;
const sink = receiverOf(async (batch) => {
  forwarded += batch.lines.length;
});
let receiver;
const args = { ...decodeArgs(), forward_to: [sink] };
const instance = await lokiProcess.build(
  {
    id: 'loki.process.bench',
    globalId: 'loki.process.bench',
    dataPath: '',
    logger: new Logger(LogSettings.defaults(() => {})),
    registry: new Registry(),
    setExports: (e) => (receiver = e.receiver),
    setHealth: () => {},
    debug: () => {},
    host: { httpListenAddr: '', memoryAddr: '', gatherMetrics: async () => ({ contentType: '', body: '' }) },
  },
  args,
);
void instance;

const levels = ['info', 'warn', 'error', 'debug'];
function makeBatch(b) {
  const lines = new Array(BATCH);
  const base = Date.UTC(2024, 0, 1) + b * BATCH;
  for (let i = 0; i < BATCH; i++) {
    const n = b * BATCH + i;
    const ts = new Date(base + i).toISOString().replace('Z', `${String(n % 1e6).padStart(6, '0')}Z`);
    lines[i] = `{"ts":"${ts}","level":"${levels[n % 4]}","msg":"request ${n} handled","method":"GET","path":"/api/v1/items/${n % 97}","status":200,"duration_ms":${(n % 1000) / 10}}`;
  }
  return { labels: { job: 'bench', host: 'h1' }, ms: new Float64Array(BATCH).fill(Date.now()), ns: new Int32Array(BATCH), lines };
}

// Input generation is not measured: batches are built in chunks before timing each chunk.
const CHUNK = 50;
let cpu = 0;
let wall = 0;
for (let b = 0; b < LINES / BATCH; b += CHUNK) {
  const batches = Array.from({ length: Math.min(CHUNK, LINES / BATCH - b) }, (_, k) => makeBatch(b + k));
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (const batch of batches) await receiver.push(batch);
  const c = process.cpuUsage(c0);
  cpu += (c.user + c.system) / 1e6;
  wall += Number(process.hrtime.bigint() - w0) / 1e9;
}
if (forwarded !== LINES) throw new Error(`forwarded ${forwarded} of ${LINES} lines`);
const perMillion = (cpu * 1e6) / LINES;
console.log(`loki.process json→labels→timestamp→output: ${LINES.toLocaleString('en-US')} lines, ${perMillion.toFixed(2)} CPU-s per million lines (wall ${((wall * 1e6) / LINES).toFixed(2)} s per million)`);
