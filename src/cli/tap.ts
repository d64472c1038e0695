/**
 * `alloy-ts tap COMPONENT`: streams a running agent's live-debugging data for
 * one component to the terminal (the stream the UI's Live debugging shows,
 * /api/v0/web/debug/<id>); `--format=json` prints one JSON object per
 * message, `--rate` the messages per second on stderr. Ends when the agent
 * closes the stream, at `--duration`, or on Ctrl-C.
 */
import { Command, Option } from 'commander';
import { parseDurationMs } from '../lang/units.js';
import { addAgentClientOptions, AGENT_CREDENTIAL_ENV, agentFetch, basicAuthorization, expectSuccess, parseAgentUrl, type AgentClientFlags } from './agent-client.js';
import type { CliIO } from './io.js';

interface TapFlags extends AgentClientFlags {
  format: 'text' | 'json';
  rate: boolean;
  duration?: string;
}

export function tapCommand(io: CliIO): Command {
  const cmd = new Command('tap')
    .summary("Stream a component's live debugging data from a running agent")
    .description(
      'Prints what passes through COMPONENT (e.g. loki.process.default) in a running agent,\n' +
        'as its live debugging stream shows it. Needs `livedebugging { enabled = true }` in the\n' +
        "agent's config. Credentials for an http block with basic auth: --basic-auth-username and\n" +
        `--basic-auth-password-file (or $${AGENT_CREDENTIAL_ENV.username} / $${AGENT_CREDENTIAL_ENV.password}).`,
    )
    .argument('<component>', 'component id, e.g. loki.process.default')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--rate', 'print messages per second on stderr', false)
    .option('--duration <duration>', 'stop after this long');
  return addAgentClientOptions(cmd, AGENT_CREDENTIAL_ENV).action(async (component: string, flags: TapFlags) => tap(component, flags, io));
}

async function tap(component: string, flags: TapFlags, io: CliIO): Promise<void> {
  const base = parseAgentUrl(flags.url);
  const authorization = await basicAuthorization(flags, base, io, AGENT_CREDENTIAL_ENV);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  const timer = flags.duration ? setTimeout(() => stop.abort(), parseDurationMs(flags.duration)) : undefined;
  let count = 0;
  const rateTimer = flags.rate
    ? setInterval(() => {
        io.stderr.write(`${count} msg/s\n`);
        count = 0;
      }, 1000)
    : undefined;
  try {
    const res = await agentFetch(base, `api/v0/web/debug/${component.split('/').map(encodeURIComponent).join('/')}`, authorization, { signal: stop.signal });
    await expectSuccess(res, component, AGENT_CREDENTIAL_ENV);
    let pending = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        count++;
        io.stdout.write(flags.format === 'json' ? `${JSON.stringify({ time: new Date().toISOString(), component, data: line })}\n` : `${line}\n`);
      }
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', onSignal);
    clearTimeout(timer);
    clearInterval(rateTimer);
  }
}
