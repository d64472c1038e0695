/**
 * The `retry_on_failure` and `sending_queue` blocks of otelcol exporters, with
 * Alloy's defaults (internal/component/otelcol/config_retry.go,
 * config_queue.go).
 */
import { describeSchema, attr, defaultedBlock, schema, t, type Infer } from '../../../lang/schema.js';
import { notSupported, unsupportedBlock } from '../config/unsupported.js';

export const RetryBlock = schema(
  {
    enabled: attr(t.bool, true),
    initial_interval: attr(t.duration, '5s'),
    randomization_factor: attr(t.float, 0.5),
    multiplier: attr(t.float, 1.5),
    max_interval: attr(t.duration, '30s'),
    max_elapsed_time: attr(t.duration, '5m'),
  },
  (r) => {
    if (r.randomization_factor < 0 || r.randomization_factor > 1) return 'randomization_factor must be between 0 and 1';
    if (r.multiplier <= 0) return 'multiplier must be greater than zero';
    if (r.initial_interval < 0 || r.max_interval < 0 || r.max_elapsed_time < 0) return 'retry intervals must not be negative';
    return undefined;
  },
);
export type RetrySettings = Infer<typeof RetryBlock>;

export const QueueBlock = schema(
  {
    enabled: attr(t.bool, true),
    num_consumers: attr(t.int, 10),
    queue_size: attr(t.int, 1000),
    block_on_overflow: attr(t.bool, false),
    sizer: attr(t.oneOf('requests', 'items'), 'requests'),
    wait_for_result: attr(t.bool, false),
    storage: notSupported('sending_queue.storage (persistent queues)'),
    batch: unsupportedBlock('the sending_queue > batch block (use otelcol.processor.batch)'),
  },
  (q) => {
    if (q.enabled && q.num_consumers <= 0) return 'num_consumers must be greater than zero';
    if (q.enabled && q.queue_size <= 0) return 'queue_size must be greater than zero';
    return undefined;
  },
);
export type QueueSettings = Infer<typeof QueueBlock>;

export const retryField = defaultedBlock(RetryBlock);
export const queueField = defaultedBlock(QueueBlock);

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(RetryBlock, {
  enabled: 'Whether failed requests are retried.',
  initial_interval: 'Wait before the first retry.',
  randomization_factor: 'Random jitter applied to each wait, as a fraction of it.',
  multiplier: 'Factor the wait grows by after each attempt.',
  max_interval: 'Longest wait between two attempts.',
  max_elapsed_time: 'Time after which a batch is given up (0 retries forever).',
}, 'Retries of failed requests with exponential backoff.');
describeSchema(QueueBlock, {
  enabled: 'Whether data is queued before sending.',
  num_consumers: 'How many requests are sent from the queue in parallel.',
  queue_size: 'Largest number of items (as counted by sizer) the queue holds.',
  block_on_overflow: 'Wait for room instead of refusing data when the queue is full.',
  sizer: 'What the queue size counts: requests, items or bytes.',
  wait_for_result: 'Acknowledge data only after it has been sent.',
  storage: 'Storage extension used to persist the queue.',
  batch: 'Batching of queued data before it is sent.',
}, 'The queue that buffers data before it is sent.');
