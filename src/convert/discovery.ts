/**
 * Prometheus service discovery configs (`*_sd_configs`, `static_configs`) as
 * Alloy `discovery.*` components, shared by the Promtail and Prometheus
 * converters (grafana/alloy internal/converter/internal/prometheusconvert/
 * component/*.go). Each SD kind states the Alloy component's argument shape
 * (Go field order and defaults) and how the Prometheus YAML, with
 * Prometheus' own defaults, maps onto it.
 */
import { attr, block, Duration, componentBlock, pointerBlock, squash, struct, type Block, type GoValue, type StructShape } from './builder.js';
import type { ConvertDiagnostics } from './diag.js';
import { httpClientConfig, tlsConfig, validateHttpClientConfig } from './prometheus-common.js';
import { HTTP_CLIENT_CONFIG, TLS_CONFIG } from './shapes/common.js';
import { bool, int, list, map, promDuration, str, strings, stringMap, YamlLoadError, type YamlMap } from './yaml-input.js';

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
    // Prometheus' consul SD also copies its deprecated username/password into the HTTP client's basic auth.
    const legacyAuth = y['username'] !== undefined || y['password'] !== undefined;
    const http = withHttp(legacyAuth ? { ...y, basic_auth: { username: y['username'], password: y['password'] } } : y);
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


// ---------------------------------------------------------------------------
// The remaining SDs: most are plain field copies with Prometheus' defaults,
// which are the Alloy component's defaults.

type FieldKind = 'str' | 'int' | 'bool' | 'dur' | 'strs';
type FieldSpec = readonly [alloy: string, yaml: string, kind: FieldKind, dflt?: GoValue];

function readField(y: YamlMap, [, key, kind, dflt]: FieldSpec): GoValue {
  switch (kind) {
    case 'str':
      return str(y[key], (dflt as string) ?? '');
    case 'int':
      return int(y[key], (dflt as number) ?? 0);
    case 'bool':
      return bool(y[key], (dflt as boolean) ?? false);
    case 'dur':
      return promDuration(y[key], (dflt as Duration) ?? new Duration(0n));
    case 'strs':
      return strings(y[key]);
  }
}

function defaultsOf(specs: readonly FieldSpec[], extra: Record<string, GoValue> = {}): Record<string, GoValue> {
  const out: Record<string, GoValue> = { ...extra };
  for (const [name, , , dflt] of specs) if (dflt !== undefined) out[name] = dflt;
  return out;
}

/** An SD whose Alloy arguments are its fields (required ones listed) plus, optionally, the squashed HTTP client. */
function plainSd(key: string, counter: string, component: string, specs: readonly FieldSpec[], required: readonly string[], http: 'after' | 'before' | 'none' = 'none'): SdKind {
  const fields = specs.map(([name]) => attr(name, !required.includes(name)));
  const withHttp = http === 'after' ? [...fields, squash(HTTP_CLIENT_CONFIG)] : http === 'before' ? [squash(HTTP_CLIENT_CONFIG), ...fields] : fields;
  const httpDefaults = http === 'none' ? {} : { follow_redirects: true, enable_http2: true };
  return {
    key,
    counter,
    component,
    shape: struct(withHttp, defaultsOf(specs, httpDefaults)),
    args: (y) => {
      const out: Obj = http === 'none' ? {} : httpClientConfig(y);
      for (const spec of specs) out[spec[0]] = readField(y, spec);
      return out;
    },
    validate: http === 'none' ? undefined : (y, d) => validateHttpClientConfig(y, d),
  };
}

/** The HTTP-client subset some SDs squash directly (proxy, redirects, HTTP/2, TLS). */
function clientSubset(y: YamlMap): Obj {
  const h = httpClientConfig(y);
  return {
    proxy_url: h['proxy_url'],
    no_proxy: h['no_proxy'],
    proxy_from_environment: h['proxy_from_environment'],
    proxy_connect_header: h['proxy_connect_header'],
    follow_redirects: h['follow_redirects'],
    enable_http2: h['enable_http2'],
    tls_config: h['tls_config'],
  };
}

const PROXY_FIELDS = [attr('proxy_url'), attr('no_proxy'), attr('proxy_from_environment'), attr('proxy_connect_header')];
const TLS_BLOCK = block('tls_config', TLS_CONFIG);

