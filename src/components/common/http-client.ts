/**
 * The HTTP client configuration shared by components that talk HTTP (grafana/alloy
 * internal/component/common/config/types.go): its schema fields (squashed into a block, as Alloy does), their
 * validation with Alloy's messages, and an undici-based client that applies
 * TLS, proxies, redirects, `http_headers` and the authorization of choice
 * (basic, bearer, authorization, OAuth2 client credentials).
 *
 *   const Endpoint = schema({ url: attr(t.string), ...httpClientFields }, validateHttpClientConfig);
 *   const client = await HttpClient.create(endpointArgs, { userAgent: userAgent() });
 *   const res = await client.request(url, { method: 'POST', headers, body });
 */
import { packageVersion } from '../../version.js';
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher } from 'undici';
import { undici } from './undici.js';
import { describeSchema, attr, optional, optionalBlock, schema, t, type InferFields } from '../../lang/schema.js';
import type { Secret } from '../../lang/value.js';

// ---------------------------------------------------------------------------
// Schema

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;

const tlsVersion = t.checked('string', (s) => {
  if (!(s in TLS_VERSIONS)) throw new Error(`unknown TLS version: ${s}`);
});

const tlsFields = {
  ca_pem: optional(t.string),
  ca_file: optional(t.string),
  cert_pem: optional(t.string),
  cert_file: optional(t.string),
  key_pem: optional(t.secret),
  key_file: optional(t.string),
  server_name: optional(t.string),
  insecure_skip_verify: attr(t.bool, false),
  min_version: optional(tlsVersion),
};
export type TlsConfig = InferFields<typeof tlsFields>;
export const TlsConfig = schema(tlsFields, validateTls);

const proxyFields = {
  proxy_url: optional(t.string),
  no_proxy: optional(t.string),
  proxy_from_environment: attr(t.bool, false),
  proxy_connect_header: optional(t.map(t.list(t.secret))),
};
type ProxyConfig = InferFields<typeof proxyFields>;

const BasicAuth = schema(
  { username: optional(t.string), password: optional(t.secret), password_file: optional(t.string) },
  (b) => (b.password?.value && b.password_file ? 'at most one of basic_auth password & password_file must be configured' : undefined),
);

const Authorization = schema(
  { type: optional(t.string), credentials: optional(t.secret), credentials_file: optional(t.string) },
  (a) => {
    if (a.credentials?.value && a.credentials_file) return 'at most one of authorization credentials & credentials_file must be configured';
    if (a.type?.trim().toLowerCase() === 'basic') return 'authorization type cannot be set to "basic", use "basic_auth" block instead';
    return undefined;
  },
);

const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const oauth2Fields = {
  client_id: optional(t.string),
  client_secret: optional(t.secret),
  client_secret_file: optional(t.string),
  client_certificate_key_id: optional(t.string),
  client_certificate_key: optional(t.secret),
  client_certificate_key_file: optional(t.string),
  grant_type: attr(t.string, GRANT_CLIENT_CREDENTIALS),
  signature_algorithm: attr(t.string, 'RS256'),
  iss: optional(t.string),
  audience: optional(t.string),
  claims: optional(t.map(t.any)),
  scopes: optional(t.list(t.string)),
  token_url: optional(t.string),
  endpoint_params: optional(t.map(t.string)),
  ...proxyFields,
  tls_config: optionalBlock(TlsConfig),
};
type OAuth2Config = InferFields<typeof oauth2Fields>;
const OAuth2 = schema(oauth2Fields, validateOAuth2);

/** The client fields, to spread into a block's schema (Alloy's `,squash`). */
export const httpClientFields = {
  bearer_token: optional(t.secret),
  bearer_token_file: optional(t.string),
  enable_http2: attr(t.bool, true),
  follow_redirects: attr(t.bool, true),
  http_headers: optional(t.map(t.list(t.secret))),
  ...proxyFields,
  basic_auth: optionalBlock(BasicAuth),
  authorization: optionalBlock(Authorization),
  oauth2: optionalBlock(OAuth2),
  tls_config: optionalBlock(TlsConfig),
};
export type HttpClientConfig = InferFields<typeof httpClientFields>;

