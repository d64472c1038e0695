/**
 * A Promtail target's `server` block (dskit's server.Config) as the `http` /
 * `grpc` blocks of loki.source.api and loki.source.heroku
 * (grafana/alloy internal/converter/internal/common/weaveworks_server.go).
 * Promtail does not apply dskit's flag defaults to these, so an unset value
 * is Go's zero value.
 */
import type { GoValue } from '../builder.js';
import type { ConvertDiagnostics } from '../diag.js';
import { goDuration, int, map, str, type YamlMap } from '../yaml-input.js';

type Obj = Record<string, GoValue>;

function serverTls(y: YamlMap | undefined): Obj | undefined {
  if (!y || (str(y['cert_file']) === '' && str(y['cert']) === '')) return undefined;
  return {
    cert_pem: str(y['cert']),
    key_pem: str(y['key']),
    cert_file: str(y['cert_file']),
    key_file: str(y['key_file']),
    client_auth_type: str(y['client_auth_type']),
    client_ca_file: str(y['client_ca_file']),
    client_ca: str(y['client_ca']),
  };
}

export function serverBlocks(y: YamlMap): Obj {
  return {
    http: {
      listen_address: str(y['http_listen_address']),
      listen_port: int(y['http_listen_port']),
      conn_limit: int(y['http_listen_conn_limit']),
      server_read_timeout: goDuration(y['http_server_read_timeout']),
      server_write_timeout: goDuration(y['http_server_write_timeout']),
      server_idle_timeout: goDuration(y['http_server_idle_timeout']),
      tls: serverTls(map(y['http_tls_config'])),
    },
    grpc: {
      listen_address: str(y['grpc_listen_address']),
      listen_port: int(y['grpc_listen_port']),
      conn_limit: int(y['grpc_listen_conn_limit']),
      max_connection_age: goDuration(y['grpc_server_max_connection_age']),
      max_connection_age_grace: goDuration(y['grpc_server_max_connection_age_grace']),
      max_connection_idle: goDuration(y['grpc_server_max_connection_idle']),
      server_max_recv_msg_size: int(y['grpc_server_max_recv_msg_size']),
      server_max_send_msg_size: int(y['grpc_server_max_send_msg_size']),
      server_max_concurrent_streams: int(y['grpc_server_max_concurrent_streams']),
      tls: serverTls(map(y['grpc_tls_config'])),
    },
    graceful_shutdown_timeout: goDuration(y['graceful_shutdown_timeout']),
  };
}

/** dskit settings Alloy's servers lack (common.ValidateWeaveWorksServerCfg), in upstream's order. */
const UNSUPPORTED: readonly (readonly [string, string])[] = [
  ['http_listen_network', 'http_listen_network'],
  ['grpc_listen_network', 'grpc_listen_network'],
  ['tls_cipher_suites', 'tls_cipher_suites'],
  ['tls_min_version', 'tls_min_version'],
  ['register_instrumentation', 'register_instrumentation'],
  ['graceful_shutdown_timeout', 'graceful_shutdown_timeout'],
  ['grpc_server_keepalive_time', 'grpc_server_keepalive_time'],
  ['grpc_server_keepalive_timeout', 'grpc_server_keepalive_timeout'],
  ['grpc_server_min_time_between_pings', 'grpc_server_min_time_between_pings'],
  ['grpc_server_ping_without_stream_allowed', 'grpc_server_ping_without_stream_allowed'],
  ['log_format', 'log_format'],
  ['log_level', 'log_level'],
  ['log_source_ips_enabled', 'log_source_ips_enabled'],
  ['log_source_ips_header', 'log_source_ips_header'],
  ['log_source_ips_regex', 'log_source_ips_regex'],
  ['log_request_at_info_level_enabled', 'log_request_at_info_level_enabled'],
  ['http_path_prefix', 'http_path_prefix'],
];

export function validateServer(y: YamlMap, diags: ConvertDiagnostics): void {
  for (const [key, name] of UNSUPPORTED) {
    const v = y[key];
    if (v === undefined || v === null || v === '' || v === false || v === 0) continue;
    if (key === 'log_level' && str(v) === 'info') continue;
    diags.error(`${name} is not supported in server config`);
  }
}
