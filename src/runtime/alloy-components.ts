/**
 * A catalogue of the components Grafana Alloy knows (facts only: names,
 * stability levels, export names), so that alloy-ts can tell a component
 * Alloy has but alloy-ts does not implement from a name nobody knows.
 *
 * - `validate` accepts catalogued names without checking their arguments
 *   (it has no schema for them) and reports unknown names as Alloy does.
 * - `run` refuses them with a clear "not supported by alloy-ts" message.
 *
 * Names come from the component reference pages of Alloy's documentation
 * (`docs/sources/reference/components/<namespace>/<name>.md`, grafana/alloy
 * around commit 66ebea85). Stability is recorded only where it was checked
 * against the documentation; `undefined` means "not recorded", and the
 * validator then does not judge the component's stability. Export names are
 * recorded for the components whose exports are well known; `undefined`
 * means "not recorded" and references into the component are not checked.
 */
import type { Stability } from './component.js';

export interface AlloyComponentInfo {
  readonly name: string;
  readonly stability?: Stability;
  /** Names of the component's exports, when recorded. */
  readonly exports?: readonly string[];
}

/** Component names by namespace, as listed in Alloy's reference docs. */
const NAMES: Record<string, readonly string[]> = {
  beyla: ['ebpf'],
  database_observability: ['mysql', 'postgres', 'sql_server', 'mssql'],
  discovery: [
    'aws', 'azure', 'consul', 'consulagent', 'digitalocean', 'dns', 'docker', 'dockerswarm', 'ec2', 'eureka',
    'file', 'gce', 'hetzner', 'http', 'ionos', 'kubelet', 'kubernetes', 'kuma', 'lightsail', 'linode',
    'marathon', 'nerve', 'nomad', 'openstack', 'ovhcloud', 'process', 'puppetdb', 'relabel', 'remote_relabel',
    'scaleway', 'serverset', 'triton', 'uyuni',
  ],
  faro: ['receiver'],
  local: ['file', 'file_match'],
  loki: [
    'echo', 'enrich', 'process', 'relabel', 'rules.kubernetes', 'secretfilter',
    'source.api', 'source.awsfirehose', 'source.azure_event_hubs', 'source.cloudflare', 'source.docker',
    'source.file', 'source.gcplog', 'source.gelf', 'source.heroku', 'source.journal', 'source.kafka',
    'source.kubernetes', 'source.kubernetes_events', 'source.podlogs', 'source.string', 'source.syslog',
    'source.windowsevent', 'write',
  ],
  mimir: ['alerts.kubernetes', 'rules.kubernetes'],
  otelcol: [
    'auth.azure', 'auth.basic', 'auth.bearer', 'auth.google', 'auth.headers', 'auth.oauth2', 'auth.sigv4',
    'connector.count', 'connector.host_info', 'connector.servicegraph', 'connector.signaltometrics',
    'connector.spanlogs', 'connector.spanmetrics',
    'encoding.jsonlog', 'encoding.text',
    'exporter.awss3', 'exporter.azureblob', 'exporter.clickhouse', 'exporter.datadog', 'exporter.debug',
    'exporter.elasticsearch', 'exporter.faro', 'exporter.file', 'exporter.googlecloud',
    'exporter.googlecloudpubsub', 'exporter.kafka', 'exporter.loadbalancing', 'exporter.logging', 'exporter.loki',
    'exporter.opensearch', 'exporter.otlp', 'exporter.otlphttp', 'exporter.prometheus', 'exporter.splunkhec',
    'exporter.syslog',
    'extension.jaeger_remote_sampling',
    'processor.attributes', 'processor.batch', 'processor.cardinality_guardian', 'processor.cumulativetodelta',
    'processor.deltatocumulative', 'processor.discovery', 'processor.filter', 'processor.groupbyattrs',
    'processor.interval', 'processor.k8sattributes', 'processor.memory_limiter', 'processor.metric_start_time',
    'processor.probabilistic_sampler', 'processor.redaction', 'processor.resourcedetection', 'processor.span',
    'processor.sql_fingerprint', 'processor.tail_sampling', 'processor.transform',
    'receiver.awscloudwatch', 'receiver.awsecscontainermetrics', 'receiver.awsfirehose', 'receiver.awss3',
    'receiver.cloudflare', 'receiver.datadog', 'receiver.faro', 'receiver.file_stats', 'receiver.filelog',
    'receiver.fluentforward', 'receiver.github', 'receiver.googlecloudpubsub', 'receiver.influxdb',
    'receiver.jaeger', 'receiver.k8s_workloads', 'receiver.kafka', 'receiver.kubernetes_rollouts', 'receiver.loki',
    'receiver.nginx', 'receiver.opencensus', 'receiver.otlp', 'receiver.prometheus', 'receiver.pyroscope',
    'receiver.sdlc', 'receiver.solace', 'receiver.splunkhec', 'receiver.syslog', 'receiver.tcplog',
    'receiver.vcenter', 'receiver.zipkin',
    'storage.file',
  ],
  prometheus: [
    'alertmanager.relay', 'echo', 'enrich',
    'exporter.apache', 'exporter.azure', 'exporter.blackbox', 'exporter.cadvisor', 'exporter.catchpoint',
    'exporter.cloudwatch', 'exporter.consul', 'exporter.databricks', 'exporter.dnsmasq', 'exporter.elasticsearch',
    'exporter.gcp', 'exporter.github', 'exporter.ipmi', 'exporter.kafka', 'exporter.memcached', 'exporter.mongodb',
    'exporter.mssql', 'exporter.mysql', 'exporter.nvidiagpu', 'exporter.oracledb', 'exporter.postgres',
    'exporter.process', 'exporter.redis', 'exporter.self', 'exporter.smartctl', 'exporter.snmp',
    'exporter.snowflake', 'exporter.squid', 'exporter.ssh', 'exporter.static', 'exporter.statsd',
    'exporter.tailscale', 'exporter.unix', 'exporter.windows',
    'expose', 'mapping',
    'operator.podmonitors', 'operator.probes', 'operator.scrapeconfigs', 'operator.servicemonitors',
    'receive_http', 'relabel', 'remote.queue', 'remote_write', 'scrape', 'static', 'write.queue',
  ],
  pyroscope: ['ebpf', 'enrich', 'fsdump', 'java', 'profile.relabel', 'receive_http', 'relabel', 'scrape', 'write'],
  remote: ['aws.secrets_manager', 'http', 'kubernetes.configmap', 'kubernetes.secret', 's3', 'vault'],
};

