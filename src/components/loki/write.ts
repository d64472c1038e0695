/**
 * loki.write: sends log entries to Loki's push API (grafana/alloy
 * internal/component/loki/write/write.go, internal/component/common/loki/client/).
 *
 * A pushed batch gets its external labels (under its own), its stream label
 * string and its entry sizes once, then goes to every endpoint; each endpoint
 * batches, encodes (snappy protobuf) and retries on its own (write-endpoint.ts).
 * The push promise resolves when every endpoint has delivered or definitively
 * dropped the entries, and rejects when the component stopped before that —
 * so a source advances its positions only past entries that are done with.
 *
 * A source that awaits each push before sending the next waits for delivery
 * (up to batch_wait, and through the retries of the slowest endpoint); one
 * that wants throughput and wants a live endpoint to keep flowing while
 * another is down keeps several pushes in flight. Each endpoint bounds what it
 * holds (queue_config.capacity), so in-flight pushes beyond that wait. Under
 * a memory limit (`run --memory-limit`) that capacity is also capped at the
 * endpoint's share of the agent's buffer budget.
 */
import { describeSchema, attr, blocks, defaultedBlock, optional, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { httpClientFieldDescriptions, httpClientFields, validateHttpClientConfig } from '../common/http-client.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';

const QueueConfig = schema({
  capacity: attr(t.bytes, '10MiB'),
  min_shards: attr(t.int, 1),
  // Alloy's code uses 15s (its docs say 1m).
  drain_timeout: attr(t.duration, '15s'),
  block_on_overflow: attr(t.bool, true),
});

const endpointFields = {
  name: optional(t.string),
  url: attr(t.string),
  batch_wait: attr(t.duration, '1s'),
  batch_size: attr(t.bytes, '1MiB'),
  remote_timeout: attr(t.duration, '10s'),
  headers: optional(t.map(t.string)),
  min_backoff_period: attr(t.duration, '500ms'),
  max_backoff_period: attr(t.duration, '5m'),
  max_backoff_retries: attr(t.int, 10),
  tenant_id: attr(t.string, ''),
  retry_on_http_429: attr(t.bool, true),
  ...httpClientFields,
  queue_config: defaultedBlock(QueueConfig),
};

const EndpointBlock = schema(endpointFields, (e) => {
  if (!URL.canParse(e.url)) return `failed to parse remote url ${JSON.stringify(e.url)}`;
  return validateHttpClientConfig(e);
});
export type EndpointArgs = Infer<typeof EndpointBlock>;

const Wal = schema(
  {
    enabled: attr(t.bool, false),
    max_segment_age: attr(t.duration, '1h'),
    min_read_frequency: attr(t.duration, '250ms'),
    max_read_frequency: attr(t.duration, '1s'),
    drain_timeout: attr(t.duration, '30s'),
  },
  (w) => (w.min_read_frequency >= w.max_read_frequency ? 'WAL min read frequency should be lower than max read frequency' : undefined),
);

const Arguments = schema({
  endpoint: blocks(EndpointBlock),
  external_labels: attr(t.map(t.string), {}),
  max_streams: attr(t.int, 0),
  wal: defaultedBlock(Wal),
});
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: attr(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)) });
export type Exports = Infer<typeof Exports>;

export const lokiWrite = defineComponent({
  name: 'loki.write',
  description: 'Sends log entries to Loki with the push API; other components send to its receiver.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    const { buildLokiWrite } = await import('./write/component.js');
    return buildLokiWrite(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(QueueConfig, {
  capacity: 'Bytes of entries buffered per endpoint before sending blocks or drops.',
  min_shards: 'Fewest parallel senders per endpoint.',
  drain_timeout: 'How long sending continues when the component stops.',
  block_on_overflow: 'Wait when the queue is full instead of dropping.',
}, 'The send queue of an endpoint.');
describeSchema(EndpointBlock, {
  ...httpClientFieldDescriptions,
  name: 'Name that tells this endpoint apart in metrics.',
  url: 'Full URL of Loki\'s push endpoint, such as http://host:3100/loki/api/v1/push.',
  batch_wait: 'Longest wait before a batch that is not full is sent.',
  batch_size: 'Largest batch in bytes before it is sent.',
  remote_timeout: 'Timeout of one push request.',
  headers: 'Extra headers sent with every push request.',
  min_backoff_period: 'First wait before retrying a failed request.',
  max_backoff_period: 'Longest wait between retries.',
  max_backoff_retries: 'How many times a failed request is retried.',
  tenant_id: 'Tenant sent in the X-Scope-OrgID header.',
  retry_on_http_429: 'Retry requests answered 429 Too Many Requests.',
  queue_config: 'Send queue settings.',
}, 'A Loki server to send entries to.');
describeSchema(Wal, {
  enabled: 'Write entries to a write-ahead log before sending.',
  max_segment_age: 'Age after which a WAL segment is closed.',
  min_read_frequency: 'Shortest wait between reads of the WAL.',
  max_read_frequency: 'Longest wait between reads of the WAL.',
  drain_timeout: 'How long the WAL is drained when the component stops.',
}, 'The write-ahead log (experimental).');
describeSchema(Arguments, {
  endpoint: 'Loki servers to send to.',
  external_labels: 'Labels added to every entry sent.',
  max_streams: 'Most streams held at once (0 means no limit).',
  wal: 'Write-ahead log settings.',
});
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to.',
});
