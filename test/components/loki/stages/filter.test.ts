import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseLogSelector } from '../../../../src/components/loki/stages/logql.js';
import { decodeStages, entry, pipelineOf, run, T0 } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('stage.drop', () => {
  it('drops only when every configured condition holds (debug and longer than 1KB)', async () => {
    const { pipeline, ctx } = pipelineOf('stage.drop {\n expression = ".*debug.*"\n longer_than = "1KB"\n}');
    const long = 'debug ' + 'x'.repeat(1024);
    const out = await pipeline.process([entry(long), entry('debug short'), entry('info ' + 'x'.repeat(2000))]);
    expect(out.map((e) => e.line.slice(0, 5))).toEqual(['debug', 'info ']);
    expect(await ctx.value('loki_process_dropped_lines_total', { reason: 'drop_stage' })).toBe(1);
  });

  it('counts lengths in bytes', async () => {
    const out = await run('stage.drop { longer_than = "4B" }', ['ééé', 'ab']); // "ééé" is 6 bytes
    expect(out.map((e) => e.line)).toEqual(['ab']);
  });

  it('drops old entries with a custom reason', async () => {
    const { pipeline, ctx } = pipelineOf('stage.drop {\n older_than = "24h"\n drop_counter_reason = "too old"\n}');
    const out = await pipeline.process([entry('old', {}, Date.now() - 25 * 3600_000), entry('new', {}, Date.now())]);
    expect(out.map((e) => e.line)).toEqual(['new']);
    expect(await ctx.value('loki_process_dropped_lines_total', { reason: 'too old' })).toBe(1);
  });

  it('matches a value exactly, or a joined list of sources', async () => {
    const body = 'stage.json { expressions = { app = "", lvl = "" } }\nstage.drop {\n source = "app"\n value = "example"\n}';
    const out = await run(body, ['{"app":"example"}', '{"app":"example2"}', '{}']);
    expect(out).toHaveLength(2);
    const joined = 'stage.json { expressions = { app = "", lvl = "" } }\nstage.drop {\n source = "app,lvl"\n expression = "^a;debug$"\n}';
    expect((await run(joined, ['{"app":"a","lvl":"debug"}', '{"app":"a","lvl":"info"}'])).map((e) => e.line)).toEqual(['{"app":"a","lvl":"info"}']);
    const present = 'stage.json { expressions = { app = "" } }\nstage.drop { source = "app" }';
    expect((await run(present, ['{"app":"x"}', 'nope'])).map((e) => e.line)).toEqual(['nope']);
  });

  it('rejects invalid combinations', () => {
    expect(decodeStages('stage.drop { }').error).toMatch(/must contain at least one of/);
    expect(decodeStages('stage.drop {\n value = "a"\n longer_than = "1KB"\n}').error).toMatch(/must contain `source` if `value` is specified/);
    expect(decodeStages('stage.drop {\n source = "a"\n value = "a"\n expression = "b"\n}').error).toMatch(/cannot both be defined/);
    expect(decodeStages('stage.drop { longer_than = "1XB" }').error).toMatch(/^1:28: /);
  });
});

describe('stage.sampling', () => {
  it('keeps everything at rate 1 and nothing at rate 0', async () => {
    expect(await run('stage.sampling { rate = 1 }', ['a', 'b'])).toHaveLength(2);
    const { pipeline, ctx } = pipelineOf('stage.sampling {\n rate = 0\n drop_counter_reason = "logs_sampling"\n}');
    expect(await pipeline.process([entry('a'), entry('b')])).toHaveLength(0);
    expect(await ctx.value('loki_process_dropped_lines_total', { reason: 'logs_sampling' })).toBe(2);
    expect(decodeStages('stage.sampling { rate = 1.5 }').error).toMatch(/Sampling Rate must be between 0.0 and 1.0/);
  });
});

describe('stage.limit', () => {
  it('drops the excess over the burst', async () => {
    const { pipeline, ctx } = pipelineOf('stage.limit {\n rate = 1\n burst = 2\n drop = true\n}');
    expect(await pipeline.process([entry('a'), entry('b'), entry('c')])).toHaveLength(2);
    expect(await ctx.value('loki_process_dropped_lines_total', { reason: 'ratelimit_drop_stage' })).toBe(1);
  });

  it('limits per label value, never entries without the label', async () => {
    const { pipeline, ctx } = pipelineOf('stage.limit {\n rate = 1\n burst = 1\n drop = true\n by_label_name = "ns"\n}');
    const out = await pipeline.process([entry('1', { ns: 'a' }), entry('2', { ns: 'a' }), entry('3', { ns: 'b' }), entry('4'), entry('5')]);
    expect(out.map((e) => e.line)).toEqual(['1', '3', '4', '5']);
    expect(await ctx.value('loki_process_dropped_lines_by_label_total', { label_name: 'ns', label_value: 'a' })).toBe(1);
    expect(decodeStages('stage.limit {\n rate = 1\n burst = 1\n by_label_name = "ns"\n}').error).toBe('1:1: When ratelimiting by label, drop must be true');
    expect(decodeStages('stage.limit {\n rate = 0\n burst = 1\n}').error).toBe('1:1: limit stage failed to parse rate or burst');
  });

  it('waits for tokens without drop (back-pressure)', async () => {
    vi.useFakeTimers();
    const { pipeline } = pipelineOf('stage.limit {\n rate = 2\n burst = 2\n}');
    expect(await pipeline.process([entry('a'), entry('b')])).toHaveLength(2);
    let done = false;
    const pending = Promise.resolve(pipeline.process([entry('c'), entry('d')])).then((out) => {
      done = true;
      return out;
    });
    await vi.advanceTimersByTimeAsync(900);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toBe(true);
    expect(await pending).toHaveLength(2);
  });
});

