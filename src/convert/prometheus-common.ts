/**
 * Prometheus' shared config pieces (prometheus/common config.HTTPClientConfig,
 * model/relabel.Config) read from YAML with Prometheus' defaults and
 * validation rewrites, turned into Alloy's argument values
 * (grafana/alloy internal/converter/internal/common/http_client_config.go,
 * prometheusconvert/component/relabel.go).
 */
import type { GoValue } from './builder.js';
import type { ConvertDiagnostics } from './diag.js';
import { bool, list, map, optStr, str, strings, stringMap, type YamlMap } from './yaml-input.js';

type Obj = Record<string, GoValue>;

/** tls_config → Alloy TLSConfig (a struct value; all-zero when absent). */
export function tlsConfig(y: YamlMap | undefined): Obj {
  const t = y ?? {};
  return {
    ca_pem: str(t['ca']),
    ca_file: str(t['ca_file']),
    cert_pem: str(t['cert']),
    cert_file: str(t['cert_file']),
    key_pem: str(t['key']),
    key_file: str(t['key_file']),
    server_name: str(t['server_name']),
    insecure_skip_verify: bool(t['insecure_skip_verify']),
    min_version: str(t['min_version']),
  };
}

/** The proxy fields; undefined when none is set (Alloy's ToProxyConfig). */
function proxyFields(y: YamlMap): Obj {
  const header = map(y['proxy_connect_header']);
  return {
    proxy_url: str(y['proxy_url']),
    no_proxy: str(y['no_proxy']),
    proxy_from_environment: bool(y['proxy_from_environment']),
    proxy_connect_header: header
      ? Object.fromEntries(Object.entries(header).map(([k, v]) => [k, (list(v) ?? []).map((x) => str(x))]))
      : undefined,
  };
}

/**
 * An HTTP client config in a YAML map (inline, as in scrape configs and
 * Promtail clients). Prometheus' validation turns `bearer_token(_file)` and a
 * typeless `authorization` into an `authorization` of type Bearer.
 */
export function httpClientConfig(y: YamlMap): Obj {
  let authorization: Obj | undefined;
  const auth = map(y['authorization']);
  if (auth) {
    authorization = { type: str(auth['type'], 'Bearer') || 'Bearer', credentials: str(auth['credentials']), credentials_file: str(auth['credentials_file']) };
  } else if (y['bearer_token'] !== undefined || y['bearer_token_file'] !== undefined) {
    authorization = { type: 'Bearer', credentials: str(y['bearer_token']), credentials_file: str(y['bearer_token_file']) };
  }
  const basic = map(y['basic_auth']);
  const oauth = map(y['oauth2']);
  return {
    basic_auth: basic ? { username: str(basic['username']), password: str(basic['password']), password_file: str(basic['password_file']) } : undefined,
    authorization,
    oauth2: oauth
      ? {
          client_id: str(oauth['client_id']),
          client_secret: str(oauth['client_secret']),
          client_secret_file: str(oauth['client_secret_file']),
          scopes: strings(oauth['scopes']),
          token_url: str(oauth['token_url']),
          endpoint_params: stringMap(oauth['endpoint_params']),
          ...proxyFields(oauth),
          tls_config: tlsConfig(map(oauth['tls_config'])),
        }
      : undefined,
    bearer_token: '',
    bearer_token_file: '',
    ...proxyFields(y),
    tls_config: tlsConfig(map(y['tls_config'])),
    follow_redirects: bool(y['follow_redirects'], true),
    enable_http2: bool(y['enable_http2'], true),
  };
}

/** Diagnostics for HTTP client settings Alloy lacks (common.ValidateHttpClientConfig). */
export function validateHttpClientConfig(y: YamlMap, diags: ConvertDiagnostics): void {
  const tls = map(y['tls_config']);
  if (tls && tls['max_version'] !== undefined && str(tls['max_version']) !== '') diags.unsupported('HTTP Client max_version');
}

const RELABEL_DEFAULTS = { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace' };

/** relabel_configs → Alloy `rule` blocks (nil when there are none). */
export function relabelRules(v: unknown): Obj[] | undefined {
  const rules = list(v);
  if (!rules || rules.length === 0) return undefined;
  return rules.map((r) => {
    const y = map(r) ?? {};
    const sources = strings(y['source_labels']);
    return {
      source_labels: sources && sources.length > 0 ? sources : undefined,
      separator: optStr(y['separator']) ?? RELABEL_DEFAULTS.separator,
      regex: optStr(y['regex']) ?? RELABEL_DEFAULTS.regex,
      modulus: Number(y['modulus'] ?? 0),
      target_label: str(y['target_label']),
      replacement: optStr(y['replacement']) ?? RELABEL_DEFAULTS.replacement,
      action: (optStr(y['action']) ?? RELABEL_DEFAULTS.action).toLowerCase(),
    };
  });
}
