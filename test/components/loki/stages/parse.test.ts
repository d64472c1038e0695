import { describe, expect, it } from 'vitest';
import { decodeStages, extractedOf, run, runOne } from './helpers.js';

describe('stage.json', () => {
  it('extracts JMESPath expressions with Alloy value types', async () => {
    const e = await runOne(
      `stage.json {
        expressions = { output = "log", extra = "", n = "num", b = "flag", nothing = "nul", obj = "o", arr = "a", deep = "o.x", first = "a[0]", missing = "nope", dash = "\\"user-agent\\"" }
      }`,
      '{"log":"hello\\n","extra":"{\\"user\\":\\"alloy\\"}","num":1.5e3,"flag":true,"nul":null,"o":{"x":"<y>"},"a":[1,2],"user-agent":"curl"}',
      { job: 'j' },
    );
    expect(extractedOf(e)).toEqual({
      job: 'j',
      output: 'hello\n',
      extra: '{"user":"alloy"}',
      n: 1500,
      b: true,
      nothing: null,
      obj: '{"x":"\\u003cy\\u003e"}',
      arr: '[1,2]',
      deep: '<y>',
      first: 1,
      missing: null,
      dash: 'curl',
    });
  });

  it('parses an extracted source and skips a missing one', async () => {
    const body = `stage.json { expressions = { extra = "" } }
      stage.json {
        source      = "extra"
        expressions = { username = "user" }
      }`;
    const e = await runOne(body, '{"extra":"{\\"user\\":\\"alloy\\"}"}');
    expect(e.extracted.get('username')).toBe('alloy');
    const e2 = await runOne(body, '{"other":1}');
    expect(e2.extracted.has('username')).toBe(false);
  });

  it('keeps or drops malformed lines', async () => {
    expect(await run('stage.json { expressions = { a = "" } }', ['not json', '[1]', '{"a":1}'])).toHaveLength(3);
    const kept = await run('stage.json {\n expressions = { a = "" }\n drop_malformed = true\n}', ['not json', '[1]', '{"a":1}', 'null']);
    expect(kept.map((e) => e.line)).toEqual(['{"a":1}', 'null']);
  });

  it('extracts top-level keys matching regex', async () => {
    const e = await runOne('stage.json { regex = "^http_" }', '{"http_code":200,"http_path":"/x","other":1}');
    expect(extractedOf(e)).toEqual({ http_code: 200, http_path: '/x' });
  });

  it('rejects bad configuration with positions', () => {
    expect(decodeStages('stage.json { }').error).toBe('1:1: JMES expression is required');
    expect(decodeStages('stage.json {\n expressions = { a = "" }\n source = ""\n}').error).toMatch(/^3:11: source cannot be empty/);
    expect(decodeStages('stage.json { expressions = { a = "[" } }').error).toMatch(/^1:1: could not compile JMES expression/);
    expect(decodeStages('stage.jsn { }').error).toBe('1:1: unrecognized block name "stage.jsn"');
    expect(decodeStages('stage.json {\n expressions = { a = "" }\n bogus = 1\n}').error).toBe('3:2: unrecognized attribute name "bogus"');
  });
});

describe('stage.logfmt', () => {
  it('extracts mapped keys and regex matches', async () => {
    const line = 'time=2012-11-01T22:08:41+00:00 app=loki level=WARN duration=125 message="this is a log line" extra="user=example_name" flag';
    const body = `stage.logfmt { mapping = { extra = "", lvl = "level", flag = "" } }
      stage.logfmt {
        mapping = { username = "user" }
        source  = "extra"
      }
      stage.logfmt { regex = "^dur" }`;
    const e = await runOne(body, line);
    expect(extractedOf(e)).toEqual({ extra: 'user=example_name', lvl: 'WARN', flag: '', username: 'example_name', duration: '125' });
  });

  it('keeps what was parsed before a syntax error', async () => {
    const e = await runOne('stage.logfmt { mapping = { a = "", b = "" } }', 'a=1 b"=2');
    expect(extractedOf(e)).toEqual({ a: '1' });
  });
});

