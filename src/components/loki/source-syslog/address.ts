/**
 * The listen address of a syslog listener, split as Go's net.SplitHostPort
 * does for loki.source.syslog's `address` (grafana/alloy
 * internal/component/loki/source/syslog). Its own module so that the
 * component's argument check (validate) does not load the listener and the
 * syslog parsers.
 */

/** `host:port` (host may be empty or a bracketed IPv6 address). */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new Error(`address ${address}: missing port in address`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`address ${address}: invalid port`);
  return { host: m[1] ?? m[2] ?? '', port };
}
