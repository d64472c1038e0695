/**
 * In-process HTTP for the agent's in-memory address (`alloy.internal:12345`):
 * a request is written over a pair of connected in-memory streams, so Node's
 * own HTTP client and server parse it exactly as they would from a socket,
 * and the agent's router (with its authentication) answers it — no port, no
 * loopback traffic. Exporter targets are scraped this way, as in Alloy.
 */
import { createServer, request, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { duplexPair } from 'node:stream';
import type { InternalRequestInit, InternalResponse } from '../component.js';

export class InMemoryHttp {
  /** Never listens: connections are handed to it directly. */
  private readonly server: Server;

  constructor(handler: RequestListener) {
    this.server = createServer(handler);
  }

  request(path: string, init: InternalRequestInit = {}): Promise<InternalResponse> {
    const [clientSide, serverSide] = duplexPair();
    this.server.emit('connection', serverSide);
    return new Promise<InternalResponse>((resolve, reject) => {
      const req = request({
        path,
        method: init.method ?? 'GET',
        headers: { ...init.headers, connection: 'close' },
        createConnection: () => clientSide,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.on('response', (res) => collect(res).then(resolve, reject));
      req.on('error', (err) => {
        serverSide.destroy();
        reject(err);
      });
      req.end();
    });
  }
}

async function collect(res: IncomingMessage): Promise<InternalResponse> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
}
