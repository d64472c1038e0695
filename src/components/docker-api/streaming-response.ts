/**
 * Long Docker API responses (container logs) read over a plain connection
 * with a small HTTP/1.1 client of its own, instead of Node's http module.
 *
 * Why: Docker and podman write every log line as its own HTTP chunk (one
 * `write` each). Node's http client turns each chunk into a stream push and
 * an async-iterator step, which cost more CPU than everything else the log
 * source does. Here the chunked encoding is decoded in place (the payload
 * bytes are handed to the consumer as ranges of the read buffer),
 * synchronously: no stream push or promise per chunk. Plain connections
 * (unix socket, tcp) read into one buffer of their own (Node's `onread`): no
 * Buffer allocated per read either.
 *
 * Read coalescing: a daemon that serves a log as fast as it can still writes
 * a line at a time, and a reader that keeps up wakes up and reads for every
 * line — about 2 µs of kernel time per line (epoll wakeup plus read), 40% of
 * the agent's CPU in bench/docker.mjs. So while small reads come back to back, the socket
 * stops reading for GATHER_MS: the daemon's writes queue up in the kernel
 * and the next read takes a few hundred lines at once (measured on podman:
 * 190,000 reads for 500,000 lines → 4,000, the reader's system time down by
 * two thirds, and the daemon, no longer competing with a busy reader, served
 * the log sooner). The pause must stay short: a unix socket queues only about
 * 280 small writes (the sender's 208 KiB buffer, ~750 bytes of kernel
 * overhead per write) before the daemon blocks, so a pause of 1 ms (the
 * shortest timer) caps a stream at roughly 250,000 lines/s, about twice what
 * podman serves; a longer one would throttle it (3 ms: half the throughput).
 * A lone line or a slow trickle never waits (reads are not back to back), nor
 * does the end of the body (no pause after the read that ends it).
 * Only reads into our own buffer pause this way: a paused stream-mode socket
 * (TLS) goes on reading into its stream buffer, so nothing would gather.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DockerApiError, type DockerConnection } from './client.js';

export { DockerApiError };

const MAX_HEAD_BYTES = 64 * 1024;
/** The read buffer of a plain connection: more than the kernel queues for one unix socket. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Read coalescing (see above): reads smaller than this, less than BACK_TO_BACK_MS apart, pause GATHER_MS. */
const SMALL_READ_BYTES = 16 * 1024;
const BACK_TO_BACK_MS = 1;
const GATHER_MS = 1;


