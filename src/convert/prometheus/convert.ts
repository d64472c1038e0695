/**
 * Prometheus YAML → Alloy config as Alloy's converter writes it
 * (grafana/alloy internal/converter/internal/prometheusconvert): per scrape
 * config its discovery components, a discovery.relabel for relabel_configs,
 * prometheus.scrape, a prometheus.relabel for metric_relabel_configs; one
 * prometheus.remote_write for all remote_write entries. Blocks are written
 * grouped in that order (build.PrometheusBlocks).
 */
import { componentBlock, Duration, Expr, Float, type Block, type GoValue } from '../builder.js';
import type { ConvertDiagnostics } from '../diag.js';
import { appendSd, checkSdConfigs, SD_KINDS, staticTargets, type TargetRef } from '../discovery.js';
import { encodeValue } from '../builder.js';
import { httpClientConfig, relabelRules, validateHttpClientConfig } from '../prometheus-common.js';
import { DISCOVERY_RELABEL } from '../shapes/loki.js';
import { DEFAULT_SCRAPE_PROTOCOLS, METADATA_DEFAULTS, PROMETHEUS_RELABEL, PROMETHEUS_REMOTE_WRITE, PROMETHEUS_SCRAPE, QUEUE_DEFAULTS } from '../shapes/prometheus.js';
import { bool, int, list, loadYaml, map, promDuration, str, strings, stringMap, YamlLoadError, type YamlMap } from '../yaml-input.js';
import { sanitizeIdentifier } from '../../lang/identifier.js';

type Obj = Record<string, GoValue>;

/** Top-level keys of Prometheus' Config (yaml.UnmarshalStrict of `config.plain`). */
const TOP_LEVEL_KEYS = [
  'global',
  'runtime',
  'alerting',
  'rule_files',
  'scrape_config_files',
  'scrape_configs',
  'storage',
  'tracing',
  'remote_write',
  'remote_read',
  'otlp',
];

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);

interface Groups {
  discovery: Block[];
  discoveryRelabel: Block[];
  scrape: Block[];
  relabel: Block[];
  remoteWrite: Block[];
}

export function convertPrometheus(text: string, diags: ConvertDiagnostics): Block[] | undefined {
  let cfg: YamlMap;
  try {
    cfg = loadYaml(text, { keys: TOP_LEVEL_KEYS, typeName: 'config.plain' });
    for (const sc of list(cfg['scrape_configs']) ?? []) checkSdConfigs(map(sc) ?? {});
  } catch (e) {
    if (!(e instanceof YamlLoadError) && !(e instanceof Error)) throw e;
    diags.critical(`failed to parse Prometheus config: ${(e as Error).message}`);
    return undefined;
  }
  const global = map(cfg['global']) ?? {};
  const groups: Groups = { discovery: [], discoveryRelabel: [], scrape: [], relabel: [], remoteWrite: [] };
  const remoteWrites = (list(cfg['remote_write']) ?? []).map((r) => map(r) ?? {});
  const writeReceiver = appendRemoteWrite(groups, global, remoteWrites);
  const scrapeConfigs = (list(cfg['scrape_configs']) ?? []).map((s) => map(s) ?? {});
  for (const sc of scrapeConfigs) appendScrapeConfig(groups, global, sc, writeReceiver);
  validate(cfg, global, scrapeConfigs, remoteWrites, diags);
  addScrapeInfo(groups, scrapeConfigs, remoteWrites, diags);
  return [...groups.discovery, ...groups.discoveryRelabel, ...groups.scrape, ...groups.relabel, ...groups.remoteWrite];
}

