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
import { attr, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
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
