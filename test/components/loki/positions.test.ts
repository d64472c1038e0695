import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { convertLegacyPositions, formatPositions, labelSetString, parseOwnLayout, parsePositions, Positions } from '../../../src/components/loki/positions.js';
import { Logger, LogSettings } from '../../../src/runtime/logger.js';

const logger = new Logger(LogSettings.defaults(() => {}));
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'alloy-ts-positions-'));

describe('positions file format', () => {
  it('reads its own layout without the yaml library, exactly as the YAML parser reads it, and leaves other layouts to it', () => {
    const pieces = ['/var/log/', 'a.log', ' ', "'", '"', '\\', '#', ': ', '{job="x"}', 'ü', '日本', '\t', '\u0001', 'yes', 'null', '-', '? ', '[x]', '&a', '*b', '%', '@', '`', '0x1f', '~'];
    let seed = 3;
    const pick = () => pieces[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length]!;
    const text = (n: number) => Array.from({ length: n }, pick).join('');
    for (let round = 0; round < 300; round++) {
      const entries = Array.from({ length: 1 + (round % 4) }, (_, i) => ({ key: { path: text(1 + (i % 5)), labels: round % 3 === 0 ? '{}' : text(3) }, value: String(round * 7 + i) }));
      const formatted = formatPositions(entries);
      const own = parseOwnLayout(formatted);
      expect(own, formatted).toBeDefined();
      const viaYaml = (YAML.parse(formatted, { mapAsMap: true, uniqueKeys: false }) as Map<string, Map<Map<string, string>, string>>).get('positions')!;
      expect(own).toEqual([...viaYaml].map(([k, v]) => [{ path: String(k.get('path')), labels: String(k.get('labels')) }, String(v)]));
      expect(parsePositions(formatted, 'f')).toEqual(own);
    }
    expect(parseOwnLayout('positions: {}\n')).toEqual([]);
    // Other writers' layouts (Promtail's plain map, a folded or unquoted value) are not taken by the fast path.
    expect(parseOwnLayout('positions:\n  /var/log/a.log: "12"\n')).toBeUndefined();
    expect(parseOwnLayout('positions:\n  ? path: /a\n    labels: \'{}\'\n  : 12\n')).toBeUndefined();
    expect(parsePositions('positions:\n  ? path: /a\n    labels: \'{}\'\n  : 12\n', 'f')).toEqual([[{ path: '/a', labels: '{}' }, '12']]);
  });

  it('writes Alloy’s layout: complex keys, labels string, offsets as quoted strings', () => {
    const text = formatPositions([
      { key: { path: '/var/log/b.log', labels: '{job="b"}' }, value: '5' },
      { key: { path: '/var/log/app.log', labels: '{job="app"}' }, value: '17623' },
    ]);
    expect(text).toBe(
      [
        'positions:',
        '  ? path: /var/log/app.log',
        `    labels: '{job="app"}'`,
        '  : "17623"',
        '  ? path: /var/log/b.log',
        `    labels: '{job="b"}'`,
        '  : "5"',
        '',
      ].join('\n'),
    );
    expect(formatPositions([])).toBe('positions: {}\n');
  });

  it('reads what Alloy (yaml.v2) writes, and what it writes itself', () => {
    const alloy = 'positions:\n  ? path: /var/log/app.log\n    labels: \'{job="app"}\'\n  : "17623"\n  ? path: /tmp/x y.log\n    labels: "{}"\n  : "5"\n';
    expect(parsePositions(alloy, 'f')).toEqual([
      [{ path: '/var/log/app.log', labels: '{job="app"}' }, '17623'],
      [{ path: '/tmp/x y.log', labels: '{}' }, '5'],
    ]);
    const odd = [
      { key: { path: '/a: b #c', labels: '{a="it\'s", b="\\"q\\""}' }, value: 'cursor-x' },
      { key: { path: 'cursor-0123abc', labels: '{}' }, value: '1700000000' },
      { key: { path: '/tmp/new\nline\ttab\u0001', labels: 'yes' }, value: '"quoted"' },
      { key: { path: 'true', labels: '' }, value: '' },
      { key: { path: '- dash', labels: '@at' }, value: 'ünïcode ✓' },
    ];
    const text = formatPositions(odd);
    const sortedKeys = [...odd].sort((a, b) => (a.key.path < b.key.path ? -1 : 1)).map((e) => [e.key, e.value]);
    expect(parsePositions(text, 'f')).toEqual(sortedKeys);
    // An independent parser sees the same structure.
    const doc = YAML.parseDocument(text);
    expect(doc.errors).toEqual([]);
    expect(parsePositions('', 'f')).toEqual([]);
    expect(parsePositions('positions:\n', 'f')).toEqual([]);
    expect(() => parsePositions('positions: [unclosed', '/p.yml')).toThrow(/^invalid yaml positions file \[\/p\.yml\]/);
  });

  it('formats label sets as Prometheus does (pairs sorted as strings, Go quoting)', () => {
    expect(labelSetString({})).toBe('{}');
    expect(labelSetString({ job: 'app', a: 'x"y' })).toBe('{a="x\\"y", job="app"}');
    // "a0=…" sorts before "a=…" because pairs, not names, are sorted.
    expect(labelSetString({ a: '1', a0: '2' })).toBe('{a0="2", a="1"}');
  });
});

