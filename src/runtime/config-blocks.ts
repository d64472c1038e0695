/**
 * Schemas of the config blocks the runtime itself understands (grafana/alloy
 * docs/sources/reference/config-blocks/).
 * They are decoded like component arguments, so `validate` reports the same
 * messages for them.
 */
import { describeSchema, attr, optional, optionalBlock, schema, t, type BlockSchema, type Infer } from '../lang/schema.js';
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


/** A `declare` body holds statements, not arguments: its schema has no fields. */
export const DeclareArgs = schema({});

/** Every config block by name, for what documents them (editor, validate's notes). */
export const CONFIG_BLOCK_SCHEMAS: Readonly<Record<string, BlockSchema>> = {
  ...SERVICE_BLOCKS,
  ...SINGLETON_CONFIG_BLOCKS,
  ...IMPORT_BLOCKS,
  argument: ArgumentArgs,
  export: ExportArgs,
  foreach: ForeachArgs,
  declare: DeclareArgs,
} as Record<string, BlockSchema>;

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(LoggingArgs, {
  level: 'Lowest level logged: debug, info, warn or error.',
  format: 'Format of log lines: logfmt or json.',
  destination: 'Where log lines go (stderr).',
  write_to: 'Loki receivers that also get Alloy\'s own log lines.',
}, 'Configures Alloy\'s own log output.');
describeSchema(TracingArgs, {
  sampling_fraction: 'Share of Alloy\'s own traces kept, from 0 to 1.',
  write_to: 'otelcol components that receive Alloy\'s own traces.',
}, 'Configures the traces Alloy emits about itself.');
describeSchema(LiveDebuggingArgs, {
  enabled: 'Allow streaming the data that passes through components to the UI.',
}, 'Turns live debugging of component data on or off.');
describeSchema(HttpTls, {
  cert_pem: 'PEM text of the server certificate.',
  cert_file: 'File holding the server certificate.',
  key_pem: 'PEM text of the server certificate\'s private key (a secret).',
  key_file: 'File holding the server certificate\'s private key.',
  client_ca_pem: 'PEM text of the CA certificates client certificates must chain to.',
  client_ca_file: 'File holding the CA certificates client certificates must chain to.',
  client_auth_type: 'Whether and how client certificates are asked for and verified.',
  cipher_suites: 'TLS cipher suites allowed, by name.',
  curve_preferences: 'Elliptic curves preferred for the key exchange.',
  min_version: 'Oldest TLS version accepted.',
  max_version: 'Newest TLS version accepted.',
}, 'Serve Alloy\'s HTTP server over TLS.');
describeSchema(HttpBasicAuth, {
  username: 'User name clients must send.',
  password: 'Password clients must send (a secret).',
}, 'Basic authentication required of clients.');
describeSchema(HttpAuthFilter, {
  paths: 'URL path prefixes the filter selects.',
  authenticate_matching_paths: 'Authenticate the selected paths (true) or all other paths (false).',
}, 'Which paths need authentication.');
describeSchema(HttpAuth, {
  basic: 'Basic authentication required of clients.',
  filter: 'Which paths need authentication.',
}, 'Authentication of requests to Alloy\'s HTTP server.');
describeSchema(HttpArgs, {
  tls: 'Serve HTTPS with these TLS settings.',
  auth: 'Authentication of requests.',
}, 'Configures Alloy\'s HTTP server (TLS, authentication).');
describeSchema(ArgumentArgs, {
  optional: 'Whether the custom component may be used without this argument.',
  default: 'Value used when the argument is not given.',
  comment: 'What the argument is for, for readers and tools.',
}, 'Declares an argument of a custom component, read as argument.<name>.value.');
describeSchema(ExportArgs, {
  value: 'The value the custom component exports under this name.',
}, 'Declares an export of a custom component.');
describeSchema(ImportFileArgs, {
  filename: 'File or directory of .alloy files to import.',
  detector: 'How changes are noticed: fsnotify or poll.',
  poll_frequency: 'How often the file is checked for changes.',
}, 'Imports custom components from a file or directory under a namespace.');
describeSchema(ImportStringArgs, {
  content: 'Module text in the Alloy syntax.',
}, 'Imports custom components from a string under a namespace.');
describeSchema(ImportHttpArgs, {
  url: 'URL the module is fetched from.',
  method: 'HTTP method of the request.',
  headers: 'Extra headers sent with the request.',
  poll_frequency: 'How often the module is fetched again.',
  poll_timeout: 'Timeout of one fetch.',
}, 'Imports custom components fetched over HTTP under a namespace.');
describeSchema(GitBasicAuth, {
  username: 'User name for the Git server.',
  password: 'Password or token for the Git server (a secret).',
}, 'Basic authentication for the Git server.');
describeSchema(GitSshKey, {
  username: 'SSH user name.',
  key: 'SSH private key text (a secret).',
  key_file: 'File holding the SSH private key.',
  passphrase: 'Passphrase of the private key (a secret).',
}, 'SSH key authentication for the Git server.');
describeSchema(ImportGitArgs, {
  repository: 'URL of the Git repository.',
  revision: 'Branch, tag or commit to use.',
  path: 'File or directory inside the repository to import.',
  pull_frequency: 'How often the repository is pulled again (0 never).',
  basic_auth: 'Basic authentication for the Git server.',
  ssh_key: 'SSH key authentication for the Git server.',
}, 'Imports custom components from a Git repository under a namespace.');
describeSchema(ForeachArgs, {
  collection: 'Items the template is instantiated for.',
  var: 'Name under which the template reads the current item.',
  id: 'Field of each item that names its instance.',
  enable_metrics: 'Expose the metrics of the instantiated components.',
  hash_string_id: 'Name instances by a hash of their item instead of its text.',
  template: 'The components created for each item.',
}, 'Creates the components of its template once per item of a collection (experimental).');
describeSchema(DeclareArgs, {
}, 'Defines a custom component: its arguments, exports and the components it runs.');