const AZURE: SdKind = {
  key: 'azure_sd_configs',
  counter: 'azure',
  component: 'discovery.azure',
  shape: struct(
    [
      attr('environment'),
      attr('port'),
      attr('subscription_id'),
      block('oauth', struct([attr('client_id', false), attr('tenant_id', false), attr('client_secret', false)])),
      block('managed_identity', struct([attr('client_id', false)])),
      block('sdk_auth', struct([attr('tenant_id')])),
      pointerBlock('workload_identity', struct([])),
      attr('refresh_interval'),
      attr('resource_group'),
      ...PROXY_FIELDS,
      attr('follow_redirects'),
      attr('enable_http2'),
      TLS_BLOCK,
    ],
    { environment: 'AzurePublicCloud', port: 80, refresh_interval: secs(300), follow_redirects: true, enable_http2: true },
  ),
  args: (y) => {
    const method = str(y['authentication_method']);
    const auth: Obj = {};
    if (method === 'ManagedIdentity') auth['managed_identity'] = { client_id: str(y['client_id']) };
    else if (method === 'SDK') auth['sdk_auth'] = { tenant_id: str(y['tenant_id']) };
    else if (method === 'WorkloadIdentity') auth['workload_identity'] = {};
    else if (method === '' || method === 'OAuth') auth['oauth'] = { client_id: str(y['client_id']), tenant_id: str(y['tenant_id']), client_secret: str(y['client_secret']) };
    return {
      environment: str(y['environment'], 'AzurePublicCloud'),
      port: int(y['port'], 80),
      subscription_id: str(y['subscription_id']),
      ...auth,
      refresh_interval: promDuration(y['refresh_interval'], secs(300)),
      resource_group: str(y['resource_group']),
      ...clientSubset(y),
    };
  },
  validate: (y, d) => {
    validateHttpClientConfig(y, d);
    const method = str(y['authentication_method']);
    if (!['ManagedIdentity', 'SDK', 'WorkloadIdentity', '', 'OAuth'].includes(method)) {
      d.critical(`unknown authentication_method ${JSON.stringify(method)}. Supported methods are "OAuth", "ManagedIdentity", "SDK" or "WorkloadIdentity"`);
    }
  },
};

const DIGITALOCEAN: SdKind = {
  key: 'digitalocean_sd_configs',
  counter: 'digitalocean',
  component: 'discovery.digitalocean',
  shape: struct(
    [attr('refresh_interval'), attr('port'), attr('bearer_token'), attr('bearer_token_file'), ...PROXY_FIELDS, attr('follow_redirects'), attr('enable_http2')],
    { port: 80, refresh_interval: secs(60), follow_redirects: true, enable_http2: true },
  ),
  args: (y) => {
    const sub = clientSubset(y);
    return {
      refresh_interval: promDuration(y['refresh_interval'], secs(60)),
      port: int(y['port'], 80),
      bearer_token: str(y['bearer_token']),
      bearer_token_file: str(y['bearer_token_file']),
      ...sub,
      tls_config: undefined,
    };
  },
  validate: (y, d) => {
    if (map(y['basic_auth'])) d.unsupported('digitalocean_sd_configs basic_auth');
    if (map(y['authorization'])) d.unsupported('digitalocean_sd_configs authorization');
    if (map(y['oauth2'])) d.unsupported('digitalocean_sd_configs oauth2');
    const tls = map(y['tls_config']);
    if (tls && Object.keys(tls).length > 0) d.unsupported('digitalocean_sd_configs tls_config');
    validateHttpClientConfig(y, d);
  },
};

const filterBlock = block('filter', struct([attr('name', false), attr('values', false)]));
const readFilters = (v: unknown) => (list(v) ?? []).map((f) => ({ name: str(map(f)?.['name']), values: strings(map(f)?.['values']) }));

