/**
 * The otelcol `tls` blocks (client and server), as Alloy declares them
 * (internal/component/otelcol/config_tls.go), and their Node TLS options.
 * Versions are the collector's "1.0" … "1.3" (configtls).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates, type SecureContextOptions } from 'node:tls';
import { describeSchema, attr, optional, schema, t, type Infer } from '../../../lang/schema.js';
import { notSupported, unsupportedBlock } from './unsupported.js';

const VERSIONS = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' } as const;
type VersionName = keyof typeof VERSIONS;

const tlsVersion = t.checked('string', (s) => {
  if (!(s in VERSIONS)) throw new Error(`invalid TLS version ${JSON.stringify(s)}: expected one of "1.0", "1.1", "1.2", "1.3"`);
});

const commonFields = {
  ca_file: optional(t.string),
  ca_pem: optional(t.string),
  cert_file: optional(t.string),
  cert_pem: optional(t.string),
  key_file: optional(t.string),
  key_pem: optional(t.secret),
  include_system_ca_certs_pool: attr(t.bool, false),
  min_version: optional(tlsVersion),
  max_version: optional(tlsVersion),
  cipher_suites: notSupported('tls.cipher_suites'),
  curve_preferences: notSupported('tls.curve_preferences'),
  include_insecure_cipher_suites: notSupported('tls.include_insecure_cipher_suites'),
  reload_interval: notSupported('tls.reload_interval'),
  tpm: unsupportedBlock('the tls > tpm block'),
};

function checkPairs(c: { ca_file?: string; ca_pem?: string; cert_file?: string; cert_pem?: string; key_file?: string; key_pem?: { value: string } }): string | undefined {
  if (c.ca_file && c.ca_pem) return 'at most one of ca_file and ca_pem must be configured';
  if (c.cert_file && c.cert_pem) return 'at most one of cert_file and cert_pem must be configured';
  if (c.key_file && c.key_pem?.value) return 'at most one of key_file and key_pem must be configured';
  const hasCert = !!(c.cert_file || c.cert_pem);
  const hasKey = !!(c.key_file || c.key_pem?.value);
  if (hasCert !== hasKey) return 'provide both certificate and key, or neither';
  return undefined;
}

export const TlsClientBlock = schema(
  {
    ...commonFields,
    insecure: attr(t.bool, false),
    insecure_skip_verify: attr(t.bool, false),
    server_name: optional(t.string),
  },
  checkPairs,
);
export type TlsClient = Infer<typeof TlsClientBlock>;

export const TlsServerBlock = schema({ ...commonFields, client_ca_file: optional(t.string) }, (c) => {
  if (!(c.cert_file || c.cert_pem)) return 'a TLS server needs a certificate and key (cert_file/cert_pem and key_file/key_pem)';
  return checkPairs(c);
});
export type TlsServer = Infer<typeof TlsServerBlock>;

type Common = Omit<TlsServer, 'client_ca_file'>;

function pemOrFile(pem: string | undefined, file: string | undefined): Buffer | undefined {
  if (pem) return Buffer.from(pem);
  if (file) return readFileSync(file);
  return undefined;
}

/** Node secure-context options (files are read now: a missing file fails the component's build). */
function contextOptions(c: Common): SecureContextOptions {
  const ca = pemOrFile(c.ca_pem, c.ca_file);
  const out: SecureContextOptions = {};
  if (ca) out.ca = c.include_system_ca_certs_pool ? [...rootCertificates, ca.toString()] : ca;
  const cert = pemOrFile(c.cert_pem, c.cert_file);
  const key = pemOrFile(c.key_pem?.value, c.key_file);
  if (cert) out.cert = cert;
  if (key) out.key = key;
  out.minVersion = VERSIONS[(c.min_version ?? '1.2') as VersionName];
  if (c.max_version) out.maxVersion = VERSIONS[c.max_version as VersionName];
  return out;
}

export interface ClientTlsOptions extends SecureContextOptions {
  rejectUnauthorized: boolean;
  servername?: string;
}

export function clientTlsOptions(c: TlsClient): ClientTlsOptions {
  return { ...contextOptions(c), rejectUnauthorized: !c.insecure_skip_verify, ...(c.server_name ? { servername: c.server_name } : {}) };
}

export interface ServerTlsOptions extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

export function serverTlsOptions(c: TlsServer): ServerTlsOptions {
  const base = contextOptions(c);
  if (!c.client_ca_file) return { ...base, requestCert: false, rejectUnauthorized: false };
  return { ...base, ca: readFileSync(c.client_ca_file), requestCert: true, rejectUnauthorized: true };
}

// One-line descriptions (hover, completion, the UI, validate's notes).
const commonFieldDescriptions: Record<keyof typeof commonFields, string> = {
  ca_file: 'File holding the CA certificate used to verify the peer.',
  ca_pem: 'PEM text of the CA certificate used to verify the peer.',
  cert_file: 'File holding the certificate presented to the peer.',
  cert_pem: 'PEM text of the certificate presented to the peer.',
  key_file: 'File holding the private key of the certificate.',
  key_pem: 'PEM text of the private key of the certificate (a secret).',
  include_system_ca_certs_pool: 'Trust the system CA certificates as well as the configured ones.',
  min_version: 'Oldest TLS version accepted, such as 1.2.',
  max_version: 'Newest TLS version accepted, such as 1.3.',
  cipher_suites: 'TLS cipher suites allowed, by name.',
  curve_preferences: 'Elliptic curves preferred for the key exchange.',
  include_insecure_cipher_suites: 'Also allow cipher suites known to be insecure.',
  reload_interval: 'How often the certificate files are read again (0 never).',
  tpm: 'Load the private key through a Trusted Platform Module.',
};
describeSchema(TlsClientBlock, {
  ...commonFieldDescriptions,
  insecure: 'Connect without TLS.',
  insecure_skip_verify: 'Do not verify the server certificate.',
  server_name: 'Server name expected in the server certificate (and sent for SNI).',
}, 'TLS settings of the client connection.');
describeSchema(TlsServerBlock, {
  ...commonFieldDescriptions,
  client_ca_file: 'File holding the CA certificates that client certificates must chain to.',
}, 'TLS settings of the server.');
