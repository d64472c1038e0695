/**
 * One `listener` block of loki.source.syslog: a TCP (optionally TLS) or UDP
 * socket (grafana/alloy internal/component/loki/source/syslog/internal/
 * syslogtarget/transport.go). Every connection gets `__syslog_connection_ip_address`
 * and `__syslog_connection_hostname` (reverse lookup; UDP senders' names are
 * kept in an LRU of udp_host_cache_size).
 *
 * Bounds: each connection assembles at most one message of max_message_length;
 * reading stops on every connection at once when the listener's batches
 * awaiting acknowledgement reach MAX_IN_FLIGHT_BYTES (so with N connections
 * the overshoot is one socket read, not N of them); idle connections close after
 * idle_timeout; at most MAX_CONNECTIONS connections are open; UDP datagrams
 * that arrive while reading is paused wait in a queue of udp_queue_size and
 * are dropped (and logged) beyond it, as the kernel would drop them when
 * Alloy's reader blocks.
 */
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { lookupService } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../../runtime/logger.js';
import { tlsOptions, type TlsConfig } from '../../common/http-client.js';
import type { Labels, LogsReceiver } from '../../common/log-entries.js';
import { EntryBatcher, FrameHandler, type EntrySink, type MessageSettings } from './entries.js';
import { SyslogFramer } from './framing.js';
import { splitAddress } from './address.js';

export interface ListenerSettings extends MessageSettings {
  readonly address: string;
  readonly protocol: 'tcp' | 'udp';
  readonly idleTimeoutMs: number;
  readonly labels: Labels;
  readonly maxMessageLength: number;
  readonly tls: TlsConfig | undefined;
  readonly nullDelimiter: boolean;
  readonly udpQueueSize: number;
  readonly udpHostCacheSize: number;
}

/** Open TCP connections per listener at most (Alloy has no limit; this keeps memory bounded). */
export const MAX_CONNECTIONS = 10_000;
/** How long a reverse lookup of a sender may take before its hostname label is left empty. */
const LOOKUP_TIMEOUT_MS = 2_000;
/** How long a stopping listener waits for batches in flight. */
const STOP_GRACE_MS = 5_000;

export class SyslogListener {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections whose labels are known and that read while the batcher is not blocked. */
  private readonly reading = new Set<Socket>();
  private readonly batcher: EntryBatcher;
  private readonly handler: FrameHandler;
  private boundAddress = '';
  private stopped = false;

  constructor(
    readonly settings: ListenerSettings,
    private readonly sink: EntrySink,
    receivers: () => readonly LogsReceiver[],
    private readonly logger: Logger,
  ) {
    this.batcher = new EntryBatcher(receivers, (err) => this.logger.warn('syslog entries were not delivered', { err: (err as Error).message }), sink.metrics.entries);
    this.handler = new FrameHandler(settings, sink, this.batcher);
    this.batcher.onBlocked(() => {
      for (const socket of this.reading) socket.pause();
    });
    this.batcher.onUnblocked(() => {
      for (const socket of this.reading) if (!socket.destroyed) socket.resume();
    });
  }

  get listenAddress(): string {
    return this.boundAddress;
  }

  get ready(): boolean {
    return !this.stopped && this.boundAddress !== '';
  }

  async start(): Promise<void> {
    const { host, port } = splitAddress(this.settings.address);
    if (this.settings.protocol === 'udp') await this.startUdp(host, port);
    else await this.startTcp(host, port);
    this.logger.info('syslog listening on address', { address: this.boundAddress, protocol: this.settings.protocol, tls: String(!!this.tlsEnabled()) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tcp) {
      const closed = new Promise<void>((resolve) => this.tcp!.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    }
    if (this.udp) await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    await this.batcher.drain(STOP_GRACE_MS);
  }

  private tlsEnabled(): boolean {
    const t = this.settings.tls;
    return !!t && !!(t.ca_pem || t.ca_file || t.cert_pem || t.cert_file || t.key_pem?.value || t.key_file);
  }

  private async startTcp(host: string, port: number): Promise<void> {
    let server: Server;
    if (this.tlsEnabled()) {
      const opts = await tlsOptions(this.settings.tls);
      if (!opts.cert || !opts.key) throw new Error('error setting up syslog target: certificate and key must be configured');
      // A client CA means client certificates are required and verified (Go's RequireAndVerifyClientCert).
      server = createTlsServer({ cert: opts.cert, key: opts.key, ...(opts.ca ? { ca: opts.ca, requestCert: true, rejectUnauthorized: true } : {}) });
      server.on('secureConnection', (socket: Socket) => this.accept(socket));
      server.on('tlsClientError', (err: Error) => this.logger.debug('syslog TLS handshake failed', { err: err.message }));
    } else {
      server = createTcpServer((socket) => this.accept(socket));
    }
    server.maxConnections = MAX_CONNECTIONS;
    await listenTcp(server, host, port);
    this.tcp = server;
    const a = server.address() as AddressInfo;
    this.boundAddress = formatAddress(a.address, a.port);
  }

  private accept(socket: Socket): void {
    if (this.stopped) return void socket.destroy();
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.reading.delete(socket);
    });
    socket.on('error', (err) => this.logger.debug('syslog connection error', { err: err.message }));
    socket.setTimeout(this.settings.idleTimeoutMs, () => {
      this.logger.debug('connection timed out', { remote: socket.remoteAddress ?? '' });
      socket.destroy();
    });
    const ip = normalizeIp(socket.remoteAddress ?? '');
    // Nothing is read until the sender's labels are known (its hostname may take a lookup).
    socket.pause();
    void reverseLookup(ip).then((hostname) => {
      if (socket.destroyed) return;
      const labels = this.connectionLabels(ip, hostname);
      const key = `${ip}\u0000${hostname}`;
      const framer = this.framer((frame) => this.handler.handle(frame, labels, key));
      socket.on('data', (chunk: Buffer) => framer.push(chunk));
      socket.on('end', () => {
        framer.end();
        this.logger.debug('syslog connection closed', { remote: ip });
      });
      this.reading.add(socket);
      if (!this.batcher.blocked) socket.resume();
    });
  }

