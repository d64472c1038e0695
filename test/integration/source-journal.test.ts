/**
 * loki.source.journal on real journal files: systemd-journal-remote turns an
 * export-format stream written here into `.journal` files (checked with
 * `journalctl --file`), which the component reads through journalctl.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { eventually, Harness } from '../support/harness.js';
import { LokiReceiver } from '../support/loki-receiver.js';

const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
const JOURNALCTL = '/usr/bin/journalctl';
const available = existsSync(JOURNAL_REMOTE) && existsSync(JOURNALCTL);
if (!available && !process.env.CI) console.warn('skipping the journal tests: journalctl or systemd-journal-remote missing (apt-get install systemd systemd-journal-remote)');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BOOT_ID = '0123456789abcdef0123456789abcdef';
let monotonic = 1;

interface Fields {
  readonly [name: string]: string | Buffer;
}

/** The export-format bytes of `entries` (binary framing for values with a newline or NUL). */
function exportStream(entries: { realtimeUs: number; fields: Fields }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(Buffer.from(`__REALTIME_TIMESTAMP=${e.realtimeUs}\n__MONOTONIC_TIMESTAMP=${monotonic++}\n_BOOT_ID=${BOOT_ID}\n`));
    for (const [name, value] of Object.entries(e.fields)) {
      const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
      if (bytes.includes(0x0a) || bytes.includes(0)) {
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(`${name}\n`), length, bytes, Buffer.from('\n'));
      } else parts.push(Buffer.from(`${name}=`), bytes, Buffer.from('\n'));
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Writes a real journal file with systemd-journal-remote and checks it with journalctl. */
function writeJournal(file: string, entries: { realtimeUs: number; fields: Fields }[]): void {
  const input = `${file}.export`;
  writeFileSync(input, exportStream(entries));
  const res = spawnSync(JOURNAL_REMOTE, [`--output=${file}`, input], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`systemd-journal-remote failed: ${res.stderr}`);
  const count = execFileSync(JOURNALCTL, [`--file=${file}`, '-o', 'export', '-q'], { maxBuffer: 64 << 20 }).toString('latin1').split('__CURSOR=').length - 1;
  if (count < entries.length) throw new Error(`journalctl --file reads ${count} entries, expected at least ${entries.length}`);
}

const nowUs = () => Date.now() * 1000;
const messages = (from: number, to: number, unit = 'app.service', t0 = nowUs()) =>
  Array.from({ length: to - from }, (_, i) => ({ realtimeUs: t0 + i, fields: { MESSAGE: `message ${from + i}`, PRIORITY: '6', _SYSTEMD_UNIT: unit, SYSLOG_IDENTIFIER: 'app' } }));

const KEEP_JOURNAL_LABELS = `
loki.relabel "journal" {
  forward_to = []
  rule {
    source_labels = ["__journal__systemd_unit"]
    target_label  = "unit"
  }
  rule {
    source_labels = ["__journal_priority_keyword"]
    target_label  = "level"
  }
}`;

async function start(dir: string, extra = '', storagePath?: string): Promise<Harness> {
  const h = await Harness.start(`
${KEEP_JOURNAL_LABELS}
loki.source.journal "read" {
  path          = "${dir}"
  relabel_rules = loki.relabel.journal.rules
  forward_to    = [testing.logs_capture.out.receiver]
  labels        = { source = "journal" }
  ${extra}
}
testing.logs_capture "out" { }
`, storagePath ? { storagePath } : {});
  cleanups.push(() => h.stop());
  return h;
}

const lines = (h: Harness) => h.entries('testing.logs_capture.out').map((e) => e.line);

describe.skipIf(!available && !process.env.CI)('loki.source.journal on journal files written by systemd-journal-remote', () => {
  it('forwards MESSAGE with __journal_ labels, job, realtime timestamps, multi-line and binary fields', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-'));
    const t0 = nowUs() - 1_000_000;
    writeJournal(path.join(dir, 'a.journal'), [
      { realtimeUs: t0 + 123, fields: { MESSAGE: 'plain line', PRIORITY: '3', _SYSTEMD_UNIT: 'nginx.service' } },
      { realtimeUs: t0 + 456, fields: { MESSAGE: 'first\nsecond', PRIORITY: '6', _SYSTEMD_UNIT: 'nginx.service' } },
      { realtimeUs: t0 + 789, fields: { MESSAGE: Buffer.from([0x62, 0x69, 0x6e, 0x00, 0x41]), PRIORITY: '7', _SYSTEMD_UNIT: 'bin.service' } },
      { realtimeUs: t0 + 999, fields: { PRIORITY: '6', _SYSTEMD_UNIT: 'no-message.service' } },
    ]);
    const h = await start(dir);
    await eventually(() => lines(h).length === 3, 'three entries');
    const got = h.entries('testing.logs_capture.out');
    expect(got.map((e) => e.line)).toEqual(['plain line', 'first\nsecond', 'bin\u0000A']);
    expect(got[0]!.labels).toEqual({ job: 'loki.source.journal.read', source: 'journal', unit: 'nginx.service', level: 'error' });
    expect(got[2]!.labels).toMatchObject({ unit: 'bin.service', level: 'debug' });
    expect(got[0]!.ms * 1000 + Math.floor(got[0]!.ns / 1000)).toBe(t0 + 123);
    const metrics = await h.controller.get('loki.source.journal.read')!.registry!.metrics();
    expect(metrics).toMatch(/loki_source_journal_target_lines_total\{[^}]*\} 3/);
    expect(metrics).toMatch(/loki_source_journal_target_parsing_errors_total\{[^}]*error="no_message"[^}]*\} 1/);
  });

  it('formats entries as JSON with format_as_json and filters with matches', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-'));
    writeJournal(path.join(dir, 'a.journal'), [...messages(0, 3, 'nginx.service'), ...messages(3, 6, 'other.service')]);
    const h = await start(dir, 'format_as_json = true\n  matches = "_SYSTEMD_UNIT=nginx.service"');
    await eventually(() => lines(h).length === 3, 'nginx entries');
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(h)).toHaveLength(3);
    const doc = JSON.parse(lines(h)[0]!) as Record<string, string>;
    expect(doc).toMatchObject({ MESSAGE: 'message 0', PRIORITY: '6', _SYSTEMD_UNIT: 'nginx.service', SYSLOG_IDENTIFIER: 'app', _BOOT_ID: BOOT_ID });
    expect(Object.keys(doc)).toEqual([...Object.keys(doc)].sort());
    expect(Object.keys(doc).some((k) => k.startsWith('__'))).toBe(false);
  });

  it('reads no further back than max_age', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-'));
    const hour = 3_600_000_000;
    writeJournal(path.join(dir, 'a.journal'), [...messages(0, 2, 'old.service', nowUs() - 3 * hour), ...messages(2, 4, 'new.service', nowUs() - 1000)]);
    const h = await start(dir, 'max_age = "1h"');
    await eventually(() => lines(h).length === 2, 'recent entries');
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(h)).toEqual(['message 2', 'message 3']);
  });

  it('follows a journal rotated while it is read, and resumes after the stored cursor on restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-'));
    const storagePath = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-data-'));
    writeJournal(path.join(dir, 'system.journal'), messages(0, 100));
    const h = await start(dir, '', storagePath);
    await eventually(() => lines(h).length === 100, 'first file');
    // Rotation as journald does it: the active file is archived under a new name and a new one begins.
    renameSync(path.join(dir, 'system.journal'), path.join(dir, `system@0000000000000000000000000000000a-0000000000000001-0000000000000001.journal`));
    writeJournal(path.join(dir, 'system.journal'), messages(100, 200));
    await eventually(() => lines(h).length === 200, 'entries of the new file');
    expect(lines(h)).toEqual(messages(0, 200).map((m) => m.fields.MESSAGE));
    const positions = path.join(storagePath, 'loki.source.journal.read', 'positions.yml');
    await eventually(() => existsSync(positions) && readFileSync(positions, 'utf8').includes('cursor-loki.source.journal.read'), 'the cursor stored');
    await h.stop();
    cleanups.pop();
    writeJournal(path.join(dir, 'later.journal'), messages(200, 250));
    const again = await start(dir, '', storagePath);
    await eventually(() => lines(again).length >= 50, 'entries after the restart');
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(again)).toEqual(messages(200, 250).map((m) => m.fields.MESSAGE));
    const doc = YAML.parse(readFileSync(positions, 'utf8')) as { positions: unknown };
    expect(JSON.stringify(doc.positions)).toMatch(/s=[0-9a-f]+;i=/);
  }, 60_000);
  it('takes over Promtail’s cursor with legacy_position', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-'));
    const file = path.join(dir, 'a.journal');
    writeJournal(file, messages(0, 10));
    const cursors = execFileSync(JOURNALCTL, [`--file=${file}`, '-o', 'export', '-q']).toString('latin1').match(/^__CURSOR=(.*)$/gm)!.map((l) => l.slice('__CURSOR='.length));
    const legacy = path.join(dir, 'promtail-positions.yaml');
    writeFileSync(legacy, `positions:\n  cursor-varlogs: "${cursors[5]}"\n`);
    const h = await start(dir, `max_age = "0s"\n  legacy_position {\n    file = "${legacy}"\n    name = "varlogs"\n  }`);
    await eventually(() => lines(h).length === 4, 'the entries after Promtail’s cursor');
    await new Promise((r) => setTimeout(r, 300));
    expect(lines(h)).toEqual(['message 6', 'message 7', 'message 8', 'message 9']);
  });
});

