/**
 * otelcol.receiver.otlp: OTLP over gRPC and HTTP (protobuf and JSON, gzip),
 * forwarding traces, metrics and logs to the `output` consumers. A request is
 * answered once every consumer accepted its data; a refusal is answered with
 * OTLP's status for it (receiver-otlp/ingest.ts). grpc-js and the protobuf
 * definitions load only when a config uses this component.
 *
 * Arguments and defaults: grafana/alloy
 * internal/component/otelcol/receiver/otlp/otlp.go and
 * internal/component/otelcol/config_grpc.go, config_http.go.
 */
import { describeSchema, attr, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { handlerType } from './config/auth.js';
import { TlsServerBlock } from './config/tls.js';
import { DebugMetricsBlock, notSupported } from './config/unsupported.js';
import { outputField, type Output } from './pdata/consumer.js';
import type { RunningServer } from './receiver-otlp/ingest.js';

const EnforcementPolicy = schema({
  min_time: attr(t.duration, '5m'),
  permit_without_stream: attr(t.bool, false),
});

const ServerParameters = schema({
  max_connection_idle: optional(t.duration),
  max_connection_age: optional(t.duration),
  max_connection_age_grace: optional(t.duration),
  time: attr(t.duration, '2h'),
  timeout: attr(t.duration, '20s'),
});

const Keepalive = schema({
  server_parameters: optionalBlock(ServerParameters),
  enforcement_policy: optionalBlock(EnforcementPolicy),
});

const GrpcBlock = schema({
  // Alloy listens on every interface (0.0.0.0); alloy-ts on loopback unless told otherwise (README).
  endpoint: attr(t.string, '127.0.0.1:4317'),
  transport: attr(t.oneOf('tcp', 'unix'), 'tcp'),
  tls: optionalBlock(TlsServerBlock),
  max_recv_msg_size: attr(t.bytes, '4MiB'),
  max_concurrent_streams: optional(t.int),
  read_buffer_size: notSupported('grpc.read_buffer_size'),
  write_buffer_size: notSupported('grpc.write_buffer_size'),
  include_metadata: attr(t.bool, false),
  auth: optional(handlerType),
  keepalive: optionalBlock(Keepalive),
});
export type GrpcArgs = Infer<typeof GrpcBlock>;

const CorsBlock = schema({
  allowed_origins: attr(t.list(t.string), []),
  allowed_headers: attr(t.list(t.string), ['X-Requested-With']),
  exposed_headers: attr(t.list(t.string), []),
  max_age: optional(t.int),
});

/** Compressions OTLP/HTTP requests may use here (Alloy also lists zstd, snappy, lz4). */
export const HTTP_COMPRESSIONS = ['', 'gzip', 'zlib', 'deflate'] as const;

const HttpBlock = schema({
  endpoint: attr(t.string, '127.0.0.1:4318'),
  tls: optionalBlock(TlsServerBlock),
  cors: optionalBlock(CorsBlock),
  max_request_body_size: attr(t.bytes, '20MiB'),
  include_metadata: attr(t.bool, false),
  auth: optional(handlerType),
  traces_url_path: attr(t.string, '/v1/traces'),
  metrics_url_path: attr(t.string, '/v1/metrics'),
  logs_url_path: attr(t.string, '/v1/logs'),
  compression_algorithms: optional(
    t.list(
      t.checked('string', (s) => {
        if (!(HTTP_COMPRESSIONS as readonly string[]).includes(s)) throw new Error(`compression algorithm ${JSON.stringify(s)} is not supported by alloy-ts (supported: "", "gzip", "zlib", "deflate")`);
      }),
    ),
  ),
  keep_alives_enabled: attr(t.bool, true),
  idle_timeout: attr(t.duration, '1m'),
  read_header_timeout: attr(t.duration, '1m'),
  read_timeout: optional(t.duration),
  write_timeout: notSupported('http.write_timeout'),
});
export type HttpArgs = Infer<typeof HttpBlock>;
export type CorsArgs = Infer<typeof CorsBlock>;

const Arguments = schema({
  grpc: optionalBlock(GrpcBlock),
  http: optionalBlock(HttpBlock),
  output: outputField,
  debug_metrics: optionalBlock(DebugMetricsBlock),
});
type Arguments = Infer<typeof Arguments>;

export const otelcolReceiverOtlp = defineComponent({
  name: 'otelcol.receiver.otlp',
  description: 'Accepts OTLP traces, metrics and logs over gRPC and HTTP and passes them to other otelcol components.',
  stability: 'generally-available',
  args: Arguments,
  liveDebugging: true,
  async build(ctx, initial) {
    const { startServers, Ingest } = await import('./receiver-otlp/ingest.js');
    let args = initial;
    const ingest = new Ingest(ctx, () => args.output as Output);
    let servers: RunningServer[] = await startServers(ingest, args.grpc, args.http);
    return {
      async update(next: Arguments) {
        const restart = serverKey(next) !== serverKey(args);
        args = next;
        if (!restart) return;
        await Promise.all(servers.map((s) => s.close()));
        servers = [];
        servers = await startServers(ingest, args.grpc, args.http);
      },
      async run(signal) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        await Promise.all(servers.map((s) => s.close()));
      },
      debugInfo: () => ({ listening: servers.map((s) => s.address) }),
    };
  },
});

