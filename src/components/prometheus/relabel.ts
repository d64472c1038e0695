/**
 * prometheus.relabel (grafana/alloy internal/component/prometheus/relabel/relabel.go): rewrites each sample's series labels with
 * `rule` blocks (Prometheus' legacy label names) and forwards what survives.
 *
 * Results are cached per series: by the identity of the incoming label
 * object first (scrapes send the same object for a series every time, so a
 * steady stream costs one WeakMap lookup per sample), then by content in an
 * LRU of max_cache_size entries. The relabeled objects are cached too, so
 * downstream components see stable objects as well. A staleness marker
 * still flows through and then evicts its series' LRU entry, as in Alloy.
 * Samples whose labels are dropped or end up empty are acknowledged without
 * being forwarded.
 */
import { describeSchema, attr, blocks, optional, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { metricsReceiverType } from '../common/metric-samples.js';
import { relabelRulesType, RuleBlock } from '../relabel/rules.js';

const Arguments = schema(
  {
    forward_to: attr(t.list(metricsReceiverType)),
    rule: blocks(RuleBlock),
    max_cache_size: attr(t.int, 100_000),
    cache_ttl: optional(t.duration),
  },
  (a) => {
    if (a.cache_ttl !== undefined && a.cache_ttl > 0) return 'cache_ttl is not supported by alloy-ts; use max_cache_size';
    return a.max_cache_size <= 0 ? `max_cache_size must be greater than 0 and is ${a.max_cache_size}` : undefined;
  },
);
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({
  receiver: attr(metricsReceiverType),
  rules: attr(relabelRulesType),
});
export type Exports = Infer<typeof Exports>;

export const prometheusRelabel = defineComponent({
  name: 'prometheus.relabel',
  description: 'Rewrites the labels of metric samples with relabeling rules, dropping series left without labels.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildPrometheusRelabel } = await import('./relabel/component.js');
    return buildPrometheusRelabel(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Receivers the relabeled samples are sent to.',
  rule: 'Relabeling rules, applied in the order written.',
  max_cache_size: 'Most series whose relabeling result is cached.',
  cache_ttl: 'How long an unused cached result is kept.',
});
describeSchema(Exports, {
  receiver: 'Receiver that samples are sent to.',
  rules: 'The rules, for use by other components\' relabel_rules.',
});
