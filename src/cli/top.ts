/**
 * `alloy-ts top`: a refreshing table of a running agent's components — id,
 * health and data rate. The rate of a component is the per-second growth of
 * its busiest counter in /metrics (series carrying its `component_id`, such
 * as loki_write_sent_entries_total or prometheus_forwarded_samples_total),
 * measured between two refreshes. `--once` prints one table (after one
 * interval, so rates are known) and exits; it is also what a non-terminal
 * output gets.
 */
import { Command } from 'commander';
import { parseDurationMs } from '../lang/units.js';
import { addAgentClientOptions, AGENT_CREDENTIAL_ENV, agentFetch, basicAuthorization, expectSuccess, parseAgentUrl, type AgentClientFlags } from './agent-client.js';
import type { CliIO } from './io.js';

interface TopFlags extends AgentClientFlags {
  interval: string;
  once: boolean;
}

interface ComponentRow {
  readonly localID: string;
  readonly health: { readonly state: string; readonly message: string };
}

type Counters = Map<string, Map<string, number>>;

export function topCommand(io: CliIO): Command {
  const cmd = new Command('top')
    .summary("Show a running agent's components with health and data rates")
    .option('--interval <duration>', 'refresh interval', '2s')
    .option('--once', 'print one table and exit', false);
  return addAgentClientOptions(cmd, AGENT_CREDENTIAL_ENV).action(async (flags: TopFlags) => top(flags, io));
}

/** `name{labels} value` lines of counters (`*_total`) carrying a component_id, summed per component and name. */
export function componentCounters(exposition: string): Counters {
  const out: Counters = new Map();
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*_total)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const id = /(?:^|,)component_id="([^"]*)"/.exec(m[2]!)?.[1];
    if (!id) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const perName = out.get(id) ?? new Map<string, number>();
    perName.set(m[1]!, (perName.get(m[1]!) ?? 0) + value);
    out.set(id, perName);
  }
  return out;
}

/** The busiest counter's rate per component between two readings. */
export function rates(before: Counters, after: Counters, seconds: number): Map<string, { name: string; perSecond: number }> {
  const out = new Map<string, { name: string; perSecond: number }>();
  for (const [id, names] of after) {
    for (const [name, value] of names) {
      const delta = value - (before.get(id)?.get(name) ?? value);
      const perSecond = Math.max(0, delta) / seconds;
      if (perSecond > (out.get(id)?.perSecond ?? -1)) out.set(id, { name, perSecond });
    }
  }
  return out;
}

export function renderTable(rows: readonly ComponentRow[], rateOf: Map<string, { name: string; perSecond: number }>): string {
  const lines = rows.map((r) => {
    const rate = rateOf.get(r.localID);
    return [r.localID, r.health.state, rate ? `${rate.perSecond.toFixed(1)}/s` : '-', rate && rate.perSecond > 0 ? rate.name : ''];
  });
  const head = ['COMPONENT', 'HEALTH', 'RATE', 'COUNTER'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...lines.map(fmt)].join('\n') + '\n';
}

async function top(flags: TopFlags, io: CliIO): Promise<void> {
  const base = parseAgentUrl(flags.url);
  const authorization = await basicAuthorization(flags, base, io, AGENT_CREDENTIAL_ENV);
  const intervalMs = parseDurationMs(flags.interval);
  const live = !flags.once && Boolean((io.stdout as { isTTY?: boolean }).isTTY);
  const read = async () => {
    const [components, metrics] = await Promise.all([agentFetch(base, 'api/v0/web/components', authorization), agentFetch(base, 'metrics', authorization)]);
    await expectSuccess(components, 'components', AGENT_CREDENTIAL_ENV);
    await expectSuccess(metrics, 'metrics', AGENT_CREDENTIAL_ENV);
    return { rows: ((await components.json()) as ComponentRow[]).sort((a, b) => (a.localID < b.localID ? -1 : 1)), counters: componentCounters(await metrics.text()), at: Date.now() };
  };
  let previous = await read();
  let stopped = false;
  const onSignal = () => (stopped = true);
  process.once('SIGINT', onSignal);
  try {
    do {
      await new Promise((r) => setTimeout(r, intervalMs));
      const current = await read();
      const table = renderTable(current.rows, rates(previous.counters, current.counters, (current.at - previous.at) / 1000));
      io.stdout.write(live ? `\x1b[H\x1b[2J${table}` : table);
      previous = current;
    } while (live && !stopped);
  } finally {
    process.off('SIGINT', onSignal);
  }
}
