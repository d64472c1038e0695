/**
 * OTLP/gRPC server on grpc-js: the Export method of the trace, metrics and
 * logs services, requests taken as bytes (grpc-js has already undone gzip)
 * and decoded here so a malformed message is INVALID_ARGUMENT, not a
 * transport error.
 */
import * as grpc from '@grpc/grpc-js';
import type { SecureContextOptions } from 'node:tls';
import { serverTlsOptions } from '../config/tls.js';
import { encodeResponse, GRPC_PATH } from '../pdata/codec.js';
import { SIGNALS, type Signal } from '../pdata/model.js';
import { Payload } from '../pdata/payload.js';
import type { GrpcArgs } from '../receiver-otlp.js';
import { GRPC, IngestFailure, metadataOf, type Ingest, type RunningServer } from './ingest.js';

const identity = (b: Buffer): Buffer => b;

function serviceOf(signal: Signal): grpc.ServiceDefinition {
  return {
    Export: {
      path: GRPC_PATH[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

function exportHandler(ingest: Ingest, args: GrpcArgs, signal: Signal): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    handle(ingest, args, signal, call).then(
      (response) => callback(null, response),
      (err: unknown) => {
        const failure = err instanceof IngestFailure ? err : new IngestFailure(GRPC.INTERNAL, String(err));
        callback({ code: failure.code, details: failure.message });
      },
    );
  };
}

async function handle(ingest: Ingest, args: GrpcArgs, signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
  const headers = call.metadata.getMap() as Record<string, string>;
  await ingest.authenticate(args.auth, headers);
  let payload;
  try {
    payload = Payload.fromBytes(signal, call.request);
  } catch (err) {
    throw new IngestFailure(GRPC.INVALID_ARGUMENT, `unable to decode the request: ${err instanceof Error ? err.message : String(err)}`);
  }
  await ingest.accept(payload, 'grpc', args.include_metadata ? metadataOf(headers) : undefined);
  return Buffer.from(encodeResponse(signal));
}

function serverOptions(args: GrpcArgs): grpc.ServerOptions {
  const opts: Record<string, number> = { 'grpc.max_receive_message_length': args.max_recv_msg_size };
  if (args.max_concurrent_streams !== undefined) opts['grpc.max_concurrent_streams'] = args.max_concurrent_streams;
  const sp = args.keepalive?.server_parameters;
  if (sp) {
    opts['grpc.keepalive_time_ms'] = sp.time;
    opts['grpc.keepalive_timeout_ms'] = sp.timeout;
    if (sp.max_connection_idle !== undefined) opts['grpc.max_connection_idle_ms'] = sp.max_connection_idle;
    if (sp.max_connection_age !== undefined) opts['grpc.max_connection_age_ms'] = sp.max_connection_age;
    if (sp.max_connection_age_grace !== undefined) opts['grpc.max_connection_age_grace_ms'] = sp.max_connection_age_grace;
  }
  if (args.keepalive?.enforcement_policy?.permit_without_stream) opts['grpc.keepalive_permit_without_calls'] = 1;
  return opts;
}

function credentialsOf(args: GrpcArgs): grpc.ServerCredentials {
  if (!args.tls) return grpc.ServerCredentials.createInsecure();
  const tls = serverTlsOptions(args.tls);
  const creds = grpc.ServerCredentials.createSsl(
    tls.requestCert ? Buffer.from(tls.ca as Buffer) : null,
    [{ cert_chain: tls.cert as Buffer, private_key: tls.key as Buffer }],
    tls.requestCert,
  );
  // grpc-js' createSsl takes no TLS versions; its credentials hand these
  // options to tls.createSecureContext, so the configured versions are added there.
  const withVersions = creds as unknown as { _getSecureContextOptions(): SecureContextOptions };
  const base = withVersions._getSecureContextOptions.bind(creds);
  withVersions._getSecureContextOptions = () => ({ ...base(), minVersion: tls.minVersion, ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}) });
  return creds;
}

export async function startGrpcServer(ingest: Ingest, args: GrpcArgs): Promise<RunningServer> {
  const server = new grpc.Server(serverOptions(args));
  for (const signal of SIGNALS) server.addService(serviceOf(signal), { Export: exportHandler(ingest, args, signal) });
  const target = args.transport === 'unix' ? `unix:${args.endpoint}` : args.endpoint;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(target, credentialsOf(args), (err, p) => (err ? reject(new Error(`otlp grpc server could not listen on ${args.endpoint}: ${err.message}`)) : resolve(p))),
  );
  const address = args.transport === 'unix' ? target : args.endpoint.replace(/:\d+$/, `:${port}`);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
