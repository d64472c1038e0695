import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Entry } from '../../../../src/components/loki/stages/entry.js';
import { decodeStages, entry, extractedOf, pipelineOf, run, T0 } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const FLASK = [
  '[2023-01-18 17:41:21] "GET /hello HTTP/1.1" 200 -',
  '[2023-01-18 17:41:25] ERROR in app: Exception on /error [GET]',
  'Traceback (most recent call last):',
  '  File "/home/pallets/.pyenv/versions/3.8.5/lib/python3.8/site-packages/flask/app.py", line 2447, in wsgi_app',
  'Exception: Sorry, this route always breaks',
  '[2023-01-18 17:42:24] "GET /error HTTP/1.1" 500 -',
];

describe('stage.multiline', () => {
  const body = 'stage.multiline {\n firstline = "^\\\\[\\\\d{4}-\\\\d{2}-\\\\d{2} \\\\d{1,2}:\\\\d{2}:\\\\d{2}\\\\]"\n max_wait_time = "10s"\n}';

  it('joins the lines of a block and keeps the first line\'s timestamp and labels', async () => {
    const { pipeline } = pipelineOf(body);
    pipeline.start(() => {});
    const out = await pipeline.process(['before any block', ...FLASK].map((l, i) => entry(l, { app: 'flask' }, T0 + i)));
    expect(out.map((e) => [e.line, e.ms - T0])).toEqual([
      ['before any block', 0],
      [FLASK[0], 1],
      [FLASK.slice(1, 5).join('\n'), 2],
    ]);
    const held = await pipeline.flush();
    expect(held.map((e) => e.line)).toEqual([FLASK[5]]);
  });

  it('flushes an idle block after max_wait_time', async () => {
    vi.useFakeTimers();
    const { pipeline } = pipelineOf(body);
    const emitted: Entry[] = [];
    pipeline.start((es) => emitted.push(...es));
    expect(await pipeline.process([entry(FLASK[1]!), entry(FLASK[2]!)])).toEqual([]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(await pipeline.process([entry(FLASK[4]!)])).toEqual([]); // activity restarts the timer
    await vi.advanceTimersByTimeAsync(9_999);
    expect(emitted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(emitted.map((e) => e.line)).toEqual([[FLASK[1], FLASK[2], FLASK[4]].join('\n')]);
  });

  it('splits blocks at max_lines, per stream, trimming line ends', async () => {
    const { pipeline } = pipelineOf('stage.multiline {\n firstline = "^start"\n max_lines = 2\n}');
    const out = await pipeline.process([entry('start a\r\n', { s: '1' }), entry('start b', { s: '2' }), entry('a2\n', { s: '1' }), entry('a3', { s: '1' })]);
    expect(out.map((e) => e.line)).toEqual(['start a\na2']);
    expect((await pipeline.flush()).map((e) => e.line).sort()).toEqual(['a3', 'start b']);
  });

  it('runs the block through the stages after it when flushed late', async () => {
    vi.useFakeTimers();
    const { pipeline } = pipelineOf('stage.multiline { firstline = "^start" }\nstage.static_labels { values = { joined = "yes" } }');
    const emitted: Entry[] = [];
    pipeline.start((es) => emitted.push(...es));
    await pipeline.process([entry('start'), entry('more')]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(emitted.map((e) => [e.line, e.labels])).toEqual([['start\nmore', { joined: 'yes' }]]);
  });

  it('rejects a zero max_wait_time', () => {
    expect(decodeStages('stage.multiline {\n firstline = "x"\n max_wait_time = "0s"\n}').error).toBe('1:1: max_wait_time must be greater than 0');
  });
});

describe('stage.cri', () => {
  it('parses CRI lines and joins partial lines per stream', async () => {
    const { pipeline } = pipelineOf('stage.cri {}');
    const out = await pipeline.process([
      entry('2019-04-30T02:12:41.8443515Z stdout F message'),
      entry('2019-01-01T01:00:00.000000001Z stderr P i am'),
      entry('2019-01-01T01:00:00.000000002Z stdout F other'),
      entry('2019-01-01T01:00:00.000000003Z stderr P  a partial'),
      entry('2019-01-01T01:00:00.000000004Z stderr F  line'),
      entry('not a cri line'),
      entry('2019-01-01T01:00:00Z stdout no flag'),
    ]);
    expect(out.map((e) => [e.line, e.labels['stream']])).toEqual([
      ['message', 'stdout'],
      ['other', 'stdout'],
      ['i ama partialline', 'stderr'],
      ['not a cri line', undefined],
      ['no flag', 'stdout'],
    ]);
    expect(extractedOf(out[0]!)).toEqual({ flags: 'F', stream: 'stdout', content: 'message', time: '2019-04-30T02:12:41.8443515Z' });
    expect([out[0]!.ms, out[0]!.ns]).toEqual([Date.parse('2019-04-30T02:12:41.844Z'), 351_500]);
    expect(out[2]!.ns).toBe(4); // the full line's timestamp
  });

  it('flushes all partial lines when max_partial_lines streams are held, and truncates', async () => {
    const { pipeline, ctx } = pipelineOf('stage.cri {\n max_partial_lines = 2\n max_partial_line_size = 5\n max_partial_line_size_truncate = true\n}');
    const ts = '2019-01-01T01:00:00Z';
    const out = await pipeline.process([
      entry(`${ts} stdout P abc`, { s: '1' }),
      entry(`${ts} stdout P defgh`, { s: '1' }),
      entry(`${ts} stdout P x`, { s: '2' }),
      entry(`${ts} stdout P y`, { s: '3' }),
    ]);
    expect(out.map((e) => e.line).sort()).toEqual(['abcde', 'x']);
    expect(await ctx.value('loki_process_cri_partial_lines_flushed_total')).toBe(2);
    expect(await ctx.value('loki_process_cri_lines_truncated_total')).toBe(1);
    expect((await pipeline.flush()).map((e) => e.line)).toEqual(['y']);
    expect(decodeStages('stage.cri { max_partial_lines = 0 }').error).toBe('1:1: max_partial_lines must be greater than 0');
  });
});

describe('stage.docker', () => {
  it('unwraps json-file lines', async () => {
    const [e, plain, empty] = await run('stage.docker {}', [
      '{"log":"log message\\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z"}',
      'plain',
      '{"log":"","stream":"stdout"}',
    ]);
    expect(e!.line).toBe('log message\n');
    expect(e!.labels).toEqual({ stream: 'stderr' });
    expect(extractedOf(e!)).toEqual({ output: 'log message\n', stream: 'stderr', timestamp: '2019-04-30T02:12:41.8443515Z' });
    expect(e!.ms).toBe(Date.parse('2019-04-30T02:12:41.844Z'));
    expect(plain!.line).toBe('plain');
    expect(empty!.line).toBe('{"log":"","stream":"stdout"}');
  });
});

describe('line rewriting stages', () => {
  it('pack embeds labels and extracted values, sorted, and removes packed labels', async () => {
    const body = 'stage.json { expressions = { user_id = "" } }\nstage.pack {\n labels = ["env", "user_id", "absent"]\n ingest_timestamp = false\n}';
    const e = (await run(body, ['{"user_id":"f8fas0r"}'], { level: 'error', env: 'dev' }))[0]!;
    expect(e.line).toBe('{"env":"dev","user_id":"f8fas0r","_entry":"{\\"user_id\\":\\"f8fas0r\\"}"}');
    expect(e.labels).toEqual({ level: 'error' });
    expect(e.ms).toBe(T0);
    const now = (await run('stage.pack { labels = [] }', ['x']))[0]!;
    expect(now.line).toBe('{"_entry":"x"}');
    expect(now.ms).toBeGreaterThan(T0);
  });

  it('decolorize strips ANSI codes', async () => {
    const [e] = await run('stage.decolorize {}', ['[2022-11-04 22:17:57.811] \u001b[0;32mhttp\u001b[0m: GET /_health (0 ms) 204']);
    expect(e!.line).toBe('[2022-11-04 22:17:57.811] http: GET /_health (0 ms) 204');
  });

  it('luhn redacts card numbers', async () => {
    const [e] = await run('stage.luhn { replacement = "**DELETED**" }', ['message="credit card approved 4032032513548443" id=4032032513548442 short=79927398713']);
    expect(e!.line).toBe('message="credit card approved **DELETED**" id=4032032513548442 short=79927398713');
  });
});