describe('stage.regex', () => {
  it('extracts named groups, "" for groups that did not take part', async () => {
    const e = await runOne(
      'stage.regex { expression = "^(?s)(?P<time>\\\\S+?) (?P<stream>stdout|stderr) (?P<flags>\\\\S+?) (?P<content>.*)(?P<opt>x)?$" }',
      "2019-01-01T01:00:00.000000001Z stderr P i'm a log message!",
    );
    expect(extractedOf(e)).toEqual({ time: '2019-01-01T01:00:00.000000001Z', stream: 'stderr', flags: 'P', content: "i'm a log message!", opt: '' });
  });

  it('reads a source, and sets labels from groups', async () => {
    const body = `stage.json { expressions = { time = "timestamp" } }
      stage.regex {
        expression         = "^(?P<year>\\\\d+)"
        source             = "time"
        labels_from_groups = true
      }`;
    const e = await runOne(body, '{"timestamp":"2022-01-01T01:00:00.000000001Z"}');
    expect(e.extracted.get('year')).toBe('2022');
    expect(e.labels).toEqual({ year: '2022' });
  });

  it('rejects invalid RE2 syntax', () => {
    expect(decodeStages('stage.regex { expression = "(?P<x>a" }').error).toMatch(/^1:28: error parsing regexp: missing closing \)/);
    expect(decodeStages('stage.regex { expression = "(?=a)" }').error).toMatch(/invalid or unsupported Perl syntax/);
  });
});

describe('stage.replace', () => {
  // The documented example; `\\S+` also takes the "!", which the docs' output forgets.
  it('replaces captures in the line', async () => {
    const e = await runOne(
      'stage.replace {\n expression = "password (\\\\S+)"\n replace = "*****"\n}',
      "2023-01-01T01:00:00.000000001Z stderr P i'm a log message who has sensitive information with password xyz!",
    );
    expect(e.line).toBe("2023-01-01T01:00:00.000000001Z stderr P i'm a log message who has sensitive information with password *****");
  });

  it('omits captures with an empty replacement and works on a source', async () => {
    const body = `stage.json { expressions = { level = "", msg = "" } }
      stage.replace {
        expression = "\\\\S+ - \\"POST (\\\\S+) .*"
        source     = "msg"
        replace    = "redacted_url"
      }`;
    const e = await runOne(body, '{"level":"info","msg":"11.11.11.11 - \\"POST /loki/api/push/ HTTP/1.1\\" 200 932 \\"-\\" \\"Mozilla/5.0\\""}');
    expect(e.extracted.get('msg')).toBe('11.11.11.11 - "POST redacted_url HTTP/1.1" 200 932 "-" "Mozilla/5.0"');
    const e2 = await runOne('stage.replace { expression = "(x+)" }', 'axxbxc');
    expect(e2.line).toBe('abc');
  });

  it('templates named groups into the line and the extracted map', async () => {
    const e = await runOne(
      'stage.replace {\n expression = "^(?P<ip>\\\\S+) (?P<identd>\\\\S+) (?P<user>\\\\S+) \\\\[(?P<timestamp>[\\\\w:/]+\\\\s[+\\\\-]\\\\d{4})\\\\]"\n replace = "{{ .Value | ToUpper }}"\n}',
      '11.11.11.11 - frank [01/Jan/2023:00:00:01 +0200]',
    );
    expect(e.line).toBe('11.11.11.11 - FRANK [01/JAN/2023:00:00:01 +0200]');
    expect(extractedOf(e)).toEqual({ ip: '11.11.11.11', identd: '-', user: 'FRANK', timestamp: '01/JAN/2023:00:00:01 +0200' });
  });

  it('replaces every match', async () => {
    const e = await runOne('stage.replace {\n expression = "(\\\\d{2}.\\\\d{2}.\\\\d{2}.\\\\d{2}) - (\\\\S+)"\n replace = "{{ if eq .Value \\"frank\\" }}F{{ else }}IP{{ end }}"\n}', '11.11.11.11 - frank 12.12.12.12 - frank');
    expect(e.line).toBe('IP - F IP - F');
  });
});

