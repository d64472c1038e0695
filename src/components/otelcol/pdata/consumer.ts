/**
 * The `otelcol.Consumer` capsule: what every otelcol component exports as
 * `input` and lists in its `output` block. A consumer's promise is both the
 * backpressure and the acknowledgement: it resolves once the data was accepted
 * downstream (an exporter's queue, or delivery when the queue waits for
 * results) and rejects with a ConsumerError saying whether the sender may
 * retry — which receivers turn into OTLP's retryable or non-retryable status
 * (go.opentelemetry.io/collector/consumer/consumererror: errors are retryable
 * unless marked permanent).
 */
import { describeSchema, attr, block, schema, t } from '../../../lang/schema.js';
import type { CapsulePayload } from '../../../lang/value.js';
import type { Signal } from './model.js';
import type { Payload } from './payload.js';

export const CONSUMER_TYPE = 'otelcol.Consumer';

/** Request metadata that travels with data (receivers' `include_metadata`): lower-case header names. */
export type ClientMetadata = ReadonlyMap<string, readonly string[]>;

export interface ConsumeContext {
  readonly metadata?: ClientMetadata;
}

export const NO_CONTEXT: ConsumeContext = {};

export interface OtelConsumer extends CapsulePayload {
  readonly capsuleType: typeof CONSUMER_TYPE;
  /** Takes one signal's data (payload.signal); see the file comment for the promise. */
  consume(payload: Payload, ctx: ConsumeContext): Promise<void>;
}

export class ConsumerError extends Error {
  constructor(
    message: string,
    /** Permanent errors must not be retried (consumererror.NewPermanent). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export function permanentError(message: string): ConsumerError {
  return new ConsumerError(message, true);
}

export function isPermanent(err: unknown): boolean {
  return err instanceof ConsumerError && err.permanent;
}

export function consumerOf(consume: (payload: Payload, ctx: ConsumeContext) => Promise<void>): OtelConsumer {
  return {
    capsuleType: CONSUMER_TYPE,
    consume(payload, ctx) {
      try {
        return consume(payload, ctx);
      } catch (err) {
        // Data that cannot even be decoded will not be accepted by a retry either.
        return Promise.reject(permanentError(err instanceof Error ? err.message : String(err)));
      }
    },
  };
}

/** A consumer for components that take some signals only; others are refused as permanent errors. */
export function consumerFor(signals: readonly Signal[], component: string, consume: (payload: Payload, ctx: ConsumeContext) => Promise<void>): OtelConsumer {
  return consumerOf((payload, ctx) => {
    if (!signals.includes(payload.signal)) return Promise.reject(permanentError(`${component} does not accept ${payload.signal}`));
    return consume(payload, ctx);
  });
}

export const consumerType = t.capsule<OtelConsumer>(CONSUMER_TYPE);

/** The `output` block shared by receivers and processors. */
export const OutputBlock = schema({
  logs: attr(t.list(consumerType), []),
  metrics: attr(t.list(consumerType), []),
  traces: attr(t.list(consumerType), []),
});
export type Output = { logs: OtelConsumer[]; metrics: OtelConsumer[]; traces: OtelConsumer[] };

export const outputField = block(OutputBlock);

/** The exports of components that take data: `input`. */
export const InputExports = schema({ input: { kind: 'attr', type: consumerType, required: true } });

/** Sends to every consumer; resolves when all accepted, rejects with the first refusal. */
export function fanOut(consumers: readonly OtelConsumer[], payload: Payload, ctx: ConsumeContext): Promise<void> {
  if (consumers.length === 0) return Promise.resolve();
  if (consumers.length === 1) return consumers[0]!.consume(payload, ctx);
  return Promise.all(consumers.map((c) => c.consume(payload, ctx))).then(() => undefined);
}

export function consumersFor(output: Output, signal: Signal): OtelConsumer[] {
  return output[signal];
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(OutputBlock, {
  logs: 'Components that receive the logs produced here.',
  metrics: 'Components that receive the metrics produced here.',
  traces: 'Components that receive the traces produced here.',
}, 'Where the component sends the telemetry it produces.');
describeSchema(InputExports, {
  input: 'Consumer that other otelcol components send telemetry to.',
});