const DOCKERSWARM: SdKind = {
  key: 'dockerswarm_sd_configs',
  counter: 'dockerswarm',
  component: 'discovery.dockerswarm',
  shape: struct([attr('host', false), attr('role', false), attr('port'), filterBlock, attr('refresh_interval'), squash(HTTP_CLIENT_CONFIG)], {
    port: 80,
    refresh_interval: secs(60),
    follow_redirects: true,
    enable_http2: true,
  }),
  args: (y) => ({
    host: str(y['host']),
    role: str(y['role']),
    port: int(y['port'], 80),
    filter: readFilters(y['filters']),
    refresh_interval: promDuration(y['refresh_interval'], secs(60)),
    ...httpClientConfig(y),
  }),
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const AWS_COMMON: FieldSpec[] = [
  ['endpoint', 'endpoint', 'str'],
  ['region', 'region', 'str'],
  ['access_key', 'access_key', 'str'],
  ['secret_key', 'secret_key', 'str'],
  ['profile', 'profile', 'str'],
  ['role_arn', 'role_arn', 'str'],
  ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
  ['port', 'port', 'int', 80],
];

const EC2: SdKind = {
  key: 'ec2_sd_configs',
  counter: 'ec2',
  component: 'discovery.ec2',
  shape: struct([...AWS_COMMON.map(([n]) => attr(n)), filterBlock, squash(HTTP_CLIENT_CONFIG)], defaultsOf(AWS_COMMON, { follow_redirects: true, enable_http2: true })),
  args: (y) => {
    const out: Obj = {};
    for (const spec of AWS_COMMON) out[spec[0]] = readField(y, spec);
    return { ...out, filter: readFilters(y['filters']), ...httpClientConfig(y) };
  },
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const LIGHTSAIL = plainSd('lightsail_sd_configs', 'lightsail', 'discovery.lightsail', AWS_COMMON, [], 'after');

const HTTP_SD: SdKind = {
  key: 'http_sd_configs',
  counter: 'http',
  component: 'discovery.http',
  // discovery.http sets its defaults while decoding (UnmarshalAlloy), not with
  // SetToDefault, so the builder compares against zero values.
  shape: struct([squash(HTTP_CLIENT_CONFIG), attr('refresh_interval'), attr('url', false)], {}),
  args: (y) => ({ ...httpClientConfig(y), refresh_interval: promDuration(y['refresh_interval'], secs(60)), url: str(y['url']) }),
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const IONOS = plainSd(
  'ionos_sd_configs',
  'ionos',
  'discovery.ionos',
  [
    ['datacenter_id', 'datacenter_id', 'str'],
    ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
    ['port', 'port', 'int', 80],
  ],
  ['datacenter_id'],
  'none',
);
// ionos squashes the HTTP client between datacenter_id and refresh_interval.
const IONOS_SD: SdKind = {
  ...IONOS,
  shape: struct([attr('datacenter_id', false), squash(HTTP_CLIENT_CONFIG), attr('refresh_interval'), attr('port')], {
    refresh_interval: secs(60),
    port: 80,
    follow_redirects: true,
    enable_http2: true,
  }),
  args: (y) => ({ ...IONOS.args(y), ...httpClientConfig(y) }),
  validate: (y, d) => validateHttpClientConfig(y, d),
};

const KUMA = plainSd(
  'kuma_sd_configs',
  'kuma',
  'discovery.kuma',
  [
    ['server', 'server', 'str'],
    ['refresh_interval', 'refresh_interval', 'dur', secs(30)],
    ['fetch_timeout', 'fetch_timeout', 'dur', secs(120)],
  ],
  ['server'],
  'after',
);
// Prometheus' kuma SD refreshes every 15 s by default, Alloy's every 30 s.
const KUMA_SD: SdKind = { ...KUMA, args: (y) => ({ ...KUMA.args(y), refresh_interval: promDuration(y['refresh_interval'], secs(15)) }) };

const LINODE = plainSd(
  'linode_sd_configs',
  'linode',
  'discovery.linode',
  [
    ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
    ['port', 'port', 'int', 80],
    ['tag_separator', 'tag_separator', 'str', ','],
    ['region', 'region', 'str'],
  ],
  [],
  'after',
);

const MARATHON = plainSd(
  'marathon_sd_configs',
  'marathon',
  'discovery.marathon',
  [
    ['servers', 'servers', 'strs'],
    ['refresh_interval', 'refresh_interval', 'dur', secs(30)],
    ['auth_token', 'auth_token', 'str'],
    ['auth_token_file', 'auth_token_file', 'str'],
  ],
  ['servers'],
  'after',
);

const ZK_FIELDS: FieldSpec[] = [
  ['servers', 'servers', 'strs'],
  ['paths', 'paths', 'strs'],
  ['timeout', 'timeout', 'dur', secs(10)],
];
const NERVE = plainSd('nerve_sd_configs', 'nerve', 'discovery.nerve', ZK_FIELDS, ['servers', 'paths']);
const SERVERSET = plainSd('serverset_sd_configs', 'serverset', 'discovery.serverset', ZK_FIELDS, ['servers', 'paths']);

const OPENSTACK_FIELDS: FieldSpec[] = [
  ['identity_endpoint', 'identity_endpoint', 'str'],
  ['username', 'username', 'str'],
  ['userid', 'userid', 'str'],
  ['password', 'password', 'str'],
  ['project_name', 'project_name', 'str'],
  ['project_id', 'project_id', 'str'],
  ['domain_name', 'domain_name', 'str'],
  ['domain_id', 'domain_id', 'str'],
  ['application_credential_name', 'application_credential_name', 'str'],
  ['application_credential_id', 'application_credential_id', 'str'],
  ['application_credential_secret', 'application_credential_secret', 'str'],
  ['role', 'role', 'str'],
  ['region', 'region', 'str'],
  ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
  ['port', 'port', 'int', 80],
  ['all_tenants', 'all_tenants', 'bool'],
];
const OPENSTACK: SdKind = {
  key: 'openstack_sd_configs',
  counter: 'openstack',
  component: 'discovery.openstack',
  shape: struct(
    [...OPENSTACK_FIELDS.map(([n]) => attr(n, !['role', 'region'].includes(n))), TLS_BLOCK, attr('availability')],
    defaultsOf(OPENSTACK_FIELDS, { availability: 'public' }),
  ),
  args: (y) => {
    const out: Obj = {};
    for (const spec of OPENSTACK_FIELDS) out[spec[0]] = readField(y, spec);
    return { ...out, tls_config: tlsConfig(map(y['tls_config'])), availability: str(y['availability'], 'public') };
  },
};

const OVHCLOUD = plainSd(
  'ovhcloud_sd_configs',
  'ovhcloud',
  'discovery.ovhcloud',
  [
    ['endpoint', 'endpoint', 'str', 'ovh-eu'],
    ['application_key', 'application_key', 'str'],
    ['application_secret', 'application_secret', 'str'],
    ['consumer_key', 'consumer_key', 'str'],
    ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
    ['service', 'service', 'str'],
  ],
  ['application_key', 'application_secret', 'consumer_key', 'service'],
);

const SCALEWAY_FIELDS: FieldSpec[] = [
  ['project_id', 'project_id', 'str'],
  ['role', 'role', 'str'],
  ['api_url', 'api_url', 'str', 'https://api.scaleway.com'],
  ['zone', 'zone', 'str', 'fr-par-1'],
  ['access_key', 'access_key', 'str'],
  ['secret_key', 'secret_key', 'str'],
  ['secret_key_file', 'secret_key_file', 'str'],
  ['name_filter', 'name_filter', 'str'],
  ['tags_filter', 'tags_filter', 'strs'],
  ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
  ['port', 'port', 'int', 80],
];
const SCALEWAY: SdKind = {
  key: 'scaleway_sd_configs',
  counter: 'scaleway',
  component: 'discovery.scaleway',
  shape: struct(
    [
      ...SCALEWAY_FIELDS.map(([n]) => attr(n, !['project_id', 'role', 'access_key'].includes(n))),
      ...PROXY_FIELDS,
      TLS_BLOCK,
      attr('follow_redirects'),
      attr('enable_http2'),
    ],
    defaultsOf(SCALEWAY_FIELDS, { follow_redirects: true, enable_http2: true }),
  ),
  args: (y) => {
    const out: Obj = {};
    for (const spec of SCALEWAY_FIELDS) out[spec[0]] = readField(y, spec);
    return { ...out, ...clientSubset(y) };
  },
};

const TRITON_FIELDS: FieldSpec[] = [
  ['account', 'account', 'str'],
  ['role', 'role', 'str', 'container'],
  ['dns_suffix', 'dns_suffix', 'str'],
  ['endpoint', 'endpoint', 'str'],
  ['groups', 'groups', 'strs'],
  ['port', 'port', 'int', 9163],
  ['refresh_interval', 'refresh_interval', 'dur', secs(60)],
  ['version', 'version', 'int', 1],
];
const TRITON: SdKind = {
  key: 'triton_sd_configs',
  counter: 'triton',
  component: 'discovery.triton',
  shape: struct([...TRITON_FIELDS.map(([n]) => attr(n, !['account', 'dns_suffix', 'endpoint'].includes(n))), TLS_BLOCK], defaultsOf(TRITON_FIELDS)),
  args: (y) => {
    const out: Obj = {};
    for (const spec of TRITON_FIELDS) out[spec[0]] = readField(y, spec);
    return { ...out, tls_config: tlsConfig(map(y['tls_config'])) };
  },
};

const AZURE_METHODS = ['OAuth', 'ManagedIdentity', 'SDK', 'WorkloadIdentity'];

/** What Prometheus' SD configs reject while the YAML is read (their UnmarshalYAML checks). */
export function checkSdConfigs(sc: YamlMap): void {
  for (const entry of list(sc['azure_sd_configs']) ?? []) {
    const method = str(map(entry)?.['authentication_method'], 'OAuth');
    if (!AZURE_METHODS.includes(method)) {
      throw new YamlLoadError(`unknown authentication_type ${JSON.stringify(method)}. Supported types are "OAuth", "ManagedIdentity", "SDK" or "WorkloadIdentity"`);
    }
  }
}

/** Every SD kind converted, by YAML key. */
export const SD_KINDS: ReadonlyMap<string, SdKind> = new Map(
  [KUBERNETES, FILE, DOCKER, CONSUL, DNS, GCE, AZURE, DIGITALOCEAN, DOCKERSWARM, EC2, LIGHTSAIL, HTTP_SD, IONOS_SD, KUMA_SD, LINODE, MARATHON, NERVE, SERVERSET, OPENSTACK, OVHCLOUD, SCALEWAY, TRITON].map((k) => [k.key, k]),
);

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