/** Alloy's HTTPClientConfig.Validate; returns the message of the first problem. */
export function validateHttpClientConfig(c: HttpClientConfig): string | undefined {
  const auths = [c.basic_auth, c.authorization, c.oauth2, c.bearer_token?.value || undefined, c.bearer_token_file || undefined];
  if (auths.filter((a) => a !== undefined).length > 1) {
    return 'at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured';
  }
  return validateHeaders(c.http_headers) ?? validateProxy(c);
}

/** Headers the client sets itself or that change the connection (prometheus/common's reserved list). */
const RESERVED_HEADERS = new Set([
  'authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive',
  'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'accept-encoding', 'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version', 'x-prometheus-scrape-timeout-seconds', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256',
]);

/** Whether a header is one a configuration may not set (the client or the protocol owns it). */
export function isReservedHeader(name: string): boolean {
  return RESERVED_HEADERS.has(name.toLowerCase());
}

function validateHeaders(headers: Record<string, Secret[]> | undefined): string | undefined {
  for (const name of Object.keys(headers ?? {})) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) return `setting header ${JSON.stringify(canonicalHeaderName(name))} is not allowed`;
  }
  return undefined;
}

/** Go's textproto.CanonicalMIMEHeaderKey for the usual header names. */
function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

function validateProxy(p: ProxyConfig): string | undefined {
  const hasProxyUrl = !!p.proxy_url;
  if (Object.keys(p.proxy_connect_header ?? {}).length > 0 && !p.proxy_from_environment && !hasProxyUrl) {
    return 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured';
  }
  if (p.proxy_from_environment && hasProxyUrl) return 'if proxy_from_environment is configured, proxy_url must not be configured';
  if (p.proxy_from_environment && p.no_proxy) return 'if proxy_from_environment is configured, no_proxy must not be configured';
  if (!hasProxyUrl && p.no_proxy) return 'if no_proxy is configured, proxy_url must also be configured';
  if (hasProxyUrl && !URL.canParse(p.proxy_url!)) return `invalid proxy_url ${JSON.stringify(p.proxy_url)}`;
  return undefined;
}

function validateTls(c: TlsConfig): string | undefined {
  if (c.ca_pem && c.ca_file) return 'at most one of ca_pem and ca_file must be configured';
  if (c.cert_pem && c.cert_file) return 'at most one of cert_pem and cert_file must be configured';
  if (c.key_pem?.value && c.key_file) return 'at most one of key_pem and key_file must be configured';
  const usingCert = !!(c.cert_pem || c.cert_file);
  const usingKey = !!(c.key_pem?.value || c.key_file);
  if (usingCert && !usingKey) return 'exactly one of key_pem or key_file must be configured when a client certificate is configured';
  if (usingKey && !usingCert) return 'exactly one of cert_pem or cert_file must be configured when a client key is configured';
  return undefined;
}

function validateOAuth2(o: OAuth2Config): string | undefined {
  if (!o.client_id) return 'oauth2 client_id must be configured';
  if (!o.token_url) return 'oauth2 token_url must be configured';
  if (o.grant_type === GRANT_JWT_BEARER) {
    const keys = [o.client_certificate_key?.value, o.client_certificate_key_file].filter(Boolean).length;
    if (keys === 0) return 'either oauth2 client_certificate_key or client_certificate_key_file must be configured';
    if (keys > 1) return 'at most one of oauth2 client_certificate_key and client_certificate_key_file must be configured';
  } else if (o.grant_type === GRANT_CLIENT_CREDENTIALS) {
    const secrets = [o.client_secret?.value, o.client_secret_file].filter(Boolean).length;
    if (secrets === 0) return 'either oauth2 client_secret or client_secret_file must be configured';
    if (secrets > 1) return 'at most one of oauth2 client_secret & client_secret_file must be configured';
  } else {
    return `unsupported oauth2 grant_type ${JSON.stringify(o.grant_type)}`;
  }
  return validateProxy(o);
}

// ---------------------------------------------------------------------------
// Client

