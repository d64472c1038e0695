/**
 * otelcol.processor.batch: joins incoming data into batches of
 * `send_batch_size` items (spans, data points, log records), cut at
 * `send_batch_max_size`, or sends what it has after `timeout`. One batcher per
 * signal and, with `metadata_keys`, per combination of those metadata values
 * (at most `metadata_cardinality_limit`).
 *
 * Unlike the collector's processor, a caller's promise resolves only when
 * every batch holding its items was accepted downstream, and rejects with the
 * downstream refusal, so receivers answer with what really happened and
 * nothing accepted sits only in this processor's memory.
 *
 * Arguments and defaults: grafana/alloy
 * internal/component/otelcol/processor/batch/batch.go.
 */
import { describeSchema, attr, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { DebugMetricsBlock } from './config/unsupported.js';
import { consumerOf, InputExports, outputField, type Output } from './pdata/consumer.js';
import type { Batching } from './processor-batch/batcher.js';

const Arguments = schema(
  {
    timeout: attr(t.duration, '200ms'),
    send_batch_size: attr(t.uint, 2000),
    send_batch_max_size: attr(t.uint, 3000),
    metadata_keys: attr(t.list(t.string), []),
    metadata_cardinality_limit: attr(t.uint, 1000),
    output: outputField,
    debug_metrics: optionalBlock(DebugMetricsBlock),
  },
  (a) => {
    if (a.send_batch_max_size > 0 && a.send_batch_max_size < a.send_batch_size) return 'send_batch_max_size must be greater or equal to send_batch_size';
    if (new Set(a.metadata_keys.map((k) => k.toLowerCase())).size !== a.metadata_keys.length) return 'duplicate entry in metadata_keys';
    return undefined;
  },
);
export type BatchArgs = Infer<typeof Arguments>;

export const otelcolProcessorBatch = defineComponent({
  name: 'otelcol.processor.batch',
  description: 'Groups telemetry into batches before passing it on, to compress better and send fewer requests.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { Batching: BatchingImpl, BatchMetrics } = await import('./processor-batch/batcher.js');
    const metrics = new BatchMetrics(ctx.registry);
    let args = initial;
    let batching: Batching = new BatchingImpl(args, () => args.output as Output, ctx, metrics);
    ctx.setExports({ input: consumerOf((payload, consumeCtx) => batching.consume(payload, consumeCtx)) });
    return {
      update(next: BatchArgs) {
        const previous = batching;
        args = next;
        batching = new BatchingImpl(args, () => args.output as Output, ctx, metrics);
        previous.flushAll();
      },
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        batching.flushAll();
        await batching.settled();
      },
      debugInfo: () => batching.debugInfo(),
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  timeout: 'Longest wait before a batch that is not full is sent.',
  send_batch_size: 'Batch size that makes a batch be sent at once.',
  send_batch_max_size: 'Largest batch size; bigger batches are split (0 means no limit).',
  metadata_keys: 'Request metadata keys that give each value its own batcher.',
  metadata_cardinality_limit: 'Most distinct metadata value combinations batched.',
});
