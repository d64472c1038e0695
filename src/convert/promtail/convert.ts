/**
 * Promtail YAML → Alloy config, component for component as Alloy's
 * converter writes it (grafana/alloy internal/converter/internal/
 * promtailconvert): one loki.write per client; per scrape config its
 * discovery components, a discovery.relabel for relabel_configs, a
 * loki.process for pipeline stages (and limits_config), loki.source.file for
 * discovered files (continuing from Promtail's positions file), then the
 * sources that produce logs directly, then the Docker pipeline.
 */
import { Block, Bytes, componentBlock, Duration, Expr, type GoValue } from '../builder.js';
import { ConvertDiagnostics } from '../diag.js';
import { appendSd, labelForParts, labelWithIndex, SD_KINDS, staticTargets, type TargetRef } from '../discovery.js';
import { encodeValue } from '../builder.js';
import { httpClientConfig, relabelRules, tlsConfig, validateHttpClientConfig } from '../prometheus-common.js';
import { DISCOVERY_RELABEL, LOKI_PROCESS, LOKI_RELABEL, LOKI_SOURCE_FILE, LOKI_WRITE } from '../shapes/loki.js';
import {
  DISCOVERY_CONSULAGENT,
  LOKI_SOURCE_API,
  LOKI_SOURCE_AZURE_EVENT_HUBS,
  LOKI_SOURCE_CLOUDFLARE,
  LOKI_SOURCE_DOCKER,
  LOKI_SOURCE_GCPLOG,
  LOKI_SOURCE_GELF,
  LOKI_SOURCE_HEROKU,
  LOKI_SOURCE_JOURNAL,
  LOKI_SOURCE_KAFKA,
  LOKI_SOURCE_SYSLOG,
} from '../shapes/loki-sources.js';
import { bool, goDuration, int, list, map, promDuration, str, stringMap, strings, type YamlMap } from '../yaml-input.js';
import { sanitizeIdentifier } from '../../lang/identifier.js';
import { loadPromtailConfig, type PromtailClient, type PromtailConfig, type PromtailLimits } from './config.js';
import { convertStage } from './stages.js';
import { serverBlocks, validateServer } from './server.js';

type Obj = Record<string, GoValue>;

export function convertPromtail(text: string, diags: ConvertDiagnostics): Block[] | undefined {
  let cfg: PromtailConfig;
  try {
    cfg = loadPromtailConfig(text);
  } catch (e) {
    diags.critical(`failed to parse Promtail config: ${(e as Error).message}`);
    return undefined;
  }
  validateTopLevel(cfg, diags);
  const writes = cfg.clients.map((c, i) => lokiWrite(c, i, cfg.limits.maxStreams));
  const ctx: GlobalContext = {
    writeReceivers: writes.map((w) => `loki.write.${w.label}.receiver`),
    targetSyncPeriod: cfg.targetSyncPeriod,
    limits: cfg.limits,
  };
  const out: Block[] = [];
  for (const sc of cfg.scrapeConfigs) new ScrapeConfigBuilder(out, diags, sc, ctx).appendAll(cfg);
  out.push(...writes);
  return out;
}

function validateTopLevel(cfg: PromtailConfig, diags: ConvertDiagnostics): void {
  if (cfg.walEnabled) diags.error("Promtail's WAL is currently not supported in Alloy");
  if (cfg.limits.readlineRateEnabled) {
    diags.warn(
      'limits_config rate limiting settings (readline_rate, readline_burst, readline_rate_drop) have been ' +
        "converted to stage.limit stages in each loki.process component. Unlike Promtail's global rate " +
        'limiter, these limits apply independently per pipeline rather than across all pipelines combined.',
    );
  }
  if (cfg.tracingEnabled) {
    diags.warn(
      'If you have a tracing set up for Promtail, it cannot be migrated to Alloy automatically. ' +
        'Refer to the documentation on how to configure tracing in Alloy.',
    );
  }
  if (cfg.stdin) diags.error('reading targets from stdin is not supported in Alloy configuration file');
  const server = cfg.server;
  if (bool(server['profiling_enabled'])) {
    diags.warn("server.profiling_enabled is not supported - use Alloy's main HTTP server's profiling endpoints instead");
  }
  if (bool(server['register_instrumentation'], true)) {
    diags.warn(
      "Alloy's metrics are different from the metrics emitted by Promtail. If you rely on Promtail's metrics, " +
        'you must change your configuration, for example, your alerts and dashboards.',
    );
  }
  if (str(server['log_level'], 'info') !== 'info') {
    diags.warn(
      'The converter does not support converting the provided server.log_level config: ' +
        'The equivalent feature in Alloy is to use the logging config block to set the level argument.',
    );
  }
  if (str(server['http_path_prefix']) !== '') diags.error('server.http_path_prefix is not supported');
  if (server['health_check_target'] === false) diags.warn('server.health_check_target disabling is not supported in Alloy');
}

