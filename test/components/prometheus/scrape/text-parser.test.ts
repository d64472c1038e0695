import { describe, expect, it } from 'vitest';
import { ExpositionLines, ExpositionParser, type ExpositionFormat } from '../../../../src/components/prometheus/scrape/text-parser.js';

interface Parsed {
  samples: { key: string; name: string; labels: [string, string][]; value: number; ts: number }[];
  meta: { kind: string; name: string; text: string }[];
}

function parse(text: string, format: ExpositionFormat = 'prometheus'): Parsed {
  const p = new ExpositionParser(Buffer.from(text), format);
  const out: Parsed = { samples: [], meta: [] };
  readAll(p, out);
  return out;
}

function readAll(p: ExpositionParser, out: Parsed): void {
  while (p.next()) {
    if (p.kind === 'sample') {
      const { name, labels } = p.seriesLabels();
      out.samples.push({ key: p.seriesKey(), name, labels, value: p.value, ts: p.timestampMs });
      const kept = Buffer.alloc(p.seriesLength + 2);
      p.copySeries(kept, 1);
      expect(kept.toString('latin1', 1, 1 + p.seriesLength)).toBe(p.seriesKey());
      expect(p.seriesEqualsBytes(kept, 1, p.seriesLength)).toBe(true);
      expect(p.seriesEqualsBytes(kept, 0, p.seriesLength)).toBe(false);
    } else out.meta.push({ kind: p.kind, name: p.metaName, text: p.metaText });
  }
}

/** Parses `text` arriving in the given chunk sizes (cycled). */
function parseChunked(text: string, sizes: readonly number[], format: ExpositionFormat = 'prometheus'): Parsed {
  const out: Parsed = { samples: [], meta: [] };
  const lines = new ExpositionLines(format, (p) => readAll(p, out));
  const body = Buffer.from(text);
  for (let at = 0, k = 0; at < body.length; k++) {
    const size = sizes[k % sizes.length]!;
    const chunk = Buffer.from(body.subarray(at, at + size)); // a copy, overwritten below: nothing may keep it
    lines.write(chunk);
    chunk.fill(0x7e);
    at += size;
  }
  lines.end();
  return out;
}

describe('ExpositionParser.expectSeries', () => {
  it('takes a line as the expected series only when its series bytes are exactly those, and parses the rest as usual', () => {
    const unhinted = parse('a{x="1"} 2\n');
    const key = Buffer.from('a{x="1"}');
    const hash = (() => {
      const p = new ExpositionParser(Buffer.from('a{x="1"} 0\n'), 'prometheus');
      p.next();
      return p.seriesHash;
    })();
    const cases: [string, boolean][] = [
      ['a{x="1"} 2 1700000000000\n', true],
      ['a{x="1"}\t2\n', true],
      ['a{x="1",y="2"} 2\n', false], // longer label set
      ['a{x="10"} 2\n', false],
      ['a{x="1"}x 2\n', false], // not followed by a blank: a parse error as without the hint
    ];
    for (const [line, matches] of cases) {
      const p = new ExpositionParser(Buffer.from(line), 'prometheus');
      p.expectSeries(key, 0, key.length, hash);
      let err: unknown;
      try {
        expect(p.next()).toBe(true);
      } catch (e) {
        err = e;
      }
      if (err) {
        expect(matches).toBe(false);
        expect(() => parse(line)).toThrow();
        continue;
      }
      expect(p.matchedExpected).toBe(matches);
      // Whatever the hint, the entry is what parsing without it gives.
      const plain = new ExpositionParser(Buffer.from(line), 'prometheus');
      plain.next();
      expect([p.seriesKey(), p.seriesHash, p.value, p.timestampMs]).toEqual([plain.seriesKey(), plain.seriesHash, plain.value, plain.timestampMs]);
    }
    expect(unhinted.samples[0]!.key).toBe('a{x="1"}');
  });
});