  private framer(onFrame: (frame: Buffer) => void): SyslogFramer {
    return new SyslogFramer({
      maxMessageLength: this.settings.maxMessageLength,
      delimiter: this.settings.nullDelimiter ? 0 : 0x0a,
      mode: this.settings.format === 'raw' ? 'per-message' : 'detect',
      onFrame,
      onError: (message) => this.sink.parseError(message),
    });
  }

  private connectionLabels(ip: string, hostname: string): Labels {
    return { ...this.settings.labels, __syslog_connection_ip_address: ip, __syslog_connection_hostname: hostname };
  }

  // -------------------------------------------------------------------------
  // UDP

  private readonly udpQueue: { data: Buffer; ip: string }[] = [];
  private udpDropped = 0;
  private readonly hostCache = new Map<string, string>();

  private async startUdp(host: string, port: number): Promise<void> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host || undefined, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (err) => this.logger.warn('failed to read packets', { err: err.message }));
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.datagram(data, normalizeIp(rinfo.address)));
    this.batcher.onUnblocked(() => this.drainUdpQueue());
    this.udp = socket;
    const a = socket.address();
    this.boundAddress = formatAddress(a.address, a.port);
  }

  private datagram(data: Buffer, ip: string): void {
    // Longer datagrams are cut, as a read into a max_message_length buffer cuts them in Alloy.
    const cut = data.length > this.settings.maxMessageLength ? data.subarray(0, this.settings.maxMessageLength) : data;
    if (this.batcher.blocked || this.udpQueue.length > 0) {
      if (this.udpQueue.length < this.settings.udpQueueSize) this.udpQueue.push({ data: Buffer.from(cut), ip });
      else if (this.udpDropped++ % 1000 === 0) this.logger.warn('syslog UDP queue full: dropping datagrams until deliveries catch up', { dropped: this.udpDropped });
      return;
    }
    void this.handleDatagram(cut, ip);
  }

  private drainUdpQueue(): void {
    while (this.udpQueue.length > 0 && !this.batcher.blocked) {
      const d = this.udpQueue.shift()!;
      void this.handleDatagram(d.data, d.ip);
    }
  }

  private async handleDatagram(data: Buffer, ip: string): Promise<void> {
    let hostname = this.hostCache.get(ip);
    if (hostname === undefined) {
      const copy = Buffer.from(data); // the lookup is asynchronous
      hostname = await reverseLookup(ip);
      this.rememberHost(ip, hostname);
      data = copy;
    }
    const labels = this.connectionLabels(ip, hostname);
    const key = `${ip}\u0000${hostname}`;
    const framer = this.framer((frame) => this.handler.handle(frame, labels, key));
    framer.push(data);
    framer.end();
  }

  private rememberHost(ip: string, hostname: string): void {
    this.hostCache.delete(ip);
    this.hostCache.set(ip, hostname);
    if (this.hostCache.size > Math.max(1, this.settings.udpHostCacheSize)) this.hostCache.delete(this.hostCache.keys().next().value!);
  }
}

function formatAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** IPv4 addresses arrive as ::ffff:a.b.c.d on dual-stack sockets; Go prints them plainly. */
function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Go's net.LookupAddr joined with ",": the sender's name, or "" when it has none. */
async function reverseLookup(ip: string): Promise<string> {
  if (ip === '') return '';
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS)));
    const found = await Promise.race([lookupService(ip, 0).then((r) => r.hostname), timeout]);
    // getnameinfo answers with the address itself when there is no name.
    return found && found !== ip ? found : '';
  } catch {
    return '';
  } finally {
    clearTimeout(timer);
  }
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host || undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