/** What the servers are built from (the output is read per request). */
function serverKey(a: Arguments): string {
  return JSON.stringify([a.grpc, a.http], (k, v: unknown) => (k === 'auth' && v && typeof v === 'object' ? (v as { componentId: string }).componentId : v));
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(EnforcementPolicy, {
  min_time: 'Shortest interval between client keepalive pings.',
  permit_without_stream: 'Allow keepalive pings when no stream is open.',
}, 'What the server accepts from client keepalive pings.');
describeSchema(ServerParameters, {
  max_connection_idle: 'How long an idle connection stays open.',
  max_connection_age: 'Longest a connection may live.',
  max_connection_age_grace: 'Extra time to finish requests on a connection that reached its age.',
  time: 'Idle time after which the server pings the client.',
  timeout: 'How long the server waits for the ping answer.',
}, 'Keepalive settings of the server.');
describeSchema(Keepalive, {
  server_parameters: 'Keepalive settings of the server.',
  enforcement_policy: 'What the server accepts from client pings.',
}, 'gRPC keepalive settings.');
describeSchema(GrpcBlock, {
  endpoint: 'host:port the gRPC server listens on.',
  transport: 'Network transport: tcp or unix.',
  tls: 'TLS settings of the server.',
  max_recv_msg_size: 'Largest message accepted.',
  max_concurrent_streams: 'Most concurrent streams per connection.',
  read_buffer_size: 'Size of the read buffer of a connection.',
  write_buffer_size: 'Size of the write buffer of a connection.',
  include_metadata: 'Pass request metadata (headers) on with the data.',
  auth: 'Authentication extension (otelcol.auth.*) that checks requests.',
  keepalive: 'gRPC keepalive settings.',
}, 'The OTLP/gRPC server.');
describeSchema(CorsBlock, {
  allowed_origins: 'Origins allowed to make cross-origin requests (wildcards allowed).',
  allowed_headers: 'Request headers allowed in cross-origin requests.',
  exposed_headers: 'Response headers exposed to cross-origin callers.',
  max_age: 'Seconds a preflight answer may be cached.',
}, 'CORS settings for browser clients.');
describeSchema(HttpBlock, {
  endpoint: 'host:port the HTTP server listens on.',
  tls: 'TLS settings of the server.',
  cors: 'CORS settings for browser clients.',
  max_request_body_size: 'Largest request body accepted.',
  include_metadata: 'Pass request metadata (headers) on with the data.',
  auth: 'Authentication extension (otelcol.auth.*) that checks requests.',
  traces_url_path: 'URL path traces are accepted on.',
  metrics_url_path: 'URL path metrics are accepted on.',
  logs_url_path: 'URL path logs are accepted on.',
  compression_algorithms: 'Request body encodings accepted.',
  keep_alives_enabled: 'Whether HTTP keep-alive connections are allowed.',
  idle_timeout: 'How long an idle keep-alive connection stays open.',
  read_header_timeout: 'Longest time to read request headers.',
  read_timeout: 'Longest time to read a whole request.',
  write_timeout: 'Longest time to write a response.',
}, 'The OTLP/HTTP server.');
describeSchema(Arguments, {
  grpc: 'Serve OTLP over gRPC.',
  http: 'Serve OTLP over HTTP.',
});
