/**
 * The standard library, function by function (grafana/alloy
 * syntax/internal/stdlib/stdlib.go). Expected results are
 * what Alloy (Go) produces; each case evaluates an expression and compares
 * the rendered value, or the exact error text.
 */
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Scope, evaluateExpressionText } from '../../src/lang/eval.js';
import { renderAlloy } from '../../src/lang/render.js';
import {
  deprecatedReplacement,
  isStdlibDeprecated,
  isStdlibExperimental,
  isStdlibIdentifier,
  setBuildVersion,
} from '../../src/lang/stdlib/index.js';
import { normalizeVersion } from '../../src/lang/stdlib/constants.js';
import { goTypeOfAny } from '../../src/lang/value.js';

function run(text: string, scope = new Scope()): string {
  const r = evaluateExpressionText(text, { scope });
  return 'value' in r ? renderAlloy(r.value) : `ERROR ${r.message}`;
}

function goType(text: string): string {
  const r = evaluateExpressionText(text);
  return 'value' in r ? goTypeOfAny(r.value) : `ERROR ${r.message}`;
}

const table = (cases: [string, string][]): void => {
  for (const [expr, want] of cases) it(`${expr} → ${JSON.stringify(want)}`, () => expect(run(expr)).toBe(want));
};

describe('sys', () => {
  afterEach(() => {
    delete process.env.ALLOY_TS_TEST_VAR;
  });
  it('env reads the environment, "" when unset', () => {
    process.env.ALLOY_TS_TEST_VAR = 'x y';
    expect(run('sys.env("ALLOY_TS_TEST_VAR")')).toBe('"x y"');
    expect(run('env("ALLOY_TS_TEST_VAR")')).toBe('"x y"');
    expect(run('sys.env("ALLOY_TS_SURELY_UNSET")')).toBe('""');
  });
  table([
    ['sys.env()', 'ERROR 1:1: sys.env expected 1 args, got 0'],
    ['sys.env([1])', 'ERROR 1:9: [1] should be string, got array'],
  ]);
});

describe('string', () => {
  table([
    ['string.format("%s-%d", "a", 1)', '"a-1"'],
    ['string.format()', 'ERROR 1:1: string.format expected at least 1 args, got 0'],
    ['string.join(["a", 1, 2.5], "")', '"a12.5"'],
    ['string.join([true], "")', 'ERROR 1:14: true should be string, got bool'],
    ['string.split("a,b,", ",")', '["a", "b", ""]'],
    ['string.split("", ",")', '[""]'],
    ['string.split("", "")', '[]'],
    ['string.split("héy", "")', '["h", "é", "y"]'],
    ['string.replace("ab", "", "-")', '"-a-b-"'],
    ['string.replace("aaa", "aa", "b")', '"ba"'],
    ['string.to_upper("straße")', '"STRAßE"'],
    ['string.to_lower("ÀÉ İ")', '"àé i"'],
    ['string.trim("xxhixx", "x")', '"hi"'],
    ['string.trim("hi", "")', '"hi"'],
    ['string.trim_prefix("aaa", "a")', '"aa"'],
    ['string.trim_suffix("file.txt", ".txt")', '"file"'],
    ['string.trim_space("\\u00a0\\t x \\u0085\\n")', '"x"'],
    ['string.trim_space("\\ufeffx")', '"\\ufeffx"'],
  ]);
});

