/**
 * prometheus.relabel's implementation: its arguments are declared in
 * ../relabel.ts; this module loads only when a config builds the component.
 */
import { Counter, Gauge, type Registry } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { labelsString } from '../../common/log-entries.js';
import { isStaleAt, metricsReceiver, SampleBatchBuilder, valueBits, type SampleBatch, type SeriesLabels } from '../../common/metric-samples.js';
import { RelabelCache } from '../../relabel/cache.js';
import { RelabelRules } from '../../relabel/rules.js';
import { untilAborted } from '../../common/until-aborted.js';
import { SamplesFanout } from '../fanout.js';
import type { Arguments, Exports } from '../relabel.js';

export async function buildPrometheusRelabel(ctx: ComponentContext<Exports>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  let rules = new RelabelRules(initial.rule);
  let cache = new RelabelCache(initial.max_cache_size);
  const metrics = relabelMetrics(ctx.registry);
  const fanout = new SamplesFanout(ctx.registry, initial.forward_to);
  let stopped = false;
  const relabel = (labels: SeriesLabels) => nonEmpty(rules.process(labels, 'legacy'));

  const receiver = metricsReceiver(async (batch: SampleBatch) => {
    if (stopped) throw new Error(`${ctx.id} has exited`);
    const out = relabelBatch(batch, (labels) => cache.get(labels, relabel), cache, metrics);
    ctx.debug(() => describe(batch, rules));
    metrics.cacheSize.set(cache.size);
    await fanout.send(out);
  });

  ctx.setExports({ receiver, rules });
  return {
    update(next) {
      // Alloy starts a new cache on every update.
      rules = new RelabelRules(next.rule);
      cache = new RelabelCache(next.max_cache_size);
      metrics.cacheSize.set(0);
      fanout.setReceivers(next.forward_to);
      ctx.setExports({ receiver, rules });
    },
    async run(signal) {
      await untilAborted(signal);
      stopped = true;
    },
  };
}

type Metrics = ReturnType<typeof relabelMetrics>;

/** The surviving samples, with their relabeled series (the batch itself when nothing changed). */
function relabelBatch(batch: SampleBatch, lookup: (labels: SeriesLabels) => SeriesLabels | undefined, cache: RelabelCache, metrics: Metrics): SampleBatch {
  const out = new SampleBatchBuilder(batch.length);
  const bits = valueBits(batch.values);
  let hits = 0;
  for (let i = 0; i < batch.length; i++) {
    const labels = batch.series[i]!;
    const relabeled = lookup(labels);
    if (cache.lastWasHit) hits++;
    if (relabeled) out.copy(batch, i, relabeled);
    if (isStaleAt(bits, i) && cache.forget(labels)) metrics.deletes.inc();
  }
  metrics.processed.inc(batch.length);
  metrics.written.inc(out.length);
  metrics.hits.inc(hits);
  metrics.misses.inc(batch.length - hits);
  return out.finish(batch.metadata);
}

/** Prometheus drops series left without labels. */
function nonEmpty(labels: SeriesLabels | undefined): SeriesLabels | undefined {
  return labels && Object.keys(labels).length > 0 ? Object.freeze(labels) : undefined;
}

/** Live debugging: `before => after` per sample, as Alloy publishes it (computed only when someone watches). */
function describe(batch: SampleBatch, rules: RelabelRules): string {
  const lines: string[] = [];
  for (const labels of batch.series) lines.push(`${labelsString(labels)} => ${labelsString(rules.process(labels, 'legacy') ?? {})}`);
  return lines.join('\n');
}

function relabelMetrics(registry: Registry) {
  const registers = [registry];
  const counter = (name: string, help: string) => new Counter({ name, help, registers });
  return {
    processed: counter('alloy_prometheus_relabel_metrics_processed', 'Total number of metrics processed'),
    written: counter('alloy_prometheus_relabel_metrics_written', 'Total number of metrics written'),
    misses: counter('alloy_prometheus_relabel_cache_misses', 'Total number of cache misses'),
    hits: counter('alloy_prometheus_relabel_cache_hits', 'Total number of cache hits'),
    deletes: counter('alloy_prometheus_relabel_cache_deletes', 'Total number of cache deletes'),
    cacheSize: new Gauge({ name: 'alloy_prometheus_relabel_cache_size', help: 'Total size of relabel cache', registers }),
  };
}