// ---------------------------------------------------------------------------
// loki.write

interface LabeledBlock extends Block {
  label: string;
}

function lokiWrite(c: PromtailClient, index: number, maxStreams: number): LabeledBlock {
  const label = labelWithIndex(index, 'default');
  const endpoint: Obj = {
    name: c.name,
    url: c.url,
    batch_wait: c.batchWait,
    batch_size: new Bytes(c.batchSize),
    remote_timeout: c.timeout,
    headers: c.headers,
    min_backoff_period: c.minBackoff,
    max_backoff_period: c.maxBackoff,
    max_backoff_retries: c.maxRetries,
    tenant_id: c.tenantId,
    retry_on_http_429: !c.dropRateLimited,
    ...httpClientConfig(c.y),
  };
  return componentBlock('loki.write', label, LOKI_WRITE, {
    endpoint: [endpoint],
    external_labels: c.externalLabels,
    max_streams: maxStreams,
  }) as LabeledBlock;
}

// ---------------------------------------------------------------------------
// Per scrape config

interface GlobalContext {
  readonly writeReceivers: readonly string[];
  readonly targetSyncPeriod: Duration;
  readonly limits: PromtailLimits;
}

class ScrapeConfigBuilder {
  private readonly jobName: string;
  private readonly targetExprs: string[] = [];
  private processReceivers: readonly string[] | undefined;
  private relabeledTargetsExpr = '';
  private relabelRulesExpr = '';

  constructor(
    private readonly out: Block[],
    private readonly diags: ConvertDiagnostics,
    private readonly sc: YamlMap,
    private readonly ctx: GlobalContext,
  ) {
    this.jobName = sanitizeIdentifier(str(sc['job_name']));
  }

  appendAll(cfg: PromtailConfig): void {
    this.appendSds();
    this.appendConsulAgentSds();
    this.appendLokiSourceFile(cfg);
    this.appendCloudflare();
    this.appendJournal();
    this.appendPushApi();
    this.appendSyslog();
    this.appendGcplog();
    this.appendWindowsEvents();
    this.appendKafka();
    this.appendAzureEventHubs();
    this.appendGelf();
    this.appendHerokuDrain();
    this.appendDockerPipeline();
  }

  private label(): string {
    return labelForParts(this.jobName);
  }

  // -- discovery

  private appendSds(): void {
    const counts = new Map<string, number>();
    const refs: TargetRef[] = [];
    for (const key of PROMTAIL_SD_ORDER) {
      if (key === 'static_configs') {
        const groups = (list(this.sc['static_configs']) ?? []).map((g) => map(g) ?? {});
        if (groups.length === 0) continue;
        // Promtail's file target manager gives a group without targets a "localhost" one.
        refs.push(...staticTargets(groups.map((g) => ((list(g['targets']) ?? []).length === 0 ? { ...g, targets: ['localhost'] } : g))));
        continue;
      }
      const kind = SD_KINDS.get(key);
      for (const entry of list(this.sc[key]) ?? []) {
        let y = map(entry) ?? {};
        if (key === 'kubernetes_sd_configs' && str(y['role']) === 'pod') y = withNodeSelector(y);
        if (!kind) {
          this.diags.error(`The converter does not support converting the provided ${key.replace(/_sd_configs$/, '')} service discovery.`);
          continue;
        }
        kind.validate?.(y, this.diags);
        refs.push(appendSd(this.out, kind, y, this.label(), counts));
      }
    }
    const literals = refs.filter((r): r is { labels: Record<string, string> } => 'labels' in r);
    for (const r of refs) if ('expr' in r) this.targetExprs.push(r.expr);
    if (literals.length > 0) this.targetExprs.push(encodeValue(literals.map((l) => l.labels)));
  }

