/**
 * Argument shapes of the loki.source.* components the Promtail converter
 * writes (grafana/alloy internal/component/loki/source/… and
 * internal/component/common/net/config.go), Go field order and defaults.
 */
import { attr, block, Bytes, Duration, squash, struct } from '../builder.js';
import { HTTP_CLIENT_CONFIG, TLS_CONFIG } from './common.js';

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);
const INFINITY = new Duration((1n << 63n) - 1n);

const SERVER_TLS = struct([
  attr('cert_pem'),
  attr('key_pem'),
  attr('cert_file'),
  attr('key_file'),
  attr('client_auth_type'),
  attr('client_ca_file'),
  attr('client_ca'),
  attr('cipher_suites'),
  attr('min_version'),
]);

const HTTP2 = struct([
  attr('enabled'),
  attr('max_handlers'),
  attr('max_concurrent_streams'),
  attr('max_decoder_header_table_size'),
  attr('max_encoder_header_table_size'),
  attr('max_read_frame_size'),
  attr('permit_prohibited_ciphers'),
  attr('idle_timeout'),
  attr('read_idle_timeout'),
  attr('ping_timeout'),
  attr('write_byte_timeout'),
  attr('max_upload_buffer_per_connection'),
  attr('max_upload_buffer_per_stream'),
]);

const HTTP_SERVER = struct([
  attr('listen_address'),
  attr('listen_port'),
  attr('conn_limit'),
  attr('server_read_timeout'),
  attr('server_write_timeout'),
  attr('server_idle_timeout'),
  block('tls', SERVER_TLS),
  block('http2', HTTP2),
]);

const GRPC_SERVER = struct([
  attr('listen_address'),
  attr('listen_port'),
  attr('conn_limit'),
  attr('max_connection_age'),
  attr('max_connection_age_grace'),
  attr('max_connection_idle'),
  attr('server_max_recv_msg_size'),
  attr('server_max_send_msg_size'),
  attr('server_max_concurrent_streams'),
  block('tls', SERVER_TLS),
]);

/** fnet.DefaultServerConfig(), as the enclosing components' SetToDefault uses it. */
export const DEFAULT_SERVER = {
  http: {
    listen_address: '',
    listen_port: 8080,
    conn_limit: 0,
    server_read_timeout: secs(30),
    server_write_timeout: secs(30),
    server_idle_timeout: secs(120),
    http2: {
      enabled: false,
      max_concurrent_streams: 100,
      max_decoder_header_table_size: 4096,
      max_encoder_header_table_size: 4096,
      ping_timeout: secs(15),
    },
  },
  grpc: {
    listen_address: '',
    listen_port: 0,
    conn_limit: 0,
    max_connection_age: INFINITY,
    max_connection_age_grace: INFINITY,
    max_connection_idle: INFINITY,
    server_max_recv_msg_size: 4 * 1024 * 1024,
    server_max_send_msg_size: 4 * 1024 * 1024,
    server_max_concurrent_streams: 100,
  },
  graceful_shutdown_timeout: secs(30),
};

const SERVER = struct([block('http', HTTP_SERVER), block('grpc', GRPC_SERVER), attr('graceful_shutdown_timeout')]);

export const LOKI_SOURCE_API = struct(
  [squash(SERVER), attr('forward_to', false), attr('labels'), attr('relabel_rules'), attr('use_incoming_timestamp'), attr('max_send_message_size')],
  { ...DEFAULT_SERVER, max_send_message_size: new Bytes(100 * 1024 * 1024) },
);

export const LOKI_SOURCE_HEROKU = struct(
  [squash(SERVER), attr('labels'), attr('use_incoming_timestamp'), attr('forward_to', false), attr('relabel_rules')],
  { ...DEFAULT_SERVER },
);

export const LOKI_SOURCE_JOURNAL = struct(
  [
    attr('format_as_json'),
    attr('max_age'),
    attr('path'),
    attr('relabel_rules'),
    attr('matches'),
    attr('forward_to', false),
    attr('labels'),
    block('legacy_position', struct([attr('file', false), attr('name', false)])),
  ],
  { max_age: secs(7 * 3600) },
);

export const SYSLOG_LISTENER = struct(
  [
    attr('address', false),
    attr('protocol'),
    attr('idle_timeout'),
    attr('label_structured_data'),
    attr('labels'),
    attr('use_incoming_timestamp'),
    attr('use_rfc5424_message'),
    attr('rfc3164_default_to_current_year'),
    attr('rfc5424_allow_empty_msg'),
    attr('max_message_length'),
    block('tls_config', TLS_CONFIG),
    attr('syslog_format'),
    block('raw_format_options', struct([attr('use_null_terminator_delimiter')])),
    block(
      'rfc3164_cisco_components',
      struct([attr('enable_all'), attr('message_counter'), attr('sequence_number'), attr('hostname'), attr('second_fractions')]),
    ),
    attr('udp_queue_size'),
    attr('udp_host_cache_size'),
  ],
  {
    protocol: 'tcp',
    idle_timeout: secs(120),
    max_message_length: 8192,
    syslog_format: 'rfc5424',
    udp_queue_size: 1000,
    udp_host_cache_size: 1000,
  },
);

