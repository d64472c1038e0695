/**
 * Docker Engine API clients (dockerode) for the `host` URLs Alloy accepts:
 * `unix:///path/docker.sock`, `tcp://host:port` (plain HTTP), `http://…` and
 * `https://…`. Like Prometheus' Docker SD, the HTTP client settings
 * (authorization, headers, TLS) only apply to http/https hosts: for a unix
 * socket or tcp:// they would make no sense, and Alloy ignores them there.
 *
 * Requests are unversioned: Docker and podman then serve their newest API,
 * which is what the Go client's version negotiation ends up with.
 */
import type { ConnectionOptions } from 'node:tls';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type Docker from 'dockerode';
import { staticAuthorization, tlsOptions, type HttpClientConfig } from '../common/http-client.js';

export type DockerEndpoint =
  | { readonly kind: 'socket'; readonly socketPath: string }
  | { readonly kind: 'network'; readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number };

/** Where `host` points, or an Error with the message to report. */
export function parseDockerHost(host: string): DockerEndpoint {
  if (host === '') throw new Error('host attribute must not be empty');
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(host);
  if (!match) throw new Error(`unable to parse docker host ${JSON.stringify(host)}`);
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (scheme === 'unix') {
    if (rest === '') throw new Error(`unable to parse docker host ${JSON.stringify(host)}: empty socket path`);
    return { kind: 'socket', socketPath: rest };
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    throw new Error(`protocol not available for docker host ${JSON.stringify(host)}`);
  }
  let url: URL;
  try {
    url = new URL(`${scheme === 'https' ? 'https' : 'http'}://${rest}`);
  } catch {
    throw new Error(`parsing host attribute: invalid URL ${JSON.stringify(host)}`);
  }
  const protocol = scheme === 'https' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80;
  return { kind: 'network', protocol, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** For schema validation: the problem with `host`, if any. */
export function dockerHostProblem(host: string): string | undefined {
  try {
    parseDockerHost(host);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** TLS material for an https host, already read from files (see tlsOptions in http-client.ts). */
export type DockerTls = ConnectionOptions;

export interface DockerClientOptions {
  readonly host: string;
  /** Used for https hosts only. */
  readonly tls?: DockerTls;
  /** Sent with every request to http/https hosts (authorization, http_headers). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * dockerode (with its request stack) costs about 25 MiB of RSS once loaded,
 * so it is required on first use: configs without Docker components never pay.
 */
let dockerode: typeof Docker | undefined;
function DockerClass(): typeof Docker {
  dockerode ??= createRequire(import.meta.url)('dockerode') as typeof Docker;
  return dockerode;
}

export function createDockerClient(opts: DockerClientOptions): Docker {
  const Docker = DockerClass();
  const endpoint = parseDockerHost(opts.host);
  if (endpoint.kind === 'socket') return new Docker({ socketPath: endpoint.socketPath });
  const base = { protocol: endpoint.protocol, host: endpoint.host, port: endpoint.port } as const;
  if (endpoint.protocol === 'http' || !opts.tls) return new Docker({ ...base, headers: { ...opts.headers } });
  // An agent carries every TLS option (docker-modem itself only passes ca/cert/key).
  const agent = new HttpsAgent({ keepAlive: true, ...opts.tls });
  return new Docker({ ...base, headers: { ...opts.headers }, agent } as Docker.DockerOptions);
}

/** A client and what raw connections to the same daemon need (streams, see docker-stream.ts). */
export interface DockerConnection {
  readonly client: Docker;
  readonly endpoint: DockerEndpoint;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: DockerTls | undefined;
}

/**
 * A connection to `host` configured from Alloy's HTTP client block. Credential
 * files are read now; components reconnect when their arguments change.
 * OAuth2 and proxies are not available through the Docker API client (the
 * component logs a warning for them, see `unsupportedDockerHttpOptions`).
 */
export async function dockerConnection(host: string, cfg: HttpClientConfig | undefined): Promise<DockerConnection> {
  const endpoint = parseDockerHost(host);
  const usesHttpOptions = cfg !== undefined && endpoint.kind === 'network' && /^https?:/i.test(host);
  const headers = usesHttpOptions ? await staticHeaders(cfg) : {};
  const tls = usesHttpOptions && endpoint.protocol === 'https' && cfg.tls_config ? await tlsOptions(cfg.tls_config) : undefined;
  return { client: createDockerClient({ host, headers, ...(tls ? { tls } : {}) }), endpoint, headers, tls };
}

/** Just the dockerode client of `dockerConnection`. */
export async function dockerClientFromHttpConfig(host: string, cfg: HttpClientConfig | undefined): Promise<Docker> {
  return (await dockerConnection(host, cfg)).client;
}

/** HTTP client options set for `host` that the Docker client cannot honour. */
export function unsupportedDockerHttpOptions(host: string, cfg: HttpClientConfig | undefined): string[] {
  if (!cfg || parseDockerHost(host).kind === 'socket' || /^tcp:/i.test(host)) return [];
  const unsupported: string[] = [];
  if (cfg.oauth2) unsupported.push('oauth2');
  if (cfg.proxy_url || cfg.proxy_from_environment) unsupported.push('proxy_url/proxy_from_environment');
  return unsupported;
}

async function staticHeaders(cfg: HttpClientConfig): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(cfg.http_headers ?? {})) headers[name] = values.map((s) => s.value).join(', ');
  const auth = await staticAuthorization(cfg);
  if (auth && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers['Authorization'] = auth;
  return headers;
}

/** The HTTP status of a failed Docker API call (dockerode puts it on the error). */
export function dockerStatusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * A GET of a Docker API path answered with JSON, for calls dockerode does not
 * let us abort (network inspect) or type (stats). The query goes in `query`:
 * docker-modem builds the query string itself.
 */
export function dockerGetJson<T>(client: Docker, path: string, abortSignal: AbortSignal, query: Record<string, string> = {}): Promise<T> {
  const statusCodes = { 200: true, 404: 'not found', 500: 'server error' };
  return new Promise((resolve, reject) => {
    client.modem.dial({ path: `${path}?`, method: 'GET', options: { ...query }, abortSignal, statusCodes }, (err, data) => (err ? reject(err) : resolve(data as T)));
  });
}

/** A signal that aborts requests after `ms`, or when `parent` aborts. */
export function requestTimeout(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([timeout, parent]) : timeout;
}
