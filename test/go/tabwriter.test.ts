import { describe, expect, it } from 'vitest';
import {
  ALLOY_TABWRITER,
  ByteBuffer,
  TAB_ESCAPE,
  Trimmer,
  alignAndTrim,
  runeWidth,
  tabwrite,
  type TabwriterConfig,
} from '../../src/go/tabwriter.js';

function cfg(minwidth: number, tabwidth: number, padding: number, padchar: string, discard = false): TabwriterConfig {
  return { minwidth, tabwidth, padding, padchar, discardEmptyColumns: discard, tabIndent: false };
}

/**
 * Test text is written as strings in which E stands for the escape byte
 * (0xff, which no UTF-8 text contains); `bytes` and `text` convert.
 */
const E = '\uffff';

function bytes(s: string): Uint8Array {
  const parts = s.split(E).map((part) => Buffer.from(part, 'utf8'));
  const escapes = Buffer.from([TAB_ESCAPE]);
  return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [escapes, part])));
}

function text(b: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i < b.length && b[i] !== TAB_ESCAPE) continue;
    parts.push(Buffer.from(b.subarray(start, i)).toString('utf8'));
    start = i + 1;
  }
  return parts.join(E);
}

function buffer(s: string): ByteBuffer {
  const b = bytes(s);
  const buf = new ByteBuffer(1);
  buf.appendBytes(b, 0, b.length);
  return buf;
}

function run(input: string, config: TabwriterConfig): string {
  const chunks: Uint8Array[] = [];
  tabwrite(buffer(input), { write: (src, start, end) => chunks.push(src.slice(start, end)) }, config);
  return text(Buffer.concat(chunks));
}

const align = (input: string): string => text(alignAndTrim(buffer(input)).toBuffer());