/**
 * Receives body bytes `buf[start, end)`, synchronously, in order. `buf` is
 * the connection's read buffer: its bytes are only valid during the call.
 */
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
  const body = new Body(conn, signal);
  const host = conn.endpoint.kind === 'socket' ? 'docker' : `${conn.endpoint.host}:${conn.endpoint.port}`;
  const headers = Object.entries(conn.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  body.socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: alloy-ts\r\n${headers}Connection: close\r\n\r\n`);
  await body.head;
  return body;
}

/** Reads are handed to `onRead` (`buf[0, n)`); returning false pauses the socket. */
type ReadCallback = (n: number, buf: Buffer) => boolean;

/** Connects; plain connections read into a buffer of their own, TLS ones through 'data' (coalescing: false). */
function connectTo(conn: DockerConnection, onRead: ReadCallback): { socket: Socket; coalescing: boolean } {
  const e = conn.endpoint;
  if (e.kind === 'network' && e.protocol === 'https') {
    // SNI carries host names only (RFC 6066 §3): Node warns (DEP0123) when given an IP address.
    // Without it the certificate is still checked against the host.
    const { servername = e.host, ...tls } = conn.tls ?? {};
    const socket = tlsConnect({ host: e.host, port: e.port, ...tls, ...(isIP(servername) === 0 ? { servername } : {}) });
    socket.on('data', (data: Buffer) => onRead(data.length, data));
    return { socket, coalescing: false };
  }
  const onread = { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: onRead };
  const socket = e.kind === 'socket' ? netConnect({ path: e.socketPath, onread }) : netConnect({ host: e.host, port: e.port, onread });
  return { socket, coalescing: true };
}

type BodyFraming = { kind: 'chunked' } | { kind: 'length'; left: number } | { kind: 'close' };

class Body implements DockerBody {
  readonly socket: Socket;
  readonly head: Promise<void>;
  private headDone!: () => void;
  private headFailed!: (err: Error) => void;
  /** Head bytes received so far (a copy: reads reuse their buffer). */
  private headBytes = Buffer.alloc(0);
  private framing: BodyFraming | undefined;
  private readonly chunks = new ChunkedDecoder();
  /** Body bytes that arrived with the head, before `pipe` (a copy). */
  private early: Buffer | undefined;
  /** The body of a non-200 answer, being collected (copies). */
  private errorBody: Buffer[] | undefined;
  private sink: BodySink | undefined;
  private finished: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private ended = false;
  private failure: Error | undefined;
  /** Read coalescing applies (reads into our own buffer). */
  private readonly coalescing: boolean;
  /** When the previous read arrived (performance.now()). */
  private lastReadAt = -Infinity;
  /** Set while reading pauses for writes to gather. */
  private gathering: NodeJS.Timeout | undefined;
  /** Paused by the consumer (backpressure): the end of a gathering pause does not resume. */
  private held = false;

  constructor(
    conn: DockerConnection,
    private readonly signal: AbortSignal,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.headDone = resolve;
      this.headFailed = reject;
    });
    this.head.catch(() => {}); // the caller awaits it; this only avoids an unhandled rejection
    const { socket, coalescing } = connectTo(conn, (n, buf) => this.received(n, buf));
    this.socket = socket;
    this.coalescing = coalescing;
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (err) => this.fail(err));
    const onAbort = () => socket.destroy();
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(this.gathering);
    });
  }

  pipe(sink: BodySink): Promise<void> {
    this.sink = sink;
    const done = new Promise<void>((resolve, reject) => (this.finished = { resolve, reject }));
    const early = this.early;
    this.early = undefined;
    if (early) this.body(early, early.length);
    this.settle();
    return done;
  }

  pause(): void {
    this.held = true;
    this.socket.pause();
  }

  resume(): void {
    this.held = false;
    if (!this.gathering) this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }

  /** One read, `buf[0, n)`; false pauses the socket (read coalescing). */
  private received(n: number, buf: Buffer): boolean {
    if (this.errorBody) this.errorBody.push(Buffer.from(buf.subarray(0, n)));
    else if (this.framing) this.body(buf, n);
    else this.readHead(buf.subarray(0, n));
    if (!this.coalescing) return true;
    const now = performance.now();
    const backToBack = now - this.lastReadAt < BACK_TO_BACK_MS;
    this.lastReadAt = now;
    if (!backToBack || n >= SMALL_READ_BYTES || this.ended || this.socket.destroyed) return true;
    this.gathering = setTimeout(() => {
      this.gathering = undefined;
      if (!this.held) this.socket.resume();
    }, GATHER_MS);
    return false;
  }

  private readHead(data: Buffer): void {
    const all = (this.headBytes = Buffer.concat([this.headBytes, data]));
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) {
      if (all.length > MAX_HEAD_BYTES) this.fail(new Error('Docker API response head too large'));
      return;
    }
    this.headBytes = Buffer.alloc(0);
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
    const parts = (this.errorBody = [first]);
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

  /** Body bytes `data[0, n)`. */
  private body(data: Buffer, n: number): void {
    if (!this.sink) {
      this.early = Buffer.concat(this.early ? [this.early, data.subarray(0, n)] : [data.subarray(0, n)]);
      return;
    }
    const f = this.framing!;
    try {
      if (f.kind === 'chunked') {
        if (this.chunks.decode(data, this.sink, 0, n)) this.finish();
      } else if (f.kind === 'length') {
        const take = Math.min(f.left, n);
        f.left -= take;
        if (take > 0) this.sink(data, 0, take);
        if (f.left === 0) this.finish();
      } else this.sink(data, 0, n);
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

  /** Hands the payload bytes of `data[start, end)` to `sink`; true once the last chunk was read. */
  decode(data: Buffer, sink: BodySink, start = 0, end = data.length): boolean {
    let pos = start;
    while (pos < end && !this.done) {
      if (this.crlf > 0) {
        const skip = Math.min(this.crlf, end - pos);
        this.crlf -= skip;
        pos += skip;
      } else if (this.left > 0) {
        const take = Math.min(this.left, end - pos);
        sink(data, pos, pos + take);
        this.left -= take;
        pos += take;
        if (this.left === 0) {
          this.left = -1;
          this.crlf = 2;
        }
      } else pos = this.readLine(data, pos, end);
    }
    return this.done;
  }

  /** A size line (or, after the last chunk, a trailer line). */
  private readLine(data: Buffer, pos: number, end: number): number {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) {
      this.sizeLine += data.toString('latin1', pos, end);
      return end;
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
