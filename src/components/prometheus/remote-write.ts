/**
 * prometheus.remote_write: sends samples to Prometheus remote-write v1
 * endpoints (grafana/alloy internal/component/prometheus/remotewrite/;
 * wire format: Prometheus prompb/remote.proto and prompb/types.proto).
 *
 * Each endpoint has its own queue (remote-write-queue.ts): a batch is handed
 * to every endpoint (from the WAL) and is acknowledged in the log once all of
 * them sent or definitively dropped it; a source's append resolves once the
 * batch is in the log (without the WAL: once delivered). Per endpoint, a series is prepared once and cached
 * by the identity of its label object: external labels added where the
 * series lacks them, write_relabel_config applied, `__*` labels other than
 * `__name__` removed, the rest sorted and protobuf-encoded.
 *
 * Samples go through a write-ahead log under the component's data path
 * (remote-write/durable.ts), on by default as in Alloy.
 *
 * Not supported: remote-write v2, exemplars and native histograms (not produced upstream),
 * sigv4 / azuread / google_iam authentication.
 */
import { describeSchema, attr, blocks, defaultedBlock, optional, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { httpClientFieldDescriptions, httpClientFields, isReservedHeader, validateHttpClientConfig } from '../common/http-client.js';
import { metricsReceiverType } from '../common/metric-samples.js';
import { RuleBlock } from '../relabel/rules.js';

const QueueConfig = schema(
  {
    capacity: attr(t.int, 10_000),
    min_shards: attr(t.int, 1),
    max_shards: attr(t.int, 50),
    max_samples_per_send: attr(t.int, 2000),
    batch_send_deadline: attr(t.duration, '5s'),
    min_backoff: attr(t.duration, '30ms'),
    max_backoff: attr(t.duration, '5s'),
    retry_on_http_429: attr(t.bool, true),
    sample_age_limit: attr(t.duration, '0s'),
  },
  (q) => {
    if (q.max_samples_per_send <= 0) return 'max_samples_per_send must be greater than 0';
    if (q.capacity <= 0 || q.min_shards <= 0 || q.max_shards <= 0) return 'capacity, min_shards and max_shards must be greater than 0';
    if (q.min_shards > q.max_shards) return 'min_shards must not be greater than max_shards';
    return undefined;
  },
);

const MetadataConfig = schema({
  send: attr(t.bool, true),
  send_interval: attr(t.duration, '1m'),
  max_samples_per_send: attr(t.int, 2000),
});

const V1_MESSAGE = 'prometheus.WriteRequest';

const endpointFields = {
  name: optional(t.string),
  url: attr(t.string),
  remote_timeout: attr(t.duration, '30s'),
  headers: optional(t.map(t.string)),
  send_exemplars: attr(t.bool, true),
  send_native_histograms: attr(t.bool, false),
  round_robin_dns: attr(t.bool, false),
  protobuf_message: attr(t.oneOf(V1_MESSAGE, 'io.prometheus.write.v2.Request'), V1_MESSAGE),
  ...httpClientFields,
  // Remote write does not use HTTP/2 unless asked to.
  enable_http2: attr(t.bool, false),
  queue_config: defaultedBlock(QueueConfig),
  metadata_config: defaultedBlock(MetadataConfig),
  write_relabel_config: blocks(RuleBlock),
};

const EndpointBlock = schema(endpointFields, (e) => {
  if (!URL.canParse(e.url)) return `invalid remote write url ${JSON.stringify(e.url)}`;
  if (e.protobuf_message !== V1_MESSAGE) return `alloy-ts sends only ${V1_MESSAGE} (remote write v1)`;
  const reserved = Object.keys(e.headers ?? {}).find(isReservedHeader);
  if (reserved) return `${reserved} is a reserved header. It must not be changed`;
  return validateHttpClientConfig(e);
});
export type EndpointArgs = Infer<typeof EndpointBlock>;

const Wal = schema({
  truncate_frequency: attr(t.duration, '2h'),
  min_keepalive_time: attr(t.duration, '5m'),
  max_keepalive_time: attr(t.duration, '8h'),
});

const Arguments = schema({
  external_labels: optional(t.map(t.string)),
  endpoint: blocks(EndpointBlock),
  wal: defaultedBlock(Wal),
});
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: attr(metricsReceiverType) });
export type Exports = Infer<typeof Exports>;

export const prometheusRemoteWrite = defineComponent({
  name: 'prometheus.remote_write',
  description: 'Sends metric samples to endpoints with the Prometheus remote-write protocol, through a write-ahead log.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    const { buildRemoteWrite } = await import('./remote-write/component.js');
    return buildRemoteWrite(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(QueueConfig, {
  capacity: 'Samples buffered per shard before reading the WAL pauses.',
  min_shards: 'Fewest parallel senders.',
  max_shards: 'Most parallel senders.',
  max_samples_per_send: 'Largest number of samples in one request.',
  batch_send_deadline: 'Longest wait before a request that is not full is sent.',
  min_backoff: 'First wait before retrying a failed request.',
  max_backoff: 'Longest wait between retries.',
  retry_on_http_429: 'Retry requests answered 429 Too Many Requests.',
  sample_age_limit: 'Drop samples older than this instead of sending them (0 keeps all).',
}, 'How samples are queued and sharded before sending.');
describeSchema(MetadataConfig, {
  send: 'Whether metric metadata is sent.',
  send_interval: 'How often metadata is sent.',
  max_samples_per_send: 'Most metadata entries in one request.',
}, 'Sending of metric metadata.');
describeSchema(EndpointBlock, {
  ...httpClientFieldDescriptions,
  name: 'Name that tells this endpoint apart in metrics.',
  url: 'Full URL of the remote-write endpoint.',
  remote_timeout: 'Timeout of one request.',
  headers: 'Extra headers sent with every request.',
  send_exemplars: 'Whether exemplars are sent.',
  send_native_histograms: 'Whether native histograms are sent.',
  round_robin_dns: 'Spread connections over all addresses the host name resolves to.',
  protobuf_message: 'Remote-write message type: prometheus.WriteRequest (v1) or io.prometheus.write.v2.Request.',
  enable_http2: 'Whether HTTP/2 may be used (off by default for remote write).',
  queue_config: 'Queue and sharding settings.',
  metadata_config: 'Metadata sending settings.',
  write_relabel_config: 'Relabeling rules applied to samples before they are sent here.',
}, 'A remote-write endpoint to send samples to.');
describeSchema(Wal, {
  truncate_frequency: 'How often the WAL is truncated.',
  min_keepalive_time: 'Shortest time data stays in the WAL before it may be removed.',
  max_keepalive_time: 'Longest time data stays in the WAL when it cannot be sent.',
}, 'Write-ahead log settings.');
describeSchema(Arguments, {
  external_labels: 'Labels added to every sample sent.',
  endpoint: 'Endpoints to send to.',
  wal: 'Write-ahead log settings.',
});
describeSchema(Exports, {
  receiver: 'Receiver that samples are sent to.',
});
