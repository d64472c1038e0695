/**
 * Argument shapes of the loki.* and discovery.relabel components the
 * converters write, in the field order and with the defaults of Alloy's Go
 * structs (grafana/alloy internal/component/loki/…).
 */
import { attr, block, Bytes, Duration, enumBlocks, squash, struct, type StructShape } from '../builder.js';
import { HTTP_CLIENT_CONFIG, RELABEL_RULE, TLS_CONFIG } from './common.js';

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);
const MiB = 1024 * 1024;

export const LOKI_WRITE_QUEUE = struct([attr('capacity'), attr('min_shards'), attr('drain_timeout'), attr('block_on_overflow')], {
  capacity: new Bytes(10 * MiB),
  min_shards: 1,
  drain_timeout: secs(15),
  block_on_overflow: true,
});

export const LOKI_WRITE_ENDPOINT = struct(
  [
    attr('name'),
    attr('url', false),
    attr('batch_wait'),
    attr('batch_size'),
    attr('remote_timeout'),
    attr('headers'),
    attr('min_backoff_period'),
    attr('max_backoff_period'),
    attr('max_backoff_retries'),
    attr('tenant_id'),
    attr('retry_on_http_429'),
    squash(HTTP_CLIENT_CONFIG),
    block('queue_config', LOKI_WRITE_QUEUE),
  ],
  {
    batch_wait: secs(1),
    batch_size: new Bytes(MiB),
    remote_timeout: secs(10),
    min_backoff_period: Duration.ms(500),
    max_backoff_period: secs(300),
    max_backoff_retries: 10,
    retry_on_http_429: true,
    follow_redirects: true,
    enable_http2: true,
    queue_config: { capacity: new Bytes(10 * MiB), min_shards: 1, drain_timeout: secs(15), block_on_overflow: true },
  },
);

export const LOKI_WRITE = struct([
  block('endpoint', LOKI_WRITE_ENDPOINT),
  attr('external_labels'),
  attr('max_streams'),
  block(
    'wal',
    struct([attr('enabled'), attr('max_segment_age'), attr('min_read_frequency'), attr('max_read_frequency'), attr('drain_timeout')]),
  ),
]);

export const LOKI_SOURCE_FILE = struct(
  [
    attr('targets', false),
    attr('forward_to', false),
    attr('encoding'),
    block('decompression', struct([attr('enabled', false), attr('initial_delay'), attr('format', false)])),
    block('file_watch', struct([attr('min_poll_frequency'), attr('max_poll_frequency')], { min_poll_frequency: Duration.ms(250), max_poll_frequency: Duration.ms(250) })),
    block('file_match', struct([attr('enabled'), attr('sync_period'), attr('ignore_older_than')], { sync_period: secs(10) })),
    attr('tail_from_end'),
    attr('legacy_positions_file'),
    attr('on_positions_file_error'),
  ],
  {
    file_watch: { min_poll_frequency: Duration.ms(250), max_poll_frequency: Duration.ms(250) },
    file_match: { enabled: false, sync_period: secs(10) },
    on_positions_file_error: 'restart_from_beginning',
  },
);

export const RULE_BLOCK = block('rule', RELABEL_RULE);

export const LOKI_RELABEL = struct([attr('forward_to', false), RULE_BLOCK, attr('max_cache_size')], { max_cache_size: 10_000 });

export const DISCOVERY_RELABEL = struct([attr('targets', false), RULE_BLOCK]);

// ---------------------------------------------------------------------------
// loki.process stages (internal/component/loki/process/stages)

const METRIC_COMMON = [attr('name', false), attr('description'), attr('source'), attr('prefix'), attr('max_idle_duration'), attr('value')];
const METRIC_DEFAULTS = { max_idle_duration: secs(300) };

const METRICS = struct([
  enumBlocks(
    'metric',
    struct([
      block('counter', struct([...METRIC_COMMON, attr('action', false), attr('match_all'), attr('count_entry_bytes')], METRIC_DEFAULTS)),
      block('gauge', struct([...METRIC_COMMON, attr('action', false)], METRIC_DEFAULTS)),
      block('histogram', struct([...METRIC_COMMON, attr('buckets', false)], METRIC_DEFAULTS)),
    ]),
  ),
]);

