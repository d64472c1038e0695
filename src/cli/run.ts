/**
 * `alloy-ts run [flags] PATH`: the flags, with Alloy's defaults (spec §8, `cmd_run.go`).
 * The runtime itself is loaded on demand (run-agent.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliIO } from './io.js';
import { boolFlag, flagValues, stabilityOption, type FlagValues } from './flags.js';

/** Parsed `run` flags, keyed by flag name as written on the command line. */
export type RunFlags = FlagValues;

export function runCommand(io: CliIO): Command {
  const cmd = new Command('run')
    .summary('Run Grafana Alloy')
    .description(
      'Runs the configuration at PATH in the foreground until interrupted.\n\n' +
        'PATH is a file, or a directory whose *.alloy files (not recursive) are\n' +
        'combined into one configuration.',
    )
    .argument('<path>', 'configuration file or directory');
  addServerFlags(cmd);
  addClusterFlags(cmd);
  addConfigFlags(cmd);
  addMiscFlags(cmd);
  return cmd.action(async (configPath: string, _opts: unknown, self: Command) =>
    runAgent(configPath, flagValues(self), io),
  );
}

function addServerFlags(cmd: Command): void {
  cmd
    .option('--server.http.listen-addr <addr>', 'Address to listen for HTTP traffic on', '127.0.0.1:12345')
    .option('--server.http.memory-addr <addr>', 'Address to listen for in-memory HTTP traffic on', 'alloy.internal:12345')
    .option('--server.http.ui-path-prefix <prefix>', 'Prefix to serve the HTTP UI at', '/');
  boolFlag(cmd, 'server.http.enable-pprof', true, 'Enable /debug/pprof profiling endpoints.');
  boolFlag(cmd, 'server.http.disable-support-bundle', false, 'Disable /-/support support bundle retrieval.');
}

function addClusterFlags(cmd: Command): void {
  boolFlag(cmd, 'cluster.enabled', false, 'Start in clustered mode');
  cmd
    .option('--cluster.node-name <name>', 'The name to use for this node', '')
    .option('--cluster.advertise-address <addr>', 'Address to advertise to the cluster', '')
    .option('--cluster.join-addresses <addrs>', 'Comma-separated list of addresses to join the cluster at', '')
    .option('--cluster.discover-peers <spec>', 'List of key-value tuples for discovering peers', '')
    .option('--cluster.rejoin-interval <duration>', 'How often to rejoin the list of peers', '60s')
    .addOption(intOption('--cluster.max-join-peers <n>', 'Number of peers to join from the discovered set', 5))
    .option('--cluster.name <name>', 'The name of the cluster to join', '');
  boolFlag(cmd, 'cluster.enable-tls', false, 'Specifies whether TLS should be used for communication between peers');
  cmd
    .option('--cluster.tls-ca-path <path>', 'Path to the CA certificate file', '')
    .option('--cluster.tls-cert-path <path>', 'Path to the certificate file', '')
    .option('--cluster.tls-key-path <path>', 'Path to the key file', '')
    .option('--cluster.tls-server-name <name>', 'Server name to use for TLS communication', '')
    .addOption(intOption('--cluster.wait-for-size <n>', 'Wait for the cluster to reach this size (0 = disabled)', 0))
    .option('--cluster.wait-timeout <duration>', 'Maximum duration to wait for the minimum cluster size (0 = forever)', '0s');
}

function addConfigFlags(cmd: Command): void {
  cmd.option('--config.format <format>', 'The format of the source file', 'alloy');
  boolFlag(cmd, 'config.bypass-conversion-errors', false, 'Enable bypassing errors when converting');
  cmd.option('--config.extra-args <args>', 'Extra arguments for the converter', '');
}

function addMiscFlags(cmd: Command): void {
  boolFlag(cmd, 'disable-reporting', false, 'Disable reporting of enabled components to Grafana.');
  cmd
    .option('--storage.path <path>', 'Base directory where components can store data', 'data-alloy/')
    .addOption(stabilityOption())
    .option('--feature.component-shutdown-deadline <duration>', 'Maximum time to wait for a component to shut down', '10m')
    .option('--memory-limit <size>', 'Memory to stay under (e.g. 2GiB): sizes the heap, buffers and queues (default $ALLOY_TS_MEMORY_LIMIT, else no limit)');
  boolFlag(cmd, 'feature.community-components.enabled', false, 'Enable community components.');
}

/** An integer flag; a non-integer value is a usage error, as with pflag's IntVar. */
function intOption(flags: string, description: string, defaultValue: number): Option {
  return new Option(flags, description).default(defaultValue).argParser((value: string) => {
    if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError('Not an integer.');
    return Number(value);
  });
}

async function runAgent(configPath: string, flags: RunFlags, io: CliIO): Promise<void> {
  // Loaded on demand: fmt and validate should not pay for the runtime's imports.
  const { runAgent: run } = await import('./run-agent.js');
  await run(configPath, flags, io);
}
