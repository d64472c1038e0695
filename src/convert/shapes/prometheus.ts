/**
 * Argument shapes of prometheus.scrape, prometheus.relabel and
 * prometheus.remote_write as Alloy's Go structs declare them (grafana/alloy
 * internal/component/prometheus/…), field order and defaults.
 */
import { attr, block, Duration, pointerBlock, squash, struct } from '../builder.js';
import { HTTP_CLIENT_CONFIG, RELABEL_RULE } from './common.js';

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);

export const DEFAULT_SCRAPE_PROTOCOLS = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];

export const PROMETHEUS_SCRAPE = struct(
  [
    attr('targets', false),
    attr('forward_to', false),
    attr('job_name'),
    attr('honor_labels'),
    attr('honor_timestamps'),
    attr('track_timestamps_staleness'),
    attr('params'),
    attr('scrape_classic_histograms'),
    attr('scrape_native_histograms'),
    attr('scrape_failure_log_file'),
    attr('scrape_interval'),
    attr('scrape_timeout'),
    attr('scrape_protocols'),
    attr('metrics_path'),
    attr('scheme'),
    attr('body_size_limit'),
    attr('sample_limit'),
    attr('target_limit'),
    attr('label_limit'),
    attr('label_name_length_limit'),
    attr('label_value_length_limit'),
    squash(HTTP_CLIENT_CONFIG),
    attr('extra_metrics'),
    attr('enable_protobuf_negotiation'),
    attr('metric_name_validation_scheme'),
    attr('metric_name_escaping_scheme'),
    attr('scrape_fallback_protocol'),
    attr('convert_classic_histograms_to_nhcb'),
    attr('enable_compression'),
    attr('native_histogram_bucket_limit'),
    attr('native_histogram_min_bucket_factor'),
    attr('honor_metadata'),
    attr('enable_type_and_unit_labels'),
    attr('start_timestamp_zero_ingestion'),
    block('clustering', struct([attr('enabled', false)])),
  ],
  {
    metrics_path: '/metrics',
    scheme: 'http',
    honor_timestamps: true,
    follow_redirects: true,
    enable_http2: true,
    scrape_interval: secs(60),
    scrape_timeout: secs(10),
    scrape_protocols: DEFAULT_SCRAPE_PROTOCOLS,
    scrape_fallback_protocol: 'PrometheusText0.0.4',
    metric_name_validation_scheme: 'legacy',
    enable_compression: true,
  },
);

export const PROMETHEUS_RELABEL = struct([attr('forward_to', false), block('rule', RELABEL_RULE), attr('max_cache_size'), attr('cache_ttl')], {
  max_cache_size: 100_000,
});

export const QUEUE_DEFAULTS = {
  capacity: 10000,
  max_shards: 50,
  min_shards: 1,
  max_samples_per_send: 2000,
  batch_send_deadline: secs(5),
  min_backoff: Duration.ms(30),
  max_backoff: secs(5),
  retry_on_http_429: true,
  sample_age_limit: new Duration(0n),
};

export const METADATA_DEFAULTS = { send: true, send_interval: secs(60), max_samples_per_send: 2000 };

const REMOTE_WRITE_ENDPOINT = struct(
  [
    attr('name'),
    attr('url', false),
    attr('remote_timeout'),
    attr('headers'),
    attr('send_exemplars'),
    attr('send_native_histograms'),
    attr('protobuf_message'),
    squash(HTTP_CLIENT_CONFIG),
    pointerBlock(
      'queue_config',
      struct(
        [
          attr('capacity'),
          attr('max_shards'),
          attr('min_shards'),
          attr('max_samples_per_send'),
          attr('batch_send_deadline'),
          attr('min_backoff'),
          attr('max_backoff'),
          attr('retry_on_http_429'),
          attr('sample_age_limit'),
        ],
        QUEUE_DEFAULTS,
      ),
    ),
    pointerBlock('metadata_config', struct([attr('send'), attr('send_interval'), attr('max_samples_per_send')], METADATA_DEFAULTS)),
    block('write_relabel_config', RELABEL_RULE),
    pointerBlock(
      'sigv4',
      struct([
        attr('region'),
        attr('access_key'),
        attr('secret_key'),
        attr('profile'),
        attr('role_arn'),
        attr('external_id'),
        attr('use_fips_sts_endpoint'),
        attr('service_name'),
      ]),
    ),
    pointerBlock(
      'azuread',
      struct(
        [
          block('managed_identity', struct([attr('client_id', false)])),
          block('workload_identity', struct([attr('client_id', false), attr('tenant_id', false), attr('token_file_path')])),
          block('oauth', struct([attr('client_id', false), attr('client_secret', false), attr('tenant_id', false)])),
          block('sdk', struct([attr('tenant_id', false)])),
          attr('cloud'),
          attr('scope'),
        ],
        { cloud: 'AzurePublic' },
      ),
    ),
    pointerBlock('google_iam', struct([attr('credentials_file')])),
    attr('round_robin_dns'),
  ],
  {
    remote_timeout: secs(30),
    send_exemplars: true,
    protobuf_message: 'prometheus.WriteRequest',
    follow_redirects: true,
    enable_http2: false,
  },
);

export const PROMETHEUS_REMOTE_WRITE = struct(
  [
    attr('external_labels'),
    block('endpoint', REMOTE_WRITE_ENDPOINT),
    block('wal', struct([attr('truncate_frequency'), attr('min_keepalive_time'), attr('max_keepalive_time')])),
  ],
  { wal: { truncate_frequency: secs(7200), min_keepalive_time: secs(300), max_keepalive_time: secs(8 * 3600) } },
);