/**
 * Stability levels checked against the documentation. Every component used
 * by the conformance data and the example configs is listed.
 */
const STABILITY: Record<string, Stability> = {
  'discovery.docker': 'generally-available',
  'discovery.kubernetes': 'generally-available',
  'discovery.relabel': 'generally-available',
  'local.file': 'generally-available',
  'local.file_match': 'generally-available',
  'loki.echo': 'generally-available',
  // Experimental in the docs of that time; public preview in later releases.
  'loki.enrich': 'experimental',
  'loki.process': 'generally-available',
  'loki.relabel': 'generally-available',
  'loki.secretfilter': 'public-preview',
  'loki.source.api': 'generally-available',
  'loki.source.docker': 'generally-available',
  'loki.source.file': 'generally-available',
  'loki.source.journal': 'generally-available',
  'loki.write': 'generally-available',
  'otelcol.auth.headers': 'generally-available',
  'otelcol.exporter.otlp': 'generally-available',
  'prometheus.exporter.cadvisor': 'generally-available',
  'prometheus.exporter.redis': 'generally-available',
  'prometheus.exporter.self': 'generally-available',
  'prometheus.exporter.unix': 'generally-available',
  'prometheus.relabel': 'generally-available',
  'prometheus.remote_write': 'generally-available',
  'prometheus.scrape': 'generally-available',
  'pyroscope.scrape': 'generally-available',
  'pyroscope.write': 'generally-available',
  'remote.http': 'generally-available',
};

/** Export names of well-known components (by exact name). */
const EXPORTS: Record<string, readonly string[]> = {
  'discovery.relabel': ['output', 'rules'],
  'local.file': ['content'],
  'local.file_match': ['targets'],
  'loki.echo': ['receiver'],
  'loki.enrich': ['receiver'],
  'loki.process': ['receiver'],
  'loki.relabel': ['receiver', 'rules'],
  'loki.secretfilter': ['receiver'],
  'loki.write': ['receiver'],
  'prometheus.relabel': ['receiver', 'rules'],
  'prometheus.remote_write': ['receiver'],
  'pyroscope.write': ['receiver'],
  'remote.http': ['content'],
};

/** Export names shared by whole families of components. */
function familyExports(name: string): readonly string[] | undefined {
  if (name.startsWith('discovery.') && name !== 'discovery.relabel' && name !== 'discovery.remote_relabel') return ['targets'];
  if (name.startsWith('prometheus.exporter.')) return ['targets'];
  if (name.startsWith('otelcol.exporter.') || name.startsWith('otelcol.processor.') || name.startsWith('otelcol.connector.')) {
    return ['input'];
  }
  if (name.startsWith('otelcol.auth.')) return ['handler'];
  return undefined;
}

const CATALOGUE: ReadonlyMap<string, AlloyComponentInfo> = (() => {
  const out = new Map<string, AlloyComponentInfo>();
  for (const [ns, names] of Object.entries(NAMES)) {
    for (const short of names) {
      const name = `${ns}.${short}`;
      const stability = STABILITY[name];
      const exports = EXPORTS[name] ?? familyExports(name);
      out.set(name, { name, ...(stability ? { stability } : {}), ...(exports ? { exports } : {}) });
    }
  }
  return out;
})();

/** What the catalogue knows of an Alloy component, or undefined for a name Alloy does not have. */
export function alloyComponent(name: string): AlloyComponentInfo | undefined {
  return CATALOGUE.get(name);
}

/** Every catalogued component name, sorted. */
export function alloyComponentNames(): string[] {
  return [...CATALOGUE.keys()].sort();
}

/**
 * Alloy's runtime services. A block whose id (name, plus label if any) is a
 * service name configures that service instead of being a component;
 * services without configuration reject such a block.
 */
export const ALLOY_SERVICES: ReadonlyMap<string, { configurable: boolean }> = new Map([
  ['cluster', { configurable: false }],
  ['http', { configurable: true }],
  ['labelstore', { configurable: false }],
  ['livedebugging', { configurable: true }],
  ['otel', { configurable: false }],
  ['remotecfg', { configurable: true }],
  ['ui', { configurable: false }],
]);