describe('Prometheus text format', () => {
  it('parses samples, labels with escapes, timestamps and metadata', () => {
    const r = parse(`# HELP http_requests_total The total number of HTTP requests.\\nSecond line with \\\\ backslash.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# A normal comment.
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
  leading_blanks{a="b",} -Inf
something_weird{problem="division by zero"} +Inf -3982045
nan_value NaN
`);
    expect(r.meta).toEqual([
      { kind: 'help', name: 'http_requests_total', text: 'The total number of HTTP requests.\nSecond line with \\ backslash.' },
      { kind: 'type', name: 'http_requests_total', text: 'counter' },
    ]);
    const [a, b, c, d, e, f, g] = r.samples;
    expect(a).toEqual({ key: 'http_requests_total{method="post",code="200"}', name: 'http_requests_total', labels: [['method', 'post'], ['code', '200']], value: 1027, ts: 1395066363000 });
    expect(b!.value).toBe(3);
    expect(c!.labels).toEqual([['path', 'C:\\DIR\\FILE.TXT'], ['error', 'Cannot find file:\n"FILE.TXT"']]);
    expect(c!.value).toBe(1.458255915e9);
    expect(d).toMatchObject({ name: 'metric_without_timestamp_and_labels', labels: [], value: 12.47 });
    expect(Number.isNaN(d!.ts)).toBe(true);
    expect(e).toMatchObject({ key: 'leading_blanks{a="b",}', labels: [['a', 'b']], value: -Infinity });
    expect(f).toMatchObject({ value: Infinity, ts: -3982045 });
    expect(Number.isNaN(g!.value)).toBe(true);
  });

  it('parses numbers exactly as Go does', () => {
    const values = ['0', '-0', '1', '0.1', '123.456', '1e3', '1E-3', '.5', '5.', '0x1p-2', '-0x1.8p1', '+inf', 'Infinity', '12345678901234567890', '0.30000000000000004', '9007199254740993'];
    const text = values.map((v, i) => `m{i="${i}"} ${v}`).join('\n');
    const got = parse(text).samples.map((s) => s.value);
    expect(got).toEqual([0, -0, 1, 0.1, 123.456, 1000, 0.001, 0.5, 5, 0.25, -3, Infinity, Infinity, 12345678901234567890, 0.30000000000000004, 9007199254740992]);
    expect(Object.is(got[1], -0)).toBe(true);
  });

  it('accepts the UTF-8 quoted name form', () => {
    const r = parse('{"my.metric", "some.label"="x", other="y"} 1\n');
    expect(r.samples[0]).toMatchObject({ name: 'my.metric', labels: [['some.label', 'x'], ['other', 'y']] });
  });

  it('reports syntax errors with their line', () => {
    expect(() => parse('ok 1\nbroken{a="b" 1\n')).toThrow(/line 2: unterminated label set/);
    expect(() => parse('m abc\n')).toThrow(/line 1: invalid number "abc"/);
    expect(() => parse('m 1 12x\n')).toThrow(/invalid timestamp/);
    expect(() => parse('m{a=b} 1\n')).toThrow(/expected a quoted value/);
    expect(() => parse('m\n')).toThrow(/expected a value/);
    expect(() => parse('# TYPE m bogus\n')).toThrow(/invalid metric type/);
  });
});

describe('OpenMetrics', () => {
  it('parses units, second timestamps, exemplars and # EOF', () => {
    const r = parse(`# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32 1520879607.789
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
# TYPE foo counter
foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
foo_created 1520430000.123
# EOF
`, 'openmetrics');
    expect(r.meta.map((m) => [m.kind, m.text])).toEqual([
      ['type', 'summary'], ['unit', 'seconds'], ['help', "Latency though all of ACME's HTTP request router."], ['type', 'counter'],
    ]);
    expect(r.samples.map((s) => [s.name, s.value, s.ts])).toEqual([
      ['acme_http_router_request_seconds_sum', 9036.32, 1520879607789],
      ['acme_http_router_request_seconds_count', 807283, NaN],
      ['foo_total', 17, 1520879607789],
      ['foo_created', 1520430000.123, NaN],
    ]);
  });

  it('requires # EOF at the end and nothing after it', () => {
    expect(() => parse('a 1\n', 'openmetrics')).toThrow(/# EOF/);
    expect(() => parse('# EOF\na 1\n', 'openmetrics')).toThrow(/after # EOF/);
  });
});

describe('a body parsed as it arrives', () => {
  const text = `# HELP a_total Help with \\n escape.
# TYPE a_total counter
a_total{x="1",long="${'v'.repeat(5000)}"} 1 1000
a_total{x="2"} 2.5

b 3
c{x="with } and \\" inside"} -4e3`;

  it('gives the same entries however the body is cut into chunks', () => {
    const whole = parse(text);
    expect(whole.samples).toHaveLength(4);
    for (const sizes of [[1], [2, 3], [7], [64], [4096], [100_000]]) expect(parseChunked(text, sizes)).toEqual(whole);
    for (let cut = 1; cut < text.length; cut += 13) expect(parseChunked(text, [cut, text.length])).toEqual(whole);
  });

  it('counts lines across chunks, and checks OpenMetrics # EOF only at the end', () => {
    expect(() => parseChunked('a 1\nb 2\nc x\n', [3])).toThrow(/^line 3: /);
    const om = 'a_total 1\n# EOF\n';
    expect(parseChunked(om, [4], 'openmetrics').samples).toHaveLength(1);
    expect(() => parseChunked('a_total 1\n', [4], 'openmetrics')).toThrow(/# EOF/);
    expect(() => parseChunked('# EOF\na 1\n', [3], 'openmetrics')).toThrow(/after # EOF/);
  });
});
