/**
 * Talking to a running agent's HTTP server from the CLI (healthcheck, tap,
 * top): the base URL and the `http` block's basic auth, with the user from a
 * flag or the environment and the password from a file or the environment
 * (or the URL's userinfo) — sent as a header, never printed.
 */
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { CliError, fsCall, resolvePath, type CliIO } from './io.js';

export const DEFAULT_AGENT_URL = 'http://127.0.0.1:12345';

export interface AgentClientFlags {
  url: string;
  basicAuthUsername?: string;
  basicAuthPasswordFile?: string;
}

/** Environment variables a command reads its credentials from. */
export interface CredentialEnv {
  readonly username: string;
  readonly password: string;
}

export const AGENT_CREDENTIAL_ENV: CredentialEnv = { username: 'ALLOY_TS_USERNAME', password: 'ALLOY_TS_PASSWORD' };

/** Declares --url and the basic auth flags on `cmd`. */
export function addAgentClientOptions(cmd: Command, env: CredentialEnv): Command {
  return cmd
    .option('--url <url>', "Base URL of the agent's HTTP server", DEFAULT_AGENT_URL)
    .option('--basic-auth-username <name>', `User for the agent's basic auth (default $${env.username})`)
    .option('--basic-auth-password-file <path>', `File holding the password (default: the value of $${env.password})`);
}

export function parseAgentUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`invalid --url ${JSON.stringify(text.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:xxxxx@'))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`invalid --url: scheme must be http or https, got ${url.protocol.slice(0, -1)}`);
  return url;
}

/**
 * The Authorization header value, or undefined without credentials. Flags
 * and environment come before the URL's userinfo.
 */
export async function basicAuthorization(flags: AgentClientFlags, base: URL, io: CliIO, env: CredentialEnv): Promise<string | undefined> {
  const vars = io.env ?? process.env;
  const username = flags.basicAuthUsername ?? vars[env.username] ?? decodeURIComponent(base.username);
  const password = (await passwordFromFile(flags.basicAuthPasswordFile, io)) ?? vars[env.password] ?? decodeURIComponent(base.password);
  if (username === '' && password === '') return undefined;
  if (username === '') throw new CliError(`a basic auth password needs a user: set --basic-auth-username or $${env.username}`);
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The file's contents without one trailing line break (files are written with one), or undefined without a file. */
async function passwordFromFile(file: string | undefined, io: CliIO): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const text = (await fsCall(file, readFile(resolvePath(io, file)))).toString('utf8');
  return text.replace(/\r?\n$/, '');
}

/** fetch refuses URLs with credentials; they travel in the Authorization header instead. */
export function stripUserinfo(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

/** A request to the agent: the base URL without userinfo plus `path`, with the credentials as a header. */
export async function agentFetch(base: URL, path: string, authorization: string | undefined, init: { signal?: AbortSignal } = {}): Promise<Response> {
  const url = new URL(path.replace(/^\//, ''), stripUserinfo(base).href.replace(/\/?$/, '/'));
  try {
    return await fetch(url, { ...init, redirect: 'manual', headers: authorization ? { Authorization: authorization } : undefined });
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    if (e.name === 'AbortError') throw err;
    throw new CliError(`${url.href}: ${e.cause?.message ?? e.message}`);
  }
}

/** A non-2xx answer as one CliError line, with a hint for 401. */
export async function expectSuccess(res: Response, what: string, env: CredentialEnv): Promise<void> {
  if (res.ok) return;
  const body = (await res.text()).trim().split('\n')[0] ?? '';
  const hint = res.status === 401 ? ` (the agent asks for basic auth: set --basic-auth-username and --basic-auth-password-file or $${env.password})` : '';
  throw new CliError(`${what}: ${res.status} ${body}${hint}`.trimEnd());
}
