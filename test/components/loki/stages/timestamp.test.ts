import { describe, expect, it } from 'vitest';
import { formatGoTime, parseGoTime, TimeZone } from '../../../../src/go/time.js';
import { parseWithoutYear } from '../../../../src/components/loki/stages/timestamp.js';
import { decodeStages, entry, pipelineOf, run, T0 } from './helpers.js';

const ms = (iso: string) => Date.parse(iso);

describe('Go time layouts', () => {
  it('parses reference layouts, named and custom', () => {
    const cases: [string, string, string, number][] = [
      ['2006-01-02T15:04:05Z07:00', '2024-01-02T03:04:05+02:00', '2024-01-02T01:04:05Z', 0],
      ['2006-01-02T15:04:05.999999999Z07:00', '2019-04-30T02:12:41.8443515Z', '2019-04-30T02:12:41.844Z', 351_500],
      ['2006-01-02 15:04:05,000', '2025-06-17 09:54:15,283', '2025-06-17T09:54:15.283Z', 0],
      ['2006-01-02T15:04:05.000-0700', '2024-01-15T14:41:02.423+0000', '2024-01-15T14:41:02.423Z', 0],
      ['2006-01-02T15:04:05.000000-07:00', '2024-01-15T14:41:02.123456+01:00', '2024-01-15T13:41:02.123Z', 456_000],
      ['Mon Jan _2 15:04:05 2006', 'Tue Jan  2 15:04:05 2024', '2024-01-02T15:04:05Z', 0],
      ['02 Jan 06 15:04 MST', '02 Mar 24 15:04 UTC', '2024-03-02T15:04:00Z', 0],
      ['Monday, 02-Jan-06 15:04:05 MST', 'friday, 05-JAN-24 10:00:00 GMT', '2024-01-05T10:00:00Z', 0],
      ['3:04PM Jan 2 2006', '9:15AM Feb 29 2024', '2024-02-29T09:15:00Z', 0],
      ['2006-01-02 15:04:05', '2024-01-02   15:04:05', '2024-01-02T15:04:05Z', 0],
      ['2006-002', '2024-060', '2024-02-29T00:00:00Z', 0],
      ['2006-01-02T15:04:05Z07:00', '2024-01-02T03:04:05.5Z', '2024-01-02T03:04:05.500Z', 0],
    ];
    for (const [layout, value, iso, ns] of cases) {
      const t = parseGoTime(layout, value);
      expect({ layout, ms: t.ms, ns: t.ns }).toEqual({ layout, ms: ms(iso), ns });
    }
  });

  it('reports errors like Go', () => {
    expect(() => parseGoTime('2006-01-02', '2024-13-01')).toThrow('parsing time "2024-13-01": month out of range');
    expect(() => parseGoTime('2006-01-02', '2024-02-30')).toThrow('parsing time "2024-02-30": day out of range');
    expect(() => parseGoTime('2006-01-02', '2024-01-02x')).toThrow('parsing time "2024-01-02x": extra text: "x"');
    expect(() => parseGoTime('2006-01-02', '24-01-02')).toThrow('parsing time "24-01-02" as "2006-01-02": cannot parse "24-01-02" as "2006"');
    // The zap example's "layout" has no reference elements that fit: "1" reads the month (17 is out of range).
    expect(() => parseGoTime('1750342991.0445938', '1750342991.0445938')).toThrow(/month out of range/);
  });

  it('uses the location for zone-less values, and the value\'s own zone otherwise', () => {
    const ny = TimeZone.load('America/New_York');
    expect(parseGoTime('2006-01-02 15:04:05', '2024-01-15 10:00:00', ny).ms).toBe(ms('2024-01-15T15:00:00Z'));
    expect(parseGoTime('2006-01-02 15:04:05', '2024-07-15 10:00:00', ny).ms).toBe(ms('2024-07-15T14:00:00Z'));
    expect(parseGoTime('2006-01-02 15:04:05 -0700', '2024-07-15 10:00:00 +0000', ny).ms).toBe(ms('2024-07-15T10:00:00Z'));
    expect(parseGoTime('2006-01-02 15:04:05 MST', '2024-01-15 10:00:00 EST', ny).ms).toBe(ms('2024-01-15T15:00:00Z'));
    expect(() => TimeZone.load('Mars/Olympus')).toThrow('unknown time zone Mars/Olympus');
  });

  it('formats layouts', () => {
    const t = { ms: ms('2024-03-05T07:08:09.123Z'), ns: 456_000 };
    expect(formatGoTime('2006-01-02T15:04:05.000000Z07:00 Mon Jan _2 3PM .999', t)).toBe('2024-03-05T07:08:09.123456Z Tue Mar  5 7AM .123');
    expect(formatGoTime('Jan 2 15:04 -07:00 MST', t, TimeZone.load('Europe/Paris'))).toMatch(/^Mar 5 08:08 \+01:00 /);
  });

  it('fills in the year for layouts without one, across New Year', () => {
    const jan = new Date('2025-01-01T00:10:00Z');
    expect(parseWithoutYear('Jan _2 15:04:05', 'Dec 31 23:59:59', undefined, jan).ms).toBe(ms('2024-12-31T23:59:59Z'));
    expect(parseWithoutYear('Jan _2 15:04:05', 'Jan  1 00:05:00', undefined, jan).ms).toBe(ms('2025-01-01T00:05:00Z'));
    const dec = new Date('2024-12-31T23:59:00Z');
    expect(parseWithoutYear('Jan _2 15:04:05', 'Jan  1 00:00:01', undefined, dec).ms).toBe(ms('2025-01-01T00:00:01Z'));
    expect(parseWithoutYear('Jan _2 15:04:05', 'Feb 29 10:00:00', undefined, new Date('2025-06-01T00:00:00Z')).ms).toBe(ms('2025-03-01T10:00:00Z'));
  });
});

