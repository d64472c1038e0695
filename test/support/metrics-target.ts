/**
 * A scrape target for tests on 127.0.0.1: serves whatever exposition text the
 * test sets (a string, or a function of the scrape number) and records each
 * request's headers.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class MetricsTarget {
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  body: string | ((scrape: number) => string) = '';
  contentType = 'text/plain; version=0.0.4';
  status = 200;
  /** Turns the text into what is sent (e.g. gzip with its header). */
  encode: (text: string) => { body: string | Buffer; headers: Record<string, string> } = (text) => ({ body: text, headers: {} });

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(body: MetricsTarget['body'] = ''): Promise<MetricsTarget> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = new MetricsTarget(server, (server.address() as AddressInfo).port);
    target.body = body;
    server.on('request', (req, res) => {
      target.requests.push({ path: req.url ?? '', headers: req.headers });
      const text = typeof target.body === 'function' ? target.body(target.requests.length) : target.body;
      const { body, headers } = target.encode(text);
      res.writeHead(target.status, { 'content-type': target.contentType, ...headers }).end(body);
    });
    return target;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