describe('LogQL selectors', () => {
  it('matches labels and line filters', () => {
    const s = parseLogSelector('{app="a", env=~"prod|dev", team!="x", zone!~"eu-.*"} |= "error" != "timeout" |~ `code=\\d+` !~ "(?i)ignore"');
    expect(s.matches({ app: 'a', env: 'prod', zone: 'us-1' }, 'error code=5')).toBe(true);
    expect(s.matches({ app: 'a', env: 'production' }, 'error code=5')).toBe(false); // regexps are anchored
    expect(s.matches({ app: 'a', env: 'dev', zone: 'eu-2' }, 'error code=5')).toBe(false);
    expect(s.matches({ app: 'a', env: 'dev' }, 'error timeout code=5')).toBe(false);
    expect(s.matches({ app: 'a', env: 'dev' }, 'error code=5 IGNORE')).toBe(false);
    expect(s.matches({ app: 'a', env: 'dev' }, 'error code=x')).toBe(false);
    const or = parseLogSelector('{app="a"} |= "x" or "y" |> "<_> GET <path>"');
    expect(or.matches({ app: 'a' }, 'ip GET /y')).toBe(true);
    expect(or.matches({ app: 'a' }, 'ip POST /y')).toBe(false);
  });

  it('rejects what LogQL rejects and what stage.match does not support', () => {
    expect(parseLogSelector('{app!~"tos.*"}').matches({}, 'x')).toBe(true); // Alloy accepts selectors that match ""
    expect(() => parseLogSelector('{}')).toThrow(/unexpected }/);
    expect(() => parseLogSelector('{app="a"} | json')).toThrow(/only line filters/);
    expect(() => parseLogSelector('{app="a"')).toThrow(/expecting }/);
    expect(() => parseLogSelector('app="a"')).toThrow(/expecting {/);
  });
});

describe('stage.match', () => {
  const body = `stage.json { expressions = { appname = "app" } }
    stage.labels { values = { applbl = "appname" } }
    stage.match {
      selector = "{applbl=\\"examplelabel\\"}"
      stage.json { expressions = { msg = "message" } }
    }
    stage.match {
      selector = "{applbl=\\"qux\\"}"
      stage.json { expressions = { msg = "msg" } }
    }
    stage.match {
      selector            = "{applbl=\\"example2\\"} |~ \\".*noisy error.*\\""
      action              = "drop"
      drop_counter_reason = "discard_noisy_errors"
    }
    stage.output { source = "msg" }`;

  it('runs nested stages on matching entries and drops others (documented example)', async () => {
    const { pipeline, ctx } = pipelineOf(body);
    const out = await pipeline.process([
      entry('{ "app":"examplelabel", "level" : "WARN", "message" : "app1 log line" }'),
      entry('{ "app":"example2", "level" : "ERROR", "message" : "example noisy error" }'),
      entry('{ "app":"other", "message" : "untouched" }'),
    ]);
    expect(out.map((e) => e.line)).toEqual(['app1 log line', '{ "app":"other", "message" : "untouched" }']);
    expect(await ctx.value('loki_process_dropped_lines_total', { reason: 'discard_noisy_errors' })).toBe(1);
  });

  it('nested pipelines see the current labels in the extracted map, and results are ordered by time', async () => {
    const nested = `stage.static_labels { values = { lvl = "warn" } }
      stage.match {
        selector = "{lvl=\\"warn\\"} |= \\"match\\""
        stage.template {
          source   = "out"
          template = "{{ .lvl }}"
        }
        stage.output { source = "out" }
      }`;
    const { pipeline } = pipelineOf(nested);
    const out = await pipeline.process([entry('match 1', {}, T0 + 2), entry('no', {}, T0 + 1), entry('match 2', {}, T0)]);
    expect(out.map((e) => [e.line, e.ms - T0])).toEqual([
      ['warn', 0],
      ['no', 1],
      ['warn', 2],
    ]);
  });

  it('validates the selector, action and nested stages', () => {
    expect(decodeStages('stage.match { selector = "{app=\\"a\\"}" }').error).toBe("1:1: match stage requires at least one additional stage to be defined in '- stages'");
    expect(decodeStages('stage.match {\n selector = "{app=\\"a\\"}"\n action = "drop"\n stage.output { source = "x" }\n}').error).toBe(
      '1:1: match stage configured to drop entries cannot contains stages',
    );
    expect(decodeStages('stage.match {\n selector = "app"\n action = "drop"\n}').error).toMatch(/^1:1: invalid selector syntax for match stage: parse error/);
    expect(decodeStages('stage.match {\n selector = "{a=\\"b\\"}"\n stage.nope {}\n}').error).toBe('3:2: unrecognized block name "stage.nope"');
    expect(decodeStages('stage.match {\n selector = "{a=\\"b\\"}"\n stage.match {\n  selector = "{c=\\"d\\"}"\n  stage.json { }\n }\n}').error).toBe('5:3: JMES expression is required');
  });
});