  private allTargetsJoinedExpr(): string {
    if (this.targetExprs.length === 0) return '[]';
    if (this.targetExprs.length === 1) return this.targetExprs[0]!;
    return `array.concat(\n${this.targetExprs.map((t) => `\t\t${t},`).join('\n')}\n\t)`;
  }

  private appendDiscoveryRelabel(): void {
    if (this.relabeledTargetsExpr !== '') return;
    const rules = relabelRules(this.sc['relabel_configs']);
    if (!rules) {
      this.relabeledTargetsExpr = this.allTargetsJoinedExpr();
      this.relabelRulesExpr = 'null';
      return;
    }
    this.out.push(
      componentBlock('discovery.relabel', this.label(), DISCOVERY_RELABEL, { targets: new Expr(this.allTargetsJoinedExpr()), rule: rules }),
    );
    this.relabeledTargetsExpr = `discovery.relabel.${this.label()}.output`;
    this.relabelRulesExpr = `discovery.relabel.${this.label()}.rules`;
  }

  private relabeledTargets(): string {
    this.appendDiscoveryRelabel();
    return this.relabeledTargetsExpr;
  }

  private relabelRules(): Expr {
    this.appendDiscoveryRelabel();
    return new Expr(this.relabelRulesExpr);
  }

  // -- processing

  private processStageReceivers(): readonly string[] {
    if (this.processReceivers) return this.processReceivers;
    const limitStages = limitsStages(this.ctx.limits);
    const pipeline = list(this.sc['pipeline_stages']) ?? [];
    if (pipeline.length === 0 && limitStages.length === 0) {
      this.processReceivers = this.ctx.writeReceivers;
      return this.processReceivers;
    }
    const stages: Obj[] = [...limitStages];
    for (const ps of pipeline) {
      const st = convertStage(ps, this.diags);
      if (st) stages.push(st);
    }
    this.out.push(
      componentBlock('loki.process', this.label(), LOKI_PROCESS, { forward_to: receivers(this.ctx.writeReceivers), stage: stages }),
    );
    this.processReceivers = [`loki.process.${this.label()}.receiver`];
    return this.processReceivers;
  }

  /** loki.relabel in front of processing when relabel_configs exist (used by sources without targets). */
  lokiRelabelReceivers(): Expr {
    const rules = relabelRules(this.sc['relabel_configs']);
    if (!rules) return receivers(this.processStageReceivers());
    this.out.push(componentBlock('loki.relabel', this.label(), LOKI_RELABEL, { forward_to: receivers(this.processStageReceivers()), rule: rules, max_cache_size: 10_000 }));
    return new Expr(`[loki.relabel.${this.label()}.receiver]`);
  }

  private appendConsulAgentSds(): void {
    (list(this.sc['consulagent_sd_configs']) ?? []).forEach((entry, i) => {
      const y = map(entry) ?? {};
      if (Object.keys(map(y['node_meta']) ?? {}).length > 0) this.diags.warn('node_meta is not used by discovery.consulagent and will be ignored');
      const label = labelWithIndex(i, this.jobName);
      this.out.push(
        componentBlock('discovery.consulagent', label, DISCOVERY_CONSULAGENT, {
          refresh_interval: promDuration(y['refresh_interval'], new Duration(30_000_000_000n)),
          server: str(y['server'], 'localhost:8500'),
          token: str(y['token']),
          datacenter: str(y['datacenter']),
          tag_separator: str(y['tag_separator'], ','),
          scheme: str(y['scheme'], 'http'),
          username: str(y['username']),
          password: str(y['password']),
          services: strings(y['services']),
          tags: strings(y['tags']),
          tls_config: tlsConfig(map(y['tls_config'])),
        }),
      );
      this.targetExprs.push(`discovery.consulagent.${label}.targets`);
    });
  }