describe('array', () => {
  table([
    ['array.concat()', '[]'],
    ['array.concat([1], [[2]], [])', '[1, [2]]'],
    ['array.concat([1], "a")', 'ERROR 1:19: "a" should be array, got string'],
    ['array.combine_maps([{a = 1, b = 2}], [{a = 1, c = 3}], ["a"])', '[{\n\ta = 1,\n\tb = 2,\n\tc = 3,\n}]'],
    ['array.combine_maps([{a = 1}], [{a = 1.0}], ["a"])', '[]'],
    ['array.combine_maps([{a = 1}, {a = 2}], [{a = 3}, {a = 4}], ["a"], true)', '[{\n\ta = 1,\n}, {\n\ta = 1,\n}, {\n\ta = 2,\n}, {\n\ta = 2,\n}]'],
    ['array.combine_maps([], [], ["a"], 1)', 'ERROR 1:35: 1 should be bool, got number'],
    ['array.combine_maps([], [])', 'ERROR combine_maps: expected 3 or 4 arguments, got 2'],
    ['array.combine_maps([], [], [])', 'ERROR 1:28: [] combine_maps: merge conditions must not be empty'],
    ['array.group_by([{k = "a", n = 1}, {n = 2}, {k = "a", n = 3}], "k", false)', '[{\n\titems = [{\n\t\tk = "a",\n\t\tn = 1,\n\t}, {\n\t\tk = "a",\n\t\tn = 3,\n\t}],\n\tk = "a",\n}, {\n\titems = [{\n\t\tn = 2,\n\t}],\n\tk = "",\n}]'],
    ['array.group_by([{n = 2}], "k", true)', '[]'],
    ['array.group_by([], "k")', 'ERROR group_by: expected 3 arguments, got 2'],
  ]);
});

describe('coalesce', () => {
  table([
    ['coalesce()', 'null'],
    ['coalesce(null, "", 0, false, [], {}, "x")', '"x"'],
    ['coalesce("", null)', 'null'],
    ['coalesce([], {})', '{}'],
    ['coalesce(0.0, -0.0)', '-0'],
    ['coalesce(-0.0, 1)', '-0'],
    ['coalesce(sys.env, 1)', 'function'],
  ]);
});

describe('encoding', () => {
  table([
    ['encoding.from_json("{\\"b\\": [1, 2.5, null, true]}")', '{\n\tb = [1, 2.5, null, true],\n}'],
    ['encoding.from_json("\\"\\\\ud83d\\\\ude00\\\\ud800\\"")', '"😀\ufffd"'],
    ['encoding.from_json("")', 'ERROR 1:1: encoding.from_json unexpected end of JSON input'],
    ['encoding.from_json("[1,]")', "ERROR 1:1: encoding.from_json invalid character ']' looking for beginning of value"],
    ['encoding.from_json("{\\"a\\" 1}")', "ERROR 1:1: encoding.from_json invalid character '1' after object key"],
    ['encoding.from_json("{\\"a\\": 1 2}")', "ERROR 1:1: encoding.from_json invalid character '2' after object key:value pair"],
    ['encoding.from_json("[1 2]")', "ERROR 1:1: encoding.from_json invalid character '2' after array element"],
    ['encoding.from_json("tru")', 'ERROR 1:1: encoding.from_json unexpected end of JSON input'],
    ['encoding.from_json("trux")', "ERROR 1:1: encoding.from_json invalid character 'x' in literal true (expecting 'e')"],
    ['encoding.from_json("01")', "ERROR 1:1: encoding.from_json invalid character '1' after top-level value"],
    ['encoding.from_json("-")', 'ERROR 1:1: encoding.from_json unexpected end of JSON input'],
    ['encoding.from_json("1.")', 'ERROR 1:1: encoding.from_json unexpected end of JSON input'],
    ['encoding.from_json("1.x")', "ERROR 1:1: encoding.from_json invalid character 'x' after decimal point in numeric literal"],
    ['encoding.from_json("1e400")', 'ERROR 1:1: encoding.from_json json: cannot unmarshal number 1e400 into Go value of type float64'],
    ['encoding.to_json({b = 1, a = [2.5, "<&>", null], c = {}})', '"{\\"a\\":[2.5,\\"\\\\u003c\\\\u0026\\\\u003e\\",null],\\"b\\":1,\\"c\\":{}}"'],
    ['encoding.to_json({a = 1e21, b = 0.0000001, c = "\\n\\u0001"})', '"{\\"a\\":1e+21,\\"b\\":1e-7,\\"c\\":\\"\\\\n\\\\u0001\\"}"'],
    ['encoding.to_json("x")', 'ERROR 1:1: encoding.to_json jsonEncode only supports map'],
    ['encoding.to_base64("hi?")', '"aGk/"'],
    ['encoding.to_URLbase64("hi?")', '"aGk_"'],
    ['string.join([encoding.from_base64("aGk/")], "")', '"hi?"'],
    ['encoding.from_base64("aGk/")', '[104, 105, 63]'],
    ['encoding.from_URLbase64("aGk_")', '[104, 105, 63]'],
    ['encoding.from_base64("aGk")', 'ERROR 1:1: encoding.from_base64 illegal base64 data at input byte 0'],
    ['encoding.from_base64("aG=k")', 'ERROR 1:1: encoding.from_base64 illegal base64 data at input byte 2'],
    ['encoding.from_base64("aGk=x")', 'ERROR 1:1: encoding.from_base64 illegal base64 data at input byte 4'],
    ['encoding.from_base64("aG\\n9v")', '[104, 111, 111]'],
    ['encoding.url_encode("a b/é")', '"a+b%2F%C3%A9"'],
    ['encoding.url_decode("a+b%2f%C3%A9")', '"a b/é"'],
    ['encoding.url_decode("%z")', 'ERROR 1:1: encoding.url_decode invalid URL escape "%z"'],
  ]);
  it('base64 decoding gives Go []byte (numbers) in an untyped target', () => {
    expect(goType('encoding.from_base64("aGk=")')).toBe('[]interface {}');
    expect(goType('encoding.from_json("1")')).toBe('float64');
  });
});