/** Info diagnostics naming what each scrape config and the remote_writes became (PrometheusBlocks.GetScrapeInfo). */
function addScrapeInfo(groups: Groups, scrapeConfigs: YamlMap[], remoteWrites: YamlMap[], diags: ConvertDiagnostics): void {
  const describe = (b: Block) => `\tA ${b.name.join('.')}.${b.label} component`;
  groups.scrape.forEach((scrape, i) => {
    const lines = [describe(scrape)];
    for (const group of [groups.discovery, groups.discoveryRelabel, groups.relabel]) {
      for (const b of group) if (b.label.startsWith(scrape.label)) lines.push(describe(b));
    }
    diags.info(`Converted scrape_configs job_name ${JSON.stringify(str(scrapeConfigs[i]?.['job_name']))} into...`, lines.join('\n'));
  });
  for (const rw of groups.remoteWrite) {
    const names = remoteWrites.map((r) => str(r['name'])).join(',');
    diags.info(`Converted ${remoteWrites.length} remote_write[s] ${JSON.stringify(names)} into...`, describe(rw));
  }
}

// ---------------------------------------------------------------------------
// remote_write

function appendRemoteWrite(groups: Groups, global: YamlMap, configs: YamlMap[]): string {
  const label = 'default';
  if (configs.length > 0) {
    const externalLabels = stringMap(global['external_labels']);
    groups.remoteWrite.push(
      componentBlock('prometheus.remote_write', label, PROMETHEUS_REMOTE_WRITE, {
        external_labels: externalLabels && Object.keys(externalLabels).length > 0 ? externalLabels : undefined,
        endpoint: configs.map(remoteWriteEndpoint),
        wal: { truncate_frequency: secs(7200), min_keepalive_time: secs(300), max_keepalive_time: secs(8 * 3600) },
      }),
    );
  }
  return `prometheus.remote_write.${label}.receiver`;
}

function remoteWriteEndpoint(y: YamlMap): Obj {
  const queue = map(y['queue_config']) ?? {};
  const metadata = map(y['metadata_config']) ?? {};
  const sigv4 = map(y['sigv4']);
  const azuread = map(y['azuread']);
  const googleIam = map(y['google_iam']);
  return {
    name: str(y['name']),
    url: str(y['url']),
    remote_timeout: promDuration(y['remote_timeout'], secs(30)),
    headers: stringMap(y['headers']),
    send_exemplars: bool(y['send_exemplars'], true),
    send_native_histograms: bool(y['send_native_histograms']),
    protobuf_message: str(y['protobuf_message'], 'prometheus.WriteRequest'),
    ...httpClientConfig({ enable_http2: false, ...y }),
    queue_config: {
      capacity: int(queue['capacity'], QUEUE_DEFAULTS.capacity),
      max_shards: int(queue['max_shards'], QUEUE_DEFAULTS.max_shards),
      min_shards: int(queue['min_shards'], QUEUE_DEFAULTS.min_shards),
      max_samples_per_send: int(queue['max_samples_per_send'], QUEUE_DEFAULTS.max_samples_per_send),
      batch_send_deadline: promDuration(queue['batch_send_deadline'], QUEUE_DEFAULTS.batch_send_deadline),
      min_backoff: promDuration(queue['min_backoff'], QUEUE_DEFAULTS.min_backoff),
      max_backoff: promDuration(queue['max_backoff'], QUEUE_DEFAULTS.max_backoff),
      retry_on_http_429: bool(queue['retry_on_http_429'], QUEUE_DEFAULTS.retry_on_http_429),
      sample_age_limit: promDuration(queue['sample_age_limit']),
    },
    metadata_config: {
      send: bool(metadata['send'], METADATA_DEFAULTS.send),
      send_interval: promDuration(metadata['send_interval'], METADATA_DEFAULTS.send_interval),
      max_samples_per_send: int(metadata['max_samples_per_send'], METADATA_DEFAULTS.max_samples_per_send),
    },
    write_relabel_config: relabelRules(y['write_relabel_configs']),
    sigv4: sigv4
      ? {
          region: str(sigv4['region']),
          access_key: str(sigv4['access_key']),
          secret_key: str(sigv4['secret_key']),
          profile: str(sigv4['profile']),
          role_arn: str(sigv4['role_arn']),
          external_id: str(sigv4['external_id']),
          use_fips_sts_endpoint: bool(sigv4['use_fips_sts_endpoint']),
          service_name: str(sigv4['service_name']),
        }
      : undefined,
    azuread: azuread ? azureAd(azuread) : undefined,
    google_iam: googleIam ? { credentials_file: str(googleIam['credentials_file']) } : undefined,
    round_robin_dns: bool(y['round_robin_dns']),
  };
}

