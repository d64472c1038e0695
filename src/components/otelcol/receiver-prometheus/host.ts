/**
 * The instance label's host and port, as prom_to_otlp.go takes them apart
 * (Go net.SplitHostPort) and decides whether the host names this machine to
 * anyone else (isDiscernibleHost: not loopback, not unspecified, not
 * "localhost").
 */
import { isIP } from 'node:net';

/** Go net.SplitHostPort: undefined where Go returns an error (missing port, too many colons, bad brackets). */
export function goSplitHostPort(hostport: string): { host: string; port: string } | undefined {
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host = hostport.slice(0, colon);
  const port = hostport.slice(colon + 1);
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return undefined;
    host = host.slice(1, -1);
  } else if (host.includes(':') || host.includes(']')) return undefined;
  if (host.includes('[') || host.includes(']') || port.includes('[') || port.includes(']')) return undefined;
  return { host, port };
}

export function isDiscernibleHost(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return !host.startsWith('127.') && host !== '0.0.0.0';
  if (family === 6) {
    const h = host.toLowerCase();
    if (h === '::1' || h === '::' || /^(0+:){7}0*1$/.test(h) || /^(0+:){7}0+$/.test(h)) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? isDiscernibleHost(mapped[1]!) : true;
  }
  return host !== 'localhost';
}
