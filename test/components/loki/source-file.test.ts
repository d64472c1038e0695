import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { receiverOf, LOGS_RECEIVER_TYPE, type LogBatch, type LogsReceiver } from '../../../src/components/common/log-entries.js';
import { untilAborted } from '../../../src/components/common/until-aborted.js';
import { MAX_IN_FLIGHT_BYTES } from '../../../src/components/loki/source-file/tailer.js';
import { schema, t } from '../../../src/lang/schema.js';
import { defineComponent } from '../../../src/runtime/component.js';
import { eventually, Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';

const running: Harness[] = [];
const receivers: LokiReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'alloy-ts-source-file-'));
const CAPTURE = 'testing.logs_capture.out';
const SOURCE = 'loki.source.file.logs';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loki.source.file tailing `files` (quick polling) into a capture component. */
function config(files: string[], extra = ''): string {
  const targets = files.map((f) => `{"__path__" = ${JSON.stringify(f)}, "job" = "test", "__hidden" = "x"}`).join(', ');
  return `
loki.source.file "logs" {
  targets    = [${targets}]
  forward_to = [testing.logs_capture.out.receiver]
  file_watch {
    min_poll_frequency = "10ms"
    max_poll_frequency = "40ms"
  }
  ${extra}
}
testing.logs_capture "out" { }
`;
}

async function start(text: string, opts: Parameters<typeof Harness.start>[1] = {}): Promise<Harness> {
  const h = await Harness.start(text, opts);
  running.push(h);
  return h;
}

async function stop(h: Harness): Promise<void> {
  running.splice(running.indexOf(h), 1);
  await h.stop();
}

