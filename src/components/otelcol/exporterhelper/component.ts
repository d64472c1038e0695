/**
 * The component side of an otelcol exporter: a stable `input` consumer whose
 * data goes through the current QueuedSender to the current transport. New
 * arguments build a new transport and sender; the previous sender drains
 * what it accepted before its transport closes.
 */
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { untilAborted } from '../../common/until-aborted.js';
import { ConsumerError, consumerFor, type OtelConsumer } from '../pdata/consumer.js';
import type { Signal } from '../pdata/model.js';
import { ExporterMetrics } from './metrics.js';
import { QueuedSender, type SendFn } from './sender.js';
import type { QueueSettings, RetrySettings } from './settings.js';

export interface Transport {
  readonly send: SendFn;
  close(): Promise<void>;
}

export interface ExporterArgs {
  readonly sending_queue: QueueSettings;
  readonly retry_on_failure: RetrySettings;
}

interface Current {
  readonly transport: Transport;
  readonly sender: QueuedSender;
}

export async function exporterInstance<A extends ExporterArgs>(
  ctx: ComponentContext<{ input: OtelConsumer }>,
  initial: A,
  signals: readonly Signal[],
  createTransport: (args: A) => Promise<Transport>,
): Promise<ComponentInstance<A>> {
  const metrics = new ExporterMetrics(ctx.registry);
  const start = async (args: A): Promise<Current> => {
    const transport = await createTransport(args);
    const sender = new QueuedSender(args.sending_queue, args.retry_on_failure, transport.send, metrics, ctx.logger);
    return { transport, sender };
  };
  let current: Current | undefined = await start(initial);
  const retire = async (c: Current) => {
    await c.sender.stop();
    await c.transport.close();
  };
  ctx.setExports({
    input: consumerFor(signals, ctx.id, (payload, consumeCtx) => {
      if (!current) return Promise.reject(new ConsumerError(`${ctx.id} has stopped`, false));
      ctx.debug(() => `${payload.signal}: ${payload.items} items`);
      return current.sender.offer({ signal: payload.signal, payload, items: payload.items, ...(consumeCtx.metadata ? { metadata: consumeCtx.metadata } : {}) });
    }),
  });
  return {
    async update(args: A) {
      const previous = current;
      current = await start(args);
      if (previous) void retire(previous);
    },
    async run(signal) {
      await untilAborted(signal);
      const last = current;
      current = undefined;
      if (last) await retire(last);
    },
    debugInfo: () => ({ queued: current?.sender.queuedSize ?? 0 }),
  };
}
