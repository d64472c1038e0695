/**
 * loki.source.api's implementation: its arguments are declared in
 * ../source-api.ts; this module loads only when a config builds the component.
 */
import { attrDefault } from '../../../lang/schema.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { health } from '../../../runtime/health.js';
import { serviceInstance } from '../../common/until-aborted.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { PushServer, ServerMetrics, type LogsConfig } from './push-server.js';
import { Arguments, type Arguments as Args } from '../source-api.js';

export async function buildApiSource(ctx: ComponentContext<Record<string, never>>, initial: Args): Promise<ComponentInstance<Args>> {
  const source = new ApiSource(ctx);
  await source.update(initial);
  return serviceInstance(source);
}

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

  update(next: Args): Promise<void> {
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

  private async apply(next: Args): Promise<void> {
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

function logsConfig(args: Args): LogsConfig {
  return {
    fixedLabels: args.labels,
    relabel: args.relabel_rules as RelabelRules | undefined,
    useIncomingTimestamp: args.use_incoming_timestamp,
    // Alloy's route falls back to the default when max_send_message_size is not positive.
    maxMessageBytes: args.max_send_message_size > 0 ? args.max_send_message_size : attrDefault(Arguments.fields.max_send_message_size),
    receivers: args.forward_to,
  };
}
