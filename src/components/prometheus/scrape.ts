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
import { describeSchema, attr, optional, optionalBlock, schema, t, targetsType, type InferFields } from '../../lang/schema.js';
import { formatDurationMs } from '../../lang/units.js';
import { defineComponent } from '../../runtime/component.js';
import { httpClientFieldDescriptions, httpClientFields, validateHttpClientConfig } from '../common/http-client.js';
import { metricsReceiverType } from '../common/metric-samples.js';

/** Accept header media types per scrape protocol (Prometheus' ScrapeProtocolsHeaders). */
export const PROTOCOL_MEDIA_TYPES = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
} as const;
type Protocol = keyof typeof PROTOCOL_MEDIA_TYPES;
/** The protocols whose media type takes an escaping parameter. */
export const ESCAPED_PROTOCOLS = new Set(['PrometheusProto', 'PrometheusText1.0.0', 'OpenMetricsText1.0.0']);
/** How many protocols Prometheus knows: the Accept weights count down from one more. */
export const KNOWN_PROTOCOLS = 5;
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
export type Arguments = InferFields<typeof argumentFields>;
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

export function isProtocol(p: string): p is Protocol {
  return Object.hasOwn(PROTOCOL_MEDIA_TYPES, p);
}

export const prometheusScrape = defineComponent({
  name: 'prometheus.scrape',
  description: 'Scrapes the metrics of its targets on an interval and forwards the samples.',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const { buildScrape } = await import('./scrape/component.js');
    return buildScrape(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments.fields.clustering.schema, {
  enabled: 'Share the targets among the cluster\'s nodes.',
}, 'Clustering of scrape work.');
describeSchema(Arguments, {
  ...httpClientFieldDescriptions,
  targets: 'Targets to scrape (__address__ and labels).',
  forward_to: 'Receivers the scraped samples are sent to.',
  job_name: 'Value of the job label; the component name when unset.',
  honor_labels: 'Keep the scraped labels that clash with target labels instead of renaming them.',
  honor_timestamps: 'Keep the timestamps given by the target.',
  track_timestamps_staleness: 'Mark series with explicit timestamps stale when they disappear.',
  params: 'URL query parameters sent with each scrape.',
  scrape_classic_histograms: 'Also keep the classic form of histograms scraped as native ones.',
  scrape_native_histograms: 'Ask for and accept native histograms.',
  scrape_failure_log_file: 'File that scrape failures are written to.',
  scrape_interval: 'How often each target is scraped.',
  scrape_timeout: 'Timeout of one scrape (at most scrape_interval).',
  scrape_protocols: 'Exposition formats asked for, in order of preference.',
  scrape_fallback_protocol: 'Format assumed when the response has no usable content type.',
  metrics_path: 'HTTP path the metrics are fetched from.',
  scheme: 'URL scheme used: http or https.',
  body_size_limit: 'Largest response accepted (0 means no limit).',
  sample_limit: 'Most samples accepted per scrape (0 means no limit).',
  target_limit: 'Most targets scraped (0 means no limit).',
  label_limit: 'Most labels per sample (0 means no limit).',
  label_name_length_limit: 'Longest label name accepted (0 means no limit).',
  label_value_length_limit: 'Longest label value accepted (0 means no limit).',
  extra_metrics: 'Add the extra scrape_* series about each scrape.',
  enable_protobuf_negotiation: 'Ask for the protobuf format first (deprecated; use scrape_protocols).',
  metric_name_validation_scheme: 'Which metric names are valid: legacy or utf8.',
  metric_name_escaping_scheme: 'How names are escaped when asking a target for legacy names.',
  convert_classic_histograms_to_nhcb: 'Turn classic histograms into native histograms with custom buckets.',
  enable_compression: 'Ask targets for gzip-compressed responses.',
  native_histogram_bucket_limit: 'Most buckets of a native histogram before its resolution is lowered (0 means no limit).',
  native_histogram_min_bucket_factor: 'Lowest growth factor between native histogram buckets.',
  honor_metadata: 'Forward metric metadata with the samples.',
  enable_type_and_unit_labels: 'Add __type__ and __unit__ labels from the metadata.',
  start_timestamp_zero_ingestion: 'Add zero samples at the start timestamps of counters and histograms.',
  clustering: 'Clustering of scrape work.',
});