export interface HttpClientOptions {
  /** Sent as User-Agent unless the request sets one. */
  readonly userAgent?: string;
  /** Forces HTTP/1.1 whatever enable_http2 says (loki.write does, like Alloy). */
  readonly disableHttp2?: boolean;
}

export interface HttpRequest {
  readonly method: Dispatcher.HttpMethod;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
  readonly signal?: AbortSignal;
}

/** A configured client: one connection pool, the configured headers and authorization. */
export class HttpClient {
  private constructor(
    private readonly base: Dispatcher,
    private readonly dispatcher: Dispatcher,
    private readonly cfg: HttpClientConfig,
    private readonly userAgent: string | undefined,
    private readonly oauth2: OAuth2TokenSource | undefined,
  ) {}

  /** Builds the client; reads TLS files now, credential files on every request (so rotations apply). */
  static async create(cfg: HttpClientConfig, opts: HttpClientOptions = {}): Promise<HttpClient> {
    const base = await dispatcherFor(cfg, cfg.tls_config, cfg.enable_http2 && !opts.disableHttp2);
    const dispatcher = cfg.follow_redirects ? base.compose(undici.interceptors.redirect({ maxRedirections: 10 })) : base;
    const oauth2 = cfg.oauth2 ? await OAuth2TokenSource.create(cfg.oauth2) : undefined;
    return new HttpClient(base, dispatcher, cfg, opts.userAgent, oauth2);
  }

  /**
   * Sends a request. The caller's headers come first; `http_headers` replace
   * them, and Authorization is added only when none is set (Prometheus' order).
   * The response body must be consumed or dumped by the caller.
   */
  async request(url: string | URL, req: HttpRequest): Promise<Dispatcher.ResponseData> {
    const headers = await this.headersFor(req.headers ?? {});
    return undici.request(url, { method: req.method, headers, body: req.body, signal: req.signal, dispatcher: this.dispatcher });
  }

  async close(): Promise<void> {
    await Promise.all([this.base.close(), this.oauth2?.close()]);
  }

  private async headersFor(own: Record<string, string>): Promise<Record<string, string | string[]>> {
    const headers: Record<string, string | string[]> = {};
    for (const name of Object.keys(own)) headers[name.toLowerCase()] = own[name]!;
    if (this.userAgent && headers['user-agent'] === undefined) headers['user-agent'] = this.userAgent;
    for (const [name, values] of Object.entries(this.cfg.http_headers ?? {})) headers[name.toLowerCase()] = values.map((s) => s.value);
    if (headers['authorization'] === undefined) {
      const auth = await this.authorization();
      if (auth) headers['authorization'] = auth;
    }
    return headers;
  }

  private async authorization(): Promise<string | undefined> {
    return (await staticAuthorization(this.cfg)) ?? this.oauth2?.header();
  }
}

/**
 * The Authorization header of the configured bearer token (or its file),
 * `authorization` block or `basic_auth` block; credential files are read now.
 * OAuth2 is not included: its tokens come from a token source.
 */
export async function staticAuthorization(c: HttpClientConfig): Promise<string | undefined> {
  if (c.bearer_token?.value) return `Bearer ${c.bearer_token.value}`;
  if (c.bearer_token_file) return `Bearer ${await readTrimmed(c.bearer_token_file)}`;
  if (c.authorization) return authorizationHeader(c.authorization);
  if (c.basic_auth) return basicAuthHeader(c.basic_auth);
  return undefined;
}

async function authorizationHeader(a: InferFields<typeof Authorization.fields>): Promise<string> {
  const type = a.type?.trim() || 'Bearer';
  const credentials = a.credentials_file ? await readTrimmed(a.credentials_file) : a.credentials?.value ?? '';
  return `${type} ${credentials}`;
}

async function basicAuthHeader(b: InferFields<typeof BasicAuth.fields>): Promise<string> {
  const password = b.password_file ? await readTrimmed(b.password_file) : b.password?.value ?? '';
  return `Basic ${Buffer.from(`${b.username ?? ''}:${password}`).toString('base64')}`;
}

async function readTrimmed(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).trim();
}