function azureAd(y: YamlMap): Obj {
  const mi = map(y['managed_identity']);
  const wi = map(y['workload_identity']);
  const oauth = map(y['oauth']);
  const sdk = map(y['sdk']);
  return {
    managed_identity: mi ? { client_id: str(mi['client_id']) } : undefined,
    workload_identity: wi ? { client_id: str(wi['client_id']), tenant_id: str(wi['tenant_id']), token_file_path: str(wi['token_file_path']) } : undefined,
    oauth: oauth ? { client_id: str(oauth['client_id']), client_secret: str(oauth['client_secret']), tenant_id: str(oauth['tenant_id']) } : undefined,
    sdk: sdk ? { tenant_id: str(sdk['tenant_id']) } : undefined,
    cloud: str(y['cloud'], 'AzurePublic'),
    scope: str(y['scope']),
  };
}

// ---------------------------------------------------------------------------
// scrape_configs

function appendScrapeConfig(groups: Groups, global: YamlMap, sc: YamlMap, writeReceiver: string): void {
  const label = sanitizeIdentifier(str(sc['job_name']));
  let forwardTo = `[${writeReceiver}]`;
  const metricRules = relabelRules(sc['metric_relabel_configs']);
  if (metricRules) {
    groups.relabel.push(
      componentBlock('prometheus.relabel', label, PROMETHEUS_RELABEL, { forward_to: new Expr(forwardTo), rule: metricRules, max_cache_size: 100_000 }),
    );
    forwardTo = `[prometheus.relabel.${label}.receiver]`;
  }
  let targets = targetsExpr(appendSds(groups.discovery, sc, label));
  const rules = relabelRules(sc['relabel_configs']);
  if (rules) {
    groups.discoveryRelabel.push(componentBlock('discovery.relabel', label, DISCOVERY_RELABEL, { targets: new Expr(targets), rule: rules }));
    targets = `discovery.relabel.${label}.output`;
  }
  groups.scrape.push(componentBlock('prometheus.scrape', label, PROMETHEUS_SCRAPE, scrapeArgs(global, sc, targets, forwardTo)));
}

function scrapeArgs(global: YamlMap, sc: YamlMap, targets: string, forwardTo: string): Obj {
  const interval = promDuration(sc['scrape_interval'] ?? global['scrape_interval'], secs(60));
  const globalTimeout = promDuration(global['scrape_timeout'], secs(10));
  const timeout = promDuration(sc['scrape_timeout'], globalTimeout.ns > interval.ns ? interval : globalTimeout);
  const params = map(sc['params']);
  return {
    targets: new Expr(targets),
    forward_to: new Expr(forwardTo),
    job_name: str(sc['job_name']),
    honor_labels: bool(sc['honor_labels']),
    honor_timestamps: bool(sc['honor_timestamps'], true),
    track_timestamps_staleness: bool(sc['track_timestamps_staleness']),
    params: params ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, strings(v) ?? []])) : undefined,
    scrape_classic_histograms: bool(sc['always_scrape_classic_histograms']),
    scrape_native_histograms: false,
    scrape_failure_log_file: str(sc['scrape_failure_log_file']),
    scrape_interval: interval,
    scrape_timeout: timeout,
    scrape_protocols: strings(sc['scrape_protocols'] ?? global['scrape_protocols']) ?? DEFAULT_SCRAPE_PROTOCOLS,
    metrics_path: str(sc['metrics_path'], '/metrics'),
    scheme: str(sc['scheme'], 'http'),
    body_size_limit: int(sc['body_size_limit']),
    sample_limit: int(sc['sample_limit']),
    target_limit: int(sc['target_limit']),
    label_limit: int(sc['label_limit']),
    label_name_length_limit: int(sc['label_name_length_limit']),
    label_value_length_limit: int(sc['label_value_length_limit']),
    ...httpClientConfig(sc),
    metric_name_validation_scheme: 'legacy',
    metric_name_escaping_scheme: '',
    scrape_fallback_protocol: str(sc['fallback_scrape_protocol'], 'PrometheusText0.0.4'),
    convert_classic_histograms_to_nhcb: bool(sc['convert_classic_histograms_to_nhcb']),
    enable_compression: bool(sc['enable_compression'], true),
    native_histogram_bucket_limit: int(sc['native_histogram_bucket_limit']),
    native_histogram_min_bucket_factor: new Float(Number(sc['native_histogram_min_bucket_factor'] ?? 0)),
  };
}