describe('tabwriter: Go text/tabwriter behaviour', () => {
  // [name, config, input, expected]; vectors follow the documented semantics
  // of Go's text/tabwriter (cells are tab-terminated, the final cell of a line
  // is never aligned, \f flushes, escaped text is opaque).
  const cases: [string, TabwriterConfig, string, string][] = [
    ['empty input', cfg(8, 0, 1, '.'), '', ''],
    ['escape passes through', cfg(8, 0, 1, '.'), `${E}${E}`, `${E}${E}`],
    ['escaped tab is text', cfg(8, 0, 1, '.'), `${E}\t${E}`, `${E}\t${E}`],
    ['escaped line break is text', cfg(8, 0, 1, '.'), `${E}"foo\t\n\tbar"${E}`, `${E}"foo\t\n\tbar"${E}`],
    ['unterminated escape', cfg(8, 0, 1, '.'), `abc${E}\tdef`, `abc${E}\tdef`],
    ['only newlines', cfg(8, 0, 1, '.'), '\n\n\n', '\n\n\n'],
    ['no tabs', cfg(8, 0, 1, '.'), 'a\nb\nc', 'a\nb\nc'],
    ['empty cell on last line', cfg(8, 0, 1, '.'), '\t', ''],
    ['minwidth', cfg(8, 0, 1, '.'), '*\t*', '*.......*'],
    ['minwidth with newline', cfg(8, 0, 1, '.'), '*\t*\n', '*.......*\n'],
    ['trailing tab on last line', cfg(8, 0, 1, '.'), '*\t*\t', '*.......*'],
    ['empty cell then newline', cfg(8, 0, 1, '.'), '\t\n', '........\n'],
    ['plain text', cfg(8, 0, 1, '.'), 'a) foo', 'a) foo'],
    ['space padding', cfg(8, 0, 1, ' '), 'b) foo\tbar', 'b) foo  bar'],
    ['two columns', cfg(8, 0, 1, '.'), 'e) foo\tbar\t\n', 'e) foo..bar.....\n'],
    ['no cells', cfg(8, 0, 1, '*'), 'Hello, world!\n', 'Hello, world!\n'],
    ['narrow columns', cfg(1, 0, 0, '.'), '1\t2\t3\t4\n11\t222\t3333\t44444\n', '1.2..3...4\n11222333344444\n'],
    ['formfeed flushes', cfg(1, 0, 0, '.'), '1\t2\t3\t4\f11\t222\t3333\t44444\n', '1234\n11222333344444\n'],
    ['minwidth 5', cfg(5, 0, 0, '.'), '1\t2\t3\t4\t\n', '1....2....3....4....\n'],
    [
      'runes, not bytes',
      cfg(8, 0, 1, '.'),
      '本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n',
      '本.......b.......c\naa......本本本.....cccc....ddddd\naaa.....bbbb\n',
    ],
    ['minwidth 2', cfg(2, 0, 0, ' '), 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a  b  c\naa bbbcccc\naaabbbb\n'],
    [
      'column blocks are contiguous',
      cfg(4, 0, 1, '-'),
      '4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
      '4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n',
    ],
    [
      'padding 3',
      cfg(4, 0, 3, '.'),
      '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
      '4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n',
    ],
    ['hard tabs keep empty columns', cfg(4, 0, 0, '.', true), 'a\t\tb', 'a.......b'],
    ['soft tabs drop empty columns', cfg(4, 0, 0, '.', true), 'a\v\vb', 'a...b'],
    [
      'tab padding',
      cfg(100, 100, 0, '\t', true),
      'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n',
      'a\tb\td\na\tb\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    ],
    [
      'tab padding, hard tabs',
      cfg(100, 100, 0, '\t', true),
      'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
      'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    ],
    ['escaped text width excludes escapes', cfg(0, 0, 1, '.'), `${E}a\tb${E}\tx\nc\ty\n`, `${E}a\tb${E}.x\nc...y\n`],
  ];
  for (const [name, config, input, expected] of cases) {
    it(name, () => expect(run(input, config)).toBe(expected));
  }
});

describe('tabwriter: Alloy configuration', () => {
  it('aligns soft-tab cells and pads indentation with tabs', () => {
    const input = 'a\v= 1\nbbb\v= 2\n\tc\v= 3\n';
    expect(run(input, ALLOY_TABWRITER)).toBe('a   = 1\nbbb = 2\n\tc = 3\n');
  });

  it('rounds an indentation cell sharing a column with a long name up to tabs', () => {
    const input = 'objectname\v= {a\v= 1,\n\tbbb\v= 2,\f}';
    expect(run(input, ALLOY_TABWRITER)).toBe('objectname = {a = 1,\n\t\tbbb  = 2,\n}');
  });

  it('discards empty soft columns', () => {
    expect(run('\va\n\vb\n', ALLOY_TABWRITER)).toBe('a\nb\n');
  });

  it('formfeed ends alignment sections', () => {
    expect(run('a\v= 1\fbbbb\v= 2\n', ALLOY_TABWRITER)).toBe('a = 1\nbbbb = 2\n');
  });
});

describe('tabwriter: sections whose only columns are indentation', () => {
  // Each empty TAB-ended cell is padded to width max(minwidth, padding),
  // rounded up to a tab stop, in tabs (Go's TabIndent), block by block.
  it('pads each level with the tabs of one column, as when other columns are aligned', () => {
    const tabs = (minwidth: number): TabwriterConfig => ({ ...ALLOY_TABWRITER, minwidth });
    expect(run('\t\ta\n\tb\n\t\t\tc\n\n', tabs(0))).toBe('\t\ta\n\tb\n\t\t\tc\n\n');
    expect(run('\t\ta\n\tb\n', tabs(9))).toBe('\t\t\t\ta\n\t\tb\n');
    // The same lines in a section that also aligns a column get the same tabs.
    expect(run('\t\ta\n\tb\vc\n\tdd\ve\n', tabs(0))).toBe('\t\ta\n\tb  c\n\tdd e\n');
    expect(run(`\t${E}// x${E}\n\t\n\t\ty`, tabs(0))).toBe(`\t${E}// x${E}\n\t\n\t\ty`);
  });
});

describe('tabwriter: robustness', () => {
  it('handles a line with tens of thousands of cells', () => {
    const line = 'a\v'.repeat(50000) + 'z\n';
    expect(align(line + line)).toBe('a '.repeat(50000) + 'z\n' + 'a '.repeat(50000) + 'z\n');
  });
});

describe('trimmer', () => {
  function trim(...chunks: string[]): string {
    const t = new Trimmer();
    for (const c of chunks) {
      const b = bytes(c);
      t.write(b, 0, b.length);
    }
    return text(t.result().toBuffer());
  }

  it('drops blanks at the end of lines and of the output', () => {
    expect(trim('a  \t\nb \t')).toBe('a\nb');
  });

  it('converts formfeed to newline and vtab to tab', () => {
    expect(trim('a\vb\fc')).toBe('a\tb\nc');
  });

  it('keeps escaped text verbatim and removes the escapes', () => {
    expect(trim(`x ${E}// c  ${E}\n`)).toBe('x // c  \n');
    expect(trim(`${E}/* a  \n  b */${E}  \n`)).toBe('/* a  \n  b */\n');
  });

  it('keeps inner blanks followed by text', () => {
    expect(trim('a   b\t\tc')).toBe('a   b\t\tc');
  });

  it('behaves the same whatever the chunking', () => {
    expect(trim('a ', ' b', '  ', '\n', 'c')).toBe('a  b\nc');
  });

  it('gives the same result for ranges promised plain (no line break, VTAB or escape)', () => {
    for (const chunks of [['a  \t', 'b \t'], ['  ', 'x y  ', '\t'], ['', 'z']]) {
      const t = new Trimmer();
      for (const c of chunks) t.write(bytes(c), 0, bytes(c).length, true);
      expect(text(t.result().toBuffer())).toBe(trim(...chunks));
    }
    const t = new Trimmer();
    t.write(bytes('a  '), 0, 3, true);
    t.write(bytes('\n'), 0, 1);
    t.write(bytes('b\t'), 0, 2, true);
    expect(text(t.result().toBuffer())).toBe('a\nb');
  });

  it('handles a range of a larger string', () => {
    const t = new Trimmer();
    t.write(bytes('xxa  \nbyy'), 2, 7);
    expect(text(t.result().toBuffer())).toBe('a\nb');
  });
});

describe('alignAndTrim', () => {
  it('aligns trailing comments through a TAB cell', () => {
    const input = `a\v= 1\t${E}// one${E}\nbbb\v= 22\t${E}// two${E}\n`;
    expect(align(input)).toBe('a   = 1  // one\nbbb = 22 // two\n');
  });

  it('blank indented lines lose their tabs', () => {
    expect(align('\ta\v= 1\n\t\f\tb\v= 2')).toBe('\ta = 1\n\n\tb = 2');
  });
});

describe('runeWidth', () => {
  it('counts code points and ignores escapes', () => {
    expect(runeWidth(bytes('é😀a'), 0, 7)).toBe(3);
    expect(runeWidth(bytes(`${E}ab${E}`), 0, 4)).toBe(2);
  });
});

describe('ByteBuffer', () => {
  it('grows and round-trips text', () => {
    const b = new ByteBuffer(1);
    b.append('héllo ');
    b.appendRepeated(0x2d, 40);
    b.appendBytes(bytes('😀xyz'), 0, 5);
    b.append('ab€c');
    b.appendBytes(bytes('x'.repeat(100)), 10, 60);
    expect(b.toBuffer().toString('utf8')).toBe('héllo ' + '-'.repeat(40) + '😀x' + 'ab€c' + 'x'.repeat(50));
  });
});