const SOURCE_ONLY = (...names: string[]) => struct(names.map((n) => attr(n)));

/** Built lazily: match stages nest the stage list. */
function stageShapes(stage: StructShape): StructShape {
  return struct([
    block('cri', struct([attr('max_partial_lines'), attr('max_partial_line_size'), attr('max_partial_line_size_truncate')], { max_partial_lines: 100 })),
    block('decolorize', struct([])),
    block('docker', struct([])),
    block(
      'drop',
      struct([attr('drop_counter_reason'), attr('source'), attr('value'), attr('separator'), attr('expression'), attr('older_than'), attr('longer_than')]),
    ),
    block('eventlogmessage', struct([attr('source'), attr('drop_invalid_labels'), attr('overwrite_existing')], { source: 'message' })),
    block('geoip', struct([attr('db', false), attr('source', false), attr('db_type'), attr('custom_lookups')])),
    block('json', struct([attr('expressions'), attr('regex'), attr('source'), attr('drop_malformed')])),
    block('label_keep', struct([attr('values', false)])),
    block('label_drop', struct([attr('values', false)])),
    block('labels', struct([attr('values', false), attr('source_type')])),
    block('limit', struct([attr('rate', false), attr('burst', false), attr('drop'), attr('by_label_name'), attr('max_distinct_labels')])),
    block('logfmt', struct([attr('mapping'), attr('source'), attr('regex')])),
    block('luhn', SOURCE_ONLY('replacement', 'source', 'min_length', 'delimiters', 'skip_regex')),
    block(
      'match',
      struct([attr('selector', false), { name: 'stage', kind: 'enum', optional: true, shape: stage }, attr('action'), attr('pipeline_name'), attr('drop_counter_reason')]),
    ),
    block('metrics', METRICS),
    block('multiline', struct([attr('firstline', false), attr('max_lines'), attr('max_wait_time'), attr('trim_newlines')], { max_lines: 128, max_wait_time: secs(3), trim_newlines: true })),
    block('output', struct([attr('source', false)])),
    block('pack', struct([attr('labels', false), attr('ingest_timestamp')], { ingest_timestamp: true })),
    block('pattern', struct([attr('pattern', false), attr('source'), attr('labels_from_groups')])),
    block('regex', struct([attr('expression', false), attr('source'), attr('labels_from_groups')])),
    block('replace', struct([attr('expression', false), attr('source'), attr('replace')])),
    block('split_json', struct([attr('source')])),
    block('static_labels', struct([attr('values', false)])),
    block('structured_metadata', struct([attr('values'), attr('regex')])),
    block('structured_metadata_drop', struct([attr('values', false)])),
    block('sampling', struct([attr('drop_counter_reason'), attr('rate', false)], { drop_counter_reason: 'sampling_stage' })),
    block('template', struct([attr('source', false), attr('template', false)])),
    block('tenant', struct([attr('label'), attr('source'), attr('value')])),
    block('truncate', struct([block('rule', struct([attr('limit', false), attr('suffix'), attr('sources'), attr('source_type')], { source_type: 'line' }), false)])),
    block(
      'timestamp',
      struct([attr('source', false), attr('format', false), attr('fallback_formats'), attr('location'), attr('action_on_failure'), attr('action_on_duplicate_timestamp')]),
    ),
    block('windowsevent', struct([attr('source'), attr('drop_invalid_labels'), attr('overwrite_existing')], { source: 'Data' })),
  ]);
}

/** One stage: an object with a single key, the stage's name. */
export const STAGE: StructShape = (() => {
  const fields: StructShape['fields'][number][] = [];
  const shape: StructShape = { fields };
  fields.push(...stageShapes(shape).fields);
  return shape;
})();

export const LOKI_PROCESS = struct([attr('forward_to', false), enumBlocks('stage', STAGE)]);

export const SD_TLS_CONFIG = TLS_CONFIG;