  // -- sources

  private appendLokiSourceFile(cfg: PromtailConfig): void {
    if (this.targetExprs.length === 0) return;
    const decompression = map(this.sc['decompression']);
    // Upstream adds the loki.process component before the discovery.relabel one.
    const forward = receivers(this.processStageReceivers());
    const args: Obj = {
      targets: new Expr(this.relabeledTargets()),
      forward_to: forward,
      encoding: str(this.sc['encoding']),
      decompression: decompression
        ? { enabled: bool(decompression['enabled']), initial_delay: goDuration(decompression['initial_delay']), format: str(decompression['format']) }
        : { enabled: false, initial_delay: new Duration(0n), format: '' },
      file_watch: { min_poll_frequency: cfg.fileWatch.min, max_poll_frequency: cfg.fileWatch.max },
      file_match: { enabled: true, sync_period: this.ctx.targetSyncPeriod, ignore_older_than: new Duration(0n) },
      legacy_positions_file: cfg.positionsFile,
      on_positions_file_error: 'restart_from_beginning',
    };
    this.out.push(componentBlock('loki.source.file', this.label(), LOKI_SOURCE_FILE, args));
  }

  private appendJournal(): void {
    const jc = map(this.sc['journal']);
    if (!jc) return;
    let maxAge = new Duration(7n * 3_600_000_000_000n);
    const rawAge = str(jc['max_age']);
    if (rawAge !== '') {
      try {
        maxAge = goDuration(rawAge);
      } catch (e) {
        this.diags.error(`failed to parse max_age duration for journal config: ${(e as Error).message}, will use default`);
      }
    }
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.journal', this.label(), LOKI_SOURCE_JOURNAL, {
        format_as_json: bool(jc['json']),
        max_age: maxAge,
        path: str(jc['path']),
        relabel_rules: this.relabelRules(),
        matches: '',
        forward_to: forward,
        labels: stringMap(jc['labels']) ?? {},
      }),
    );
  }

  private appendPushApi(): void {
    const pc = map(this.sc['loki_push_api']);
    if (!pc) return;
    const server = map(pc['server']) ?? {};
    validateServer(server, this.diags);
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.api', this.label(), LOKI_SOURCE_API, {
        ...serverBlocks(server),
        forward_to: forward,
        labels: stringMap(pc['labels']) ?? {},
        relabel_rules: this.relabelRules(),
        use_incoming_timestamp: bool(pc['use_incoming_timestamp']),
        max_send_message_size: new Bytes(int(pc['max_send_msg_size'])),
      }),
    );
  }

  private appendSyslog(): void {
    const sc = map(this.sc['syslog']);
    if (!sc) return;
    const format = str(sc['syslog_format']);
    if (!['', 'rfc3164', 'rfc5424', 'raw'].includes(format)) {
      this.diags.critical(`unknown syslog format ${JSON.stringify(format)}`);
      return;
    }
    const raw = map(sc['raw_format_options']);
    const cisco = map(sc['rfc3164_cisco_components']);
    const listener: Obj = {
      address: str(sc['listen_address']),
      protocol: str(sc['listen_protocol']),
      idle_timeout: goDuration(sc['idle_timeout']),
      label_structured_data: bool(sc['label_structured_data']),
      labels: stringMap(sc['labels']) ?? {},
      use_incoming_timestamp: bool(sc['use_incoming_timestamp']),
      use_rfc5424_message: bool(sc['use_rfc5424_message']),
      max_message_length: int(sc['max_message_length']),
      tls_config: tlsConfig(map(sc['tls_config'])),
      syslog_format: format === '' ? 'rfc5424' : format,
      raw_format_options: raw ? { use_null_terminator_delimiter: bool(raw['use_null_terminator_delimiter']) } : undefined,
      rfc3164_cisco_components: cisco
        ? {
            enable_all: bool(cisco['enable_all']),
            message_counter: bool(cisco['message_counter']),
            sequence_number: bool(cisco['sequence_number']),
            hostname: bool(cisco['hostname']),
            second_fractions: bool(cisco['second_fractions']),
          }
        : undefined,
      udp_queue_size: 0,
      udp_host_cache_size: 0,
    };
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.syslog', this.label(), LOKI_SOURCE_SYSLOG, { listener: [listener], forward_to: forward, relabel_rules: this.relabelRules() }),
    );
  }

  private appendCloudflare(): void {
    const c = map(this.sc['cloudflare']);
    if (!c) return;
    const args: Obj = {
      api_token: str(c['api_token']),
      zone_id: str(c['zone_id']),
      labels: stringMap(c['labels']) ?? {},
      workers: int(c['workers']),
      pull_range: promDuration(c['pull_range']),
      fields_type: str(c['fields_type']),
    };
    // Cloudflare has no relabel_rules argument: relabelling goes through a loki.relabel in front.
    args['forward_to'] = this.lokiRelabelReceivers();
    this.out.push(componentBlock('loki.source.cloudflare', this.label(), LOKI_SOURCE_CLOUDFLARE, args));
  }

  private appendGcplog(): void {
    const c = map(this.sc['gcplog']);
    if (!c) return;
    const type = str(c['subscription_type']);
    let pull: Obj | undefined;
    let push: Obj | undefined;
    if (type === '' || type === 'pull') {
      pull = {
        project_id: str(c['project_id']),
        subscription: str(c['subscription']),
        labels: stringMap(c['labels']) ?? {},
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        use_full_line: bool(c['use_full_line']),
        limit: { max_outstanding_bytes: new Bytes(1024 ** 3), max_outstanding_messages: 1000 },
      };
    } else if (type === 'push') {
      const server = map(c['server']) ?? {};
      validateServer(server, this.diags);
      push = {
        ...serverBlocks(server),
        push_timeout: goDuration(c['push_timeout']),
        labels: stringMap(c['labels']) ?? {},
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        use_full_line: bool(c['use_full_line']),
      };
    } else {
      this.diags.error("gcplog.subscription_type must be one of 'pull' or 'push'");
    }
    const forward = receivers(this.processStageReceivers());
    this.out.push(componentBlock('loki.source.gcplog', this.label(), LOKI_SOURCE_GCPLOG, { pull, push, forward_to: forward, relabel_rules: this.relabelRules() }));
  }

  private appendWindowsEvents(): void {
    if (map(this.sc['windows_events'])) {
      this.diags.error('The converter does not support converting the provided windows_events config: loki.source.windowsevent is not supported by alloy-ts');
    }
  }

  private appendKafka(): void {
    const c = map(this.sc['kafka']);
    if (!c) return;
    const auth = map(c['authentication']) ?? {};
    const sasl = map(auth['sasl_config']) ?? {};
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.kafka', this.label(), LOKI_SOURCE_KAFKA, {
        brokers: strings(c['brokers']),
        topics: strings(c['topics']),
        group_id: str(c['group_id']),
        assignor: str(c['assignor']),
        version: str(c['version']),
        authentication: {
          type: str(auth['type']),
          tls_config: tlsConfig(map(auth['tls_config'])),
          sasl_config: {
            mechanism: str(sasl['mechanism']),
            user: str(sasl['user']),
            password: str(sasl['password']),
            use_tls: bool(sasl['use_tls']),
            tls_config: tlsConfig(sasl),
          },
        },
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        labels: stringMap(c['labels']) ?? {},
        forward_to: forward,
        relabel_rules: this.relabelRules(),
      }),
    );
  }

  private appendAzureEventHubs(): void {
    const c = map(this.sc['azure_event_hubs']);
    if (!c) return;
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.azure_event_hubs', this.label(), LOKI_SOURCE_AZURE_EVENT_HUBS, {
        fully_qualified_namespace: str(c['fully_qualified_namespace']),
        event_hubs: strings(c['event_hubs']),
        authentication: { mechanism: '', connection_string: str(c['connection_string']) },
        group_id: str(c['group_id']),
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        disallow_custom_messages: bool(c['disallow_custom_messages']),
        relabel_rules: this.relabelRules(),
        labels: stringMap(c['labels']) ?? {},
        assignor: '',
        forward_to: forward,
      }),
    );
  }

  private appendGelf(): void {
    const c = map(this.sc['gelf']);
    if (!c) return;
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.gelf', this.label(), LOKI_SOURCE_GELF, {
        listen_address: str(c['listen_address']),
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        relabel_rules: this.relabelRules(),
        forward_to: forward,
      }),
    );
  }

  private appendHerokuDrain(): void {
    const c = map(this.sc['heroku_drain']);
    if (!c) return;
    const forward = receivers(this.processStageReceivers());
    this.out.push(
      componentBlock('loki.source.heroku', this.label(), LOKI_SOURCE_HEROKU, {
        ...serverBlocks(map(c['server']) ?? {}),
        labels: stringMap(c['labels']) ?? {},
        use_incoming_timestamp: bool(c['use_incoming_timestamp']),
        forward_to: forward,
        relabel_rules: this.relabelRules(),
      }),
    );
  }

  private appendDockerPipeline(): void {
    const sds = list(this.sc['docker_sd_configs']) ?? [];
    const kind = SD_KINDS.get('docker_sd_configs')!;
    sds.forEach((entry, i) => {
      const y = map(entry) ?? {};
      const label = labelWithIndex(i, this.jobName);
      const dargs = kind.args(y);
      if ((dargs['filter'] as unknown[]).length === 0) dargs['filter'] = undefined;
      this.out.push(componentBlock('discovery.docker', label, kind.shape, dargs));
      const forward = receivers(this.processStageReceivers());
      this.out.push(
        componentBlock('loki.source.docker', label, LOKI_SOURCE_DOCKER, {
          host: str(y['host']),
          targets: new Expr(`discovery.docker.${label}.targets`),
          forward_to: forward,
          relabel_rules: this.relabelRules(),
          http_client_config: httpClientConfig(y),
          refresh_interval: promDuration(y['refresh_interval'], new Duration(60_000_000_000n)),
        }),
      );
      validateHttpClientConfig(y, this.diags);
    });
  }
}

