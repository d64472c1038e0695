/**
 * otelcol.exporter.otlphttp: sends traces, metrics and logs over OTLP/HTTP
 * (protobuf or JSON, gzip by default) through a bounded sending queue with
 * retries (exporterhelper/).
 *
 * Arguments and defaults: grafana/alloy
 * internal/component/otelcol/exporter/otlphttp/otlphttp.go and
 * config_http.go (HTTPClientArguments).
 */
import { describeSchema, attr, block, defaultedBlock, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { handlerType } from './config/auth.js';
import { TlsClientBlock } from './config/tls.js';
import { DebugMetricsBlock, notSupported, unsupportedBlock } from './config/unsupported.js';
import { queueField, retryField } from './exporterhelper/settings.js';
import { InputExports } from './pdata/consumer.js';
import { SIGNALS } from './pdata/model.js';

export const HTTP_CLIENT_COMPRESSIONS = ['gzip', 'deflate', 'zlib', 'none', ''] as const;

const HttpClient = schema({
  endpoint: attr(t.string),
  proxy_url: optional(t.string),
  compression: attr(
    t.checked('string', (s) => {
      if (!(HTTP_CLIENT_COMPRESSIONS as readonly string[]).includes(s)) throw new Error(`compression ${JSON.stringify(s)} is not supported by alloy-ts (supported: "gzip", "deflate", "zlib", "none")`);
    }),
    'gzip',
  ),
  compression_params: unsupportedBlock('the client > compression_params block'),
  tls: defaultedBlock(TlsClientBlock),
  read_buffer_size: notSupported('client.read_buffer_size'),
  write_buffer_size: notSupported('client.write_buffer_size'),
  timeout: attr(t.duration, '30s'),
  headers: attr(t.map(t.string), {}),
  max_idle_conns: notSupported('client.max_idle_conns'),
  max_idle_conns_per_host: notSupported('client.max_idle_conns_per_host'),
  max_conns_per_host: attr(t.int, 0),
  idle_conn_timeout: attr(t.duration, '90s'),
  disable_keep_alives: attr(t.bool, false),
  http2_read_idle_timeout: notSupported('client.http2_read_idle_timeout'),
  http2_ping_timeout: notSupported('client.http2_ping_timeout'),
  force_attempt_http2: attr(t.bool, true),
  auth: optional(handlerType),
  cookies: unsupportedBlock('the client > cookies block'),
});
export type HttpClientArgs = Infer<typeof HttpClient>;

const Arguments = schema({
  client: block(HttpClient),
  sending_queue: queueField,
  retry_on_failure: retryField,
  debug_metrics: optionalBlock(DebugMetricsBlock),
  traces_endpoint: optional(t.string),
  metrics_endpoint: optional(t.string),
  logs_endpoint: optional(t.string),
  encoding: attr(t.oneOf('proto', 'json'), 'proto'),
});
export type OtlpHttpExporterArgs = Infer<typeof Arguments>;

export const otelcolExporterOtlphttp = defineComponent({
  name: 'otelcol.exporter.otlphttp',
  description: 'Sends traces, metrics and logs to an OTLP endpoint over HTTP.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, args) {
    // The exporter helper (queue, retries, prom-client metrics) loads with the component, not with its declaration.
    const [{ httpTransport }, { exporterInstance }] = await Promise.all([import('./exporter-otlphttp/http-transport.js'), import('./exporterhelper/component.js')]);
    return exporterInstance(ctx, args, SIGNALS, (a) => httpTransport(a, ctx.logger));
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(HttpClient, {
  endpoint: 'Base URL of the OTLP HTTP server; /v1/traces and the like are appended.',
  proxy_url: 'HTTP proxy that requests go through.',
  compression: 'Compression of request bodies: gzip, zstd, snappy, deflate or none.',
  compression_params: 'Settings of the compression, such as its level.',
  tls: 'TLS settings of the connection.',
  read_buffer_size: 'Size of the read buffer of a connection.',
  write_buffer_size: 'Size of the write buffer of a connection.',
  timeout: 'Timeout of one request.',
  headers: 'Extra headers sent with every request.',
  max_idle_conns: 'Most idle connections kept in total.',
  max_idle_conns_per_host: 'Most idle connections kept per host.',
  max_conns_per_host: 'Most connections per host (0 means no limit).',
  idle_conn_timeout: 'How long an idle connection is kept.',
  disable_keep_alives: 'Use a new connection for every request.',
  http2_read_idle_timeout: 'Idle time after which an HTTP/2 connection is health-checked.',
  http2_ping_timeout: 'How long an HTTP/2 health-check ping may take.',
  force_attempt_http2: 'Try HTTP/2 even with a custom TLS setup.',
  auth: 'Authentication extension (otelcol.auth.*) that signs requests.',
  cookies: 'Keep cookies set by the server.',
}, 'The HTTP client settings.');
describeSchema(Arguments, {
  client: 'The HTTP client settings.',
  traces_endpoint: 'Full URL traces are sent to, instead of endpoint + /v1/traces.',
  metrics_endpoint: 'Full URL metrics are sent to, instead of endpoint + /v1/metrics.',
  logs_endpoint: 'Full URL logs are sent to, instead of endpoint + /v1/logs.',
  encoding: 'Body encoding: proto or json.',
});
