/**
 * loki.source.api: receives Loki push requests over HTTP and forwards their
 * entries (grafana/alloy internal/component/loki/source/api). Routes:
 * `/loki/api/v1/push` and `/api/v1/push` (protobuf+snappy, JSON, gzip or
 * deflate encoded), `/loki/api/v1/raw` and `/api/v1/raw` (one entry per line),
 * `GET /ready`.
 *
 * As in Alloy, a change of the server blocks restarts the server; other
 * changes (labels, relabel_rules, use_incoming_timestamp, forward_to) apply to
 * the next request. A push is answered only once `forward_to` acknowledged
 * its entries (push-server.ts).
 */
import { attr, attrDefault, optional, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent, type ComponentContext } from '../../runtime/component.js';
import { health } from '../../runtime/health.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { serviceInstance } from '../common/until-aborted.js';
import { relabelRulesType, type RelabelRules } from '../relabel/rules.js';
import { PushServer, ServerMetrics, type LogsConfig } from './source-api/push-server.js';
import { serverFields } from './source-api/server-config.js';

const Arguments = schema({
  ...serverFields,
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
  labels: attr(t.map(t.string), {}),
  relabel_rules: optional(relabelRulesType),
  use_incoming_timestamp: attr(t.bool, false),
  max_send_message_size: attr(t.bytes, '100MiB'),
});
type Arguments = Infer<typeof Arguments>;

export const lokiSourceApi = defineComponent({
  name: 'loki.source.api',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const source = new ApiSource(ctx);
    await source.update(initial);
    return serviceInstance(source);
  },
});

class ApiSource {
  private server: PushServer | undefined;
  private address = '';
  private gracefulMs = 30_000;
  private readonly metrics: ServerMetrics;
  /** Updates and stop run one at a time. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: ComponentContext<unknown>) {
    this.metrics = new ServerMetrics(ctx.registry);
  }

  update(next: Arguments): Promise<void> {
    const run = this.queue.then(() => this.apply(next));
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(async () => {
      await this.server?.stop(this.gracefulMs);
      this.server = undefined;
    });
    return this.queue;
  }

  debugInfo(): { listen_address: string } {
    return { listen_address: this.address };
  }

  private async apply(next: Arguments): Promise<void> {
    const http = next.http;
    const logs = logsConfig(next);
    this.gracefulMs = next.graceful_shutdown_timeout;
    if (next.grpc) this.ctx.logger.warn('the grpc block is accepted but loki.source.api serves HTTP only in alloy-ts');
    if (this.server && JSON.stringify(this.server.http) === JSON.stringify(http)) {
      this.server.logs = logs;
      return;
    }
    await this.server?.stop(this.gracefulMs);
    this.server = undefined;
    const server = new PushServer(http, logs, this.metrics, this.ctx.logger);
    try {
      const addr = await server.start();
      this.address = `${addr.address}:${addr.port}`;
    } catch (err) {
      this.ctx.setHealth(health('unhealthy', `failed to run embedded server: ${(err as Error).message}`));
      throw new Error(`failed to run embedded server: ${(err as Error).message}`);
    }
    this.server = server;
    this.ctx.logger.info('server listening on addresses', { http: this.address });
    this.ctx.setHealth(health('healthy', `listening on ${this.address}`));
  }
}

function logsConfig(args: Arguments): LogsConfig {
  return {
    fixedLabels: args.labels,
    relabel: args.relabel_rules as RelabelRules | undefined,
    useIncomingTimestamp: args.use_incoming_timestamp,
    // Alloy's route falls back to the default when max_send_message_size is not positive.
    maxMessageBytes: args.max_send_message_size > 0 ? args.max_send_message_size : attrDefault(Arguments.fields.max_send_message_size),
    receivers: args.forward_to,
  };
}
