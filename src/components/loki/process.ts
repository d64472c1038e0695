/**
 * loki.process (grafana/alloy internal/component/loki/process/process.go): runs received log entries through `stage.*`
 * blocks and forwards the result. The pipeline works on whole batches;
 * entries leave it regrouped into batches of one label set each, in order.
 * The pipeline (and its stage state and metrics) is rebuilt only when the
 * stage blocks change; a new `forward_to` applies at once.
 */
import { describeSchema, attr, enumBlocks, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { STAGE_BLOCKS } from './stages/index.js';

const receiverType = t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE);

export const Arguments = schema({
  forward_to: attr(t.list(receiverType)),
  stages: enumBlocks(STAGE_BLOCKS),
});
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: attr(receiverType) });
export type Exports = Infer<typeof Exports>;

export const lokiProcess = defineComponent({
  name: 'loki.process',
  description: 'Runs log entries through a pipeline of stages (parsing, labels, filtering, metrics) and forwards them.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, args) {
    const { buildProcessor } = await import('./process/component.js');
    return buildProcessor(ctx, args);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Receivers the processed entries are sent to.',
});
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to for processing.',
});