/** The pool (direct or through a proxy) with the TLS settings for the target. */
async function dispatcherFor(proxy: ProxyConfig, tls: TlsConfig | undefined, http2: boolean): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent, ProxyAgent } = undici;
  const connect = await tlsOptions(tls);
  const common = { connect, allowH2: http2 };
  if (proxy.proxy_from_environment) return new EnvHttpProxyAgent({ ...common, proxyTunnel: false, requestTls: connect });
  if (!proxy.proxy_url) return new Agent(common);
  const proxyOpts = { ...common, proxyTunnel: false, requestTls: connect, headers: proxyConnectHeaders(proxy) };
  // EnvHttpProxyAgent is the undici agent that honours a no-proxy list; it is given the proxy explicitly.
  if (proxy.no_proxy) return new EnvHttpProxyAgent({ ...proxyOpts, httpProxy: proxy.proxy_url, httpsProxy: proxy.proxy_url, noProxy: proxy.no_proxy });
  return new ProxyAgent({ ...proxyOpts, uri: proxy.proxy_url });
}

function proxyConnectHeaders(proxy: ProxyConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(proxy.proxy_connect_header ?? {})) headers[name] = values.map((s) => s.value).join(', ');
  return headers;
}

/** Node TLS options from a `tls_config` block; certificate and key files are read now. */
export async function tlsOptions(tls: TlsConfig | undefined): Promise<ConnectionOptions> {
  if (!tls) return {};
  const opts: ConnectionOptions = { rejectUnauthorized: !tls.insecure_skip_verify };
  const ca = tls.ca_pem ?? (tls.ca_file ? await readFile(tls.ca_file, 'utf8') : undefined);
  const cert = tls.cert_pem ?? (tls.cert_file ? await readFile(tls.cert_file, 'utf8') : undefined);
  const key = tls.key_pem?.value || (tls.key_file ? await readFile(tls.key_file, 'utf8') : undefined);
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (tls.server_name) opts.servername = tls.server_name;
  if (tls.min_version) opts.minVersion = TLS_VERSIONS[tls.min_version as TlsVersionName];
  return opts;
}