export const LOKI_SOURCE_SYSLOG = struct([block('listener', SYSLOG_LISTENER, false), attr('forward_to', false), attr('relabel_rules')]);

export const LOKI_SOURCE_DOCKER = struct(
  [
    attr('host', false),
    attr('targets', false),
    attr('forward_to', false),
    attr('labels'),
    attr('relabel_rules'),
    block('http_client_config', HTTP_CLIENT_CONFIG),
    attr('refresh_interval'),
  ],
  { refresh_interval: secs(60), http_client_config: { follow_redirects: true, enable_http2: true } },
);

export const LOKI_SOURCE_GCPLOG = struct([
  block(
    'pull',
    struct(
      [
        attr('project_id', false),
        attr('subscription', false),
        attr('labels'),
        attr('use_incoming_timestamp'),
        attr('use_full_line'),
        block('limit', struct([attr('max_outstanding_bytes'), attr('max_outstanding_messages')], { max_outstanding_bytes: new Bytes(1024 ** 3), max_outstanding_messages: 1000 })),
      ],
      { limit: { max_outstanding_bytes: new Bytes(1024 ** 3), max_outstanding_messages: 1000 } },
    ),
  ),
  block(
    'push',
    struct([squash(SERVER), attr('push_timeout'), attr('labels'), attr('use_incoming_timestamp'), attr('use_full_line')], { ...DEFAULT_SERVER }),
  ),
  attr('forward_to', false),
  attr('relabel_rules'),
]);

export const LOKI_SOURCE_GELF = struct([attr('listen_address'), attr('use_incoming_timestamp'), attr('relabel_rules'), attr('forward_to', false)], {
  listen_address: '0.0.0.0:12201',
});

export const LOKI_SOURCE_CLOUDFLARE = struct(
  [
    attr('api_token', false),
    attr('zone_id', false),
    attr('labels'),
    attr('workers'),
    attr('pull_range'),
    attr('fields_type'),
    attr('additional_fields'),
    attr('forward_to', false),
  ],
  { workers: 3, pull_range: secs(60), fields_type: 'default' },
);

const KAFKA_TLS = block('tls_config', TLS_CONFIG);

export const LOKI_SOURCE_KAFKA = struct(
  [
    attr('brokers', false),
    attr('topics', false),
    attr('group_id'),
    attr('assignor'),
    attr('version'),
    block(
      'authentication',
      struct([
        attr('type'),
        KAFKA_TLS,
        block(
          'sasl_config',
          struct([attr('mechanism'), attr('user'), attr('password'), attr('use_tls'), KAFKA_TLS, block('oauth_config', struct([attr('token_provider', false), attr('scopes', false)]))]),
        ),
      ]),
    ),
    attr('use_incoming_timestamp'),
    attr('labels'),
    attr('forward_to', false),
    attr('relabel_rules'),
  ],
  {
    group_id: 'loki.source.kafka',
    assignor: 'range',
    version: '2.2.1',
    authentication: { type: 'none', sasl_config: { mechanism: 'PLAIN' } },
  },
);

export const LOKI_SOURCE_AZURE_EVENT_HUBS = struct(
  [
    attr('fully_qualified_namespace', false),
    attr('event_hubs', false),
    block('authentication', struct([attr('mechanism', false), attr('scopes'), attr('connection_string')]), false),
    attr('group_id'),
    attr('use_incoming_timestamp'),
    attr('disallow_custom_messages'),
    attr('relabel_rules'),
    attr('labels'),
    attr('assignor'),
    attr('forward_to', false),
  ],
  { group_id: 'loki.source.azure_event_hubs', labels: { job: 'loki.source.azure_event_hubs' }, assignor: 'range' },
);

export const DISCOVERY_CONSULAGENT = struct(
  [
    attr('server'),
    attr('token'),
    attr('datacenter'),
    attr('tag_separator'),
    attr('scheme'),
    attr('username'),
    attr('password'),
    attr('refresh_interval'),
    attr('services'),
    attr('tags'),
    block('tls_config', TLS_CONFIG),
  ],
  { server: 'localhost:8500', tag_separator: ',', scheme: 'http', refresh_interval: secs(30) },
);
