/**
 * Argument shapes shared by many components, in the field order of Alloy's Go
 * structs (grafana/alloy internal/component/common/config/types.go,
 * internal/component/common/relabel/relabel.go).
 */
import { attr, block, pointerBlock, squash, struct, type StructShape } from '../builder.js';

export const TLS_CONFIG = struct([
  attr('ca_pem'),
  attr('ca_file'),
  attr('cert_pem'),
  attr('cert_file'),
  attr('key_pem'),
  attr('key_file'),
  attr('server_name'),
  attr('insecure_skip_verify'),
  attr('min_version'),
]);

export const BASIC_AUTH = struct([attr('username'), attr('password'), attr('password_file')]);

export const AUTHORIZATION = struct([attr('type'), attr('credentials'), attr('credentials_file')]);

export const PROXY_CONFIG = struct([
  attr('proxy_url'),
  attr('no_proxy'),
  attr('proxy_from_environment'),
  attr('proxy_connect_header'),
]);

export const OAUTH2 = struct([
  attr('client_id'),
  attr('client_secret'),
  attr('client_secret_file'),
  attr('scopes'),
  attr('token_url'),
  attr('endpoint_params'),
  squash(PROXY_CONFIG),
  pointerBlock('tls_config', TLS_CONFIG),
]);

/** HTTPClientConfig; its defaults (follow_redirects, enable_http2 true) are DefaultHTTPClientConfig's. */
export const HTTP_CLIENT_CONFIG: StructShape = struct(
  [
    block('basic_auth', BASIC_AUTH),
    block('authorization', AUTHORIZATION),
    block('oauth2', OAUTH2),
    attr('bearer_token'),
    attr('bearer_token_file'),
    squash(PROXY_CONFIG),
    block('tls_config', TLS_CONFIG),
    attr('follow_redirects'),
    attr('enable_http2'),
    attr('http_headers'),
  ],
  { follow_redirects: true, enable_http2: true },
);

export const RELABEL_RULE = struct(
  [
    attr('source_labels'),
    attr('separator'),
    attr('regex'),
    attr('modulus'),
    attr('target_label'),
    attr('replacement'),
    attr('action'),
  ],
  { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace' },
);
