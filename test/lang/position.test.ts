/**
 * SourceFile.position/line search outwards from the previous lookup; any
 * order of lookups must give what a plain scan of the line starts gives.
 */
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/lang/position.js';

function naiveLine(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

describe('SourceFile line lookups', () => {
  it('agree with a plain count of line breaks, in any order of lookups', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const lines = Array.from({ length: 300 }, () => 'x'.repeat(random(5)));
    const text = lines.join('\n') + '\n\n';
    const source = SourceFile.fromString('t.alloy', text);
    const offsets: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const previous = offsets[offsets.length - 1] ?? 0;
      // Mostly short hops either way, sometimes anywhere.
      offsets.push(random(4) === 0 ? random(text.length) : Math.max(0, Math.min(text.length - 1, previous + random(40) - 20)));
    }
    for (const offset of offsets) {
      expect(source.line(offset), `offset ${offset}`).toBe(naiveLine(text, offset));
      expect(source.position(offset)!.line).toBe(naiveLine(text, offset));
    }
    expect(source.line(text.length)).toBe(naiveLine(text, text.length));
    expect(source.line(0)).toBe(1);
    expect(source.line(-1)).toBe(0);
  });

  it('finds every line start, whatever the alignment of the bytes', () => {
    const text = 'a\n\n' + 'bc\nd'.repeat(50) + '\n\n\nxyz\n\u00e9\n\n';
    const whole = Buffer.from('...' + text, 'utf8');
    for (let shift = 0; shift < 4; shift++) {
      for (let cut = 0; cut < 9; cut++) {
        const bytes = whole.subarray(shift, whole.length - cut);
        const expected = [0];
        bytes.forEach((b, i) => {
          if (b === 10) expected.push(i + 1);
        });
        expect(Array.from(new SourceFile('t.alloy', bytes).lineStarts), `shift ${shift}, cut ${cut}`).toEqual(expected);
      }
    }
    for (const short of ['', '\n', 'a\n', '\n\n\n']) {
      expect(SourceFile.fromString('s', short).lineStarts.length).toBe(short.split('\n').length);
    }
  });
});
