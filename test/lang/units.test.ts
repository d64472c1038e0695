import { describe, expect, it } from 'vitest';
import { formatBytes, formatDurationMs, formatDurationNs, parseBytes, parseDurationMs, parseDurationNs } from '../../src/lang/units.js';

describe('Go durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['-2s', -2000],
    ['1h2m3s4ms', 3_723_004],
    ['100us', 0.1],
    ['100µs', 0.1],
  ])('parses %s', (text, ms) => expect(parseDurationMs(text)).toBeCloseTo(ms, 9));

  it.each(['', '1', 'abc', '1x', '.s', '-'])('rejects %j', (text) => expect(() => parseDurationNs(text)).toThrow(/time: /));

  it('formats like Go Duration.String', () => {
    expect(formatDurationMs(60_000)).toBe('1m0s');
    expect(formatDurationMs(3_600_000)).toBe('1h0m0s');
    expect(formatDurationMs(1500)).toBe('1.5s');
    expect(formatDurationMs(250)).toBe('250ms');
    expect(formatDurationMs(0)).toBe('0s');
    expect(formatDurationNs(1500n)).toBe('1.5µs');
    expect(formatDurationNs(-90_000_000_000n)).toBe('-1m30s');
    expect(formatDurationMs(300_000)).toBe('5m0s');
  });

  it('round-trips', () => {
    for (const text of ['1h0m0s', '1m30s', '250ms', '1.5s', '10s']) expect(formatDurationNs(parseDurationNs(text))).toBe(text);
  });
});

describe('base-2 byte sizes', () => {
  it('parses KB as KiB', () => {
    expect(parseBytes('1KB')).toBe(1024);
    expect(parseBytes('1MiB')).toBe(1024 * 1024);
    expect(parseBytes('512')).toBe(512);
    expect(parseBytes('1.5KB')).toBe(1536);
    expect(() => parseBytes('1XB')).toThrow();
  });
  it('formats', () => {
    expect(formatBytes(1024 * 1024)).toBe('1MiB');
    expect(formatBytes(1536)).toBe('1536B');
  });
});