describe.skipIf((!available || !hasDist) && !process.env.CI)('loki.source.journal in a killed agent', () => {
  it('loses nothing across kill -9 and a restart (duplicates at most the batch in flight)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-kill-'));
    const data = mkdtempSync(path.join(tmpdir(), 'alloy-ts-journal-kill-data-'));
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const config = path.join(dir, 'config.alloy');
    mkdirSync(path.join(dir, 'journal'));
    writeFileSync(config, `
loki.source.journal "read" {
  path       = "${dir}/journal"
  max_age    = "0s"
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url        = "${loki.pushUrl}"
    batch_wait = "50ms"
  }
}
`);
    writeJournal(path.join(dir, 'journal', 'a.journal'), messages(0, 2000));
    const first = await AgentProcess.start([config, `--storage.path=${data}`]);
    await loki.waitForEntries(2000, 30_000);
    // Let the acknowledged cursor reach positions.yml, then kill without warning.
    await eventually(() => existsSync(path.join(data, 'loki.source.journal.read', 'positions.yml')), 'positions written');
    await new Promise((r) => setTimeout(r, 300));
    process.kill(first.agent.agentPid(), 'SIGKILL');
    await first.agent.stop();
    writeJournal(path.join(dir, 'journal', 'b.journal'), messages(2000, 3000));
    const second = await AgentProcess.start([config, `--storage.path=${data}`]);
    cleanups.push(() => second.agent.stop());
    await loki.waitUntil(() => new Set(loki.entries().map((e) => e.line)).size >= 3000, 30_000, () => `distinct lines: ${new Set(loki.entries().map((e) => e.line)).size}`);
    const all = loki.entries().map((e) => e.line);
    expect(new Set(all)).toEqual(new Set(messages(0, 3000).map((m) => m.fields.MESSAGE)));
    // Everything was acknowledged before the kill: nothing is sent twice.
    expect(all.length).toBe(3000);
  }, 90_000);
});

