// The benchmarks' stand-in for Loki and Prometheus: an HTTP server on
// 127.0.0.1 that snappy-decompresses every request body, counts what it holds
// with `count`, and tallies items, requests and bytes. `runReceiverChild` runs
// one in a forked process, so its CPU is not charged to the side measured.
import { createServer } from 'node:http';
import path from 'node:path';
import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';
import { repoRoot } from './corpus.mjs';

function protoCounter(protoFile, typeName, items) {
  const type = protobuf.loadSync(path.join(repoRoot, 'test/support', protoFile)).lookupType(typeName);
  return (body) => items(type.decode(body));
}

/** Counts the entries of a Loki PushRequest, fully decoded. */
export const lokiEntries = () =>
  protoCounter('loki-push.proto', 'logproto.PushRequest', (push) => push.streams.reduce((n, s) => n + s.entries.length, 0));

/** Counts the samples of a remote-write WriteRequest, fully decoded. */
export const remoteWriteSamples = () =>
  protoCounter('remote-write.proto', 'prometheus.WriteRequest', (wr) => wr.timeseries.reduce((n, ts) => n + ts.samples.length, 0));

/**
 * Starts a receiver. `stats.bytes` counts request bodies as sent (compressed);
 * `until(n)` resolves once `n` items arrived in all.
 */
export async function startDecodingReceiver(count) {
  const stats = { items: 0, requests: 0, bytes: 0, firstAt: 0 };
  let waiter;
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const items = count(uncompressSync(body));
      if (stats.items === 0) stats.firstAt = performance.now();
      stats.items += items;
      stats.bytes += body.length;
      stats.requests++;
      res.writeHead(204).end();
      if (waiter && stats.items >= waiter.count) waiter.resolve();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    stats,
    until: (n) => (stats.items >= n ? Promise.resolve() : new Promise((resolve) => (waiter = { count: n, resolve }))),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** In a forked child: serves, sends `{port}`, answers 'report' with the stats and its CPU, exits on 'exit'. */
export async function runReceiverChild(count) {
  const receiver = await startDecodingReceiver(count);
  process.send({ port: receiver.port });
  process.on('message', (msg) => {
    if (msg === 'report') process.send({ ...receiver.stats, cpu: process.cpuUsage() });
    if (msg === 'exit') receiver.close().then(() => process.exit(0));
  });
}
