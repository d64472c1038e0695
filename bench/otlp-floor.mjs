// The floor for bench/otlp.mjs: what a plain Node process costs to do only
// the transport part of the agent's OTLP pipeline with the same libraries —
// take OTLP/gRPC export requests with @grpc/grpc-js, join every `per-batch`
// of them into one request (encoded export requests concatenate), send it
// with a grpc-js client (gzip unless told otherwise) and answer the callers
// once it was accepted. No decoding, checking, counting, queueing, retries or
// metrics: the agent's CPU over this process' CPU is what the agent adds.
//
//   node bench/otlp-floor.mjs <listen-port> <downstream-port> <per-batch> [gzip|none]
import * as grpc from '@grpc/grpc-js';

const [listenPort, downstreamPort, perBatchArg, compression = 'gzip'] = process.argv.slice(2);
const PER_BATCH = Number(perBatchArg);
const FLUSH_MS = 200; // otelcol.processor.batch's default timeout
const PATHS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};
const id = (b) => b;

const client = new grpc.Client(`127.0.0.1:${downstreamPort}`, grpc.credentials.createInsecure(), {
  'grpc.default_compression_algorithm': compression === 'gzip' ? 2 : 0,
});

function batcher(path) {
  let pending = [];
  let timer;
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    const body = Buffer.concat(batch.map((p) => p.request));
    client.makeUnaryRequest(path, id, id, body, (err) => {
      for (const p of batch) p.callback(err ? { code: grpc.status.UNAVAILABLE, details: err.message } : null, Buffer.alloc(0));
    });
  };
  return (call, callback) => {
    pending.push({ request: call.request, callback });
    if (pending.length >= PER_BATCH) send();
    else timer ??= setTimeout(send, FLUSH_MS);
  };
}

const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
for (const path of Object.values(PATHS)) {
  server.addService(
    { Export: { path, requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id } },
    { Export: batcher(path) },
  );
}
server.bindAsync(`127.0.0.1:${listenPort}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
});
process.on('SIGTERM', () => {
  client.close();
  server.forceShutdown();
  process.exit(0);
});
