/**
 * prometheus.scrape's implementation: its arguments are declared in
 * ../scrape.ts; this module loads only when a config builds the component.
 */
import { hostname } from 'node:os';
import { Counter, Gauge } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { preferYoungGeneration } from '../../../runtime/memory.js';
import { formatDurationMs } from '../../../lang/units.js';
import { HttpClient, userAgent } from '../../common/http-client.js';
import { seriesHash, type MetricsReceiver } from '../../common/metric-samples.js';
import type { ExpositionFormat } from './text-parser.js';
import { untilAborted } from '../../common/until-aborted.js';
import { SamplesFanout } from '../fanout.js';
import { ScrapeLoop, type LoopContext, type LoopSettings } from './loop.js';
import { populateTarget, type ScrapeTarget, type TargetDefaults } from './target.js';
import { ESCAPED_PROTOCOLS, isProtocol, KNOWN_PROTOCOLS, PROTOCOL_MEDIA_TYPES, type Arguments } from '../scrape.js';

export async function buildScrape(ctx: ComponentContext<Record<string, never>>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const targetsGauge = new Gauge({ name: 'prometheus_scrape_targets_gauge', help: 'Number of targets this component is configured to scrape', registers: [ctx.registry] });
  new Counter({ name: 'prometheus_scrape_targets_moved_total', help: 'Number of targets that have moved from this cluster node to another one', registers: [ctx.registry] });
  const fanout = new SamplesFanout(ctx.registry, initial.forward_to);
  let client = await HttpClient.create(initial, { userAgent: userAgent() });
  const pool = new ScrapePool(ctx, {
    client: () => client,
    memoryAddr: ctx.host.memoryAddr,
    internalRequest: ctx.host.internalRequest?.bind(ctx.host),
    send: (batch) => fanout.send(batch),
    logger: ctx.logger,
    offsetSeed: seriesHash(hostname()),
    userAgent: userAgent(),
  });
  const sync = (args: Arguments) => {
    pool.sync(args.targets, targetDefaults(args, ctx.id), loopSettings(args));
    targetsGauge.set(pool.size);
  };
  sync(initial);
  return {
    async update(next) {
      const previous = client;
      client = await HttpClient.create(next, { userAgent: userAgent() });
      // Requests in flight on the old client finish first.
      void previous.close().catch(() => {});
      fanout.setReceivers(next.forward_to as MetricsReceiver[]);
      sync(next);
    },
    async run(signal) {
      // A large target's scrape is a burst of short-lived objects: a young generation
      // grown for it stays resident (see HELD_BATCHES_SEMI_SPACE_MIB).
      const withdraw = preferYoungGeneration('small');
      try {
        await untilAborted(signal);
        await pool.stop();
        await client.close().catch(() => {});
      } finally {
        withdraw();
      }
    },
    debugInfo: () => pool.debugInfo(),
  };
}

/** The running loops, keyed by target. */
class ScrapePool {
  private readonly loops = new Map<string, ScrapeLoop>();
  /** Loops of removed targets, waiting to write their staleness markers. */
  private readonly retiring = new Set<ScrapeLoop>();
  private dropped: { labels: Record<string, string>; error: string }[] = [];

  constructor(
    private readonly ctx: ComponentContext<unknown>,
    private readonly loopContext: LoopContext,
  ) {}

  get size(): number {
    return this.loops.size;
  }

  sync(discovered: readonly Record<string, string>[], defaults: TargetDefaults, settings: LoopSettings): void {
    const wanted = new Map<string, ScrapeTarget>();
    this.dropped = [];
    for (const labels of discovered) {
      const target = populateTarget(labels, defaults);
      if ('error' in target) this.dropped.push({ labels, error: target.error });
      else wanted.set(target.key, target);
    }
    for (const [key, loop] of this.loops) {
      if (wanted.has(key)) continue;
      this.loops.delete(key);
      this.retiring.add(loop);
      void loop.stop(true).finally(() => this.retiring.delete(loop));
    }
    for (const [key, target] of wanted) {
      const existing = this.loops.get(key);
      if (existing) existing.update(settings);
      else this.loops.set(key, new ScrapeLoop(target, settings, this.loopContext));
    }
    if (this.dropped.length > 0) this.ctx.logger.warn('dropping targets that cannot be scraped', { count: this.dropped.length, first_error: this.dropped[0]!.error });
  }

  async stop(): Promise<void> {
    const all = [...this.loops.values(), ...this.retiring];
    for (const loop of all) loop.cancel();
    await Promise.all(all.map((l) => l.done));
    this.loops.clear();
  }

  /** Alloy's per-target status shape. */
  debugInfo(): unknown {
    return {
      targets: [...this.loops.values()].map((loop) => ({
        job: loop.target.labels['job'] ?? '',
        url: loop.target.url.href,
        health: loop.status.health,
        labels: loop.target.labels,
        last_error: loop.status.lastError,
        last_scrape: loop.status.lastScrape?.toISOString() ?? '',
        last_scrape_duration: formatDurationMs(Math.round(loop.status.lastScrapeDurationMs)),
      })),
      dropped_targets: this.dropped,
    };
  }
}

function targetDefaults(a: Arguments, componentId: string): TargetDefaults {
  return {
    jobName: a.job_name || componentId,
    intervalMs: a.scrape_interval,
    timeoutMs: a.scrape_timeout,
    metricsPath: a.metrics_path,
    scheme: a.scheme,
    params: a.params ?? {},
  };
}

function loopSettings(a: Arguments): LoopSettings {
  const validation = a.metric_name_validation_scheme === 'utf8' ? 'utf8' : 'legacy';
  const escaping = a.metric_name_escaping_scheme || (validation === 'legacy' ? 'underscores' : 'allow-utf-8');
  return {
    honorLabels: a.honor_labels,
    honorTimestamps: a.honor_timestamps,
    trackTimestampsStaleness: a.track_timestamps_staleness,
    sampleLimit: a.sample_limit,
    validation,
    bodySizeLimit: a.body_size_limit,
    extraMetrics: a.extra_metrics,
    accept: acceptHeader(a.scrape_protocols, escaping),
    enableCompression: a.enable_compression,
    fallbackFormat: formatOfProtocol(a.scrape_fallback_protocol),
  };
}

/**
 * The Accept header for the protocols, in preference order with descending
 * q-weights and `*\/*` last, as Prometheus builds it. PrometheusProto is left
 * out: alloy-ts parses only the text formats.
 */
export function acceptHeader(protocols: readonly string[], escaping: string): string {
  let weight = KNOWN_PROTOCOLS + 1;
  const parts: string[] = [];
  for (const p of protocols) {
    if (!isProtocol(p)) continue;
    if (p !== 'PrometheusProto') {
      const escape = ESCAPED_PROTOCOLS.has(p) ? `;escaping=${escaping}` : '';
      parts.push(`${PROTOCOL_MEDIA_TYPES[p]}${escape};q=0.${weight}`);
    }
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}

function formatOfProtocol(protocol: string): ExpositionFormat {
  return protocol.startsWith('OpenMetrics') ? 'openmetrics' : 'prometheus';
}
