// Language server benchmark: `alloy-ts lsp` spawned and driven over stdio by
// a real LSP client (vscode-languageserver-protocol), as an editor does.
//  - diagnostics: didChange of a 1,000-line config → publishDiagnostics for that version
//    (back to back with no debounce: the validation itself; and at a typing pace, one change
//    per 100 ms, with the server's default debounce), 30 changes
//    measured after 10 unmeasured ones (an editor's server is warm after its first edits);
//  - completion and hover round trips at real cursor positions of that config;
//  - server memory (RSS) with a 50-file workspace open.
// Reference in the same run: `node -e 0` wall time (this machine's Node start-up floor).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { repoRoot } from './corpus.mjs';

const GOALS = { diagnostics: 50, completion: 20, hover: 20, memoryMiB: 100 };

/**
 * A realistic, valid config of exactly `lines` lines: log pipelines wired
 * together (whole pipelines only, then comment lines; a config cut in the
 * middle of a block would measure only the parser's error path).
 */
function bigConfig(lines) {
  const out = ['loki.write "default" {', '\tendpoint {', '\t\turl = "http://127.0.0.1:3100/loki/api/v1/push"', '\t}', '}', ''];
  for (let i = 0; ; i++) {
    const group = [
      `local.file_match "logs_${i}" {`,
      `\tpath_targets = [{"__path__" = "/var/log/app${i}/*.log", "job" = "app${i}"}]`,
      '}',
      '',
      `loki.source.file "logs_${i}" {`,
      `\ttargets    = local.file_match.logs_${i}.targets`,
      `\tforward_to = [loki.process.logs_${i}.receiver]`,
      '}',
      '',
      `loki.process "logs_${i}" {`,
      '\tstage.regex {',
      '\t\texpression = "^(?P<level>\\\\w+) (?P<msg>.*)$"',
      '\t}',
      '\tstage.labels {',
      '\t\tvalues = { level = "" }',
      '\t}',
      '\tforward_to = [loki.write.default.receiver]',
      '}',
      '',
    ];
    if (out.length + group.length > lines) break;
    out.push(...group);
  }
  while (out.length < lines) out.push('// padding');
  return out.join('\n') + '\n';
}

function startServer() {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'alloy-ts'), 'lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = [];
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    for (const w of waiting.splice(0)) {
      if (w.uri === p.uri && w.version === p.version) w.resolve(p.diagnostics);
      else waiting.push(w);
    }
  });
  connection.listen();
  const diagnostics = (uri, version) => new Promise((resolve) => waiting.push({ uri, version, resolve }));
  return { child, connection, diagnostics };
}

async function initialize(server, options) {
  await server.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: options });
  await server.connection.sendNotification('initialized', {});
}

async function stop(server) {
  await server.connection.sendRequest('shutdown');
  await server.connection.sendNotification('exit');
  await new Promise((resolve) => server.child.on('exit', resolve));
  server.connection.dispose();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Median-ready latencies of `runs` changes, after `warmup` unmeasured ones (a server in use is warm). */
async function diagnosticsLatency(options, text, { runs = 30, warmup = 10, pauseMs = 0 } = {}) {
  const server = startServer();
  await initialize(server, options);
  const uri = 'file:///bench/big.alloy';
  let version = 1;
  let pending = server.diagnostics(uri, version);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alloy', version, text } });
  const first = await pending;
  // The measured path is a full validation: the config must be valid.
  if (first.length > 0) throw new Error(`the benchmark config is not valid: ${first[0].message}`);
  const times = [];
  let cpuBefore = 0;
  for (let i = 0; i < warmup + runs; i++) {
    if (i === warmup) cpuBefore = cpuMs(server.child.pid);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    version++;
    const changed = text.replace('app0/', `app0-${i}/`);
    pending = server.diagnostics(uri, version);
    const start = now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: changed }] });
    await pending;
    if (i >= warmup) times.push(now() - start);
  }
  return { server, uri, times, cpuPerChange: (cpuMs(server.child.pid) - cpuBefore) / runs };
}

