/**
 * loki.relabel (grafana/alloy internal/component/loki/relabel/relabel.go): rewrites the labels of log streams with `rule`
 * blocks and forwards what survives. Rules run once per batch (a batch is
 * one stream) and their result is cached per label set; a batch whose
 * labels are dropped, or end up empty, is acknowledged without forwarding.
 * Label names follow Prometheus' legacy rules here, as in Alloy.
 */
import { describeSchema, attr, blocks, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { relabelRulesType, RuleBlock } from '../relabel/rules.js';

const Arguments = schema(
  {
    forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
    rule: blocks(RuleBlock),
    max_cache_size: attr(t.int, 10_000),
  },
  // Alloy fails creating its LRU with this message.
  (a) => (a.max_cache_size <= 0 ? 'must provide a positive size' : undefined),
);
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({
  receiver: attr(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)),
  rules: attr(relabelRulesType),
});
export type Exports = Infer<typeof Exports>;

export const lokiRelabel = defineComponent({
  name: 'loki.relabel',
  description: 'Rewrites the labels of log entries with relabeling rules, dropping entries left without labels.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildLokiRelabel } = await import('./relabel/component.js');
    return buildLokiRelabel(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Receivers the relabeled entries are sent to.',
  rule: 'Relabeling rules, applied in the order written.',
  max_cache_size: 'Most label sets whose relabeling result is cached.',
});
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to.',
  rules: 'The rules, for use by other components\' relabel_rules.',
});
