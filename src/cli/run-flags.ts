/**
 * The flags of `alloy-ts run`, declared once: name, kind, default and help
 * text. The commander options (run.ts) and the `RunFlags` type read by the
 * agent (run-agent.ts) are both derived from this table. Names and defaults
 * are Alloy's (grafana/alloy internal/alloycli/cmd_run.go).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { boolFlag, STABILITY_LEVELS, stabilityOption } from './flags.js';
import { MEMORY_LIMIT_FLAG } from './memory-limit.js';

interface StringFlag {
  readonly kind: 'string';
  /** The value's name in the help text (`<addr>`). */
  readonly arg: string;
  readonly default: string;
  readonly description: string;
}

/** A string flag without a default: undefined unless given. */
interface OptionalStringFlag {
  readonly kind: 'optional-string';
  readonly arg: string;
  readonly description: string;
}

interface IntFlag {
  readonly kind: 'int';
  readonly arg: string;
  readonly default: number;
  readonly description: string;
}

interface BoolFlag {
  readonly kind: 'bool';
  readonly default: boolean;
  readonly description: string;
}

/** `--stability.level`, shared with `validate` (flags.ts). */
interface StabilityFlag {
  readonly kind: 'stability';
}

type FlagSpec = StringFlag | OptionalStringFlag | IntFlag | BoolFlag | StabilityFlag;

const str = (arg: string, defaultValue: string, description: string): StringFlag => ({ kind: 'string', arg, default: defaultValue, description });
const int = (arg: string, defaultValue: number, description: string): IntFlag => ({ kind: 'int', arg, default: defaultValue, description });
const bool = (defaultValue: boolean, description: string): BoolFlag => ({ kind: 'bool', default: defaultValue, description });

/** In help order. */
export const RUN_FLAGS = {
  'server.http.listen-addr': str('<addr>', '127.0.0.1:12345', 'Address to listen for HTTP traffic on'),
  'server.http.memory-addr': str('<addr>', 'alloy.internal:12345', 'Address to listen for in-memory HTTP traffic on'),
  'server.http.ui-path-prefix': str('<prefix>', '/', 'Prefix to serve the HTTP UI at'),
  'server.http.enable-pprof': bool(true, 'Enable /debug/pprof profiling endpoints.'),
  'server.http.disable-support-bundle': bool(false, 'Disable /-/support support bundle retrieval.'),
  'cluster.enabled': bool(false, 'Start in clustered mode'),
  'cluster.node-name': str('<name>', '', 'The name to use for this node'),
  'cluster.advertise-address': str('<addr>', '', 'Address to advertise to the cluster'),
  'cluster.join-addresses': str('<addrs>', '', 'Comma-separated list of addresses to join the cluster at'),
  'cluster.discover-peers': str('<spec>', '', 'List of key-value tuples for discovering peers'),
  'cluster.rejoin-interval': str('<duration>', '60s', 'How often to rejoin the list of peers'),
  'cluster.max-join-peers': int('<n>', 5, 'Number of peers to join from the discovered set'),
  'cluster.name': str('<name>', '', 'The name of the cluster to join'),
  'cluster.enable-tls': bool(false, 'Specifies whether TLS should be used for communication between peers'),
  'cluster.tls-ca-path': str('<path>', '', 'Path to the CA certificate file'),
  'cluster.tls-cert-path': str('<path>', '', 'Path to the certificate file'),
  'cluster.tls-key-path': str('<path>', '', 'Path to the key file'),
  'cluster.tls-server-name': str('<name>', '', 'Server name to use for TLS communication'),
  'cluster.wait-for-size': int('<n>', 0, 'Wait for the cluster to reach this size (0 = disabled)'),
  'cluster.wait-timeout': str('<duration>', '0s', 'Maximum duration to wait for the minimum cluster size (0 = forever)'),
  'config.format': str('<format>', 'alloy', 'The format of the source file'),
  'config.bypass-conversion-errors': bool(false, 'Enable bypassing errors when converting'),
  'config.extra-args': str('<args>', '', 'Extra arguments for the converter'),
  'config.auto-reload': bool(false, 'Reload when the config file or a *.alloy file of the config directory changes (alloy-ts only)'),
  'config.auto-reload-interval': str('<duration>', '1s', 'How often --config.auto-reload looks at the config files'),
  'disable-reporting': bool(false, 'Disable reporting of enabled components to Grafana.'),
  'storage.path': str('<path>', 'data-alloy/', 'Base directory where components can store data'),
  'stability.level': { kind: 'stability' },
  'feature.component-shutdown-deadline': str('<duration>', '10m', 'Maximum time to wait for a component to shut down'),
  'shutdown.drain-timeout': str('<duration>', '5s', 'How long the agent keeps delivering after SIGTERM/SIGINT before it exits (alloy-ts only; Docker kills after 10s)'),
  [MEMORY_LIMIT_FLAG]: {
    kind: 'optional-string',
    arg: '<size>',
    description: 'Memory to stay under (e.g. 2GiB): sizes the heap, buffers and queues (default $ALLOY_TS_MEMORY_LIMIT, else no limit)',
  },
  'feature.community-components.enabled': bool(false, 'Enable community components.'),
} as const satisfies Record<string, FlagSpec>;

type FlagValue<F extends FlagSpec> = F extends BoolFlag
  ? boolean
  : F extends IntFlag
    ? number
    : F extends StabilityFlag
      ? (typeof STABILITY_LEVELS)[number]
      : F extends OptionalStringFlag
        ? string | undefined
        : string;

/** Parsed `run` flags, keyed by flag name as written on the command line. */
export type RunFlags = { -readonly [K in keyof typeof RUN_FLAGS]: FlagValue<(typeof RUN_FLAGS)[K]> };

/** Declares every run flag on `cmd`, in table order. */
export function addRunFlags(cmd: Command): void {
  for (const [name, spec] of Object.entries(RUN_FLAGS) as [string, FlagSpec][]) addFlag(cmd, name, spec);
}

function addFlag(cmd: Command, name: string, spec: FlagSpec): void {
  switch (spec.kind) {
    case 'bool': boolFlag(cmd, name, spec.default, spec.description); break;
    case 'stability': cmd.addOption(stabilityOption()); break;
    case 'int': cmd.addOption(intOption(`--${name} ${spec.arg}`, spec.description, spec.default)); break;
    case 'string': cmd.option(`--${name} ${spec.arg}`, spec.description, spec.default); break;
    case 'optional-string': cmd.option(`--${name} ${spec.arg}`, spec.description); break;
  }
}

/** An integer flag; a non-integer value is a usage error, as with pflag's IntVar. */
function intOption(flags: string, description: string, defaultValue: number): Option {
  return new Option(flags, description).default(defaultValue).argParser((value: string) => {
    if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError('Not an integer.');
    return Number(value);
  });
}

/** Every run flag: the ones given, the table's defaults for the rest (for callers that start an agent without a command line). */
export function withRunDefaults(given: Partial<RunFlags>): RunFlags {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(RUN_FLAGS) as [string, FlagSpec][]) flags[name] = defaultOf(spec);
  for (const [name, value] of Object.entries(given)) if (value !== undefined) flags[name] = value;
  return flags as RunFlags;
}

function defaultOf(spec: FlagSpec): unknown {
  switch (spec.kind) {
    case 'stability': return stabilityOption().defaultValue;
    case 'optional-string': return undefined;
    default: return spec.default;
  }
}
