/**
 * otelcol.processor.batch: batches of send_batch_size cut at
 * send_batch_max_size (encoded requests cut inside a resource), the timeout,
 * metrics cut between data points, callers acknowledged only when their items
 * were accepted downstream, and downstream refusals passed back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { attr, schema, t } from '../../../src/lang/schema.js';
import { defineComponent } from '../../../src/runtime/component.js';
import { untilAborted } from '../../../src/components/common/until-aborted.js';
import { ConsumerError, consumerOf, InputExports, type OtelConsumer } from '../../../src/components/otelcol/pdata/consumer.js';
import { dataPointCount, type MetricsData, type TracesData } from '../../../src/components/otelcol/pdata/model.js';
import { Payload } from '../../../src/components/otelcol/pdata/payload.js';
import { Harness } from '../../support/harness.js';
import { encodeOtlp } from '../../support/otlp-receiver.js';

const received = new Map<string, Payload[]>();

/** Records what reaches it; `refuse` makes it reject everything. */
const capture = defineComponent({
  name: 'testing.otel_capture',
  stability: 'generally-available',
  args: schema({ refuse: attr(t.bool, false) }),
  exports: InputExports,
  build(ctx, args) {
    const list: Payload[] = [];
    received.set(ctx.id, list);
    ctx.setExports({
      input: consumerOf(async (p) => {
        if (args.refuse) throw new ConsumerError('downstream refuses', false);
        list.push(p);
      }),
    });
    return { update() {}, run: untilAborted };
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(batch: string, refuse = false): Promise<OtelConsumer> {
  const h = await Harness.start(`otelcol.processor.batch "b" {\n${batch}\n  output {\n    traces  = [testing.otel_capture.c.input]\n    metrics = [testing.otel_capture.c.input]\n  }\n}\ntesting.otel_capture "c" { refuse = ${refuse} }`, { components: [capture] });
  cleanups.push(() => h.stop());
  const v = h.exportOf('otelcol.processor.batch.b', 'input');
  return (v as unknown as { payload: OtelConsumer }).payload;
}

/** An encoded request with `n` spans named `${tag}-i`, in two scopes. */
function spans(tag: string, n: number): Payload {
  const span = (i: number) => ({ traceId: Buffer.alloc(16, 1).toString('base64'), spanId: Buffer.alloc(8, i + 1).toString('base64'), name: `${tag}-${i}` });
  const half = Math.floor(n / 2);
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: tag } }] },
      scopeSpans: [
        { scope: { name: 's1' }, spans: Array.from({ length: half }, (_, i) => span(i)) },
        { scope: { name: 's2' }, spans: Array.from({ length: n - half }, (_, i) => span(half + i)) },
      ],
    }],
  };
  return Payload.fromBytes('traces', encodeOtlp('traces', body));
}

function names(p: Payload): string[] {
  return ((p.data as TracesData).resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.name!)));
}

describe('otelcol.processor.batch', () => {
  it('sends batches of send_batch_size cut at send_batch_max_size, the rest on timeout; callers learn when their items went', async () => {
    const input = await start('  send_batch_size = 10\n  send_batch_max_size = 10\n  timeout = "300ms"');
    const payloads = ['a', 'b', 'c'].map((tag) => spans(tag, 7));
    const started = Date.now();
    const settledAt: number[] = [];
    const pushes = payloads.map((p, i) => input.consume(p, {}).then(() => (settledAt[i] = Date.now() - started)));
    await Promise.all(pushes);
    const batches = received.get('testing.otel_capture.c')!;
    expect(batches.map((b) => b.items)).toEqual([10, 10, 1]);
    expect(batches.flatMap(names)).toEqual([...['a', 'b', 'c'].flatMap((tag) => Array.from({ length: 7 }, (_, i) => `${tag}-${i}`))]);
    // The first batch keeps resource and scopes of both requests it joined.
    expect(((batches[0]!.data as TracesData).resourceSpans ?? []).map((rs) => rs.resource?.attributes?.[0]?.value?.stringValue)).toEqual(['a', 'b']);
    expect(settledAt[0]).toBeLessThan(250);
    expect(settledAt[1]).toBeLessThan(250);
    expect(settledAt[2]).toBeGreaterThanOrEqual(250);
  });

  it('cuts metrics between data points', async () => {
    const input = await start('  send_batch_size = 3\n  send_batch_max_size = 3\n  timeout = "50ms"');
    const metrics: MetricsData = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [
        { name: 'g', gauge: { dataPoints: [1, 2, 3, 4].map((v) => ({ asDouble: v })) } },
        { name: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [5, 6].map((v) => ({ asDouble: v })) } },
      ] }] }],
    };
    await input.consume(Payload.fromData('metrics', metrics), {});
    const batches = received.get('testing.otel_capture.c')!;
    expect(batches.map((b) => b.items)).toEqual([3, 3]);
    expect(batches.map((b) => dataPointCount(Payload.fromBytes('metrics', b.bytes).data as MetricsData))).toEqual([3, 3]);
    const second = (batches[1]!.data as MetricsData).resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
    expect(second.map((m) => [m.name, (m.gauge ?? m.sum)!.dataPoints!.map((d) => d.asDouble)])).toEqual([['g', [4]], ['s', [5, 6]]]);
  });

  it('passes a downstream refusal back to the caller', async () => {
    const input = await start('  timeout = "10ms"', true);
    await expect(input.consume(spans('x', 3), {})).rejects.toThrow('downstream refuses');
  });
});
