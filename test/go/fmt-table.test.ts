/**
 * Go's exact fmt output through both callers of src/go/fmt.ts: `string.format`
 * evaluated by the language, and `printf` inside a `stage.template` run
 * through the loki.process stage pipeline. Expected texts follow Go's fmt and
 * strconv documentation (https://pkg.go.dev/fmt, https://pkg.go.dev/strconv):
 * floats round the exact binary value to the precision with ties to even,
 * %q escapes runes that strconv.IsPrint rejects (and %+q all non-ASCII),
 * maps print with sorted keys. The string.format cases of Alloy's own
 * conformance data (conformance/eval/derived.json) are among them.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpressionText } from '../../src/lang/eval.js';
import { entry, pipelineOf } from '../components/loki/stages/helpers.js';

/** An operand written in both languages; a plain string is the same literal in both. */
type Operand = string | { alloy: string; tmpl: string };

const list = (...xs: Operand[]): Operand => ({ alloy: `[${xs.map(alloyOf).join(', ')}]`, tmpl: `(list ${xs.map(tmplOf).join(' ')})` });
const dict = (...kv: [string, Operand][]): Operand => ({
  alloy: `{${kv.map(([k, v]) => `"${k}" = ${alloyOf(v)}`).join(', ')}}`,
  tmpl: `(dict ${kv.map(([k, v]) => `"${k}" ${tmplOf(v)}`).join(' ')})`,
});
const NIL: Operand = { alloy: 'null', tmpl: 'nil' };

function alloyOf(o: Operand): string {
  return typeof o === 'string' ? o : o.alloy;
}

function tmplOf(o: Operand): string {
  return typeof o === 'string' ? o : o.tmpl;
}

