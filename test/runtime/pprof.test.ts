/**
 * /debug/pprof/profile and /debug/pprof/heap answer gzipped pprof protobuf
 * that an independent decoder (protobufjs with pprof's profile.proto in
 * test/support) reads: sample types, samples, and the functions that did the
 * work (a CPU burner, a retaining allocator) by name. The endpoints follow
 * `--server.http.enable-pprof` and the http block's basic auth.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';

const ProfileType = protobuf.loadSync(fileURLToPath(new URL('../support/pprof-profile.proto', import.meta.url))).lookupType('perftools.profiles.Profile');

interface DecodedProfile {
  sampleType: { type: number; unit: number }[];
  sample: { locationId: number[]; value: number[] }[];
  location: { id: number; line: { functionId: number; line: number }[] }[];
  function: { id: number; name: number; filename: number }[];
  stringTable: string[];
  periodType: { type: number; unit: number };
  period: number;
  durationNanos: number;
}

function decode(body: Buffer): DecodedProfile {
  expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  const message = ProfileType.decode(gunzipSync(body));
  return ProfileType.toObject(message, { longs: Number, defaults: true }) as DecodedProfile;
}

/** Sum of value[index] over samples whose stack contains a function named `name`. */
function valueIn(p: DecodedProfile, name: string, index: number): number {
  const fnIds = new Set(p.function.filter((f) => p.stringTable[f.name] === name).map((f) => f.id));
  const locIds = new Set(p.location.filter((l) => l.line.some((line) => fnIds.has(line.functionId))).map((l) => l.id));
  return p.sample.filter((s) => s.locationId.some((id) => locIds.has(id))).reduce((sum, s) => sum + s.value[index]!, 0);
}

const typeNames = (p: DecodedProfile) => p.sampleType.map((t) => `${p.stringTable[t.type]}/${p.stringTable[t.unit]}`);

const devNull = { write: () => true };
const agents: RunningAgent[] = [];

async function agentWith(config: string, flags: Record<string, unknown> = {}): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-pprof-'));
  const configPath = path.join(dir, 'config.alloy');
  writeFileSync(configPath, config);
  const running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data'), ...flags }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  agents.push(running);
  return `http://127.0.0.1:${running.server.address!.port}`;
}

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
});

/** Keeps the CPU busy in short slices (the server still answers between them) until `stop` is set. */
function burnCpu(state: { stop: boolean; sink: number }): void {
  const end = performance.now() + 20;
  while (performance.now() < end) state.sink += Math.sqrt(state.sink + 1);
  if (!state.stop) setImmediate(() => burnCpu(state));
}

const retained: unknown[] = [];
/** Allocates and keeps ~24 MiB of arrays, so the heap sampler sees them live. */
function retainMemory(): void {
  for (let i = 0; i < 3000; i++) retained.push(new Array(1024).fill(i));
}

describe('pprof endpoints', () => {
  let base: string;
  beforeAll(async () => {
    base = await agentWith('loki.echo "out" { }\n');
  });

  it('serves a CPU profile that shows where the time went', async () => {
    const state = { stop: false, sink: 0 };
    const response = fetch(`${base}/debug/pprof/profile?seconds=1`);
    burnCpu(state);
    const res = await response;
    state.stop = true;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const p = decode(Buffer.from(await res.arrayBuffer()));
    expect(typeNames(p)).toEqual(['samples/count', 'cpu/nanoseconds']);
    expect(`${p.stringTable[p.periodType.type]}/${p.stringTable[p.periodType.unit]}`).toBe('cpu/nanoseconds');
    expect(p.period).toBe(10_000_000);
    expect(p.durationNanos).toBeGreaterThan(0);
    expect(p.sample.length).toBeGreaterThan(0);
    expect(valueIn(p, 'burnCpu', 0)).toBeGreaterThan(0);
    expect(valueIn(p, 'burnCpu', 1)).toBe(valueIn(p, 'burnCpu', 0) * 10_000_000);
    // Every sample's locations and every location's function resolve.
    const locations = new Set(p.location.map((l) => l.id));
    const functions = new Set(p.function.map((f) => f.id));
    expect(p.sample.every((s) => s.locationId.length > 0 && s.locationId.every((id) => locations.has(id)))).toBe(true);
    expect(p.location.every((l) => l.line.every((line) => functions.has(line.functionId)))).toBe(true);
  });

  it('serves a heap profile that shows live allocations by function', async () => {
    retainMemory();
    const res = await fetch(`${base}/debug/pprof/heap`);
    expect(res.status).toBe(200);
    const p = decode(Buffer.from(await res.arrayBuffer()));
    expect(typeNames(p)).toEqual(['inuse_objects/count', 'inuse_space/bytes']);
    expect(valueIn(p, 'retainMemory', 1)).toBeGreaterThan(1 << 20);
    expect(valueIn(p, 'retainMemory', 0)).toBeGreaterThan(0);
  });

  it('refuses a bad duration and a second CPU profile at once, as Go does', async () => {
    expect((await fetch(`${base}/debug/pprof/profile?seconds=abc`)).status).toBe(400);
    const first = fetch(`${base}/debug/pprof/profile?seconds=1`);
    await new Promise((r) => setTimeout(r, 100));
    const second = await fetch(`${base}/debug/pprof/profile?seconds=1`);
    expect(second.status).toBe(500);
    expect(await second.text()).toContain('cpu profiling already in use');
    expect((await first).status).toBe(200);
    expect((await fetch(`${base}/debug/pprof/goroutine`)).status).toBe(404);
  });
});

describe('pprof endpoints follow the flag and the http block', () => {
  it('are absent with --server.http.enable-pprof=false', async () => {
    const base = await agentWith('loki.echo "out" { }\n', { 'server.http.enable-pprof': false });
    expect((await fetch(`${base}/debug/pprof/heap`)).status).toBe(404);
    expect((await fetch(`${base}/debug/pprof/profile?seconds=1`)).status).toBe(404);
  });

  it('need the basic auth credentials of the http block', async () => {
    const base = await agentWith('http {\n  auth {\n    basic {\n      username = "admin"\n      password = "s3cret"\n    }\n  }\n}\n');
    expect((await fetch(`${base}/debug/pprof/heap`)).status).toBe(401);
    const res = await fetch(`${base}/debug/pprof/heap`, { headers: { Authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` } });
    expect(res.status).toBe(200);
    expect(decode(Buffer.from(await res.arrayBuffer())).sampleType).toHaveLength(2);
  });
});
