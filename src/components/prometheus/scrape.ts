/**
 * prometheus.scrape (grafana/alloy internal/component/prometheus/scrape/scrape.go,
 * Prometheus scrape/scrape.go): scrapes every target on its own loop
 * (scrape-loop.ts) and forwards the samples to `forward_to`.
 *
 * Targets are keyed by their full populated label set: an update keeps the
 * loops of unchanged targets running (with the new settings), starts loops
 * for new targets and retires the loops of removed ones, which write
 * staleness markers for their series a little over two intervals later.
 * Targets at the agent's in-memory address (exporters) are scraped
 * in-process.
 *
 * Not supported: the protobuf exposition format (PrometheusProto is left
 * out of the Accept header, so targets answer in text), native histograms,
 * clustering (a no-op when not clustered, as here), the label limits and
 * target_limit (accepted, not enforced), scrape_failure_log_file.
 */
import { hostname } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import { attr, optional, optionalBlock, schema, t, targetsType, type InferFields } from '../../lang/schema.js';
import { formatDurationMs } from '../../lang/units.js';
import { defineComponent, type ComponentContext } from '../../runtime/component.js';
import { HttpClient, httpClientFields, userAgent, validateHttpClientConfig } from '../common/http-client.js';
import { metricsReceiverType, seriesHash, type MetricsReceiver } from '../common/metric-samples.js';
import type { ExpositionFormat } from './scrape/text-parser.js';
import { untilAborted } from '../common/until-aborted.js';
import { SamplesFanout } from './fanout.js';
import { ScrapeLoop, type LoopContext, type LoopSettings } from './scrape/loop.js';
import { populateTarget, type ScrapeTarget, type TargetDefaults } from './scrape/target.js';

/** Accept header media types per scrape protocol (Prometheus' ScrapeProtocolsHeaders). */
const PROTOCOL_MEDIA_TYPES = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
} as const;
type Protocol = keyof typeof PROTOCOL_MEDIA_TYPES;
/** The protocols whose media type takes an escaping parameter. */
const ESCAPED_PROTOCOLS = new Set(['PrometheusProto', 'PrometheusText1.0.0', 'OpenMetricsText1.0.0']);
/** How many protocols Prometheus knows: the Accept weights count down from one more. */
const KNOWN_PROTOCOLS = 5;
const DEFAULT_PROTOCOLS = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];
const ESCAPING_SCHEMES = ['allow-utf-8', 'underscores', 'dots', 'values'];

const argumentFields = {
  targets: attr(targetsType),
  forward_to: attr(t.list(metricsReceiverType)),
  job_name: optional(t.string),
  honor_labels: attr(t.bool, false),
  honor_timestamps: attr(t.bool, true),
  track_timestamps_staleness: attr(t.bool, false),
  params: optional(t.map(t.list(t.string))),
  scrape_classic_histograms: attr(t.bool, false),
  scrape_native_histograms: attr(t.bool, false),
  scrape_failure_log_file: optional(t.string),
  scrape_interval: attr(t.duration, '1m'),
  scrape_timeout: attr(t.duration, '10s'),
  scrape_protocols: attr(t.list(t.string), DEFAULT_PROTOCOLS),
  scrape_fallback_protocol: attr(t.string, 'PrometheusText0.0.4'),
  metrics_path: attr(t.string, '/metrics'),
  scheme: attr(t.string, 'http'),
  body_size_limit: attr(t.bytes, '0'),
  sample_limit: attr(t.uint, 0),
  target_limit: attr(t.uint, 0),
  label_limit: attr(t.uint, 0),
  label_name_length_limit: attr(t.uint, 0),
  label_value_length_limit: attr(t.uint, 0),
  ...httpClientFields,
  extra_metrics: attr(t.bool, false),
  enable_protobuf_negotiation: attr(t.bool, false),
  metric_name_validation_scheme: attr(t.string, 'legacy'),
  metric_name_escaping_scheme: attr(t.string, ''),
  convert_classic_histograms_to_nhcb: attr(t.bool, false),
  enable_compression: attr(t.bool, true),
  native_histogram_bucket_limit: attr(t.uint, 0),
  native_histogram_min_bucket_factor: attr(t.float, 0),
  honor_metadata: attr(t.bool, false),
  enable_type_and_unit_labels: attr(t.bool, false),
  start_timestamp_zero_ingestion: attr(t.bool, false),
  clustering: optionalBlock(schema({ enabled: attr(t.bool, false) })),
};
type Arguments = InferFields<typeof argumentFields>;
const Arguments = schema(argumentFields, validateArguments);

/** Alloy's Arguments.Validate, with its messages. */
function validateArguments(a: Arguments): string | undefined {
  if (a.scrape_timeout > a.scrape_interval) {
    return `scrape_timeout (${formatDurationMs(a.scrape_timeout)}) greater than scrape_interval (${formatDurationMs(a.scrape_interval)}) for scrape config with job name ${JSON.stringify(a.job_name ?? '')}`;
  }
  if (a.enable_protobuf_negotiation && a.scrape_protocols.join() !== DEFAULT_PROTOCOLS.join()) {
    return 'both enable_protobuf_negotiation and scrape_protocols are set, only one can be set at a time';
  }
  const seen = new Set<string>();
  for (const p of a.scrape_protocols) {
    if (seen.has(p)) return `duplicate scrape protocol ${JSON.stringify(p)}: make sure the scrape protocols provided are unique`;
    if (!isProtocol(p)) return `invalid scrape protocol ${JSON.stringify(p)}: unknown scrape protocol ${p}, supported: ${Object.keys(PROTOCOL_MEDIA_TYPES).join(', ')}`;
    seen.add(p);
  }
  if (a.scrape_fallback_protocol !== '' && !isProtocol(a.scrape_fallback_protocol)) return `invalid scrape_fallback_protocol ${JSON.stringify(a.scrape_fallback_protocol)}`;
  if (a.metric_name_validation_scheme !== 'utf8' && a.metric_name_validation_scheme !== 'legacy') {
    return `invalid metric_name_validation_scheme ${JSON.stringify(a.metric_name_validation_scheme)}: must be either "utf8" or "legacy"`;
  }
  const escaping = a.metric_name_escaping_scheme;
  if (escaping !== '' && !ESCAPING_SCHEMES.includes(escaping)) return `invalid metric_name_escaping_scheme: ${JSON.stringify(escaping)}, supported values: [${ESCAPING_SCHEMES.join(' ')}]`;
  if (escaping === 'allow-utf-8' && a.metric_name_validation_scheme !== 'utf8') {
    return "metric_name_escaping_scheme cannot be set to 'allow-utf-8' while metric_name_validation_scheme is not set to 'utf8'";
  }
  return validateHttpClientConfig(a);
}

function isProtocol(p: string): p is Protocol {
  return Object.hasOwn(PROTOCOL_MEDIA_TYPES, p);
}

export const prometheusScrape = defineComponent({
  name: 'prometheus.scrape',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
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
        await untilAborted(signal);
        await pool.stop();
        await client.close().catch(() => {});
      },
      debugInfo: () => pool.debugInfo(),
    };
  },
});

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