// [format, operands, Go's output]. Formats use no `"` or `\`, so they are the same literal in both languages.
const cases: [string, Operand[], string][] = [
  // Rounding: the exact binary value, ties to even.
  ['%.0f', ['0.5'], '0'],
  ['%.0f', ['1.5'], '2'],
  ['%.0f', ['2.5'], '2'],
  ['%.0f', ['3.5'], '4'],
  ['%.0f', ['-2.5'], '-2'],
  ['%.1f', ['0.25'], '0.2'],
  ['%.1f', ['0.35'], '0.3'], // 0.34999999999999997…
  ['%.1f', ['0.05'], '0.1'], // 0.05000000000000000277…
  ['%.2f', ['1.005'], '1.00'], // 1.00499999999999989…
  ['%.2f', ['2.675'], '2.67'],
  ['%.2f', ['0.125'], '0.12'],
  ['%.2f', ['0.375'], '0.38'],
  ['%5.1f|', ['9.96'], ' 10.0|'],
  ['%f', ['1e21'], '1000000000000000000000.000000'],
  ['%.0f|%.1f|%q', ['2.5', '0.25', '"a\\u00adb"'], '2|0.2|"a\\u00adb"'],
  // %e and %g
  ['%e', ['1e21'], '1.000000e+21'],
  ['%e', ['0.0'], '0.000000e+00'],
  ['%.3e', ['1234.5678'], '1.235e+03'],
  ['%.1e', ['1.25'], '1.2e+00'],
  ['%+.2e', ['12345.678'], '+1.23e+04'],
  ['%g', ['100000.0'], '100000'],
  ['%g', ['1e6'], '1e+06'],
  ['%g', ['0.0001'], '0.0001'],
  ['%g', ['0.00001'], '1e-05'],
  ['%g', ['0.0'], '0'],
  ['%G', ['1e-7'], '1E-07'],
  ['%.1g', ['2.5'], '2'],
  ['%.3g', ['2.5'], '2.5'],
  ['%.3g', ['1234.0'], '1.23e+03'],
  ['%v', ['1.0'], '1'],
  ['%v', ['1e21'], '1e+21'],
  ['%v', ['123456789.0'], '1.23456789e+08'],
  ['%v', ['0.000012'], '1.2e-05'],
  ['%x', ['3.0'], '0x1.8p+01'],
  ['%b', ['1.0'], '4503599627370496p-52'],
  // %q and %+q: non-printable and non-ASCII runes
  ['%q', ['"hello"'], '"hello"'],
  ['%q', ['"a\\u00adb"'], '"a\\u00adb"'], // U+00AD SOFT HYPHEN is a format character
  ['%+q', ['"a\\u00adb"'], '"a\\u00adb"'],
  ['%q', ['"\\x7f"'], '"\\x7f"'],
  ['%q', ['"zero\\u200bwidth"'], '"zero\\u200bwidth"'],
  ['%q', ['"no\\u00a0break"'], '"no\\u00a0break"'], // only the ASCII space is printable among spaces
  ['%q', ['"tab\\there\\n"'], '"tab\\there\\n"'],
  ['%q', ['"é日本"'], '"é日本"'],
  ['%+q', ['"é日本"'], '"\\u00e9\\u65e5\\u672c"'],
  ['%q', ['"\\U0001F600"'], '"😀"'],
  ['%+q', ['"\\U0001F600"'], '"\\U0001f600"'],
  ['%#q', ['"abc"'], '`abc`'],
  ['%8q|', ['"é"'], '     "é"|'],
  ['%q', ['9786'], "'☺'"],
  ['%+q', ['9786'], "'\\u263a'"],
  ['%q', ['65'], "'A'"],
  ['%q %t', ['"a\\"b"', 'true'], '"a\\"b" true'],
  // %x and %X of strings
  ['%x', ['"hi"'], '6869'],
  ['%x', ['"hello"'], '68656c6c6f'],
  ['%X', ['"é"'], 'C3A9'],
  ['%x', ['"日本"'], 'e697a5e69cac'],
  ['% x', ['"hi"'], '68 69'],
  ['%#x', ['"hi"'], '0x6869'],
  ['% #x', ['"hi"'], '0x68 0x69'],
  ['%.1x', ['"hi"'], '68'],
  // %v of slices and maps
  ['%v', [list('1', '2')], '[1 2]'],
  ['%v %v', [list('1', '2'), dict(['a', '1'])], '[1 2] map[a:1]'],
  ['%v', [list('1', list('2', '3'), '"a"', '1.5')], '[1 [2 3] a 1.5]'],
  ['%v', [list(NIL)], '[<nil>]'],
  ['%v', [dict(['b', '2'], ['a', '"x"'], ['B', '3'])], 'map[B:3 a:x b:2]'],
  ['%v', [dict(['a', list('1', '2')], ['b', dict(['c', NIL])])], 'map[a:[1 2] b:map[c:<nil>]]'],
  ['%d', [list('1', '2')], '[1 2]'],
  ['%s', [list('1', '2')], '[%!s(int=1) %!s(int=2)]'],
  ['%q', [list('"a"', '"b"')], '["a" "b"]'],
  ['%x', [dict(['a', '"b"'])], 'map[61:62]'],
  ['%#v', [list('1', '"a"')], '[]interface {}{1, "a"}'],
  ['%#v', [list(NIL)], '[]interface {}{interface {}(nil)}'],
  ['%#v', [dict(['a', '1'])], 'map[string]interface {}{"a":1}'],
  // %#v and %T of scalars
  ['%#v', ['1'], '1'],
  ['%#v', ['true'], 'true'],
  ['%#v', ['"a"'], '"a"'],
  ['%#v', ['1.5'], '1.5'],
  ['%T %T %T %T', ['1', '2.5', '"s"', 'true'], 'int float64 string bool'],
  ['%T %T', [list('1'), dict(['a', '1'])], '[]interface {} map[string]interface {}'],
  ['%v|%T', [NIL, NIL], '<nil>|<nil>'],
  // Integers: widths, flags, bases
  ['%d', ['4'], '4'],
  ['%-5d|', ['42'], '42   |'],
  ['%5d|', ['42'], '   42|'],
  ['%05d', ['-42'], '-0042'],
  ['%+05d', ['42'], '+0042'],
  ['%+d %+d', ['5', '-5'], '+5 -5'],
  ['% d', ['5'], ' 5'],
  ['%x', ['-255'], '-ff'],
  ['%X', ['-255'], '-FF'],
  ['%#x', ['255'], '0xff'],
  ['%#08x', ['255'], '0x000000ff'],
  ['%o %O %b', ['8', '8', '5'], '10 0o10 101'],
  ['%c', ['65'], 'A'],
  ['%U', ['128512'], 'U+1F600'],
  ['%#U', ['9786'], "U+263A '☺'"],
  ['%5.2f|%-4s|%x', ['3.14159', '"ab"', '255'], ' 3.14|ab  |ff'],
  // Floats: widths and flags
  ['%05.1f', ['3.14159'], '003.1'],
  ['%05.1f', ['-3.14159'], '-03.1'],
  ['%08.3f', ['-1.5'], '-001.500'],
  ['%6.2f|', ['3.14159'], '  3.14|'],
  ['%-8.2f|', ['3.14159'], '3.14    |'],
  ['%+.1f', ['2.25'], '+2.2'],
  ['%6.2f%%', ['99.5'], ' 99.50%'],
  // Strings: widths and precision (counted in runes)
  ['%-8.3s|', ['"abcdef"'], 'abc     |'],
  ['%5s|', ['"日本"'], '   日本|'],
  ['%.3v', ['"abcdef"'], 'abc'],
  ['%5t|', ['true'], ' true|'],
  // Argument indexes, * widths, errors
  ['%[2]d %[1]d', ['1', '2'], '2 1'],
  ['%*d|', ['5', '42'], '   42|'],
  ['%-*d|', ['5', '42'], '42   |'],
  ['%.*f', ['2', '3.14159'], '3.14'],
  ['%d', ['4.0'], '%!d(float64=4)'],
  ['%.3f', ['2'], '%!f(int=002)'],
  ['%s', ['1'], '%!s(int=1)'],
  ['%t', ['1'], '%!t(int=1)'],
  ['%d', ['"s"'], '%!d(string=s)'],
  ['%z', ['1'], '%!z(int=1)'],
  ['%d %d', ['1'], '1 %!d(MISSING)'],
  ['%s and %s', ['"a"', '"b"', '"c"'], 'a and b%!(EXTRA string=c)'],
  ['%d', ['1', list('2')], '1%!(EXTRA []interface {}=[2])'],
  ['%[3]d', ['1', '2'], '%!d(BADINDEX)'],
  ['%!', [], '%!!(MISSING)'],
  ['100%', [], '100%!(NOVERB)'],
];

