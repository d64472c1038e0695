/**
 * Long Docker API responses (container logs) read over a plain connection
 * with a small HTTP/1.1 client of its own, instead of Node's http module.
 *
 * Why: Docker and podman write every log line as its own HTTP chunk (one
 * `write` each). Node's http client turns each chunk into a stream push and
 * an async-iterator step, which cost more CPU than everything else the log
 * source does. Here the chunked encoding is decoded in place (the payload
 * bytes are handed to the consumer as ranges of the socket's buffers),
 * synchronously: no stream push or promise per chunk.
 *
 * (Pausing the socket so that the kernel gathers small writes into fewer
 * reads does not pay: measured against podman, the sender's socket buffer
 * holds only some hundred writes, so the daemon stalls, throughput collapses
 * and the pause/resume calls cost what the saved reads would.)
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DockerConnection } from './docker-client.js';

const MAX_HEAD_BYTES = 64 * 1024;

/** An API error with the HTTP status, like dockerode's (`statusCode`). */
export class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(`(HTTP code ${statusCode}) ${message}`);
  }
}

/** Receives body bytes `buf[start, end)`, synchronously, in order. */
export type BodySink = (buf: Buffer, start: number, end: number) => void;

/** A response body being read: `pipe` hands it over; `pause`/`resume` give backpressure. */
export interface DockerBody {
  /** Feeds the body to `sink`; resolves at its end (or when aborted), rejects on a connection error. */
  pipe(sink: BodySink): Promise<void>;
  pause(): void;
  resume(): void;
  /** Stops reading: `pipe` resolves. */
  close(): void;
}

/**
 * GETs `pathAndQuery`; resolves once the response head arrived (rejecting
 * with DockerApiError for non-200 answers). Aborting `signal` closes the
 * connection and ends the body.
 */