const lines = (h: Harness) => h.entries(CAPTURE).map((e) => e.line);
const numbered = (from: number, to: number, width = 40) => Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(8, '0')} ${'x'.repeat(width)}`);
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

/** The positions file as an independent YAML parser reads it ([] until it is first written). */
function positionsOf(h: Harness): { path: string; labels: string; offset: string }[] {
  const file = path.join(h.storagePath, SOURCE, 'positions.yml');
  if (!existsSync(file)) return [];
  const doc = YAML.parse(readFileSync(file, 'utf8'), { mapAsMap: true }) as Map<string, Map<Map<string, string>, string>>;
  return [...(doc.get('positions') ?? new Map()).entries()].map(([k, v]) => ({ path: k.get('path')!, labels: k.get('labels')!, offset: v }));
}

/**
 * Appends numbered lines in small bursts (yielding between them so the
 * tailer runs), calling `rotate` before line numbers listed in `at`.
 */
async function writeContinuously(file: string, total: number, at: number[], rotate: (n: number) => Promise<void> | void): Promise<string[]> {
  const all = numbered(0, total);
  for (let i = 0; i < total; i += 25) {
    for (const r of at) if (r >= i && r < i + 25) await rotate(r);
    appendFileSync(file, text(all.slice(i, i + 25)));
    await sleep(1);
  }
  return all;
}

describe('loki.source.file', () => {
  it('delivers a 100k-line file exactly, in order, with the target’s public labels and filename', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.log');
    const expected = numbered(0, 100_000, 60);
    writeFileSync(file, text(expected));
    const h = await start(config([file]));
    await eventually(() => lines(h).length >= expected.length, '100k lines', 60_000);
    expect(lines(h)).toEqual(expected);
    const entries = h.entries(CAPTURE);
    expect(entries[0]!.labels).toEqual({ job: 'test', filename: file });
    // Timestamps are read times, strictly increasing within the stream.
    for (let i = 1; i < entries.length; i++) {
      const a = entries[i - 1]!;
      const b = entries[i]!;
      if (!(b.ms > a.ms || (b.ms === a.ms && b.ns > a.ns))) throw new Error(`timestamps not increasing at ${i}`);
    }
    await eventually(() => positionsOf(h)[0]?.offset === String(readFileSync(file).length), 'position at end of file');
    expect(positionsOf(h)).toEqual([{ path: file, labels: '{job="test"}', offset: String(readFileSync(file).length) }]);
  });

  it('holds a partial last line until its newline arrives, strips one \\r', async () => {
    const file = path.join(tempDir(), 'partial.log');
    writeFileSync(file, 'first\r\nsec');
    const h = await start(config([file]));
    await eventually(() => lines(h).length === 1, 'first line');
    await sleep(200); // several polls
    expect(lines(h)).toEqual(['first']);
    appendFileSync(file, 'ond\r\r\n\n');
    await eventually(() => lines(h).length === 3, 'completed line');
    expect(lines(h)).toEqual(['first', 'second\r', '']);
  });

  it('follows rename+create rotation under continuous writes: every line once, in order', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '');
    const h = await start(config([file]));
    await eventually(() => h.controller.get(SOURCE)?.instance?.debugInfo?.() !== undefined);
    let previous = 0;
    const all = await writeContinuously(file, 8000, [1500, 3000, 4500, 6000], async (n) => {
      // A path-following tailer misses a file rotated away before it ever saw it
      // (Alloy too), so wait until it reads the current file — not until it
      // has caught up: the renamed file's unread rest must be drained.
      await eventually(() => lines(h).length > previous, 'reading the current file');
      renameSync(file, `${file}.${n}`);
      previous = n;
    });
    await eventually(() => lines(h).length >= all.length, 'all lines');
    await sleep(100);
    expect(lines(h)).toEqual(all);
  });

  it('follows copytruncate rotation under continuous writes: every line once, in order', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '');
    const h = await start(config([file]));
    const all = await writeContinuously(file, 8000, [1500, 3000, 6000], async (n) => {
      // Lines written after the tailer's last read exist only in the copy (true
      // of any tailer): wait until it has read the n lines written so far, then
      // copy and truncate between two writes; writing goes on at once.
      await eventually(() => lines(h).length >= n, 'caught up');
      copyFileSync(file, `${file}.${n}`);
      truncateSync(file, 0);
    });
    await eventually(() => lines(h).length >= all.length, 'all lines');
    await sleep(100);
    expect(lines(h)).toEqual(all);
  });

  it('resumes from the positions file after a restart: only new lines', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, text(numbered(0, 1000)));
    const first = await start(config([file]));
    await eventually(() => lines(first).length === 1000, 'first run');
    await stop(first);
    appendFileSync(file, text(numbered(1000, 1500)));
    const second = await start(config([file]), { storagePath: first.storagePath });
    await eventually(() => lines(second).length >= 500, 'second run');
    await sleep(200);
    expect(lines(second)).toEqual(numbered(1000, 1500));
  });

  it('starts at the last line with tail_from_end when no position is stored', async () => {
    const file = path.join(tempDir(), 'app.log');
    writeFileSync(file, text(numbered(0, 100)) + 'partial');
    const h = await start(config([file], 'tail_from_end = true'));
    await eventually(() => positionsOf(h).length === 1, 'position stored');
    appendFileSync(file, ' line\nnext\n');
    await eventually(() => lines(h).length >= 2, 'new lines');
    await sleep(100);
    expect(lines(h)).toEqual(['partial line', 'next']);
  });

  it.each([
    ['gz', (b: Buffer) => gzipSync(b)],
    ['z', (b: Buffer) => deflateSync(b)],
    ['bz2', (b: Buffer) => execFileSync('bzip2', ['-c'], { input: b })],
  ])('decompresses %s files once to the end, flushing the last partial line', async (format, compress) => {
    const file = path.join(tempDir(), `app.log.${format}`);
    const expected = numbered(0, 20_000);
    writeFileSync(file, compress(Buffer.from(text(expected) + 'no newline')));
    const h = await start(config([file], `decompression {\n    enabled = true\n    format = "${format}"\n  }`));
    await eventually(() => lines(h).length >= expected.length + 1, 'all lines');
    expect(lines(h)).toEqual([...expected, 'no newline']);
    const size = Buffer.byteLength(text(expected) + 'no newline');
    await eventually(() => positionsOf(h)[0]?.offset === String(size), 'offset in decompressed bytes');
  });

  it('decodes encodings: UTF-16 by its BOM, windows-1252 when configured', async () => {
    const dir = tempDir();
    const utf16 = path.join(dir, 'utf16.log');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\r\nwörld ✓\r\n', 'utf16le')]));
    const h = await start(config([utf16]));
    await eventually(() => lines(h).length === 2, 'utf-16 lines');
    expect(lines(h)).toEqual(['héllo', 'wörld ✓']);

    const latin = path.join(dir, 'latin.log');
    writeFileSync(latin, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x0a]));
    const h2 = await start(config([latin], 'encoding = "windows-1252"'));
    await eventually(() => lines(h2).length === 1, 'windows-1252 line');
    expect(lines(h2)).toEqual(['café €']);
  });

  it('adds and removes targets on update without restarting unchanged tailers', async () => {
    const dir = tempDir();
    const [a, b, c] = ['a.log', 'b.log', 'c.log'].map((f) => path.join(dir, f));
    for (const f of [a!, b!, c!]) writeFileSync(f, `${path.basename(f)} 1\n`);
    const h = await start(config([a!, b!]));
    await eventually(() => lines(h).length === 2, 'a and b');
    await eventually(() => positionsOf(h).length === 2, 'two positions');
    await h.apply(config([a!, c!]));
    await eventually(() => lines(h).length === 3, 'c');
    appendFileSync(a!, 'a.log 2\n');
    await eventually(() => lines(h).length === 4, 'a continues');
    expect(lines(h).sort()).toEqual(['a.log 1', 'a.log 2', 'b.log 1', 'c.log 1']);
    const starts = h.logLines.filter((l) => l.includes('start tailing file') && l.includes(`path=${a}`));
    expect(starts).toHaveLength(1);
    await eventually(() => positionsOf(h).map((p) => p.path).sort().join() === [a, c].join(), 'b’s position removed');
    const info = h.controller.get(SOURCE)!.instance!.debugInfo!() as { targets_info: { path: string; is_running: boolean; read_offset: number }[] };
    expect(info.targets_info.map((t) => t.path).sort()).toEqual([a, c]);
    expect(info.targets_info.every((t) => t.is_running && t.read_offset > 0)).toBe(true);
  });

  it('expands globs with file_match, honouring __path_exclude__', async () => {
    const dir = tempDir();
    for (const f of ['a.log', 'b.log', 'skip.log', 'c.txt']) writeFileSync(path.join(dir, f), `${f}\n`);
    const h = await start(`
