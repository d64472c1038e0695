// Language benchmark: lex, parse and fmt throughput on a ~3 MB config, plus the
// wall time of whole `alloy-ts fmt` processes (big file, and a 100-line file).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildLangCorpus, repoRoot } from './corpus.mjs';

const dist = (p) => path.join(repoRoot, 'dist', p);
const { scanAll } = await import(dist('lang/scanner.js'));
const { parseFile } = await import(dist('lang/parser.js'));
const { formatFile } = await import(dist('lang/printer.js'));
const { SourceFile } = await import(dist('lang/position.js'));

const corpus = buildLangCorpus();
const bytes = readFileSync(corpus.file);
const mb = bytes.length / 1e6;
console.log(`corpus: ${(mb).toFixed(2)} MB, ${corpus.lines} lines (from ${corpus.source})`);

function best(fn, runs = 5) {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return bestMs;
}

const row = (name, ms) => console.log(`${name.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms  ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s`);
const source = new SourceFile('corpus.alloy', bytes);
row('lex', best(() => scanAll(bytes)));
row('lex+parse', best(() => parseFile(new SourceFile('corpus.alloy', bytes))));
const { file, diagnostics } = parseFile(source);
if (diagnostics.length > 0) throw new Error(`corpus has ${diagnostics.length} diagnostics`);
row('print (parsed AST)', best(() => formatFile(file)));
row('lex+parse+print', best(() => formatFile(parseFile(new SourceFile('corpus.alloy', bytes)).file)));

function processMs(args, runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'alloy-ts'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const small = path.join(repoRoot, '.bench', 'small.alloy');
writeFileSync(small, bytes.toString('utf8').split('\n').slice(0, 100).join('\n') + '\n');
console.log(`process: alloy-ts fmt corpus (${mb.toFixed(2)} MB)  median ${processMs(['fmt', corpus.file]).toFixed(0)} ms wall (reference: Alloy's Go fmt 210 ms)`);
console.log(`process: alloy-ts fmt 100-line file     median ${processMs(['fmt', small]).toFixed(0)} ms wall (target < 150 ms)`);
console.log(`process: node -e 0 (Node start-up floor) median ${(() => { const t = []; for (let i = 0; i < 7; i++) { const s = process.hrtime.bigint(); execFileSync(process.execPath, ['-e', '0']); t.push(Number(process.hrtime.bigint() - s) / 1e6); } t.sort((a, b) => a - b); return t[3]; })().toFixed(0)} ms`);
