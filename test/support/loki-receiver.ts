/**
 * A test Loki: an HTTP server on 127.0.0.1 that accepts push requests, decodes
 * them and records what arrived. Protobuf bodies are decoded with protobufjs
 * from loki-push.proto beside this file (independent of the encoder under
 * test); JSON bodies (optionally gzip) are decoded too. It can be told to
 * answer with given statuses, to be slow, or to be down (refusing connections).
 *
 *   const loki = await LokiReceiver.start();
 *   ... endpoint { url = loki.pushUrl } ...
 *   await loki.waitForEntries(100);
 *   loki.respondWith(429, 2);   // the next two requests get 429
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';

const PushRequest = protobuf.loadSync(fileURLToPath(new URL('./loki-push.proto', import.meta.url))).lookupType('logproto.PushRequest');

export interface ReceivedEntry {
  /** The stream's label string as sent (`{a="b"}`). */
  readonly labels: string;
  /** Unix nanoseconds. */
  readonly timestampNs: bigint;
  readonly line: string;
  readonly metadata: Record<string, string>;
}

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly format: 'protobuf' | 'json';
  /** Compressed body size. */
  readonly bodyBytes: number;
  readonly streams: { labels: string; entries: ReceivedEntry[] }[];
}

interface DecodedPush {
  streams?: {
    labels?: string;
    entries?: { timestamp?: { seconds?: number | { toString(): string }; nanos?: number }; line?: string; structuredMetadata?: { name?: string; value?: string }[] }[];
  }[];
}

export class LokiReceiver {
  /** Requests that were accepted (2xx), in arrival order. */
  readonly accepted: ReceivedRequest[] = [];
  /** Every request, with the status it got. */
  readonly log: { status: number; headers: IncomingHttpHeaders; clientCertCN?: string }[] = [];
  private forced: number[] = [];
  private forcedUntil: { status: number; until: number } | undefined;
  private delayMs = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    private server: Server,
    readonly port: number,
    private readonly tls: TlsServerOptions | undefined,
    readonly host: string,
  ) {}

  /**
   * Starts on a free port; with `tls`, serves HTTPS (e.g. `{ key, cert, ca, requestCert: true }` for mTLS).
   * `host` is 127.0.0.1 unless a container must reach it (then podman's bridge gateway, a local address).
   */
  static async start(opts: { tls?: TlsServerOptions; host?: string } = {}): Promise<LokiReceiver> {
    const host = opts.host ?? '127.0.0.1';
    const server = await listen(0, opts.tls, host);
    const receiver = new LokiReceiver(server, (server.address() as AddressInfo).port, opts.tls, host);
    receiver.attach(server);
    return receiver;
  }

  get pushUrl(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}:${this.port}/loki/api/v1/push`;
  }

  /** Every accepted entry in arrival order. */
  entries(): ReceivedEntry[] {
    return this.accepted.flatMap((r) => r.streams.flatMap((s) => s.entries));
  }

  /** The next `times` requests are answered with `status` (after being decoded). */
  respondWith(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.forced.push(status);
  }

  /** Every request for the next `ms` is answered with `status` (an outage of that length). */
  respondWithFor(status: number, ms: number): void {
    this.forcedUntil = { status, until: Date.now() + ms };
  }

  /** Delays every answer by `ms`. */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Stops listening and drops open connections: clients get connection errors. */
  async down(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = await listen(this.port, this.tls, this.host);
    this.attach(this.server);
  }

  async waitForEntries(count: number, timeoutMs = 10_000): Promise<void> {
    await this.waitUntil(() => this.entries().length >= count, timeoutMs, () => `expected ${count} entries, got ${this.entries().length}`);
  }

  async waitUntil(check: () => boolean, timeoutMs = 10_000, describe = () => 'condition not met'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`LokiReceiver: ${describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private attach(server: Server): void {
    server.on('request', (req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    let request: ReceivedRequest;
    try {
      request = decodePush(req.headers, body);
    } catch (err) {
      this.answer(req, res, 400, `cannot decode push request: ${(err as Error).message}`);
      return;
    }
    const outage = this.forcedUntil && Date.now() < this.forcedUntil.until ? this.forcedUntil.status : undefined;
    const status = outage ?? this.forced.shift() ?? 204;
    if (status >= 200 && status < 300) this.accepted.push(request);
    this.answer(req, res, status, status >= 300 ? `forced status ${status}\nsecond line` : '');
  }

  private answer(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
    this.log.push({ status, headers: req.headers, clientCertCN: clientCertCN(req) });
    res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function listen(port: number, tls: TlsServerOptions | undefined, host: string): Promise<Server> {
  const server = tls ? createTlsServer({ ...tls, keepAlive: true }) : createServer({ keepAlive: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** The CN of the client certificate on a TLS connection, if one was presented. */
function clientCertCN(req: IncomingMessage): string | undefined {
  const socket = req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } };
  return socket.getPeerCertificate?.()?.subject?.CN;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes a push body by its content type: snappy protobuf or (gzip) JSON. */
export function decodePush(headers: IncomingHttpHeaders, body: Buffer): ReceivedRequest {
  const type = headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    const text = (headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    return { headers, format: 'json', bodyBytes: body.length, streams: decodeJsonPush(text) };
  }
  if (type !== 'application/x-protobuf') throw new Error(`unsupported content type ${JSON.stringify(type)}`);
  const message = PushRequest.decode(uncompressSync(body) as Buffer);
  const push = PushRequest.toObject(message, { longs: String, defaults: false }) as DecodedPush;
  return { headers, format: 'protobuf', bodyBytes: body.length, streams: (push.streams ?? []).map(protobufStream) };
}

function protobufStream(s: NonNullable<DecodedPush['streams']>[number]): { labels: string; entries: ReceivedEntry[] } {
  const labels = s.labels ?? '';
  const entries = (s.entries ?? []).map((e) => ({
    labels,
    timestampNs: BigInt(String(e.timestamp?.seconds ?? 0)) * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0),
    line: e.line ?? '',
    metadata: Object.fromEntries((e.structuredMetadata ?? []).map((p) => [p.name ?? '', p.value ?? ''])),
  }));
  return { labels, entries };
}

/** Loki's JSON push form: `{"streams":[{"stream":{...},"values":[["<ns>","<line>",{...}?]]}]}`. */
function decodeJsonPush(text: string): { labels: string; entries: ReceivedEntry[] }[] {
  const push = JSON.parse(text) as { streams?: { stream?: Record<string, string>; values?: [string, string, Record<string, string>?][] }[] };
  return (push.streams ?? []).map((s) => {
    const labels = jsonLabelString(s.stream ?? {});
    const entries = (s.values ?? []).map(([ns, line, metadata]) => ({ labels, timestampNs: BigInt(ns), line, metadata: metadata ?? {} }));
    return { labels, entries };
  });
}

/** The label string of a JSON stream, in the protobuf form (sorted, `", "`-joined; JSON quoting suffices for tests). */
function jsonLabelString(stream: Record<string, string>): string {
  return `{${Object.keys(stream)
    .sort()
    .map((k) => `${k}=${JSON.stringify(stream[k])}`)
    .join(', ')}}`;
}
