import { describe, expect, it } from 'vitest';
import { GoFloat, GoTime, sprintf, sprintValue, type GoValue } from '../../src/go/fmt.js';
import { formatFloat } from '../../src/go/strconv.js';
import { findAllMatches, replaceAllExpand, replaceAllLiteral } from '../../src/go/regexp/ops.js';
import { Template } from '../../src/go/template/template.js';
import { Re2Regexp } from '../../src/go/regexp/regexp.js';
import { TEMPLATE_FUNCS } from '../../src/components/loki/stages/template.js';

const run = (tpl: string, data: Record<string, string> = {}) => Template.parse(tpl, TEMPLATE_FUNCS).execute(new Map(Object.entries(data)));

describe('Go text/template', () => {
  it('handles actions, trimming, conditions and missing keys like Go', () => {
    const levels = '{{- if eq .level_num "10" -}}trace{{- else if eq .level_num "30" -}}info{{- else -}}unknown{{- end -}}';
    expect(run(levels, { level_num: '30' })).toBe('info');
    expect(run(levels)).toBe('unknown'); // eq with a missing key is false, not an error
    expect(run('{{.hostname}} - {{ if .err }}{{ .err }}{{ else }}{{ .msg }}{{ end }}', { msg: 'm' })).toBe('<no value> - m');
    expect(run('a {{- /* comment */ -}} b  {{ "c" }}')).toBe('ab  c');
    expect(run('{{ with .x }}[{{ . }}]{{ else with .y }}({{ . }}){{ else }}none{{ end }}', { y: 'Y' })).toBe('(Y)');
    expect(run('{{ and .a .b }}|{{ or .a .b }}|{{ not .a }}|{{ or .zz "d" }}', { a: 'x', b: '' })).toBe('|x|false|d');
  });

  it('supports variables, range, break/continue, define/template', () => {
    expect(run('{{ range $i, $v := splitList "," .x }}{{ if eq $v "skip" }}{{ continue }}{{ end }}[{{ $i }}={{ $v }}]{{ end }}', { x: 'a,skip,b' })).toBe('[0=a][2=b]');
    expect(run('{{ range $k, $v := dict "b" 2 "a" 1 }}{{ $k }}{{ $v }}{{ end }}')).toBe('a1b2');
    expect(run('{{ range 3 }}{{ . }}{{ if eq . 1 }}{{ break }}{{ end }}{{ end }}|{{ range .none }}x{{ else }}empty{{ end }}')).toBe('01|empty');
    expect(run('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ end }}{{ $x }}')).toBe('b');
    expect(run('{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" .v }}', { v: 'V' })).toBe('<V>');
  });

  it('prints literals and function results with fmt', () => {
    expect(run("{{ 'a' }} {{ 1.5 }} {{ 0x10 }} {{ 1e6 }} {{ true }} {{ nil | print }} {{ list 1 \"a\" }}")).toBe('97 1.5 16 1e+06 true <nil> [1 a]');
    expect(run('{{ printf "%05.1f|%d|%-3s|%q|%x|%v" 3.14159 42 "ab" "q\\"" 255 .v }}', { v: 'V' })).toBe('003.1|42|ab |"q\\""|ff|V');
    expect(run('{{ printf "%d %s" "x" }}')).toBe('%!d(string=x) %!s(MISSING)');
    expect(run('{{ len .v }} {{ index .v 1 }} {{ slice .v 1 3 }}', { v: 'héllo' })).toBe('6 195 él');
  });

  it('type-checks calls like Go', () => {
    expect(() => run('{{ ToUpper .missing }}')).toThrow('template: invalid value; expected string');
    expect(() => run('{{ ToUpper 3 }}')).toThrow('template: expected string; found 3');
    expect(() => run('{{ Replace .a "x" "y" "1" }}', { a: 'a' })).toThrow('template: expected int; found 1');
    expect(() => run('{{ lt 1 "a" }}')).toThrow(/incompatible types for comparison/);
    expect(() => run('{{ .a.b }}', { a: 's' })).toThrow("template: can't evaluate field b in type string");
    expect(() => run('{{ .a "x" }}', { a: 's' })).toThrow('template: a is not a method but has arguments');
  });

  it('reports parse errors', () => {
    expect(() => Template.parse('{{ nope }}', TEMPLATE_FUNCS)).toThrow('template: function "nope" not defined');
    expect(() => Template.parse('{{ $x }}', TEMPLATE_FUNCS)).toThrow('template: undefined variable "$x"');
    expect(() => Template.parse('{{ if .a }}', TEMPLATE_FUNCS)).toThrow('template: unexpected EOF');
    expect(() => Template.parse('{{ .a ', TEMPLATE_FUNCS)).toThrow('template: unclosed action');
    expect(() => Template.parse('{{ end }}', TEMPLATE_FUNCS)).toThrow('template: unexpected {{end}}');
  });

  it("has Alloy's functions and the common Sprig ones", () => {
    expect(run('{{ Replace .v "loki" "Loki" 2 }}|{{ Trim .w ",. " }}|{{ TrimPrefix .v "lo" }}|{{ TrimSpace "  x " }}', { v: 'loki loki loki', w: ',.x.,' })).toBe(
      'Loki Loki loki|x|ki loki loki|x',
    );
    expect(run('{{ regexReplaceAll "(a*)bc" .v "${1}X" }}|{{ regexReplaceAllLiteral "(ts=)" .w "timestamp=" }}', { v: 'aabcbc', w: 'ts=1' })).toBe('aaXX|timestamp=1');
    expect(run('{{ Hash "" "abc" }}')).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    expect(run('{{ Sha2Hash "" "abc" }}')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(run('{{ .v | upper | trunc 3 }} {{ default "d" .none }} {{ "a-b" | replace "-" "_" }} {{ add 1 2 "3" }} {{ toJson (dict "a" (list 1 "<")) }}', { v: 'abcdef' })).toBe(
      'ABC d a_b 6 {"a":[1,"\\u003c"]}',
    );
    expect(run('{{ date "2006-01-02" 0 }} {{ b64enc "hi" }} {{ contains "b" "abc" }} {{ hasPrefix "a" "abc" }} {{ title "hello world" }}')).toBe(
      '1970-01-01 aGk= true true Hello World',
    );
    // strings.ToUpper maps rune by rune (ß has no single-rune upper case); TrimSpace trims unicode.IsSpace only (not U+FEFF).
    expect(run('{{ upper "straße" }} {{ ToUpper "straße" }} {{ lower "İ" }} [{{ TrimSpace "\\ufeffx\\u00a0" }}] [{{ trim "\\u3000y " }}]')).toBe('STRAßE STRAßE i [\ufeffx] [y]');
    // Sprig's duration: seconds as time.Duration.String().
    expect(run('{{ duration "90" }} {{ duration "3600" }} {{ duration "0" }} {{ duration "86401" }}')).toBe('1m30s 1h0m0s 0s 24h0m1s');
    // Sprig's atoi and int go through strconv.ParseInt (base 10, and base 0 for int).
    expect(run('{{ atoi "42" }} {{ atoi "x" }} {{ int "0x1f" }} {{ int "010" }} {{ int "0b101" }}')).toBe('42 0 31 8 5');
  });
});

describe('Go fmt and regexp helpers', () => {
  it('formats floats like strconv', () => {
    const g: [number, string][] = [[1e6, '1e+06'], [123456, '123456'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1e21, '1e+21'], [-2.25, '-2.25']];
    for (const [f, want] of g) expect(formatFloat(f, 'g', -1)).toBe(want);
    expect([formatFloat(1e21, 'f', -1), formatFloat(1e-7, 'f', -1), formatFloat(0.1, 'f', -1), formatFloat(3.14159, 'f', 2), formatFloat(1234.5678, 'e', 3)]).toEqual([
      '1000000000000000000000',
      '0.0000001',
      '0.1',
      '3.14',
      '1.235e+03',
    ]);
    expect(sprintf('%+d %6.2f %t %c %U %%', [5, new GoFloat(3.14159), true, 65, 0x1f600])).toBe('+5   3.14 true A U+1F600 %');
    expect(sprintValue(new Map<string, GoValue>([['b', 1], ['a', [true, null]]]))).toBe('map[a:[true <nil>] b:1]');
    // time.Time prints through its String method, also for %q and %x.
    expect(sprintValue(new GoTime(1700000000123, 456789))).toBe('2023-11-14 22:13:20.123456789 +0000 UTC');
    expect(sprintf('%v|%q', [new GoTime(0, 0), new GoTime(1700000000000, 0)])).toBe('1970-01-01 00:00:00 +0000 UTC|"2023-11-14 22:13:20 +0000 UTC"');
  });

  it('skips empty matches right after a match, as Go does', () => {
    const re = Re2Regexp.compile('a*');
    expect(replaceAllLiteral(re, 'baaac', 'X')).toBe('XbXcX');
    expect(findAllMatches(re, 'baaac').map((m) => m.index)).toEqual([0, 1, 5]);
    expect(replaceAllExpand(Re2Regexp.compile('(?P<w>\\w+)@'), 'a@ b@', '<$w>${1}x$1x')).toBe('<a>ax <b>bx'); // $1x names group "1x": empty
  });
});
