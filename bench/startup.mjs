// Start-up benchmark (issue 20, goals 4 and 5): whole processes, measured
// against `node -e 0` (Node's own start-up floor) and Alloy's Go formatter in
// the same run, runs interleaved so load on this shared machine hits every
// command alike. Prints medians and each ratio beside its goal.
//
//   validate of a typical config     <= 2.5x node -e 0 (wall)
//   run of quickstart until /-/ready <= 3x node -e 0 (wall)
//   idle quickstart agent RSS        <= 60 MiB
//   fmt of the 3.18 MB corpus        <= 1.5x Go formatter (wall)
//   fmt of a small file              <= 2x node -e 0 (wall)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildLangCorpus, repoRoot } from './corpus.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const cli = path.join(repoRoot, 'bin', 'alloy-ts');
const goFmt = path.resolve(repoRoot, '..', 'shared', 'tools', 'alloy-fmt');
const typicalConfig = path.resolve(repoRoot, '..', 'shared', 'examples-real', 'scen-linux.alloy');
const validateTarget = existsSync(typicalConfig) ? typicalConfig : path.join(repoRoot, 'examples', 'files-to-loki.alloy');
const quickstart = path.join(repoRoot, 'examples', 'quickstart.alloy');

const corpus = buildLangCorpus();
const small = path.join(repoRoot, '.bench', 'small.alloy');
writeFileSync(small, readFileSync(corpus.file, 'utf8').split('\n').slice(0, 100).join('\n') + '\n');

function wallMs(file, args, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(file, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Starts the quickstart agent; resolves with the wall time until GET /-/ready answers 200, and its RSS after idling. */
async function runQuickstart(idleMs) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-startup-'));
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, 'run', quickstart, `--server.http.listen-addr=127.0.0.1:${port}`, `--storage.path=${dir}`], { stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = Number(process.hrtime.bigint() - t) / 1e6;
    let rss;
    if (idleMs > 0) {
      await new Promise((r) => setTimeout(r, idleMs));
      rss = rssMiB(child.pid);
    }
    return { readyMs, rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const samples = { node0: [], fmtSmall: [], validate: [], ready: [], fmtBig: [], goFmt: [], rss: [] };
const haveGoFmt = existsSync(goFmt);
const corpusBytes = readFileSync(corpus.file);
if (haveGoFmt) wallMs(goFmt, [], corpusBytes); // unpacks the reference binary once

for (let i = 0; i < RUNS; i++) {
  samples.node0.push(wallMs(process.execPath, ['-e', '0']));
  samples.fmtSmall.push(wallMs(process.execPath, [cli, 'fmt', small]));
  samples.validate.push(wallMs(process.execPath, [cli, 'validate', validateTarget]));
  const { readyMs, rss } = await runQuickstart(i < 3 ? 3000 : 0);
  samples.ready.push(readyMs);
  if (rss !== undefined) samples.rss.push(rss);
  samples.fmtBig.push(wallMs(process.execPath, [cli, 'fmt', corpus.file]));
  if (haveGoFmt) samples.goFmt.push(wallMs(goFmt, [], corpusBytes));
}

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.length ? median(v) : NaN]));
const line = (what, ms, ref, refName, goal) => {
  const ratio = ms / ref;
  console.log(`${what.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${refName} ${ref.toFixed(0).padStart(5)} ms  ratio ${ratio.toFixed(2).padStart(5)}  goal <= ${goal}  ${ratio <= goal ? 'met' : 'NOT met'}`);
};
console.log(`start-up: medians of ${RUNS} interleaved runs (${path.basename(validateTarget)} for validate)`);
line('validate typical config', m.validate, m.node0, 'node -e 0', 2.5);
line('run quickstart until /-/ready = 200', m.ready, m.node0, 'node -e 0', 3);
line('fmt 100-line file', m.fmtSmall, m.node0, 'node -e 0', 2);
if (haveGoFmt) line(`fmt ${(corpus.bytes / 1e6).toFixed(2)} MB corpus`, m.fmtBig, m.goFmt, 'Go fmt', 1.5);
else console.log(`fmt corpus: ${m.fmtBig.toFixed(0)} ms; Go formatter skipped: ${goFmt} not found`);
console.log(`idle quickstart agent RSS (3 s after ready)  ${m.rss.toFixed(1)} MiB  goal <= 60 MiB  ${m.rss <= 60 ? 'met' : 'NOT met'}`);
