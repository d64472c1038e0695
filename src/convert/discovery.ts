/**
 * Prometheus service discovery configs (`*_sd_configs`, `static_configs`) as
 * Alloy `discovery.*` components, shared by the Promtail and Prometheus
 * converters (grafana/alloy internal/converter/internal/prometheusconvert/
 * component/*.go). Each SD kind states the Alloy component's argument shape
 * (Go field order and defaults) and how the Prometheus YAML, with
 * Prometheus' own defaults, maps onto it.
 */
import { attr, block, Duration, componentBlock, squash, struct, type Block, type GoValue, type StructShape } from './builder.js';
import type { ConvertDiagnostics } from './diag.js';
import { httpClientConfig, tlsConfig, validateHttpClientConfig } from './prometheus-common.js';
import { HTTP_CLIENT_CONFIG, TLS_CONFIG } from './shapes/common.js';
import { bool, int, list, map, promDuration, str, strings, stringMap, type YamlMap } from './yaml-input.js';

type Obj = Record<string, GoValue>;

/** A target list entry: a reference to a component's targets, or a literal label set. */
export type TargetRef = { expr: string } | { labels: Record<string, string> };

export interface SdKind {
  /** The YAML key (`kubernetes_sd_configs`). */
  readonly key: string;
  /** The label counter's name in upstream's AppendServiceDiscoveryConfig. */
  readonly counter: string;
  readonly component: string;
  readonly shape: StructShape;
  readonly args: (y: YamlMap) => Obj;
  readonly validate?: (y: YamlMap, diags: ConvertDiagnostics) => void;
}

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);

function withHttp(y: YamlMap): Obj {
  return httpClientConfig(y);
}

