/**
 * The embedded server's blocks (grafana/alloy internal/component/common/net
 * config.go, squashed into loki.source.api's arguments): `http`, `grpc` and
 * `graceful_shutdown_timeout`, with Alloy's defaults.
 *
 * Deviation: an empty `listen_address` means 127.0.0.1 here (Alloy listens on
 * every interface); set "0.0.0.0" to accept remote pushes.
 */
import { readFileSync } from 'node:fs';
import { describeSchema, attr, defaultedBlock, optional, optionalBlock, schema, t, type Infer } from '../../../lang/schema.js';

const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;

export const ServerTls = schema(
  {
    cert_pem: attr(t.string, ''),
    key_pem: optional(t.secret),
    cert_file: attr(t.string, ''),
    key_file: attr(t.string, ''),
    client_auth_type: attr(t.oneOf('', ...CLIENT_AUTH_TYPES), ''),
    client_ca_file: attr(t.string, ''),
    client_ca: attr(t.string, ''),
    cipher_suites: attr(t.string, ''),
    min_version: attr(t.string, ''),
  },
  (c) => {
    if (c.cert_pem && c.cert_file) return 'at most one of cert_pem and cert_file must be configured';
    if (c.key_pem?.value && c.key_file) return 'at most one of key_pem and key_file must be configured';
    return undefined;
  },
);
export type ServerTls = Infer<typeof ServerTls>;

export const HttpServer = schema({
  listen_address: attr(t.string, ''),
  listen_port: attr(t.int, 8080),
  conn_limit: attr(t.int, 0),
  server_read_timeout: attr(t.duration, '30s'),
  server_write_timeout: attr(t.duration, '30s'),
  server_idle_timeout: attr(t.duration, '120s'),
  tls: optionalBlock(ServerTls),
});
export type HttpServer = Infer<typeof HttpServer>;

/** Accepted for compatibility; the gRPC push service is not served (see README). */
export const GrpcServer = schema({
  listen_address: attr(t.string, ''),
  listen_port: attr(t.int, 0),
  conn_limit: attr(t.int, 0),
  max_connection_age: attr(t.duration, '0s'),
  max_connection_age_grace: attr(t.duration, '0s'),
  max_connection_idle: attr(t.duration, '0s'),
  server_max_recv_msg_size: attr(t.int, 4 << 20),
  server_max_send_msg_size: attr(t.int, 4 << 20),
  server_max_concurrent_streams: attr(t.int, 100),
  tls: optionalBlock(ServerTls),
});

export const serverFields = {
  http: defaultedBlock(HttpServer),
  grpc: optionalBlock(GrpcServer),
  graceful_shutdown_timeout: attr(t.duration, '30s'),
};

/** Node's TLS server options from a `tls` block (files read now, so a bad path fails the update). */
export function serverTlsOptions(tls: ServerTls): { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requestCert?: boolean; rejectUnauthorized?: boolean; minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } {
  const cert = tls.cert_pem || (tls.cert_file ? readFileSync(tls.cert_file) : undefined);
  const key = tls.key_pem?.value || (tls.key_file ? readFileSync(tls.key_file) : undefined);
  if (!cert || !key) throw new Error('tls needs a certificate and a key (cert_pem/cert_file and key_pem/key_file)');
  const ca = tls.client_ca || (tls.client_ca_file ? readFileSync(tls.client_ca_file) : undefined);
  const auth = tls.client_auth_type || 'NoClientCert';
  const minVersion = ({ VersionTLS10: 'TLSv1', VersionTLS11: 'TLSv1.1', VersionTLS12: 'TLSv1.2', VersionTLS13: 'TLSv1.3' } as const)[tls.min_version as 'VersionTLS12'];
  return {
    cert,
    key,
    ...(ca ? { ca } : {}),
    requestCert: auth !== 'NoClientCert',
    // Go's RequestClientCert / RequireAnyClientCert do not verify the certificate.
    rejectUnauthorized: auth === 'RequireAndVerifyClientCert',
    ...(minVersion ? { minVersion } : {}),
  };
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(ServerTls, {
  cert_pem: 'PEM text of the server certificate.',
  key_pem: 'PEM text of the server certificate\'s private key (a secret).',
  cert_file: 'File holding the server certificate.',
  key_file: 'File holding the server certificate\'s private key.',
  client_auth_type: 'Whether and how client certificates are asked for and verified.',
  client_ca_file: 'File holding the CA certificates that client certificates must chain to.',
  client_ca: 'PEM text of the CA certificates that client certificates must chain to.',
  cipher_suites: 'TLS cipher suites allowed, by name.',
  min_version: 'Oldest TLS version accepted.',
}, 'TLS settings of the server.');
describeSchema(HttpServer, {
  listen_address: 'Address the HTTP server listens on.',
  listen_port: 'Port the HTTP server listens on (0 picks a free one).',
  conn_limit: 'Most connections served at once (0 means no limit).',
  server_read_timeout: 'Longest time to read a whole request.',
  server_write_timeout: 'Longest time to write a response.',
  server_idle_timeout: 'How long an idle keep-alive connection stays open.',
  tls: 'Serve HTTPS with these TLS settings.',
}, 'Settings of the HTTP server.');
describeSchema(GrpcServer, {
  listen_address: 'Address the gRPC server listens on.',
  listen_port: 'Port the gRPC server listens on (0 picks a free one).',
  conn_limit: 'Most connections served at once (0 means no limit).',
  max_connection_age: 'Longest a connection may live before it is closed gracefully.',
  max_connection_age_grace: 'Extra time given to close a connection that reached its age.',
  max_connection_idle: 'How long an idle connection stays open.',
  server_max_recv_msg_size: 'Largest gRPC message accepted.',
  server_max_send_msg_size: 'Largest gRPC message sent.',
  server_max_concurrent_streams: 'Most concurrent streams on one connection.',
  tls: 'Serve gRPC over TLS with these settings.',
}, 'Settings of the gRPC server.');

/** Descriptions of `serverFields`, for the schemas that spread them. */
export const serverFieldDescriptions = {
  http: 'The HTTP server that receives the requests.',
  grpc: 'The gRPC server (optional).',
  graceful_shutdown_timeout: 'How long the servers wait for requests in flight when stopping.',
};