export async function openDockerStream(conn: DockerConnection, pathAndQuery: string, signal: AbortSignal): Promise<DockerBody> {
  const socket = connectTo(conn);
  const body = new Body(socket, signal);
  const host = conn.endpoint.kind === 'socket' ? 'docker' : `${conn.endpoint.host}:${conn.endpoint.port}`;
  const headers = Object.entries(conn.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: alloy-ts\r\n${headers}Connection: close\r\n\r\n`);
  await body.head;
  return body;
}

function connectTo(conn: DockerConnection): Socket {
  const e = conn.endpoint;
  if (e.kind === 'socket') return netConnect(e.socketPath);
  if (e.protocol === 'http') return netConnect(e.port, e.host);
  return tlsConnect({ host: e.host, port: e.port, servername: conn.tls?.servername ?? e.host, ...conn.tls });
}

type BodyFraming = { kind: 'chunked' } | { kind: 'length'; left: number } | { kind: 'close' };

class Body implements DockerBody {
  readonly head: Promise<void>;
  private headDone!: () => void;
  private headFailed!: (err: Error) => void;
  private headBytes: Buffer[] = [];
  private framing: BodyFraming | undefined;
  private readonly chunks = new ChunkedDecoder();
  /** Body bytes that arrived with the head, before `pipe`. */
  private early: Buffer | undefined;
  private sink: BodySink | undefined;
  private finished: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly signal: AbortSignal,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.headDone = resolve;
      this.headFailed = reject;
    });
    this.head.catch(() => {}); // the caller awaits it; this only avoids an unhandled rejection
    socket.on('data', (data: Buffer) => (this.framing ? this.body(data) : this.readHead(data)));
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (err) => this.fail(err));
    const onAbort = () => socket.destroy();
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', onAbort));
  }

  pipe(sink: BodySink): Promise<void> {
    this.sink = sink;
    const done = new Promise<void>((resolve, reject) => (this.finished = { resolve, reject }));
    const early = this.early;
    this.early = undefined;
    if (early) this.body(early);
    this.settle();
    return done;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }

  private readHead(data: Buffer): void {
    this.headBytes.push(data);
    const all = Buffer.concat(this.headBytes);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (all.length > MAX_HEAD_BYTES) this.fail(new Error('Docker API response head too large'));
      return;
    }
    this.headBytes = [];
    const lines = all.toString('latin1', 0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
    const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    this.framing = framingOf(headers);
    const rest = all.subarray(end + 4);
    if (status !== 200) {
      this.collectError(status, rest);
      return;
    }
    if (rest.length > 0) this.early = rest;
    this.headDone();
  }

  /** A non-200 answer: the body (Docker's `{"message": …}`) becomes the error. */
  private collectError(status: number, first: Buffer): void {
    const parts = [first];
    this.socket.removeAllListeners('data');
    this.socket.on('data', (d: Buffer) => parts.push(d));
    this.socket.once('close', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let message = text.trim();
      try {
        message = (JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { message?: string }).message ?? message;
      } catch {
        // not JSON: the raw text is the message
      }
      this.fail(new DockerApiError(status, message));
    });
  }

  private body(data: Buffer): void {
    if (!this.sink) {
      this.early = this.early ? Buffer.concat([this.early, data]) : data;
      return;
    }
    const f = this.framing!;
    try {
      if (f.kind === 'chunked') {
        if (this.chunks.decode(data, this.sink)) this.finish();
      } else if (f.kind === 'length') {
        const take = Math.min(f.left, data.length);
        f.left -= take;
        if (take > 0) this.sink(data, 0, take);
        if (f.left === 0) this.finish();
      } else this.sink(data, 0, data.length);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private finish(): void {
    if (!this.framing) {
      this.fail(new Error('Docker API connection closed before a response'));
      return;
    }
    this.ended = true;
    this.settle();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.headFailed(err);
    this.socket.destroy();
    this.settle();
  }

  /** Resolves or rejects `pipe` once the body ended, failed or was aborted. */
  private settle(): void {
    if (!this.finished) return;
    if (this.failure && !this.signal.aborted) this.finished.reject(this.failure);
    else if (this.ended || this.failure || this.signal.aborted) this.finished.resolve();
    else return;
    this.finished = undefined;
    this.socket.destroy();
  }
}

function framingOf(headers: Map<string, string>): BodyFraming {
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) return { kind: 'chunked' };
  const length = headers.get('content-length');
  return length !== undefined ? { kind: 'length', left: Number(length) } : { kind: 'close' };
}

/** HTTP/1.1 chunked transfer decoding into views of the input buffers. */
export class ChunkedDecoder {
  /** Bytes of payload left in the current chunk; -1 while reading a size line. */
  private left = -1;
  /** CRLF bytes still to skip after a chunk's payload. */
  private crlf = 0;
  private sizeLine = '';
  private trailers = false;
  private done = false;

  /** Hands the payload bytes of `data` to `sink`; true once the last chunk was read. */
  decode(data: Buffer, sink: BodySink): boolean {
    let pos = 0;
    while (pos < data.length && !this.done) {
      if (this.crlf > 0) {
        const skip = Math.min(this.crlf, data.length - pos);
        this.crlf -= skip;
        pos += skip;
      } else if (this.left > 0) {
        const take = Math.min(this.left, data.length - pos);
        sink(data, pos, pos + take);
        this.left -= take;
        pos += take;
        if (this.left === 0) {
          this.left = -1;
          this.crlf = 2;
        }
      } else pos = this.readLine(data, pos);
    }
    return this.done;
  }

  /** A size line (or, after the last chunk, a trailer line). */
  private readLine(data: Buffer, pos: number): number {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) {
      this.sizeLine += data.toString('latin1', pos);
      return data.length;
    }
    if (this.trailers) {
      const line = (this.sizeLine + data.toString('latin1', pos, nl)).replace(/\r$/, '');
      this.sizeLine = '';
      if (line === '') this.done = true;
      return nl + 1;
    }
    const size = this.sizeLine === '' ? hexPrefix(data, pos, nl) : hexPrefix(Buffer.from(this.sizeLine + data.toString('latin1', pos, nl)));
    this.sizeLine = '';
    if (size < 0) throw new Error(`invalid chunk size line ${JSON.stringify(data.toString('latin1', pos, nl))}`);
    if (size === 0) this.trailers = true;
    else this.left = size;
    return nl + 1;
  }
}

/** The hex number at the start of `buf[start, end)` (extensions after `;` ignored); -1 if none. */
function hexPrefix(buf: Buffer, start = 0, end = buf.length): number {
  let n = 0;
  let i = start;
  for (; i < end; i++) {
    const c = buf[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    n = n * 16 + d;
  }
  return i === start ? -1 : n;
}
