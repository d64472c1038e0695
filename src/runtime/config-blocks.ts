/**
 * Schemas of the config blocks the runtime itself understands (grafana/alloy
 * docs/sources/reference/config-blocks/).
 * They are decoded like component arguments, so `validate` reports the same
 * messages for them.
 */
import { attr, optional, optionalBlock, schema, t, type Infer } from '../lang/schema.js';
import type { CapsulePayload } from '../lang/value.js';

/** Capsule type of log receivers, as Alloy names it. */
export const LOGS_RECEIVER_TYPE = 'loki.LogsReceiver';

/**
 * What the runtime needs of a logs receiver to forward its own log lines
 * (`logging.write_to`). Receivers are implemented by components.
 */
export interface LogLineReceiver extends CapsulePayload {
  /** Accepts one of Alloy's own log lines; must not block. */
  pushLogLine?(line: string, labels: Record<string, string>): void;
}

export const LoggingArgs = schema({
  level: attr(t.oneOf('debug', 'info', 'warn', 'error'), 'info'),
  format: attr(t.oneOf('logfmt', 'json'), 'logfmt'),
  destination: attr(t.string, 'stderr'),
  write_to: attr(t.list(t.capsule<LogLineReceiver>(LOGS_RECEIVER_TYPE)), []),
});
export type LoggingArgs = Infer<typeof LoggingArgs>;

export const TracingArgs = schema({
  sampling_fraction: attr(t.float, 0.1),
  write_to: attr(t.list(t.any), []),
});

export const LiveDebuggingArgs = schema({
  enabled: attr(t.bool, false),
});
export type LiveDebuggingArgs = Infer<typeof LiveDebuggingArgs>;

const HttpTls = schema({
  cert_pem: optional(t.string),
  cert_file: optional(t.string),
  key_pem: optional(t.secret),
  key_file: optional(t.string),
  client_ca_pem: optional(t.string),
  client_ca_file: optional(t.string),
  client_auth_type: attr(t.string, 'NoClientCert'),
  cipher_suites: attr(t.list(t.string), []),
  curve_preferences: attr(t.list(t.string), []),
  min_version: optional(t.string),
  max_version: optional(t.string),
});

const HttpBasicAuth = schema({
  username: attr(t.string),
  password: attr(t.secret),
});

const HttpAuthFilter = schema({
  paths: attr(t.list(t.string), []),
  authenticate_matching_paths: attr(t.bool, true),
});

const HttpAuth = schema({
  basic: optionalBlock(HttpBasicAuth),
  filter: optionalBlock(HttpAuthFilter),
});

export const HttpArgs = schema({
  tls: optionalBlock(HttpTls),
  auth: optionalBlock(HttpAuth),
});
export type HttpArgs = Infer<typeof HttpArgs>;

export const ArgumentArgs = schema({
  optional: attr(t.bool, false),
  default: optional(t.any),
  comment: attr(t.string, ''),
});
export type ArgumentArgs = Infer<typeof ArgumentArgs>;

export const ExportArgs = schema({
  value: attr(t.any),
});
export type ExportArgs = Infer<typeof ExportArgs>;

export const ImportFileArgs = schema({
  filename: attr(t.string),
  detector: attr(t.oneOf('fsnotify', 'poll'), 'fsnotify'),
  poll_frequency: attr(t.duration, '1m'),
});
export type ImportFileArgs = Infer<typeof ImportFileArgs>;

export const ImportStringArgs = schema({
  content: attr(t.optionalSecret),
});
export type ImportStringArgs = Infer<typeof ImportStringArgs>;

export const ImportHttpArgs = schema({
  url: attr(t.string),
  method: attr(t.string, 'GET'),
  headers: attr(t.map(t.string), {}),
  poll_frequency: attr(t.duration, '1m'),
  poll_timeout: attr(t.duration, '10s'),
});

const GitBasicAuth = schema({ username: attr(t.string), password: attr(t.secret) });
const GitSshKey = schema({ username: attr(t.string), key: optional(t.secret), key_file: optional(t.string), passphrase: optional(t.secret) });

export const ImportGitArgs = schema({
  repository: attr(t.string),
  revision: attr(t.string, 'HEAD'),
  path: attr(t.string, ''),
  pull_frequency: attr(t.duration, '60s'),
  basic_auth: optionalBlock(GitBasicAuth),
  ssh_key: optionalBlock(GitSshKey),
});

export const ForeachArgs = schema({
  collection: attr(t.list(t.any)),
  var: attr(t.string),
  id: attr(t.string, ''),
  enable_metrics: attr(t.bool, false),
  hash_string_id: attr(t.bool, false),
  template: optionalBlock(schema({})),
});

/** Blocks that configure runtime services; unlabelled, at most once, root only. */
export const SERVICE_BLOCKS = {
  http: HttpArgs,
  livedebugging: LiveDebuggingArgs,
} as const;

/** Config blocks that are unlabelled and allowed once, root only. */
export const SINGLETON_CONFIG_BLOCKS = {
  logging: LoggingArgs,
  tracing: TracingArgs,
} as const;

export const IMPORT_BLOCKS = {
  'import.file': ImportFileArgs,
  'import.string': ImportStringArgs,
  'import.http': ImportHttpArgs,
  'import.git': ImportGitArgs,
} as const;

