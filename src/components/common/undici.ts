/**
 * The parts of undici the agent uses, each required from its own module the
 * first time it is used. undici's package entry loads all of undici (110
 * modules: fetch, WebSocket, caches, mocks, every interceptor), which
 * measured here ~200 ms of CPU and ~20 MiB of RSS in every agent that sends
 * HTTP; the dispatcher, request and redirect modules alone are 25 modules,
 * ~60 ms and ~10 MiB. undici 7 has no "exports" map, so these files are
 * reachable; test/components/common/undici.test.ts checks that they are the
 * very classes and functions the package entry exports.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

type RequestOptions = Parameters<typeof Undici.request>[1];

/** undici's `request` with an explicit dispatcher (the only way the agent calls it). */
export type UndiciRequest = (url: string | URL, opts: NonNullable<RequestOptions> & { dispatcher: Undici.Dispatcher }) => Promise<Undici.Dispatcher.ResponseData>;

export interface UndiciParts {
  readonly Agent: typeof Undici.Agent;
  readonly ProxyAgent: typeof Undici.ProxyAgent;
  readonly EnvHttpProxyAgent: typeof Undici.EnvHttpProxyAgent;
  readonly request: UndiciRequest;
  readonly interceptors: Pick<typeof Undici.interceptors, 'redirect'>;
}

interface UndiciUtil {
  parseURL(url: string | URL): URL;
}

type ApiRequest = (this: Undici.Dispatcher, opts: object) => Promise<Undici.Dispatcher.ResponseData>;

let util: UndiciUtil | undefined;
let apiRequest: ApiRequest | undefined;

/**
 * What undici's package-level `request` does with a dispatcher given: the
 * URL checked and split into origin and path, PUT when a body has no method.
 */
const request: UndiciRequest = (url, opts) => {
  util ??= require('undici/lib/core/util.js') as UndiciUtil;
  apiRequest ??= require('undici/lib/api/api-request.js') as ApiRequest;
  const parsed = util.parseURL(url);
  const path = parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname;
  return apiRequest.call(opts.dispatcher, { ...opts, origin: parsed.origin, path, method: opts.method || (opts.body ? 'PUT' : 'GET') });
};

const lazily = <T>(file: string): (() => T) => {
  let loaded: T | undefined;
  return () => (loaded ??= require(file) as T);
};

const agent = lazily<typeof Undici.Agent>('undici/lib/dispatcher/agent.js');
const proxyAgent = lazily<typeof Undici.ProxyAgent>('undici/lib/dispatcher/proxy-agent.js');
const envHttpProxyAgent = lazily<typeof Undici.EnvHttpProxyAgent>('undici/lib/dispatcher/env-http-proxy-agent.js');
const redirect = lazily<typeof Undici.interceptors.redirect>('undici/lib/interceptor/redirect.js');

export const undici: UndiciParts = {
  get Agent() {
    return agent();
  },
  get ProxyAgent() {
    return proxyAgent();
  },
  get EnvHttpProxyAgent() {
    return envHttpProxyAgent();
  },
  request,
  interceptors: {
    get redirect() {
      return redirect();
    },
  },
};
