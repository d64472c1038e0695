import { describe, expect, it } from 'vitest';
import { ExportParser } from '../../../src/components/loki/source-journal/export-format.js';
import { journalctlArgs } from '../../../src/components/loki/source-journal/journalctl.js';
import { parseFile } from '../../../src/lang/parser.js';
import { SourceFile } from '../../../src/lang/position.js';
import { Harness } from '../../support/harness.js';

function binaryField(name: string, value: Buffer): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(value.length));
  return Buffer.concat([Buffer.from(`${name}\n`), length, value, Buffer.from('\n')]);
}

describe('journal export format', () => {
  const stream = Buffer.concat([
    Buffer.from('__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1700000000123456\n__MONOTONIC_TIMESTAMP=5\nMESSAGE=hello\nPRIORITY=6\n\n'),
    Buffer.from('__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1700000000123457\n'),
    binaryField('MESSAGE', Buffer.from('two\nlines\u0000x')),
    Buffer.from('_PID=7\n\n'),
  ]);

  it('parses text and binary fields, keeping metadata apart, in any chunking', () => {
    for (const size of [1, 3, 7, stream.length]) {
      const parser = new ExportParser(1 << 20);
      const entries = [];
      for (let i = 0; i < stream.length; i += size) entries.push(...parser.push(stream.subarray(i, i + size)));
      expect(entries.map((e) => ({ cursor: e.cursor, us: e.realtimeUs, fields: e.fields }))).toEqual([
        { cursor: 's=1;i=1', us: 1700000000123456, fields: [['MESSAGE', 'hello'], ['PRIORITY', '6']] },
        { cursor: 's=1;i=2', us: 1700000000123457, fields: [['MESSAGE', 'two\nlines\u0000x'], ['_PID', '7']] },
      ]);
      expect(parser.pendingBytes).toBe(0);
    }
  });

  it('skips an entry larger than the limit without keeping it, and goes on', () => {
    const parser = new ExportParser(1024);
    const big = Buffer.concat([Buffer.from('__CURSOR=big\n'), binaryField('MESSAGE', Buffer.alloc(100_000, 0x61)), Buffer.from('\n')]);
    const longLine = Buffer.from(`__CURSOR=long\nMESSAGE=${'b'.repeat(5000)}\n\n`);
    const next = Buffer.from('__CURSOR=next\nMESSAGE=ok\n\n');
    const entries = [];
    for (const chunk of [big.subarray(0, 500), big.subarray(500), longLine.subarray(0, 2000), longLine.subarray(2000), next]) {
      entries.push(...parser.push(chunk));
      expect(parser.pendingBytes).toBeLessThan(2100);
    }
    expect(entries.map((e) => [e.cursor, e.oversized ?? false, e.fields])).toEqual([
      ['big', true, []],
      ['long', true, []],
      ['next', false, [['MESSAGE', 'ok']]],
    ]);
  });
});

describe('journalctl arguments', () => {
  it('start after the cursor, else at max_age, with matches and the directory', () => {
    expect(journalctlArgs({ binary: 'journalctl', directory: '/var/log/journal', afterCursor: 's=1;i=2', sinceMs: 1000, matches: ['_SYSTEMD_UNIT=a.service'] })).toEqual([
      '--output=export', '--follow', '--no-tail', '--no-pager', '--quiet', '--directory=/var/log/journal', '--after-cursor=s=1;i=2', '_SYSTEMD_UNIT=a.service',
    ]);
    expect(journalctlArgs({ binary: 'journalctl', directory: undefined, afterCursor: undefined, sinceMs: 1_700_000_000_500, matches: [] })).toContain('--since=@1700000000.500000');
  });

  it('refuse matches that are not FIELD=VALUE, as Alloy does', async () => {
    const h = await Harness.start('');
    try {
      for (const matches of ['_SYSTEMD_UNIT nginx.service', 'A=b=c']) {
        const source = SourceFile.fromString('main.alloy', `loki.source.journal "j" {\n  matches = ${JSON.stringify(matches)}\n  forward_to = []\n}\n`);
        const diagnostics = await h.controller.apply([{ source, file: parseFile(source).file }]);
        expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/Error parsing journal reader 'matches' configuration value/);
      }
    } finally {
      await h.stop();
    }
  });
});