/** Prometheus reads SD configs in the order of their YAML keys' names, static targets last (discovery registry). */
function sdKeysInOrder(sc: YamlMap): string[] {
  const keys = Object.keys(sc).filter((k) => k.endsWith('_sd_configs')).sort();
  return sc['static_configs'] !== undefined ? [...keys, 'static_configs'] : keys;
}

function appendSds(out: Block[], sc: YamlMap, label: string): TargetRef[] {
  const counts = new Map<string, number>();
  const refs: TargetRef[] = [];
  for (const key of sdKeysInOrder(sc)) {
    if (key === 'static_configs') {
      refs.push(...staticTargets((list(sc[key]) ?? []).map((g) => map(g) ?? {})));
      continue;
    }
    const kind = SD_KINDS.get(key);
    if (!kind) continue;
    for (const entry of list(sc[key]) ?? []) refs.push(appendSd(out, kind, map(entry) ?? {}, label, counts));
  }
  return refs;
}

/** common.ConvertTargets: one reference or literal alone, several joined with array.concat. */
function targetsExpr(refs: readonly TargetRef[]): string {
  const parts = refs.map((r) => ('expr' in r ? r.expr : encodeValue([r.labels])));
  if (parts.length === 0) return '[]';
  if (parts.length === 1) return parts[0]!;
  return `array.concat(\n${parts.join(',\n')},\n)`;
}

// ---------------------------------------------------------------------------
// Diagnostics for what Alloy has no equivalent of (prometheusconvert/validate.go)

function validate(cfg: YamlMap, global: YamlMap, scrapeConfigs: YamlMap[], remoteWrites: YamlMap[], diags: ConvertDiagnostics): void {
  if (global['evaluation_interval'] !== undefined && promDuration(global['evaluation_interval']).ns !== secs(60).ns) diags.unsupported('global evaluation_interval');
  if (str(global['query_log_file']) !== '') diags.unsupported('global query_log_file');
  const alerting = map(cfg['alerting']);
  if (alerting && ((list(alerting['alertmanagers']) ?? []).length > 0 || (list(alerting['alert_relabel_configs']) ?? []).length > 0)) diags.unsupported('alerting');
  if ((list(cfg['rule_files']) ?? []).length > 0) diags.unsupported('rule_files');
  for (const sc of scrapeConfigs) {
    if (bool(sc['track_timestamps_staleness'])) diags.unsupported('scrape_configs track_timestamps_staleness');
    if (int(sc['native_histogram_bucket_limit']) !== 0) diags.unsupported('scrape_configs native_histogram_bucket_limit');
    if (int(sc['keep_dropped_targets']) !== 0) diags.unsupported('scrape_configs keep_dropped_targets');
    validateHttpClientConfig(sc, diags);
    for (const key of sdKeysInOrder(sc)) {
      if (key === 'static_configs') continue;
      const kind = SD_KINDS.get(key);
      for (const entry of list(sc[key]) ?? []) {
        if (kind) kind.validate?.(map(entry) ?? {}, diags);
        else diags.error(`The converter does not support converting the provided ${key.replace(/_sd_configs$/, '')} service discovery.`);
      }
    }
  }
  const storage = map(cfg['storage']);
  if (storage && (map(storage['tsdb']) !== undefined || map(storage['exemplars']) !== undefined)) diags.unsupported('storage');
  if (map(cfg['tracing']) && Object.keys(map(cfg['tracing'])!).length > 0) diags.unsupported('tracing');
  for (const rw of remoteWrites) validateHttpClientConfig(rw, diags);
  if ((list(cfg['remote_read']) ?? []).length > 0) diags.unsupported('remote_read');
}
