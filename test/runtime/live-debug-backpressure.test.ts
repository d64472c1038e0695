/**
 * Live debugging under clients that never read: each subscriber's buffer
 * stays bounded (oldest lines dropped and counted) while a component
 * publishes far more than 20k lines/s, and a client that reads again is told
 * how many lines it lost. Real sockets against the agent's HTTP server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { singleEntry, type LogsReceiver } from '../../src/components/common/log-entries.js';
import { LiveDebugHub, MAX_PENDING_BYTES, MAX_PENDING_LINES } from '../../src/runtime/live-debug.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-livedebug-'));
const configPath = path.join(dir, 'config.alloy');
const devNull = { write: () => true };
const ID = 'loki.echo.out';
let running: RunningAgent;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  writeFileSync(configPath, 'livedebugging {\n  enabled = true\n}\n\nloki.echo "out" { }\n');
  running = await startAgent(configPath, { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data') }, { stdin: (async function* () {})(), stdout: devNull, stderr: devNull });
  port = running.server.address!.port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await running?.stop();
});

/** Opens the debug stream on a raw socket and stops reading from it at once. */
function stalledClient(): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  socket.write(`GET /api/v0/web/debug/${ID} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  sockets.push(socket);
  return socket;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`${what} never happened`);
}

function echoReceiver(): LogsReceiver {
  const exports = running.agent.root.get(ID)!.exports;
  const receiver = exports.type === 'object' ? exports.fields.get('receiver') : undefined;
  if (receiver?.type !== 'capsule') throw new Error(`${ID} exports no receiver`);
  return receiver.payload as unknown as LogsReceiver;
}

/** Pushes `count` one-entry batches (one debug line each) in bursts, yielding between bursts so the server can write. */
async function flood(count: number, line: string): Promise<void> {
  const receiver = echoReceiver();
  for (let sent = 0; sent < count; ) {
    const burst: Promise<unknown>[] = [];
    for (let i = 0; i < 2000 && sent < count; i++, sent++) burst.push(receiver.push(singleEntry({ job: 'flood' }, line)));
    await Promise.all(burst);
    await new Promise((r) => setImmediate(r));
  }
  // Let every subscriber's scheduled flush run.
  await new Promise((r) => setTimeout(r, 50));
}

describe('live debugging backpressure', () => {
  it('bounds the buffer of each client that never reads, drops the oldest lines and counts them', async () => {
    for (let i = 0; i < 5; i++) stalledClient();
    const hub = running.agent.liveDebug;
    await until(() => hub.stats(ID).length === 5, 'five subscriptions');
    const published = 120_000;
    await flood(published, 'x'.repeat(200));
    const stats = hub.stats(ID);
    expect(stats).toHaveLength(5);
    for (const s of stats) {
      expect(s.pendingLines).toBeLessThanOrEqual(MAX_PENDING_LINES);
      expect(s.pendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
      // The socket stopped taking lines long before the flood ended: most were dropped, none were lost unaccounted.
      expect(s.dropped).toBeGreaterThan(published / 2);
      expect(s.delivered + s.dropped + s.pendingLines).toBe(published);
    }
  });

  it('tells a client that reads again how many lines it lost', async () => {
    const hub = running.agent.liveDebug;
    const before = hub.stats(ID).length;
    const socket = stalledClient();
    await until(() => hub.stats(ID).length === before + 1, 'a new subscription');
    await flood(30_000, 'y');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.resume();
    await until(() => /alloy-ts: \d+ lines dropped/.test(received), 'a drop notice');
    const notice = /alloy-ts: (\d+) lines dropped: this client read slower than the component published/.exec(received)!;
    expect(Number(notice[1])).toBeGreaterThan(0);
    expect(received).toContain('{job="flood"} 1 entries');
  });
});

describe('LiveDebugHub', () => {
  it('bounds buffered bytes for large lines when the sink stays full', async () => {
    const hub = new LiveDebugHub();
    hub.enabled = true;
    let written = 0;
    hub.subscribe('c', { write: () => (written++, false), onDrain: () => {} });
    const big = 'z'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) hub.publish('c', big);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 200; i++) hub.publish('c', big);
    const [s] = hub.stats('c');
    expect(written).toBe(1);
    expect(s!.pendingBytes).toBeLessThanOrEqual(MAX_PENDING_BYTES);
    expect(s!.dropped).toBe(400 - 1 - s!.pendingLines);
  });
});
