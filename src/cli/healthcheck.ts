/**
 * `alloy-ts healthcheck [--url URL] [--timeout DURATION]`: asks a running
 * agent whether it is ready (/-/ready) and healthy (/-/healthy). Exit 0 when
 * both answer 200, else 1 with a one-line reason — what a container
 * HEALTHCHECK needs, without curl or wget in the image.
 */
import { Command } from 'commander';
import { formatDurationMs, parseDurationMs } from '../lang/units.js';
import { CliError, type CliIO } from './io.js';

export const DEFAULT_HEALTHCHECK_URL = 'http://127.0.0.1:12345';

const ENDPOINTS = ['/-/ready', '/-/healthy'] as const;

export function healthcheckCommand(io: CliIO): Command {
  return new Command('healthcheck')
    .summary('Check that a running agent is ready and healthy')
    .description(
      'Asks the agent at URL for /-/ready and /-/healthy. Exits with 0 when both\n' +
        'answer 200, else with 1 and the reason (for container health checks).',
    )
    .option('--url <url>', 'Base URL of the agent\'s HTTP server', DEFAULT_HEALTHCHECK_URL)
    .option('--timeout <duration>', 'How long to wait for each answer', '3s')
    .action(async (opts: { url: string; timeout: string }) => {
      const base = parseBaseUrl(opts.url);
      const timeoutMs = parseTimeout(opts.timeout);
      await Promise.all(ENDPOINTS.map((p) => expectOk(new URL(p, base), timeoutMs)));
      io.stdout.write(`${base.origin}: ready and healthy\n`);
    });
}

function parseBaseUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new CliError(`invalid --url ${JSON.stringify(text)}: want http(s)://host:port`);
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
async function expectOk(url: URL, timeoutMs: number): Promise<void> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    body = await response.text();
  } catch (err) {
    throw new CliError(`${url.href}: ${fetchFailure(err, timeoutMs)}`);
  }
  if (response.status !== 200) throw new CliError(`${url.href}: ${response.status} ${oneLine(body)}`.trimEnd());
}

/** Why fetch failed, in a few words: its cause's message (ECONNREFUSED, ...), or the timeout. */
function fetchFailure(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${formatDurationMs(timeoutMs)}`;
  return oneLine(error.cause?.message ?? error.message);
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0]!.trim();
}