describe('stage.pattern', () => {
  it('extracts Loki pattern captures', async () => {
    const body = 'stage.pattern {\n pattern = "<ip> - - [<_>] \\"<method> <path> <_>\\" <status>"\n labels_from_groups = true\n}';
    const e = await runOne(body, '10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /api HTTP/1.1" 200 512');
    expect(extractedOf(e)).toEqual({ ip: '10.0.0.1', method: 'GET', path: '/api', status: '200 512' });
    expect(e.labels).toEqual({ ip: '10.0.0.1', method: 'GET', path: '/api', status: '200 512' });
    const partial = await runOne('stage.pattern { pattern = "<a> x <b> y <c>" }', '1 x 2');
    expect(extractedOf(partial)).toEqual({ a: '1', b: '2' });
    expect(decodeStages('stage.pattern { pattern = "<a><b>" }').error).toBe('1:1: failed to parse pattern: found consecutive capture: invalid expression');
    expect(decodeStages('stage.pattern { pattern = "no captures" }').error).toMatch(/at least one capture is required/);
  });
});

describe('stage.split_json', () => {
  it('splits a top-level array into entries', async () => {
    const out = await run('stage.json { expressions = { k = "" } }\nstage.split_json {}', [' [{"a":1}, "x", null, [2]]', '{"k":"v"}', '[broken']);
    expect(out.map((e) => e.line)).toEqual(['{"a":1}', '"x"', 'null', '[2]', '{"k":"v"}', '[broken']);
    expect(out[4]!.extracted.get('k')).toBe('v');
  });
});

describe('stage.truncate', () => {
  it('cuts lines, labels and extracted values to a byte limit', async () => {
    const body = `stage.json { expressions = { msg = "" } }
      stage.truncate {
        rule {
          limit  = "10B"
          suffix = "..."
        }
        rule {
          limit       = "4B"
          source_type = "label"
          sources     = ["pod"]
        }
        rule {
          limit       = "3B"
          source_type = "extracted"
          sources     = ["msg"]
        }
      }`;
    const e = await runOne(body, '{"msg":"hello world"}', { pod: 'pod-12345', app: 'application' });
    expect(e.line).toBe('{"msg":...');
    expect(e.labels).toEqual({ pod: 'pod-', app: 'application' });
    expect(e.extracted.get('msg')).toBe('hel');
    expect(e.extracted.get('truncated')).toBe('extracted,label,line');
    expect(decodeStages('stage.truncate {\n rule {\n  limit = "2B"\n  suffix = "..."\n }\n}').error).toBe('2:2: suffix length cannot be greater than or equal to limit');
    expect(decodeStages('stage.truncate { }').error).toBe('1:1: at least one truncate rule must be defined');
  });
});

describe('stage.eventlogmessage', () => {
  it('splits the message into extracted values (documented example)', async () => {
    const body = 'stage.json { expressions = { message = "", Overwritten = "" } }\nstage.eventlogmessage {\n source = "message"\n overwrite_existing = true\n}';
    const e = await runOne(body, '{"event_id": 1, "Overwritten": "old", "message": "Message type:\\r\\nOverwritten: new\\r\\nImage: C:\\\\Users\\\\User\\\\alloy.exe"}');
    expect(extractedOf(e)).toMatchObject({ Image: 'C:\\Users\\User\\alloy.exe', Message_type: '', Overwritten: 'new' });
    const kept = await runOne('stage.json { expressions = { message = "", Image = "" } }\nstage.eventlogmessage { drop_invalid_labels = true }', '{"message":"Image: x\\r\\nbad key: y","Image":"old"}');
    expect(extractedOf(kept)).toEqual({ message: 'Image: x\r\nbad key: y', Image: 'old', Image_extracted: 'x' });
  });
});