const KUBERNETES: SdKind = {
  key: 'kubernetes_sd_configs',
  counter: 'kubernetes',
  component: 'discovery.kubernetes',
  shape: struct(
    [
      attr('api_server'),
      attr('role', false),
      attr('kubeconfig_file'),
      squash(HTTP_CLIENT_CONFIG),
      block('namespaces', struct([attr('own_namespace'), attr('names')])),
      block('selectors', struct([attr('role', false), attr('label'), attr('field')])),
      block('attach_metadata', struct([attr('node'), attr('namespace')])),
    ],
    { follow_redirects: true, enable_http2: true },
  ),
  args: (y) => {
    const ns = map(y['namespaces']) ?? {};
    const meta = map(y['attach_metadata']) ?? {};
    return {
      api_server: str(y['api_server']),
      role: str(y['role']),
      kubeconfig_file: str(y['kubeconfig_file']),
      ...withHttp(y),
      namespaces: { own_namespace: bool(ns['own_namespace']), names: strings(ns['names']) },
      selectors: (list(y['selectors']) ?? []).map((s) => {
        const m = map(s) ?? {};
        return { role: str(m['role']), label: str(m['label']), field: str(m['field']) };
      }),
      attach_metadata: { node: bool(meta['node']), namespace: bool(meta['namespace']) },
    };
  },
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const FILE: SdKind = {
  key: 'file_sd_configs',
  counter: 'file',
  component: 'discovery.file',
  shape: struct([attr('files', false), attr('refresh_interval')], { refresh_interval: secs(300) }),
  args: (y) => ({ files: strings(y['files']), refresh_interval: promDuration(y['refresh_interval'], secs(300)) }),
};

const DOCKER: SdKind = {
  key: 'docker_sd_configs',
  counter: 'docker',
  component: 'discovery.docker',
  shape: struct(
    [
      attr('host', false),
      attr('port'),
      attr('host_networking_host'),
      attr('refresh_interval'),
      attr('match_first_network'),
      block('filter', struct([attr('name', false), attr('values', false)])),
      squash(HTTP_CLIENT_CONFIG),
    ],
    { port: 80, host_networking_host: 'localhost', refresh_interval: secs(60), match_first_network: true, follow_redirects: true, enable_http2: true },
  ),
  args: (y) => ({
    host: str(y['host']),
    port: int(y['port'], 80),
    host_networking_host: str(y['host_networking_host'], 'localhost'),
    refresh_interval: promDuration(y['refresh_interval'], secs(60)),
    match_first_network: bool(y['match_first_network'], true),
    filter: (list(y['filters']) ?? []).map((f) => ({ name: str(map(f)?.['name']), values: strings(map(f)?.['values']) })),
    ...withHttp(y),
  }),
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const CONSUL: SdKind = {
  key: 'consul_sd_configs',
  counter: 'consul',
  component: 'discovery.consul',
  shape: struct(
    [
      attr('server'),
      attr('token'),
      attr('datacenter'),
      attr('namespace'),
      attr('partition'),
      attr('tag_separator'),
      attr('scheme'),
      attr('username'),
      attr('password'),
      attr('allow_stale'),
      attr('services'),
      attr('tags'),
      attr('node_meta'),
      attr('refresh_interval'),
      squash(HTTP_CLIENT_CONFIG),
    ],
    { server: 'localhost:8500', tag_separator: ',', scheme: 'http', allow_stale: true, refresh_interval: secs(30), follow_redirects: true, enable_http2: true },
  ),
  args: (y) => {
    const http = withHttp(y);
    // Prometheus' consul SD moves its own basic auth fields into the HTTP client.
    return {
      server: str(y['server'], 'localhost:8500'),
      token: str(y['token']),
      datacenter: str(y['datacenter']),
      namespace: str(y['namespace']),
      partition: str(y['partition']),
      tag_separator: str(y['tag_separator'], ','),
      scheme: str(y['scheme'], 'http'),
      username: str(y['username']),
      password: str(y['password']),
      allow_stale: bool(y['allow_stale'], true),
      services: strings(y['services']),
      tags: strings(y['tags']),
      node_meta: stringMap(y['node_meta']),
      refresh_interval: promDuration(y['refresh_interval'], secs(30)),
      ...http,
    };
  },
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const DNS: SdKind = {
  key: 'dns_sd_configs',
  counter: 'dns',
  component: 'discovery.dns',
  shape: struct([attr('names', false), attr('refresh_interval'), attr('type'), attr('port')], { refresh_interval: secs(30), type: 'SRV' }),
  args: (y) => ({
    names: strings(y['names']),
    refresh_interval: promDuration(y['refresh_interval'], secs(30)),
    type: str(y['type'], 'SRV'),
    port: int(y['port']),
  }),
};

const GCE: SdKind = {
  key: 'gce_sd_configs',
  counter: 'gce',
  component: 'discovery.gce',
  shape: struct(
    [attr('project', false), attr('zone', false), attr('filter'), attr('refresh_interval'), attr('port'), attr('tag_separator')],
    { port: 80, tag_separator: ',', refresh_interval: secs(60) },
  ),
  args: (y) => ({
    project: str(y['project']),
    zone: str(y['zone']),
    filter: str(y['filter']),
    refresh_interval: promDuration(y['refresh_interval'], secs(60)),
    port: int(y['port'], 80),
    tag_separator: str(y['tag_separator'], ','),
  }),
};

/** Every SD kind converted, by YAML key. */
export const SD_KINDS: ReadonlyMap<string, SdKind> = new Map([KUBERNETES, FILE, DOCKER, CONSUL, DNS, GCE].map((k) => [k.key, k]));

/** Keep TLS shape referenced for SDs that carry one directly. */
export const SD_TLS = { shape: TLS_CONFIG, value: tlsConfig };

/** Appends one SD config's component; returns the reference to its targets. */
export function appendSd(out: Block[], kind: SdKind, y: YamlMap, label: string, counts: Map<string, number>): TargetRef {
  const n = counts.get(kind.counter) ?? 0;
  counts.set(kind.counter, n + 1);
  const compLabel = labelWithIndex(n, label);
  out.push(componentBlock(kind.component, compLabel, kind.shape, kind.args(y)));
  return { expr: `${kind.component}.${compLabel}.targets` };
}

/** static_configs → literal targets (each target's labels with its group's labels). */
export function staticTargets(groups: readonly YamlMap[]): TargetRef[] {
  const out: TargetRef[] = [];
  for (const g of groups) {
    const labels = stringMap(g['labels']) ?? {};
    for (const t of strings(g['targets']) ?? []) out.push({ labels: { ...labels, __address__: t } });
  }
  return out;
}

/** common.LabelForParts: the non-empty parts joined with "_". */
export function labelForParts(...parts: (string | number)[]): string {
  return parts.filter((p) => p !== '').map(String).join('_');
}

/** common.LabelWithIndex: index 0 keeps the label, later ones get "_<index+1>". */
export function labelWithIndex(index: number, ...parts: (string | number)[]): string {
  return index === 0 ? labelForParts(...parts) : labelForParts(...parts, index + 1);
}