describe('encoding.from_yaml (yaml.v3 semantics)', () => {
  table([
    ['encoding.from_yaml("a: 1\\nb: 1.5\\nc: true\\nd: ~\\ne: yes\\nf: \'2\'")', '{\n\ta = 1,\n\tb = 1.5,\n\tc = true,\n\td = null,\n\te = "yes",\n\tf = "2",\n}'],
    ['encoding.from_yaml("[0755, 0x1f, 1_000, 08, .5, -.inf, 0o17, 0b101]")', '[493, 31, 1000, 8, 0.5, -Inf, 15, 5]'],
    ['encoding.from_yaml("2001-12-14")', '"2001-12-14"'],
    ['encoding.from_yaml("!!str 12")', '"12"'],
    ['encoding.from_yaml("")', 'null'],
    ['encoding.from_yaml("a: 1\\n---\\nb: 2")', '{\n\ta = 1,\n}'],
    ['encoding.from_yaml("base: &b {x: 1, y: 2}\\nderived:\\n  <<: *b\\n  y: 3")', '{\n\tbase = {\n\t\tx = 1,\n\t\ty = 2,\n\t},\n\tderived = {\n\t\tx = 1,\n\t\ty = 3,\n\t},\n}'],
    ['encoding.from_yaml("a: 1\\na: 2")', 'ERROR 1:1: encoding.from_yaml yaml: unmarshal errors:\n  line 2: mapping key "a" already defined at line 1'],
    ['encoding.from_yaml("text: |\\n  line1\\n  line2\\n")', '{\n\ttext = "line1\\nline2\\n",\n}'],
  ]);
  it('keeps the number kinds of yaml.v3', () => {
    expect(goType('encoding.from_yaml("12")')).toBe('int');
    expect(goType('encoding.from_yaml("12.0")')).toBe('float64');
    expect(goType('encoding.from_yaml("18446744073709551615")')).toBe('uint64');
  });
  it('reports syntax errors with a line', () => {
    expect(run('encoding.from_yaml("a: [1, 2\\nb: c")')).toMatch(/^ERROR 1:1: encoding.from_yaml yaml: line \d+: /);
  });
});

