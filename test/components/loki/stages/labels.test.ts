import { describe, expect, it } from 'vitest';
import { decodeStages, extractedOf, runOne } from './helpers.js';

describe('label stages', () => {
  it('stage.labels sets labels from extracted values, empty strings included', async () => {
    const body = `stage.json { expressions = { env = "", user = "username", n = "num", none = "nul" } }
      stage.labels {
        values = { env = "", user = "user", num = "n", none = "none", absent = "" }
      }`;
    const e = await runOne(body, '{"env":"","username":"alloy","num":12.5,"nul":null}', { job: 'a' });
    expect(e.labels).toEqual({ job: 'a', env: '', user: 'alloy', num: '12.5' });
  });

  it('stage.labels reads structured metadata when asked', async () => {
    const body = `stage.json { expressions = { trace = "" } }
      stage.structured_metadata { values = { trace_id = "trace" } }
      stage.labels {
        values      = { tid = "trace_id" }
        source_type = "structured_metadata"
      }`;
    const e = await runOne(body, '{"trace":"abc"}');
    expect(e.labels).toEqual({ tid: 'abc' });
    expect(e.metadata).toEqual({ trace_id: 'abc' });
  });

  it('validates label names at decode time', () => {
    expect(decodeStages('stage.labels { values = { "bad-name" = "" } }').error).toBe('1:1: invalid label name: bad-name');
    expect(decodeStages('stage.labels { }').error).toBe('1:1: missing required attribute "values"');
    expect(decodeStages('stage.labels {\n values = {}\n source_type = "line"\n}').error).toMatch(/^3:16: unrecognized value "line"/);
  });

  it('static_labels, label_drop and label_keep', async () => {
    const body = `stage.static_labels { values = { foo = "fooval", bar = "", baz = null } }
      stage.label_drop { values = ["drop_me"] }`;
    const e = await runOne(body, 'x', { drop_me: '1', keep: '2' });
    expect(e.labels).toEqual({ keep: '2', foo: 'fooval' });
    const k = await runOne('stage.label_keep { values = ["a"] }', 'x', { a: '1', b: '2', __tenant_id__: 't' });
    expect(k.labels).toEqual({ a: '1' });
    expect(decodeStages('stage.label_drop { values = [] }').error).toBe('1:1: label_drop stage config cannot be empty');
  });

  it('does not change the labels object other entries of the batch share', async () => {
    const labels = { a: '1' };
    const e = await runOne('stage.static_labels { values = { b = "2" } }', 'x', labels);
    expect(e.labels).toEqual({ a: '1', b: '2' });
    expect(labels).toEqual({ a: '1' });
  });

  it('structured_metadata moves values and removes the labels it took', async () => {
    const body = `stage.json { expressions = { line_num = "", pod = "" } }
      stage.structured_metadata {
        values = { line_num = "", pod_name = "pod", level = "" }
        regex  = "^trace_"
      }`;
    const e = await runOne(body, '{"line_num":25,"pod":"p-1"}', { level: 'info', trace_id: 't1', app: 'x' });
    expect(e.metadata).toEqual({ line_num: '25', pod_name: 'p-1', level: 'info', trace_id: 't1' });
    expect(e.labels).toEqual({ app: 'x' });
  });

  it('structured_metadata_drop removes pairs', async () => {
    const body = `stage.structured_metadata { values = { a = "", b = "" } }
      stage.structured_metadata_drop { values = ["a"] }`;
    const e = await runOne(body, 'x', { a: '1', b: '2' });
    expect(e.metadata).toEqual({ b: '2' });
  });

  it('tenant from a value, a label or an extracted value', async () => {
    expect((await runOne('stage.tenant { value = "team-a" }', 'x')).labels).toEqual({ __tenant_id__: 'team-a' });
    expect((await runOne('stage.tenant { label = "ns" }', 'x', { ns: 'n1' })).labels).toEqual({ ns: 'n1', __tenant_id__: 'n1' });
    const e = await runOne('stage.json { expressions = { customer_id = "" } }\nstage.tenant { source = "customer_id" }', '{"customer_id":42}');
    expect(e.labels).toEqual({ __tenant_id__: '42' });
    expect((await runOne('stage.tenant { source = "missing" }', 'x')).labels).toEqual({});
    expect(decodeStages('stage.tenant {\n value = "a"\n label = "b"\n}').error).toBe('1:1: only one of source, value or label can be used');
  });

  it('output and template', async () => {
    const body = `stage.json { expressions = { app = "", level = "", module = "" } }
      stage.template {
        source   = "app"
        template = "{{ ToLower .Value }}_some_suffix"
      }
      stage.template {
        source   = "output_msg"
        template = "{{ .level }} for app {{ ToUpper .app }} in module {{.module}} [{{ .Entry | len }}]"
      }
      stage.template {
        source   = "level"
        template = "{{ if eq .level \\"ignored\\" }}x{{ end }}"
      }
      stage.template {
        source   = "hash"
        template = "{{ Hash .app \\"salt\\" }} {{ Sha2Hash \\"salt\\" .app }}"
      }
      stage.output { source = "output_msg" }`;
    const line = '{"app":"LOKI","level":"warn","module":"m"}';
    const e = await runOne(body, line);
    expect(e.line).toBe(`warn for app LOKI_SOME_SUFFIX in module m [${line.length}]`);
    expect(e.extracted.has('level')).toBe(false); // an empty result deletes the key
    expect(e.extracted.get('hash')).toMatch(/^[0-9a-f]{64} [0-9a-f]{64}$/);
    expect(extractedOf(e)['app']).toBe('loki_some_suffix');
  });

  it('template parse errors fail decoding', () => {
    expect(decodeStages('stage.template {\n source = "a"\n template = "{{ nope }}"\n}').error).toBe('3:13: template: function "nope" not defined');
  });
});
