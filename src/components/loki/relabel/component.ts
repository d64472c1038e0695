/**
 * loki.relabel's implementation: its arguments are declared in ../relabel.ts;
 * this module loads only when a config builds the component.
 */
import { Counter, Gauge, type Registry } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { entryCount, fanOut, flushAll, labelsString, receiverOf, withLabels, type LogBatch } from '../../common/log-entries.js';
import { RelabelCache } from '../../relabel/cache.js';
import { RelabelRules, type Labels } from '../../relabel/rules.js';
import { untilAborted } from '../../common/until-aborted.js';
import type { Arguments, Exports } from '../relabel.js';

export async function buildLokiRelabel(ctx: ComponentContext<Exports>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  let args: Arguments = initial;
  let rules = new RelabelRules(args.rule);
  const cache = new RelabelCache(args.max_cache_size);
  const metrics = relabelMetrics(ctx.registry);
  const relabel = (labels: Labels) => nonEmpty(rules.process(labels, 'legacy'));

  const receiver = receiverOf(async (batch: LogBatch) => {
    const entries = entryCount(batch);
    if (entries === 0) return;
    metrics.processed.inc(entries);
    const labels = cache.get(batch.labels, relabel);
    // Alloy looks up every entry: the first of a new label set misses, the rest hit.
    metrics.hits.inc(cache.lastWasHit ? entries : entries - 1);
    if (!cache.lastWasHit) metrics.misses.inc();
    metrics.cacheSize.set(cache.size);
    ctx.debug(() => describe(batch, labels));
    if (!labels) {
      ctx.logger.debug('dropping entry after relabeling', { labels: labelsString(batch.labels) });
      return;
    }
    metrics.written.inc(entries);
    await fanOut(args.forward_to, withLabels(batch, labels));
  }, () => flushAll(args.forward_to));

  ctx.setExports({ receiver, rules });
  return {
    update(next) {
      const nextRules = new RelabelRules(next.rule);
      if (!nextRules.equals(rules)) {
        ctx.logger.debug('received new relabel configs, purging cache');
        cache.purge();
        metrics.cacheSize.set(0);
      }
      if (next.max_cache_size !== args.max_cache_size) cache.resize(next.max_cache_size);
      [args, rules] = [next, nextRules];
      ctx.setExports({ receiver, rules });
    },
    run: untilAborted,
  };
}

/** Loki drops streams without labels. */
function nonEmpty(labels: Labels | undefined): Labels | undefined {
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

/** Live debugging: one line per entry, as Alloy publishes them. */
function describe(batch: LogBatch, relabeled: Labels | undefined): string {
  const before = labelsString(batch.labels);
  const after = relabeled ? labelsString(relabeled) : '<dropped>';
  return batch.lines.map((line) => `entry: ${line}, labels: ${before} => ${after}`).join('\n');
}

function relabelMetrics(registry: Registry) {
  const registers = [registry];
  return {
    processed: new Counter({ name: 'loki_relabel_entries_processed', help: 'Total number of log entries processed', registers }),
    written: new Counter({ name: 'loki_relabel_entries_written', help: 'Total number of log entries forwarded', registers }),
    misses: new Counter({ name: 'loki_relabel_cache_misses', help: 'Total number of cache misses', registers }),
    hits: new Counter({ name: 'loki_relabel_cache_hits', help: 'Total number of cache hits', registers }),
    cacheSize: new Gauge({ name: 'loki_relabel_cache_size', help: 'Total size of relabel cache', registers }),
  };
}
