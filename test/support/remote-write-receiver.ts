/**
 * A test remote-write endpoint on 127.0.0.1: decodes every request with
 * protobufjs from remote-write.proto beside this file (independent of the
 * encoder under test), checks the protocol headers, and records the samples.
 * It can answer with forced statuses, be slow, or go down and come back.
 *
 *   const rw = await RemoteWriteReceiver.start();
 *   ... endpoint { url = rw.url } ...
 *   await rw.waitFor(() => rw.samples.length >= 10);
 *   rw.respondWith(503, 2);   // the next two requests get 503
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';

const root = protobuf.loadSync(fileURLToPath(new URL('./remote-write.proto', import.meta.url)));
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface ReceivedSample {
  /** Labels in the order they were sent. */
  readonly labels: Record<string, string>;
  readonly labelOrder: string[];
  readonly value: number;
  /** The value was Prometheus' staleness marker. */
  readonly stale: boolean;
  readonly timestampMs: number;
}

export interface ReceivedMetadata {
  readonly type: string;
  readonly family: string;
  readonly help: string;
  readonly unit: string;
}

export interface DecodedWriteRequest {
  readonly samples: ReceivedSample[];
  readonly metadata: ReceivedMetadata[];
}

interface Bits {
  low: number;
  high: number;
}

interface RawWriteRequest {
  timeseries?: { labels?: { name?: string; value?: string }[]; samples?: { value?: Bits | number; timestamp?: { toString(): string } | number }[] }[];
  metadata?: { type?: string; metricFamilyName?: string; help?: string; unit?: string }[];
}

/** Decodes a snappy-compressed WriteRequest body. */
export function decodeWriteRequest(body: Buffer): DecodedWriteRequest {
  const message = WriteRequest.decode(uncompressSync(body) as Buffer);
  const raw = WriteRequest.toObject(message, { longs: Object, enums: String, defaults: false }) as RawWriteRequest;
  const samples: ReceivedSample[] = [];
  for (const ts of raw.timeseries ?? []) {
    const labelOrder = (ts.labels ?? []).map((l) => l.name ?? '');
    const labels = Object.fromEntries((ts.labels ?? []).map((l) => [l.name ?? '', l.value ?? '']));
    for (const s of ts.samples ?? []) {
      const bits = typeof s.value === 'object' ? s.value : { low: 0, high: 0 };
      samples.push({ labels, labelOrder, value: bitsToDouble(bits), stale: bits.high === 0x7ff00000 && bits.low === 2, timestampMs: Number(String(s.timestamp ?? 0)) });
    }
  }
  const metadata = (raw.metadata ?? []).map((m) => ({ type: m.type ?? 'UNKNOWN', family: m.metricFamilyName ?? '', help: m.help ?? '', unit: m.unit ?? '' }));
  return { samples, metadata };
}

function bitsToDouble(bits: Bits): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, bits.low >>> 0, true);
  view.setUint32(4, bits.high >>> 0, true);
  return view.getFloat64(0, true);
}

export interface ReceivedRequest {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly samples: number;
  readonly metadata: number;
}

export class RemoteWriteReceiver {
  /** Samples of accepted (2xx) requests, in arrival order. */
  readonly samples: ReceivedSample[] = [];
  readonly metadata: ReceivedMetadata[] = [];
  /** Every request with the status it got. */
  readonly requests: ReceivedRequest[] = [];
  private forced: { status: number; headers: Record<string, string> }[] = [];
  private delayMs = 0;

  private constructor(
    private server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<RemoteWriteReceiver> {
    const server = await listen(0);
    const receiver = new RemoteWriteReceiver(server, (server.address() as AddressInfo).port);
    receiver.attach(server);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/v1/write`;
  }

  /** The next `times` requests are answered with `status` (and `headers`). */
  respondWith(status: number, times = 1, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) this.forced.push({ status, headers });
  }

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

  async up(): Promise<void> {
    this.server = await listen(this.port);
    this.attach(this.server);
  }

  async waitFor(check: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`RemoteWriteReceiver: ${what} not met within ${timeoutMs} ms (${this.samples.length} samples so far)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Accepted samples whose `__name__` is `name`. */
  named(name: string): ReceivedSample[] {
    return this.samples.filter((s) => s.labels['__name__'] === name);
  }

  async close(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private attach(server: Server): void {
    server.on('request', (req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const problem = protocolProblem(req.headers);
    let decoded: DecodedWriteRequest | undefined;
    try {
      decoded = problem ? undefined : decodeWriteRequest(Buffer.concat(chunks));
    } catch (err) {
      return this.answer(req, res, 400, {}, `cannot decode write request: ${(err as Error).message}`, undefined);
    }
    if (!decoded) return this.answer(req, res, 400, {}, problem!, undefined);
    const forced = this.forced.shift() ?? { status: 204, headers: {} };
    if (forced.status >= 200 && forced.status < 300) {
      this.samples.push(...decoded.samples);
      this.metadata.push(...decoded.metadata);
    }
    this.answer(req, res, forced.status, forced.headers, forced.status >= 300 ? `forced status ${forced.status}` : '', decoded);
  }

  private answer(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, text: string, decoded: DecodedWriteRequest | undefined): void {
    this.requests.push({ status, headers: req.headers, samples: decoded?.samples.length ?? 0, metadata: decoded?.metadata.length ?? 0 });
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);
  }
}

/** What a remote-write v1 receiver insists on. */
function protocolProblem(headers: IncomingHttpHeaders): string | undefined {
  if (headers['content-encoding'] !== 'snappy') return `unexpected content-encoding ${headers['content-encoding']}`;
  if (headers['content-type'] !== 'application/x-protobuf') return `unexpected content-type ${headers['content-type']}`;
  if (headers['x-prometheus-remote-write-version'] !== '0.1.0') return `unexpected remote write version ${headers['x-prometheus-remote-write-version']}`;
  return undefined;
}

function listen(port: number): Promise<Server> {
  const server = createServer({ keepAlive: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