/** CPU time (user + system) a process has used, from /proc (clock ticks of 10 ms: averaged over many changes). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function requestLatency(server, uri, text, method, positions) {
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const position of positions) {
      const start = now();
      await server.connection.sendRequest(method, { textDocument: { uri }, position });
      times.push(now() - start);
    }
  }
  return median(times);
}

function positionsOf(text, needle, delta) {
  const out = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = line.indexOf(needle);
    if (at >= 0 && out.length < 40) out.push({ line: i, character: at + delta });
  });
  return out;
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function nodeFloorMs() {
  const t = [];
  for (let i = 0; i < 7; i++) {
    const s = now();
    execFileSync(process.execPath, ['-e', '0']);
    t.push(now() - s);
  }
  return median(t);
}

const text = bigConfig(1000);
const reference = nodeFloorMs();
console.log(`reference: node -e 0 median ${reference.toFixed(0)} ms wall`);

const quiet = await diagnosticsLatency({ diagnosticsDelay: 0 }, text);
const compute = median(quiet.times);
const completion = await requestLatency(quiet.server, quiet.uri, text, 'textDocument/completion', [
  ...positionsOf(text, 'forward_to = [', 'forward_to = ['.length),
  ...positionsOf(text, 'targets    = ', 'targets    = '.length),
].slice(0, 40));
const hover = await requestLatency(quiet.server, quiet.uri, text, 'textDocument/hover', [
  ...positionsOf(text, 'loki.process "', 3),
  ...positionsOf(text, '.receiver]', 3),
].slice(0, 40));
await stop(quiet.server);

// Edits at a typing pace (one every 100 ms): each is validated at once, none waits for the debounce.
const debounced = await diagnosticsLatency({}, text, { pauseMs: 100 });
const withDebounce = median(debounced.times);
await stop(debounced.server);

const row = (name, ms, goal) => console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms  (goal ≤ ${goal} ms: ${ms <= goal ? 'met' : 'MISSED'}; ${(ms / reference).toFixed(2)}× node -e 0)`);
console.log(`config: ${text.split('\n').length - 1} lines, ${Buffer.byteLength(text)} bytes`);
row('diagnostics after a change (no debounce)', compute, GOALS.diagnostics);
row('diagnostics, typing pace (default debounce)', withDebounce, GOALS.diagnostics);
// On this shared 2-core machine the wall time includes waiting for a core; the server's own CPU per change does not.
console.log(`${'server CPU per change (no debounce)'.padEnd(46)} ${quiet.cpuPerChange.toFixed(1).padStart(7)} ms  (wall minus waiting for a core; load ${loadavg()[0].toFixed(1)})`);
row('completion (median of 120 requests)', completion, GOALS.completion);
row('hover (median of 120 requests)', hover, GOALS.hover);

// Memory: a 50-file workspace open (the real configs, then big configs to make up 50).
const examplesDir = path.join(repoRoot, '..', 'shared', 'examples-real');
let files = [];
try {
  files = readdirSync(examplesDir).filter((f) => f.endsWith('.alloy')).map((f) => readFileSync(path.join(examplesDir, f), 'utf8'));
} catch {
  console.log('(../shared/examples-real missing: the workspace is made of generated configs only)');
}
while (files.length < 50) files.push(bigConfig(200 + files.length * 10));
const server = startServer();
await initialize(server, { diagnosticsDelay: 0 });
const idle = rssMiB(server.child.pid);
for (const [i, content] of files.slice(0, 50).entries()) {
  const uri = `file:///bench/ws/file${i}.alloy`;
  const pending = server.diagnostics(uri, 1);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alloy', version: 1, text: content } });
  await pending;
  await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
}
const loaded = rssMiB(server.child.pid);
await stop(server);
console.log(`server RSS: ${idle.toFixed(0)} MiB after initialize, ${loaded.toFixed(0)} MiB with 50 files open (goal ≤ ${GOALS.memoryMiB} MiB: ${loaded <= GOALS.memoryMiB ? 'met' : 'MISSED'})`);
