/**
 * otelcol.exporter.otlp: sends traces, metrics and logs over OTLP/gRPC
 * through a bounded sending queue with retries (exporterhelper/). grpc-js
 * loads only when a config uses this component.
 *
 * Arguments and defaults: grafana/alloy
 * internal/component/otelcol/exporter/otlp/otlp.go and config_grpc.go
 * (GRPCClientArguments).
 */
import { describeSchema, attr, block, defaultedBlock, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { handlerType } from './config/auth.js';
import { TlsClientBlock } from './config/tls.js';
import { DebugMetricsBlock, notSupported } from './config/unsupported.js';
import { queueField, retryField } from './exporterhelper/settings.js';
import { InputExports } from './pdata/consumer.js';
import { SIGNALS } from './pdata/model.js';

/** Compressions grpc-js can send (Alloy also accepts zstd and snappy). */
export const GRPC_COMPRESSIONS = ['gzip', 'deflate', 'none', ''] as const;

const KeepaliveClient = schema({
  ping_wait: optional(t.duration),
  ping_response_timeout: optional(t.duration),
  ping_without_stream: attr(t.bool, false),
});

const GrpcClient = schema({
  endpoint: attr(t.string),
  compression: attr(
    t.checked('string', (s) => {
      if (!(GRPC_COMPRESSIONS as readonly string[]).includes(s)) throw new Error(`compression ${JSON.stringify(s)} is not supported by alloy-ts for gRPC (supported: "gzip", "deflate", "none")`);
    }),
    'gzip',
  ),
  tls: defaultedBlock(TlsClientBlock),
  keepalive: optionalBlock(KeepaliveClient),
  read_buffer_size: notSupported('client.read_buffer_size'),
  write_buffer_size: notSupported('client.write_buffer_size'),
  wait_for_ready: attr(t.bool, false),
  headers: attr(t.map(t.string), {}),
  balancer_name: attr(t.oneOf('round_robin', 'pick_first'), 'round_robin'),
  authority: optional(t.string),
  auth: optional(handlerType),
});
export type GrpcClientArgs = Infer<typeof GrpcClient>;

const Arguments = schema({
  timeout: attr(t.duration, '5s'),
  client: block(GrpcClient),
  sending_queue: queueField,
  retry_on_failure: retryField,
  debug_metrics: optionalBlock(DebugMetricsBlock),
});
export type OtlpExporterArgs = Infer<typeof Arguments>;

export const otelcolExporterOtlp = defineComponent({
  name: 'otelcol.exporter.otlp',
  description: 'Sends traces, metrics and logs to an OTLP endpoint over gRPC.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, args) {
    // The exporter helper (queue, retries, prom-client metrics) loads with the component, not with its declaration.
    const [{ grpcTransport }, { exporterInstance }] = await Promise.all([import('./exporter-otlp/grpc-transport.js'), import('./exporterhelper/component.js')]);
    return exporterInstance(ctx, args, SIGNALS, (a) => grpcTransport(a, ctx.logger));
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(KeepaliveClient, {
  ping_wait: 'Idle time after which the client pings the server.',
  ping_response_timeout: 'How long the client waits for the ping answer.',
  ping_without_stream: 'Ping even when no stream is open.',
}, 'gRPC keepalive settings of the client.');
describeSchema(GrpcClient, {
  endpoint: 'host:port of the OTLP gRPC server.',
  compression: 'Compression of requests: gzip, zstd, snappy or none.',
  tls: 'TLS settings of the connection.',
  keepalive: 'gRPC keepalive settings.',
  read_buffer_size: 'Size of the read buffer of the connection.',
  write_buffer_size: 'Size of the write buffer of the connection.',
  wait_for_ready: 'Wait for the connection to be ready instead of failing at once.',
  headers: 'Extra metadata sent with every request.',
  balancer_name: 'gRPC load balancer: pick_first or round_robin.',
  authority: 'Value of the :authority header.',
  auth: 'Authentication extension (otelcol.auth.*) that signs requests.',
}, 'The gRPC connection to the server.');
describeSchema(Arguments, {
  timeout: 'Timeout of one export request.',
  client: 'The gRPC connection to the server.',
});
