/**
 * loki.relabel (grafana/alloy internal/component/loki/relabel/relabel.go): rewrites the labels of log streams with `rule`
 * blocks and forwards what survives. Rules run once per batch (a batch is
 * one stream) and their result is cached per label set; a batch whose
 * labels are dropped, or end up empty, is acknowledged without forwarding.
 * Label names follow Prometheus' legacy rules here, as in Alloy.
 */
import { attr, blocks, schema, t, type Infer } from '../../lang/schema.js';
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
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildLokiRelabel } = await import('./relabel/component.js');
    return buildLokiRelabel(ctx, initial);
  },
});
