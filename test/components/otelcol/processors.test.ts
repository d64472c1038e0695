/**
 * otelcol.processor.attributes (actions, include/exclude) and
 * otelcol.processor.memory_limiter (refusing with a retryable error above the
 * soft limit, so the OTLP receiver answers UNAVAILABLE).
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { untilAborted } from '../../../src/components/common/until-aborted.js';
import { consumerOf, InputExports, type OtelConsumer } from '../../../src/components/otelcol/pdata/consumer.js';
import { valueAsRaw, type KeyValue, type TracesData } from '../../../src/components/otelcol/pdata/model.js';
import { Payload } from '../../../src/components/otelcol/pdata/payload.js';
import { schema } from '../../../src/lang/schema.js';
import { defineComponent } from '../../../src/runtime/component.js';
import { Harness } from '../../support/harness.js';
import { encodeOtlp } from '../../support/otlp-receiver.js';

const received = new Map<string, Payload[]>();
const capture = defineComponent({
  name: 'testing.otel_capture',
  stability: 'generally-available',
  args: schema({}),
  exports: InputExports,
  build(ctx) {
    const list: Payload[] = [];
    received.set(ctx.id, list);
    ctx.setExports({ input: consumerOf(async (p) => void list.push(p)) });
    return { update() {}, run: untilAborted };
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(text: string): Promise<Harness> {
  const h = await Harness.start(`${text}\ntesting.otel_capture "c" {}`, { components: [capture] });
  cleanups.push(() => h.stop());
  return h;
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

function request(): Uint8Array {
  return encodeOtlp('traces', {
    resourceSpans: [{
      resource: { attributes: [str('service.name', 'shop')] },
      scopeSpans: [{ scope: { name: 'lib' }, spans: [
        { name: 'GET /users', kind: 2, attributes: [str('user.email', 'a@b.c'), str('http.url', 'https://x/api/v1/users/42'), { key: 'code', value: { stringValue: '200' } }, str('secret.token', 't'), str('secret.key', 'k')] },
        { name: 'health', kind: 2, attributes: [str('user.email', 'z@z.z')] },
      ] }],
    }],
  });
}

function spanAttrs(p: Payload): Record<string, unknown>[] {
  return ((p.data as TracesData).resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => Object.fromEntries((s.attributes ?? []).map((kv: KeyValue) => [kv.key, valueAsRaw(kv.value)])))));
}

describe('otelcol.processor.attributes', () => {
  it('applies insert/update/upsert/delete/hash/extract/convert to matching spans only', async () => {
    const h = await start(`otelcol.processor.attributes "a" {
  action {
    key    = "env"
    value  = "prod"
    action = "insert"
  }
  action {
    key    = "user.email"
    action = "hash"
  }
  action {
    key     = "http.url"
    pattern = "^https://[^/]+/api/(?P<api_version>v\\\\d+)/"
    action  = "extract"
  }
  action {
    key            = "code"
    converted_type = "int"
    action         = "convert"
  }
  action {
    pattern = "^secret\\\\."
    key     = "none"
    action  = "delete"
  }
  action {
    key            = "copied"
    from_attribute = "api_version"
    action         = "upsert"
  }
  action {
    key    = "missing"
    value  = 1
    action = "update"
  }
  exclude {
    match_type = "strict"
    span_names = ["health"]
  }
  output { traces = [testing.otel_capture.c.input] }
}`);
    const input = (h.exportOf('otelcol.processor.attributes.a', 'input') as unknown as { payload: OtelConsumer }).payload;
    const original = Payload.fromBytes('traces', request());
    await input.consume(original, {});
    const [out] = received.get('testing.otel_capture.c')!;
    const [first, second] = spanAttrs(out!);
    expect(first).toEqual({
      'user.email': expect.stringMatching(/^[0-9a-f]{40}$/),
      'http.url': 'https://x/api/v1/users/42',
      code: 200,
      env: 'prod',
      api_version: 'v1',
      copied: 'v1',
    });
    expect(first!['user.email']).toBe((await import('node:crypto')).createHash('sha1').update('a@b.c').digest('hex'));
    expect(second).toEqual({ 'user.email': 'z@z.z' });
    // The input was not changed (other consumers may hold it).
    expect(spanAttrs(original)[0]!['user.email']).toBe('a@b.c');
  });
});

describe('otelcol.processor.memory_limiter', () => {
  it('refuses data with UNAVAILABLE while usage is above the soft limit, passes it otherwise', async () => {
    const grpcCall = (addr: string) => {
      const client = new grpc.Client(addr, grpc.credentials.createInsecure());
      const id = (b: Buffer) => b;
      return new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', id, id, Buffer.from(request()), (err) => {
          client.close();
          resolve(err);
        }),
      );
    };
    const h = await start(`otelcol.receiver.otlp "in" {
  grpc { endpoint = "127.0.0.1:0" }
  output { traces = [otelcol.processor.memory_limiter.tight.input, otelcol.processor.memory_limiter.roomy.input] }
}
otelcol.processor.memory_limiter "tight" {
  check_interval = "100ms"
  limit          = "8MiB"
  spike_limit    = "1MiB"
  output { traces = [testing.otel_capture.c.input] }
}
otelcol.processor.memory_limiter "roomy" {
  check_interval = "100ms"
  limit          = "64GiB"
  output { traces = [testing.otel_capture.c.input] }
}`);
    const addr = (h.controller.get('otelcol.receiver.otlp.in')!.instance!.debugInfo!() as { listening: string[] }).listening[0]!;
    // An agent process is always above 7 MiB resident: "tight" refuses, so the receiver answers UNAVAILABLE.
    expect((await grpcCall(addr))?.code).toBe(grpc.status.UNAVAILABLE);
    const metrics = await h.controller.get('otelcol.processor.memory_limiter.tight')!.registry!.metrics();
    expect(metrics).toMatch(/otelcol_processor_refused_spans_total\{[^}]*\} 2/);
    // "roomy" alone passes it on.
    await h.apply(`otelcol.receiver.otlp "in" {
  grpc { endpoint = "${addr}" }
  output { traces = [otelcol.processor.memory_limiter.roomy.input] }
}
otelcol.processor.memory_limiter "roomy" {
  check_interval = "100ms"
  limit          = "64GiB"
  output { traces = [testing.otel_capture.c.input] }
}
testing.otel_capture "c" {}`);
    expect(await grpcCall(addr)).toBeNull();
    expect(received.get('testing.otel_capture.c')!.map((p) => p.items)).toContain(2);
  });
});