describe('json_path', () => {
  const doc = '{\\"store\\": {\\"book\\": [{\\"t\\": \\"a\\", \\"p\\": 8}, {\\"t\\": \\"b\\", \\"p\\": 12.5}], \\"name\\": \\"s\\"}}';
  table([
    ['json_path("{\\"a\\": 1}", ".a")', '[1]'],
    ['json_path("{\\"a\\": 1}", "$.a")', '[1]'],
    ['json_path("{\\"a\\": 1}", "a")', '[1]'],
    ['json_path("{\\"a\\": 1}", ".b")', '[]'],
    [`json_path("${doc}", "$.store.book[*].t")`, '["a", "b"]'],
    [`json_path("${doc}", "$.store.book[-1].p")`, '[12.5]'],
    [`json_path("${doc}", "$..t")`, '["a", "b"]'],
    [`json_path("${doc}", "$.store.book[?(@.p > 10)].t")`, '["b"]'],
    [`json_path("${doc}", "$.store.book[?(@.t == 'a' || @.p == 12.5)].p")`, '[8, 12.5]'],
    [`json_path("${doc}", "$.store.book[0:1].t")`, '["a"]'],
    [`json_path("${doc}", "$.store['name','zz']")`, '["s"]'],
    [`json_path("${doc}", "$.store.book[?(@.t =~ /^b/)].t")`, '["b"]'],
    ['json_path("[1,2,3]", "[1,2]")', '[2, 3]'],
    ['json_path("{", ".a")', 'ERROR 1:1: json_path unexpected end of JSON input'],
  ]);
});

describe('file, convert, constants', () => {
  afterEach(() => setBuildVersion(''));
  table([
    ['file.path_join()', '""'],
    ['file.path_join("a", "", "b/../c/")', '"a/c"'],
    ['file.path_join("/", "..", "x")', '"/x"'],
    ['file.path_join("a", "../..")', '".."'],
    ['convert.nonsensitive("plain")', '"plain"'],
    ['nonsensitive("plain")', '"plain"'],
    ['constants.version', '"v0.0.0"'],
  ]);
  it('constants describe the host in Go terms', () => {
    expect(run('constants.hostname')).toBe(JSON.stringify(hostname()));
    expect(run('constants.os')).toMatch(/^"(linux|darwin|windows|freebsd|openbsd|aix|solaris)"$/);
    expect(run('constants.arch')).toMatch(/^"(amd64|arm64|386|arm|s390x|ppc64le|riscv64|loong64|mipsle|mips)"$/);
    setBuildVersion('1.2');
    expect(run('constants.version')).toBe('"v1.2.0"');
  });
  it('normalises versions like semver.ParseTolerant', () => {
    expect(normalizeVersion('v1.4.2-rc.1')).toBe('v1.4.2-rc.1');
    expect(normalizeVersion(' 2 ')).toBe('v2.0.0');
    expect(normalizeVersion('devel')).toBe('devel');
  });
});

describe('identifier registry', () => {
  it('knows namespaces, deprecated aliases and experimental functions', () => {
    for (const name of ['array', 'coalesce', 'constants', 'convert', 'encoding', 'file', 'json_path', 'string', 'sys']) {
      expect(isStdlibIdentifier(name)).toBe(true);
      expect(isStdlibDeprecated(name)).toBe(false);
    }
    const deprecated = ['env', 'nonsensitive', 'concat', 'json_decode', 'yaml_decode', 'base64_decode', 'format', 'join', 'replace', 'split', 'to_lower', 'to_upper', 'trim', 'trim_prefix', 'trim_suffix', 'trim_space'];
    for (const name of deprecated) expect(isStdlibDeprecated(name)).toBe(true);
    expect(deprecatedReplacement('json_decode')).toBe('encoding.from_json');
    expect(isStdlibExperimental('array.combine_maps')).toBe(true);
    expect(isStdlibExperimental('array.group_by')).toBe(true);
    expect(isStdlibExperimental('array.concat')).toBe(false);
    expect(isStdlibIdentifier('nope')).toBe(false);
  });
  it('functions have Go signatures as their type', () => {
    expect(goType('sys.env')).toBe('func(string) string');
    expect(goType('string.join')).toBe('func([]string, string) string');
  });
});