describe('Positions', () => {
  it('persists puts and removals atomically with mode 0600', async () => {
    const file = path.join(tempDir(), 'sub', 'positions.yml');
    const p = await Positions.open(file, { logger, writeBehindMs: 10 });
    const key = { path: '/var/log/a.log', labels: '{job="a"}' };
    p.put(key, 42);
    await p.stop();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(': "42"');

    const again = await Positions.open(file, { logger });
    expect(again.getOffset(key)).toBe(42);
    again.remove(key);
    await again.stop();
    expect(readFileSync(file, 'utf8')).toBe('positions: {}\n');
  });

  it('rejects an invalid file and reports unparseable offsets', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'positions.yml');
    writeFileSync(file, 'positions: [oops');
    await expect(Positions.open(file, { logger })).rejects.toThrow(/invalid yaml positions file/);
    writeFileSync(file, 'positions:\n  ? path: /x\n    labels: "{}"\n  : "abc"\n');
    const p = await Positions.open(file, { logger });
    expect(() => p.getOffset({ path: '/x', labels: '{}' })).toThrow(/invalid syntax/);
    expect(p.getOffset({ path: '/y', labels: '{}' })).toBeUndefined();
    await p.stop();
  });

  it('drops entries of files that no longer exist at each sync, keeping cursors', async () => {
    const dir = tempDir();
    const existing = path.join(dir, 'exists.log');
    writeFileSync(existing, 'x\n');
    const p = await Positions.open(path.join(dir, 'positions.yml'), { logger, syncPeriodMs: 20 });
    p.put({ path: existing, labels: '{}' }, 2);
    p.put({ path: path.join(dir, 'gone.log'), labels: '{}' }, 2);
    p.put({ path: 'cursor-abc', labels: '{}' }, '1700000000');
    await expect.poll(() => p.list().length).toBe(2);
    expect(p.list().map((e) => e.key.path).sort()).toEqual([existing, 'cursor-abc']);
    await p.stop();
  });

  it('converts a legacy positions file only when the new one is missing', async () => {
    const dir = tempDir();
    const legacy = path.join(dir, 'legacy.yml');
    const file = path.join(dir, 'positions.yml');
    writeFileSync(legacy, 'positions:\n  /var/log/a.log: "123"\n');
    expect(await convertLegacyPositions(legacy, file, logger)).toBe(true);
    expect(parsePositions(readFileSync(file, 'utf8'), file)).toEqual([[{ path: '/var/log/a.log', labels: '{}' }, '123']]);
    writeFileSync(legacy, 'positions:\n  /var/log/a.log: "999"\n');
    expect(await convertLegacyPositions(legacy, file, logger)).toBe(false);
    expect(await convertLegacyPositions(path.join(dir, 'missing.yml'), path.join(dir, 'other.yml'), logger)).toBe(false);
  });
});
