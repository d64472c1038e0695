/**
 * `alloy-ts healthcheck [--url URL] [--timeout DURATION]`: asks a running
 * agent whether it is ready (/-/ready) and healthy (/-/healthy). Exit 0 when
 * both answer 200, else 1 with a one-line reason — what a container
 * HEALTHCHECK needs, without curl or wget in the image.
 *
 * An agent whose `http` block asks for basic auth gets credentials from
 * `--basic-auth-username` (or $ALLOY_TS_HEALTHCHECK_USERNAME) and
 * `--basic-auth-password-file` (or $ALLOY_TS_HEALTHCHECK_PASSWORD), or from
 * the URL's userinfo. The password is never printed: URLs in messages carry
 * no userinfo.
 */
import { Command } from 'commander';
import { redactUrlPasswords } from '../go/url.js';
import { formatDurationMs, parseDurationMs } from '../lang/units.js';
import { addAgentClientOptions, basicAuthorization, DEFAULT_AGENT_URL, stripUserinfo, type AgentClientFlags } from './agent-client.js';
import { CliError, type CliIO } from './io.js';

export const DEFAULT_HEALTHCHECK_URL = DEFAULT_AGENT_URL;
export const HEALTHCHECK_USERNAME_ENV = 'ALLOY_TS_HEALTHCHECK_USERNAME';
export const HEALTHCHECK_PASSWORD_ENV = 'ALLOY_TS_HEALTHCHECK_PASSWORD';
const HEALTHCHECK_ENV = { username: HEALTHCHECK_USERNAME_ENV, password: HEALTHCHECK_PASSWORD_ENV };

const ENDPOINTS = ['/-/ready', '/-/healthy'] as const;

interface HealthcheckFlags extends AgentClientFlags {
  timeout: string;
}

export function healthcheckCommand(io: CliIO): Command {
  const cmd = new Command('healthcheck')
    .summary('Check that a running agent is ready and healthy')
    .description(
      'Asks the agent at URL for /-/ready and /-/healthy. Exits with 0 when both\n' +
        'answer 200, else with 1 and the reason (for container health checks).\n\n' +
        'For an agent whose http block asks for basic auth, give the user with\n' +
        `--basic-auth-username (or $${HEALTHCHECK_USERNAME_ENV}) and the password in a file\n` +
        `with --basic-auth-password-file (or in $${HEALTHCHECK_PASSWORD_ENV}); it is never printed.`,
    )
    .option('--timeout <duration>', 'How long to wait for each answer', '3s');
  return addAgentClientOptions(cmd, HEALTHCHECK_ENV)
    .action(async (opts: HealthcheckFlags) => {
      const given = parseBaseUrl(opts.url);
      const timeoutMs = parseTimeout(opts.timeout);
      const authorization = await basicAuthorization(opts, given, io, HEALTHCHECK_ENV);
      const base = stripUserinfo(given);
      await Promise.all(ENDPOINTS.map((p) => expectOk(new URL(p, base), timeoutMs, authorization)));
      io.stdout.write(`${base.origin}: ready and healthy\n`);
    });
}

function parseBaseUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`invalid --url ${JSON.stringify(redactUrlPasswords(text))}: want http(s)://host:port`);
  }
  return url;
}

function parseTimeout(text: string): number {
  try {
    const ms = parseDurationMs(text);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new CliError(`invalid --timeout ${JSON.stringify(text)}: want a positive duration such as 3s`);
}

/** Resolves when `url` answers 200; otherwise throws a CliError whose message is one line. */
async function expectOk(url: URL, timeoutMs: number, authorization: string | undefined): Promise<void> {
  let response: Response;
  let body: string;
  try {
    const headers = authorization ? { Authorization: authorization } : undefined;
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual', headers });
    body = await response.text();
  } catch (err) {
    throw new CliError(`${url.href}: ${fetchFailure(err, timeoutMs)}`);
  }
  if (response.status === 401) throw new CliError(`${url.href}: 401 ${oneLine(body)} ${authHint(authorization)}`.trimEnd());
  if (response.status !== 200) throw new CliError(`${url.href}: ${response.status} ${oneLine(body)}`.trimEnd());
}

function authHint(authorization: string | undefined): string {
  if (authorization) return '(the credentials given were refused)';
  return `(the agent asks for basic auth: set --basic-auth-username and --basic-auth-password-file or $${HEALTHCHECK_PASSWORD_ENV})`;
}

/** Why fetch failed, in a few words: its cause's message (ECONNREFUSED, ...), or the timeout. */
function fetchFailure(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${formatDurationMs(timeoutMs)}`;
  return oneLine(redactUrlPasswords(error.cause?.message ?? error.message));
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0]!.trim();
}