loki.source.file "logs" {
  targets    = [{"__path__" = "${dir}/*.log", "__path_exclude__" = "${dir}/skip*"}]
  forward_to = [testing.logs_capture.out.receiver]
  file_match {
    enabled     = true
    sync_period = "50ms"
  }
}
testing.logs_capture "out" { }
`);
    await eventually(() => lines(h).length === 2, 'two files');
    writeFileSync(path.join(dir, 'd.log'), 'd.log\n');
    await eventually(() => lines(h).length === 3, 'new file found at the next sync');
    expect(lines(h).sort()).toEqual(['a.log', 'b.log', 'd.log']);
  });

  it('stops reading while pushes are unacknowledged (bounded memory), then continues', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let pushedBytes = 0;
    const received: string[] = [];
    const stuck = defineComponent({
      name: 'testing.stuck',
      stability: 'generally-available',
      args: schema({}),
      exports: schema({ receiver: { kind: 'attr', type: t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE), required: true } }),
      build(ctx) {
        ctx.setExports({
          receiver: receiverOf(async (batch: LogBatch) => {
            for (const l of batch.lines) pushedBytes += l.length + 1;
            received.push(...batch.lines);
            await gate;
          }),
        });
        return { update() {}, run: untilAborted };
      },
    });
    const file = path.join(tempDir(), 'big.log');
    const expected = numbered(0, 200_000, 60); // ~15 MiB
    writeFileSync(file, text(expected));
    await start(config([file]).replace('testing.logs_capture.out.receiver', 'testing.stuck.s.receiver') + 'testing.stuck "s" { }\n', { components: [stuck] });
    await eventually(() => pushedBytes > 0, 'first push');
    await sleep(300);
    expect(pushedBytes).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES + 256 * 1024);
    release();
    await eventually(() => received.length >= expected.length, 'everything after release', 60_000);
    expect(received).toEqual(expected);
  });

  it('loses nothing while Loki is down (loki.write retries, positions wait for acknowledgement)', async () => {
    const loki = await LokiReceiver.start();
    receivers.push(loki);
    const file = path.join(tempDir(), 'app.log');
    writeFileSync(file, text(numbered(0, 500)));
    const h = await start(`
loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(file)}, "job" = "test"}]
  forward_to = [loki.write.out.receiver]
  file_watch {
    min_poll_frequency = "10ms"
    max_poll_frequency = "40ms"
  }
}
loki.write "out" {
  endpoint {
    url                = ${JSON.stringify(loki.pushUrl)}
    batch_wait         = "20ms"
    min_backoff_period = "20ms"
    max_backoff_period = "100ms"
    max_backoff_retries = 1000
  }
}
`);
    await loki.waitForEntries(500);
    await loki.down();
    appendFileSync(file, text(numbered(500, 2000)));
    await sleep(300);
    const positionWhileDown = Number(positionsOf(h)[0]!.offset);
    expect(positionWhileDown).toBe(Buffer.byteLength(text(numbered(0, 500))));
    await loki.up();
    await loki.waitForEntries(2000, 20_000);
    const got = loki.entries().map((e) => e.line);
    expect(new Set(got)).toEqual(new Set(numbered(0, 2000)));
    expect(loki.entries()[0]!.labels).toBe(`{filename=${JSON.stringify(file)}, job="test"}`);
  });

  it.each([
    ['restart_from_beginning', ['a', 'b', 'c']],
    ['restart_from_end', ['c']],
    ['skip', []],
  ])('on an unparseable position, on_positions_file_error = %s', async (policy, expected) => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'a\nb\n');
    const storagePath = tempDir();
    mkdirSync(path.join(storagePath, SOURCE));
    writeFileSync(path.join(storagePath, SOURCE, 'positions.yml'), `positions:\n  ? path: ${file}\n    labels: '{job="test"}'\n  : "not a number"\n`);
    const h = await start(config([file], `on_positions_file_error = "${policy}"`), { storagePath });
    await sleep(150);
    appendFileSync(file, 'c\n');
    if (expected.length) await eventually(() => lines(h).length >= expected.length, 'lines');
    await sleep(150);
    expect(lines(h)).toEqual(expected);
  });

  it('takes over a legacy (Promtail/agent) positions file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    writeFileSync(file, 'old 1\nold 2\nnew 1\n');
    const legacy = path.join(dir, 'legacy-positions.yaml');
    writeFileSync(legacy, `positions:\n  ${file}: "12"\n`);
    const h = await start(config([file], `legacy_positions_file = ${JSON.stringify(legacy)}`));
    await eventually(() => lines(h).length >= 1, 'new line');
    await sleep(100);
    expect(lines(h)).toEqual(['new 1']);
  });

  it.each([
    ['file_match {\n    sync_period = "0s"\n  }', /sync period must be greater than 0/],
    ['decompression {\n    enabled = true\n    format = "xz"\n  }', /unrecognized value "xz"/],
    ['encoding = "klingon-8"', /failed to get IANA encoding klingon-8/],
  ])('rejects invalid arguments: %s', async (extra, message) => {
    const h = await start(config([path.join(tempDir(), 'app.log')], extra));
    expect(h.health(SOURCE)).toMatchObject({ state: 'unhealthy', message: expect.stringMatching(message) });
  });

  it('exposes Alloy’s metrics', async () => {
    const file = path.join(tempDir(), 'app.log');
    writeFileSync(file, text(numbered(0, 10)));
    const h = await start(config([file]));
    await eventually(() => lines(h).length === 10, 'lines');
    const registry = h.controller.get(SOURCE)!.registry!;
    const size = readFileSync(file).length;
    await eventually(async () => (await registry.metrics()).includes(`loki_source_file_read_bytes_total{path="${file}",component_id="${SOURCE}",component_path="/"} ${size}`), 'read bytes');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/loki_source_file_read_lines_total\{path="[^"]+",component_id="loki\.source\.file\.logs",component_path="\/"\} 10/);
    expect(metrics).toMatch(/loki_source_file_files_active_total\{component_id="loki\.source\.file\.logs",component_path="\/"\} 1/);
    expect(metrics).toContain(`loki_source_file_file_bytes_total{path="${file}"`);
  });
});
