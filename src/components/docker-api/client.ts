/**
 * A small Docker Engine API client for the `host` URLs Alloy accepts:
 * `unix:///path/docker.sock`, `tcp://host:port` (plain HTTP), `http://…` and
 * `https://…`. Like Prometheus' Docker SD, the HTTP client settings
 * (authorization, headers, TLS) only apply to http/https hosts: for a unix
 * socket or tcp:// they would make no sense, and Alloy ignores them there.
 *
 * Requests are unversioned: Docker and podman then serve their newest API,
 * which is what the Go client's version negotiation ends up with.
 *
 * Why not dockerode: the agent only makes a few JSON GETs (list, inspect,
 * networks, stats, info), and loading dockerode took ~250 ms of CPU, 226
 * CommonJS modules (docker-modem, ssh2, @grpc/grpc-js, protobufjs, tar-fs…)
 * and ~21 MiB of RSS. These GETs go through undici, which the agent loads
 * for its HTTP clients anyway (loki.write, remote_write); log streams have a
 * client of their own (streaming-response.ts).
 */
import { STATUS_CODES } from 'node:http';
import { stringify as stringifyQuery } from 'node:querystring';
import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher } from 'undici';
import { undici } from '../common/undici.js';
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

/** The part of `GET /containers/{id}/json` the components read. */
export interface ContainerInspect {
  readonly Id: string;
  readonly State: { readonly Running: boolean; readonly StartedAt: string; readonly FinishedAt: string };
  readonly Config: { readonly Tty: boolean; readonly Env?: readonly string[] | null };
  readonly HostConfig?: { readonly NetworkMode?: string };
}

/** A query parameter as docker-modem encoded it: objects as JSON, arrays as repeated keys. */
export type DockerQueryValue = string | number | boolean | readonly string[] | Readonly<Record<string, unknown>>;

export interface ListContainersOptions {
  /** Stopped containers too (`all=true`); Docker lists running ones only by default. */
  readonly all?: boolean;
  /** Docker's `filters` (name → values), sent as JSON. */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
}

/** Larger JSON answers are refused: a container list of thousands of containers is a few MiB. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The query string docker-modem built from request options (`querystring`, objects as JSON). */
export function dockerQueryString(query: Readonly<Record<string, DockerQueryValue | undefined>>): string {
  const encoded: Record<string, string | number | boolean | readonly string[]> = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    encoded[name] = typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : (value as string | number | boolean | readonly string[]);
  }
  return stringifyQuery(encoded);
}

/**
 * JSON GETs against one Docker daemon over a keep-alive connection pool.
 * Failed calls reject with DockerApiError (`statusCode`, Docker's message);
 * aborting a call's signal rejects it at once and drops its connection.
 * A client that is replaced (new arguments) may be left to callers still
 * holding it: its idle connections close after undici's keep-alive timeout
 * (4 s), so only a component that stops calls `close`.
 */
export class DockerClient {
  private constructor(
    private readonly dispatcher: Dispatcher,
    private readonly origin: string,
    private readonly headers: Readonly<Record<string, string>>,
  ) {}

  static async create(opts: DockerClientOptions): Promise<DockerClient> {
    const endpoint = parseDockerHost(opts.host);
    if (endpoint.kind === 'socket') {
      // The Host header docker-modem (Node's http) sent over a unix socket.
      return new DockerClient(new undici.Agent({ connect: { socketPath: endpoint.socketPath } }), 'http://localhost', {});
    }
    const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
    const tls = endpoint.protocol === 'https' ? opts.tls : undefined;
    const dispatcher = new undici.Agent(tls ? { connect: { ...tls } } : {});
    return new DockerClient(dispatcher, `${endpoint.protocol}://${host}:${endpoint.port}`, { ...opts.headers });
  }

  /** `GET /containers/json`: the containers (running only unless `all`). */
  listContainers<T = unknown>(opts: ListContainersOptions, signal: AbortSignal): Promise<T[]> {
    return this.getJson<T[]>('/containers/json', signal, { ...(opts.all !== undefined ? { all: opts.all } : {}), ...(opts.filters ? { filters: opts.filters } : {}) });
  }

  /** `GET /containers/{id}/json`. */
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInspect> {
    return this.getJson<ContainerInspect>(`/containers/${encodeURIComponent(id)}/json`, signal);
  }

  /** `GET /networks`. */
  listNetworks<T = unknown>(signal: AbortSignal): Promise<T[]> {
    return this.getJson<T[]>('/networks', signal);
  }

  /** A GET of an API path answered with JSON; `query` is encoded like docker-modem did (see dockerQueryString). */
  async getJson<T>(path: string, signal: AbortSignal, query: Readonly<Record<string, DockerQueryValue | undefined>> = {}): Promise<T> {
    const qs = dockerQueryString(query);
    const res = await undici.request(`${this.origin}${path}${qs ? `?${qs}` : ''}`, { method: 'GET', headers: this.headers, signal, dispatcher: this.dispatcher });
    const text = await readBody(res.body);
    if (res.statusCode !== 200) throw new DockerApiError(res.statusCode, errorMessage(res.statusCode, text));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`Docker API answered GET ${path} with invalid JSON: ${JSON.stringify(text.slice(0, 200))}`);
    }
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** The whole body as text, at most MAX_RESPONSE_BYTES. */
async function readBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new Error(`Docker API response larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

/** Docker's `{"message": …}`, else the body's text, else the status text. */
function errorMessage(status: number, text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown } | null)?.message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || (STATUS_CODES[status] ?? 'unexpected status').toLowerCase();
}

export async function createDockerClient(opts: DockerClientOptions): Promise<DockerClient> {
  return DockerClient.create(opts);
}

/** A client and what raw connections to the same daemon need (streams, see streaming-response.ts). */
export interface DockerConnection {
  readonly client: DockerClient;
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
  return { client: await createDockerClient({ host, headers, ...(tls ? { tls } : {}) }), endpoint, headers, tls };
}

/** Just the client of `dockerConnection`. */
export async function dockerClientFromHttpConfig(host: string, cfg: HttpClientConfig | undefined): Promise<DockerClient> {
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

/** A failed API call: the HTTP status and Docker's message, in the form dockerode gave them. */
export class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(`(HTTP code ${statusCode}) ${message}`);
  }
}

/** The HTTP status of a failed Docker API call (DockerApiError's `statusCode`). */
export function dockerStatusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** A signal that aborts requests after `ms`, or when `parent` aborts. */
export function requestTimeout(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([timeout, parent]) : timeout;
}
