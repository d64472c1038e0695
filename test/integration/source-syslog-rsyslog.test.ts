/**
 * loki.source.syslog fed by a real rsyslogd (its own config, pid file and
 * work directory under a temporary directory): util-linux logger sends RFC
 * 3164 to rsyslog's UDP input, and rsyslog forwards every message with omfwd over TCP
 * (RFC 5424, octet-counted and newline framing) and over UDP (RFC 3164).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, Harness } from '../support/harness.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const RSYSLOGD = '/usr/sbin/rsyslogd';
const LOGGER = '/usr/bin/logger';
const available = existsSync(RSYSLOGD) && existsSync(LOGGER);
if (!available && !process.env.CI) console.warn('skipping the rsyslog tests: rsyslogd or logger missing (apt-get install rsyslog bsdutils)');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts rsyslogd in the foreground with `config`; resolves once it runs. */
async function startRsyslog(dir: string, config: string): Promise<ChildProcess> {
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  const conf = path.join(dir, 'rsyslog.conf');
  writeFileSync(conf, config);
  await run(RSYSLOGD, ['-N1', '-f', conf]); // config check: fails the test with rsyslog's message
  const child = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  });
  await eventually(() => existsSync(path.join(dir, 'rsyslogd.pid')) || child.exitCode !== null, 'rsyslogd started');
  if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${output}`);
  return child;
}

describe.skipIf(!available && !process.env.CI)('loki.source.syslog with rsyslog omfwd', () => {
  it.each([
    ['octet-counted', 'octet-counted'],
    ['newline', 'traditional'],
  ])('receives every message rsyslog forwards over TCP (%s framing) and UDP', async (_name, framing) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-rsyslog-'));
    const [inPort, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
    const h = await Harness.start(`
loki.relabel "keep" {
  forward_to = []
  rule {
    action = "labelmap"
    regex  = "__syslog_(.+)"
  }
}
loki.source.syslog "in" {
  listener {
    address = "127.0.0.1:${tcpPort}"
    label_structured_data = true
    labels = { via = "tcp" }
  }
  listener {
    address       = "127.0.0.1:${udpPort}"
    protocol      = "udp"
    syslog_format = "rfc3164"
    labels = { via = "udp" }
  }
  relabel_rules = loki.relabel.keep.rules
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
    cleanups.push(() => h.stop());
    await startRsyslog(dir, `
global(workDirectory="${dir}/work")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${inPort}")
*.* action(type="omfwd" target="127.0.0.1" port="${tcpPort}" protocol="tcp" TCP_Framing="${framing}"
           template="RSYSLOG_SyslogProtocol23Format" queue.type="LinkedList" action.resumeRetryCount="-1")
*.* action(type="omfwd" target="127.0.0.1" port="${udpPort}" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
`);
    const count = 200;
    for (let i = 0; i < count; i++) {
      await run(LOGGER, ['-d', '-n', '127.0.0.1', '-P', String(inPort), '--rfc3164', '-t', 'rsys', '-p', 'daemon.notice', `message ${i}`]);
    }
    const byVia = (via: string) => h.entries('testing.logs_capture.out').filter((e) => e.labels.via === via);
    // UDP on loopback may still lose a datagram under load; TCP must deliver all.
    await eventually(() => byVia('tcp').length === count && byVia('udp').length >= count * 0.95, 'forwarded messages', 30_000);
    const tcp = byVia('tcp');
    // rsyslog keeps the space that followed an RFC 3164 tag as the start of MSG.
    expect(tcp.map((e) => e.line)).toEqual(Array.from({ length: count }, (_, i) => ` message ${i}`));
    expect(tcp[7]!.labels).toMatchObject({ message_app_name: 'rsys', message_facility: 'daemon', message_severity: 'notice' });
    const udp = byVia('udp');
    expect(udp[0]!.labels).toMatchObject({ message_app_name: 'rsys', message_facility: 'daemon', message_severity: 'notice' });
    expect(udp.every((e) => /^message \d+$/.test(e.line))).toBe(true);
    const registry = h.controller.get('loki.source.syslog.in')!.registry!;
    expect(await registry.metrics()).toMatch(/loki_source_syslog_parsing_errors_total\{[^}]*\} 0/);
  }, 60_000);
});