/** OAuth2 client-credentials tokens, fetched when missing or about to expire. */
class OAuth2TokenSource {
  private token: { header: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  private constructor(
    private readonly cfg: OAuth2Config,
    private readonly dispatcher: Dispatcher,
  ) {}

  static async create(cfg: OAuth2Config): Promise<OAuth2TokenSource> {
    if (cfg.grant_type !== GRANT_CLIENT_CREDENTIALS) {
      throw new Error(`oauth2 grant_type ${JSON.stringify(cfg.grant_type)} is not supported by alloy-ts (only "client_credentials")`);
    }
    return new OAuth2TokenSource(cfg, await dispatcherFor(cfg, cfg.tls_config, false));
  }

  /** The Authorization header value; concurrent callers share one token request. */
  header(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return Promise.resolve(this.token.header);
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async fetchToken(): Promise<string> {
    const c = this.cfg;
    const secret = c.client_secret_file ? await readTrimmed(c.client_secret_file) : c.client_secret?.value ?? '';
    const form = new URLSearchParams({ grant_type: GRANT_CLIENT_CREDENTIALS });
    if (c.scopes?.length) form.set('scope', c.scopes.join(' '));
    for (const [k, v] of Object.entries(c.endpoint_params ?? {})) form.set(k, v);
    const basic = Buffer.from(`${encodeURIComponent(c.client_id!)}:${encodeURIComponent(secret)}`).toString('base64');
    const res = await undici.request(c.token_url!, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: form.toString(),
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`oauth2: cannot fetch token: ${res.statusCode} ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { access_token?: string; token_type?: string; expires_in?: number };
    if (!body.access_token) throw new Error('oauth2: server response missing access_token');
    const type = !body.token_type || body.token_type.toLowerCase() === 'bearer' ? 'Bearer' : body.token_type;
    const header = `${type} ${body.access_token}`;
    // Refresh ten seconds early, as golang.org/x/oauth2 does.
    const lifetimeMs = body.expires_in ? body.expires_in * 1000 - 10_000 : Number.POSITIVE_INFINITY;
    this.token = { header, expiresAt: Date.now() + lifetimeMs };
    return header;
  }
}

// ---------------------------------------------------------------------------
// User agent

/** `Alloy/v<version> (<os>; <deploy mode>)`, the form Alloy's clients send. */
export function userAgent(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `Alloy/v${packageVersion()} (${os}; ${process.env['ALLOY_DEPLOY_MODE'] || 'binary'})`;
}

// One-line descriptions (hover, completion, the UI, validate's notes).
/** Descriptions of `httpClientFields`, for the schemas that spread them. */
export const httpClientFieldDescriptions = {
  bearer_token: 'Bearer token sent in the Authorization header.',
  bearer_token_file: 'File holding the bearer token sent in the Authorization header.',
  enable_http2: 'Whether HTTP/2 may be used for requests.',
  follow_redirects: 'Whether HTTP 3xx redirects are followed.',
  http_headers: 'Extra headers sent with every request (values are secrets).',
  basic_auth: 'Basic authentication for requests.',
  authorization: 'Authorization header credentials for requests.',
  oauth2: 'OAuth2 authentication for requests.',
  tls_config: 'TLS settings for connections.',
  proxy_url: 'HTTP proxy that requests go through.',
  no_proxy: 'Comma-separated hosts, IPs or CIDRs reached without the proxy.',
  proxy_from_environment: 'Take the proxy from HTTP_PROXY, HTTPS_PROXY and NO_PROXY.',
  proxy_connect_header: 'Headers sent to the proxy with CONNECT requests.',
};
describeSchema(TlsConfig, {
  ca_pem: 'PEM text of the CA certificate(s) used to verify the server.',
  ca_file: 'File holding the CA certificate(s) used to verify the server.',
  cert_pem: 'PEM text of the client certificate presented to the server.',
  cert_file: 'File holding the client certificate presented to the server.',
  key_pem: 'PEM text of the client certificate\'s private key (a secret).',
  key_file: 'File holding the client certificate\'s private key.',
  server_name: 'Server name checked against the server certificate and sent for SNI.',
  insecure_skip_verify: 'Skip verifying the server certificate (unsafe outside tests).',
  min_version: 'Oldest TLS version accepted: TLS10, TLS11, TLS12 or TLS13.',
}, 'TLS settings for the client connection.');
describeSchema(BasicAuth, {
  username: 'User name for basic authentication.',
  password: 'Password for basic authentication (a secret).',
  password_file: 'File holding the basic authentication password.',
}, 'Basic authentication credentials.');
describeSchema(Authorization, {
  type: 'Scheme written before the credentials in the Authorization header (Bearer when unset).',
  credentials: 'Credentials sent in the Authorization header (a secret).',
  credentials_file: 'File holding the Authorization header credentials.',
}, 'Credentials for the Authorization header.');
describeSchema(OAuth2, {
  client_id: 'OAuth2 client identifier.',
  client_secret: 'OAuth2 client secret.',
  client_secret_file: 'File holding the OAuth2 client secret.',
  client_certificate_key_id: 'Key identifier put in the JWT header for the jwt-bearer grant.',
  client_certificate_key: 'Private key that signs the JWT assertion (jwt-bearer grant).',
  client_certificate_key_file: 'File holding the private key that signs the JWT assertion.',
  grant_type: 'OAuth2 grant: client_credentials or the JWT bearer grant.',
  signature_algorithm: 'Algorithm signing the JWT assertion (RS256 by default).',
  iss: 'Issuer claim of the JWT assertion.',
  audience: 'Audience claim of the JWT assertion.',
  claims: 'Extra claims put in the JWT assertion.',
  scopes: 'Scopes asked for with the token.',
  token_url: 'URL the access token is fetched from.',
  endpoint_params: 'Extra parameters sent to the token URL.',
  tls_config: 'TLS settings for connections to the token URL.',
  proxy_url: 'HTTP proxy that requests go through.',
  no_proxy: 'Comma-separated hosts, IPs or CIDRs reached without the proxy.',
  proxy_from_environment: 'Take the proxy from HTTP_PROXY, HTTPS_PROXY and NO_PROXY.',
  proxy_connect_header: 'Headers sent to the proxy with CONNECT requests.',
}, 'OAuth2 authentication: a token fetched with client credentials or a JWT.');