describe('stage.timestamp', () => {
  const stage = (format: string, extra = '') => `stage.regex { expression = "^(?P<ts>\\\\S+)" }\nstage.timestamp {\n source = "ts"\n format = "${format}"\n${extra}}`;

  it('parses the Unix formats', async () => {
    const [a, b, c, d, e] = await run(stage('Unix'), ['1562708916', '1562708916.000000123', '1562708916.5', 'x', '-1']);
    expect([a!.ms, a!.ns]).toEqual([1562708916000, 0]);
    expect([b!.ms, b!.ns]).toEqual([1562708916000, 123]);
    expect([c!.ms, c!.ns]).toEqual([1562708916500, 0]);
    expect([d!.ms, d!.ns]).toEqual([1562708916500, 1]); // fudged: 1 ns after the previous one
    expect(e!.ms).toBe(-1000);
    const [ms1] = await run(stage('UnixMs'), ['1562708916414']);
    expect([ms1!.ms, ms1!.ns]).toEqual([1562708916414, 0]);
    const [us] = await run(stage('UnixUs'), ['1562708916414123']);
    expect([us!.ms, us!.ns]).toEqual([1562708916414, 123_000]);
    const [ns] = await run(stage('UnixNs'), ['1562708916000000123']);
    expect([ns!.ms, ns!.ns]).toEqual([1562708916000, 123]);
  });

  it('tries fallback formats and the location', async () => {
    const body = stage('RFC3339', ' fallback_formats = ["UnixMs", "2006-01-02T15:04:05"]\n location = "Asia/Tokyo"\n');
    const [a, b, c] = await run(body, ['2024-01-01T00:00:00Z', '1704067200000', '2024-01-01T09:00:00']);
    expect([a!.ms, b!.ms, c!.ms]).toEqual([ms('2024-01-01T00:00:00Z'), 1704067200000, ms('2024-01-01T00:00:00Z')]);
  });

  it('fudges failures and duplicates per stream, 1 ns after the last timestamp', async () => {
    const { pipeline } = pipelineOf(stage('RFC3339Nano'));
    const out = await pipeline.process([
      entry('bad', { s: '1' }),
      entry('2024-01-01T00:00:00.999999999Z', { s: '1' }),
      entry('bad', { s: '1' }),
      entry('bad', { s: '1' }),
      entry('bad', { s: '2' }),
      entry('2024-01-01T00:00:00.999999999Z', { s: '1' }),
    ]);
    const base = ms('2024-01-01T00:00:00.999Z');
    expect(out.map((e) => [e.ms, e.ns])).toEqual([
      [T0, 0],
      [base, 999_999],
      [base + 1, 0],
      [base + 1, 1],
      [T0, 0],
      [base + 1, 2],
    ]);
  });

  it('keeps the scrape time with action_on_failure = "skip", and duplicates with "keep"', async () => {
    const out = await run(stage('RFC3339', ' action_on_failure = "skip"\n'), ['2024-01-01T00:00:00Z', 'bad']);
    expect(out.map((e) => e.ms)).toEqual([ms('2024-01-01T00:00:00Z'), T0]);
    const dup = await run(stage('RFC3339', ' action_on_duplicate_timestamp = "keep"\n'), ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z']);
    expect(dup.map((e) => [e.ms, e.ns])).toEqual([
      [ms('2024-01-01T00:00:00Z'), 0],
      [ms('2024-01-01T00:00:00Z'), 0],
    ]);
  });

  it('rejects bad configuration', () => {
    expect(decodeStages('stage.timestamp {\n source = "a"\n format = "RFC3339"\n location = "Nowhere/City"\n}').error).toBe(
      '1:1: invalid location specified: unknown time zone Nowhere/City',
    );
    expect(decodeStages('stage.timestamp {\n source = "a"\n format = "RFC3339"\n action_on_failure = "drop"\n}').error).toMatch(/^4:22: unrecognized value "drop"/);
    expect(decodeStages('stage.timestamp { source = "a" }').error).toBe('1:1: missing required attribute "format"');
  });
});
