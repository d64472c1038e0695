// Runtime benchmark: load a generated 1,000-component graph, then time
// (1) one export change propagating to its dependants (a fan-out of 100 and a
// chain 10 deep) and (2) a reload that changes one component.
// Targets (issue 4): propagation <= 5 ms, reload of the unchanged rest <= 100 ms.
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { repoRoot } from './corpus.mjs';

const dist = (p) => import(path.join(repoRoot, 'dist', p));
const { Controller } = await dist('runtime/controller.js');
const { ComponentRegistry, defineComponent } = await dist('runtime/component.js');
const { LiveDebugHub } = await dist('runtime/live-debug.js');
const { Logger, LogSettings } = await dist('runtime/logger.js');
const { attr, schema, t } = await dist('lang/schema.js');
const { parseFile } = await dist('lang/parser.js');
const { SourceFile } = await dist('lang/position.js');
const { stringValue } = await dist('lang/value.js');

// A source whose exports the benchmark sets, and a passthrough for the rest of the graph.
const emit = {};
const source = defineComponent({
  name: 'bench.source', stability: 'generally-available', args: schema({}), exports: schema({ value: attr(t.any) }),
  build(ctx) { emit[ctx.id] = (v) => ctx.setExports({ value: stringValue(v) }); emit[ctx.id]('v0'); return { update() {}, run: (s) => new Promise((r) => s.addEventListener('abort', r)) }; },
});
const passthrough = defineComponent({
  name: 'bench.passthrough', stability: 'generally-available', args: schema({ input: attr(t.any) }), exports: schema({ output: attr(t.any) }),
  build(ctx, a) { ctx.setExports({ output: a.input }); return { update: (n) => ctx.setExports({ output: n.input }), run: (s) => new Promise((r) => s.addEventListener('abort', r)) }; },
});

function configText(variant = 0) {
  const lines = ['bench.source "fan" { }', 'bench.source "chain" { }'];
  for (let i = 0; i < 100; i++) lines.push(`bench.passthrough "fan${i}" { input = bench.source.fan.value }`);
  for (let c = 0; c < 10; c++) {
    let prev = 'bench.source.chain.value';
    for (let d = 0; d < 10; d++) { lines.push(`bench.passthrough "chain${c}_${d}" { input = ${prev} }`); prev = `bench.passthrough.chain${c}_${d}.output`; }
  }
  for (let i = 0; lines.length < 1000; i++) lines.push(`bench.passthrough "static${i}" { input = ${i === 0 ? `"x${variant}"` : `"${i}"`} }`);
  return lines.join('\n') + '\n';
}
const files = (text) => { const s = SourceFile.fromString('bench.alloy', text); return [{ source: s, file: parseFile(s).file }]; };

const controller = new Controller({
  registry: new ComponentRegistry().register(source, passthrough),
  logger: new Logger(LogSettings.defaults(() => {})),
  storagePath: mkdtempSync(path.join(tmpdir(), 'alloy-ts-bench-')),
  minStability: 'generally-available', liveDebug: new LiveDebugHub(), onConfigBlock: () => {}, shutdownDeadlineMs: 1000,
  host: { httpListenAddr: '', memoryAddr: '', gatherMetrics: async () => ({ contentType: '', body: '' }) },
}, { modulePath: '' });

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
let t0 = process.hrtime.bigint();
await controller.apply(files(configText()));
console.log(`load 1,000 components (parse + plan + build): ${ms(t0).toFixed(1)} ms`);

const out = (id) => controller.get(id).exports.fields.get('output')?.value;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function propagation(sourceId, lastId) {
  const times = [];
  for (let i = 1; i <= 21; i++) {
    const t = process.hrtime.bigint();
    emit[sourceId](`v${i}`);
    await controller.settle();
    times.push(ms(t));
    if (out(lastId) !== `v${i}`) throw new Error('propagation incomplete');
  }
  return median(times);
}
console.log(`propagation of one export change to its 100 direct dependants: median ${(await propagation('bench.source.fan', 'bench.passthrough.fan99')).toFixed(2)} ms (target <= 5 ms)`);
console.log(`propagation through 10 chains 10 deep (100 evaluations, 10 hops): median ${(await propagation('bench.source.chain', 'bench.passthrough.chain9_9')).toFixed(2)} ms`);

const reloads = [];
for (let v = 1; v <= 11; v++) {
  const text = configText(v);
  t0 = process.hrtime.bigint();
  await controller.apply(files(text));
  reloads.push(ms(t0));
}
console.log(`reload changing 1 of 1,000 components (parse + plan + diff + evaluate): median ${median(reloads).toFixed(1)} ms (target <= 100 ms)`);
await controller.stop();