/** Prometheus SD kinds in the order Promtail's converter visits them (toDiscoveryConfig). */
const PROMTAIL_SD_ORDER = [
  'azure_sd_configs',
  'consul_sd_configs',
  'digitalocean_sd_configs',
  'dockerswarm_sd_configs',
  'dns_sd_configs',
  'ec2_sd_configs',
  'file_sd_configs',
  'gce_sd_configs',
  'kubernetes_sd_configs',
  'marathon_sd_configs',
  'nerve_sd_configs',
  'openstack_sd_configs',
  'serverset_sd_configs',
  'static_configs',
  'triton_sd_configs',
];

/**
 * Promtail only tails pods of its own node. The selector is written as a
 * string and turned into the expression once the file is rendered
 * (`fixNodeNameField`), as upstream does.
 */
export const NODE_NAME_FIELD = '"spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)';

export function fixNodeNameField(text: string): string {
  return text.split(encodeValue(NODE_NAME_FIELD)).join(NODE_NAME_FIELD);
}

function withNodeSelector(y: YamlMap): YamlMap {
  const selectors = [...(list(y['selectors']) ?? [])];
  selectors.push({ role: 'pod', field: NODE_NAME_FIELD });
  return { ...y, selectors };
}

function receivers(exprs: readonly string[]): Expr {
  return new Expr(`[${exprs.join(', ')}]`);
}

/** limits_config as stages at the head of every pipeline (buildLimitsConfigStages). */
function limitsStages(l: PromtailLimits): Obj[] {
  const out: Obj[] = [];
  if (l.readlineRateEnabled) out.push({ limit: { rate: l.readlineRate, burst: l.readlineBurst, drop: l.readlineRateDrop } });
  if (l.maxLineSize > 0) {
    if (l.maxLineSizeTruncate) out.push({ truncate: { rule: [{ limit: new Bytes(l.maxLineSize), source_type: 'line' }] } });
    else out.push({ drop: { longer_than: new Bytes(l.maxLineSize) } });
  }
  return out;
}