function viaStringFormat(format: string, operands: Operand[]): string {
  const text = `string.format(${[`"${format}"`, ...operands.map(alloyOf)].join(', ')})`;
  const r = evaluateExpressionText(text);
  if (!('value' in r)) throw new Error(`${text}: ${r.message}`);
  if (r.value.type !== 'string') throw new Error(`${text}: not a string`);
  return r.value.value;
}

async function viaStageTemplate(format: string, operands: Operand[]): Promise<string> {
  const template = `{{ printf ${[`"${format}"`, ...operands.map(tmplOf)].join(' ')} }}`;
  if (template.includes('`')) throw new Error('the template is written as an Alloy raw string');
  const { pipeline } = pipelineOf(`stage.template {\n  source = "out"\n  template = \`${template}\`\n}\nstage.output { source = "out" }`);
  const [out] = await pipeline.process([entry('<line unchanged>')]);
  return out!.line;
}

describe('Go fmt output', () => {
  describe.each([
    ['string.format', async (f: string, o: Operand[]) => viaStringFormat(f, o)],
    ['stage.template printf', viaStageTemplate],
  ])('through %s', (_caller, print) => {
    it.each(cases)('%s %j → %j', async (format, operands, want) => {
      expect(await print(format, operands)).toBe(want);
    });
  });
});
