import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connect, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SyslogFramer } from '../../../src/components/loki/source-syslog/framing.js';
import { facilityLevel, severityLevel } from '../../../src/components/loki/source-syslog/message.js';
import { parseRfc3164 } from '../../../src/components/loki/source-syslog/rfc3164.js';
import { formatRfc5424, parseRfc5424 } from '../../../src/components/loki/source-syslog/rfc5424.js';
import { parseFile } from '../../../src/lang/parser.js';
import { SourceFile } from '../../../src/lang/position.js';
import { eventually, Harness } from '../../support/harness.js';

const run = promisify(execFile);
const LOGGER = '/usr/bin/logger';
const hasLogger = existsSync(LOGGER);
if (!hasLogger && !process.env.CI) console.warn('skipping the util-linux logger tests: /usr/bin/logger not found (apt-get install bsdutils)');

const running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

const CAPTURE = 'testing.logs_capture.out';
const SOURCE = 'loki.source.syslog.in';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Relabel rules that keep every __syslog_ label as a plain one (Alloy's documented recipe). */
const KEEP_SYSLOG_LABELS = `
loki.relabel "keep" {
  forward_to = []
  rule {
    action = "labelmap"
    regex  = "__syslog_(.+)"
  }
}`;

async function start(listener: string, opts: { relabel?: boolean } = {}): Promise<{ h: Harness; port: number }> {
  const port = await freePort();
  const h = await Harness.start(`
${opts.relabel === false ? '' : KEEP_SYSLOG_LABELS}
loki.source.syslog "in" {
  listener {
    address = "127.0.0.1:${port}"
    ${listener}
  }
  ${opts.relabel === false ? '' : 'relabel_rules = loki.relabel.keep.rules'}
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { }
`);
  running.push(h);
  return { h, port };
}

const entries = (h: Harness) => h.entries(CAPTURE);

async function metric(h: Harness, name: string): Promise<number> {
  const text = await h.controller.get(SOURCE)!.registry!.metrics();
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function sendTcp(port: number, data: string | Buffer, opts: { end?: boolean } = {}): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(data);
  if (opts.end !== false) socket.end();
  return socket;
}

describe('syslog parsers', () => {
  it('parse RFC 5424 headers, structured data with escapes, and re-serialize as go-syslog does', () => {
    const msg = parseRfc5424('<165>1 2003-10-11T22:14:15.003+02:00 mymachine.example.com evntslog 99 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication\\]"][b@1 x="y"] An application event');
    expect(msg).toMatchObject({ priority: 165, version: 1, hostname: 'mymachine.example.com', appname: 'evntslog', procid: '99', msgid: 'ID47', message: 'An application event' });
    expect(msg.timestamp).toEqual({ ms: Date.UTC(2003, 9, 11, 20, 14, 15, 3), ns: 0 });
    expect([...msg.structuredData!.get('exampleSDID@32473')!]).toEqual([['iut', '3'], ['eventSource', 'App"lication]']]);
    expect(severityLevel(165)).toBe('notice');
    expect(facilityLevel(165)).toBe('local4');
    expect(formatRfc5424(msg)).toBe('<165>1 2003-10-11T22:14:15.003+02:00 mymachine.example.com evntslog 99 ID47 [b@1 x="y"][exampleSDID@32473 eventSource="App\\"lication\\]" iut="3"] An application event');
    expect(parseRfc5424('<13>1 - - - - - -')).toEqual({ priority: 13, version: 1 });
  });

  it.each([
    ['no priority', '1 - - - - - - x', /priority value within angle brackets/],
    ['a priority above 191', '<192>1 - - - - - - x', /range 1-191/],
    ['version 0', '<13>0 - - - - - - x', /version/],
    ['a bad timestamp', '<13>1 2003-13-11T22:14:15Z h a p m - x', /valid timestamp/],
    ['spaces where fields belong', '<165>1    -   An application event log entry...', /valid timestamp/],
    ['a missing msgid', '<165>1 2018-10-11T22:14:15.007Z host5 e -   An application', /valid msgid/],
    ['unterminated structured data', '<13>1 - h a p m [x@1 a="b"', /closing bracket/],
  ])('reject RFC 5424 with %s', (_what, text, reason) => {
    expect(() => parseRfc5424(text)).toThrow(reason);
  });

  it('parse RFC 3164 with tag and pid, year 0 or the current year, RFC 3339 timestamps', () => {
    const msg = parseRfc3164('<34>Oct 11 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8');
    expect(msg).toMatchObject({ priority: 34, hostname: 'mymachine', appname: 'su', procid: '230', message: "'su root' failed for lonvick on /dev/pts/8" });
    // Go's time.Stamp has no year: year 0, UTC.
    const yearZero = new Date(0);
    yearZero.setUTCFullYear(0, 9, 11);
    yearZero.setUTCHours(22, 14, 15, 0);
    expect(msg.timestamp!.ms).toBe(yearZero.getTime());
    const year = new Date().getUTCFullYear();
    expect(parseRfc3164('<13>Dec  1 00:00:00 host app: x', { currentYear: true }).timestamp!.ms).toBe(Date.UTC(year, 11, 1));
    expect(parseRfc3164('<13>Dec  1 00:00:00 host plain message without tag')).toMatchObject({ hostname: 'host', message: 'plain message without tag' });
    expect(parseRfc3164('<13>2024-05-06T07:08:09Z host app: x').timestamp!.ms).toBe(Date.UTC(2024, 4, 6, 7, 8, 9));
    expect(parseRfc3164('<13>Dec  1 00:00:00 host app:')).not.toHaveProperty('message');
    expect(() => parseRfc3164('<13>Foo  1 00:00:00 host app: x')).toThrow(/Stamp timestamp/);
  });

  it('parse Cisco IOS extensions when enabled', () => {
    const all = { messageCounter: true, sequenceNumber: false, hostname: true, secondFractions: true };
    const a = parseRfc3164('<189>643: *Jan  8 19:46:03.295: %LINEPROTO-5-UPDOWN: Line protocol on Interface Loopback100, changed state to up', { cisco: all });
    expect(a).toMatchObject({ messageCounter: 643, appname: '%LINEPROTO-5-UPDOWN', message: 'Line protocol on Interface Loopback100, changed state to up' });
    expect(a.timestamp!.ns).toBe(0);
    expect(((a.timestamp!.ms % 1000) + 1000) % 1000).toBe(295);
    const b = parseRfc3164('<189>269614: myhostname: Apr 11 10:02:08: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet7/0/34, changed state to up', { cisco: { ...all, secondFractions: false } });
    expect(b).toMatchObject({ messageCounter: 269614, hostname: 'myhostname', appname: '%LINEPROTO-5-UPDOWN' });
  });

  it('frame octet-counted and newline-delimited streams across chunk boundaries, bounded', () => {
    const frames: string[] = [];
    const errors: string[] = [];
    const framer = (max = 100) => new SyslogFramer({ maxMessageLength: max, delimiter: 0x0a, mode: 'detect', onFrame: (f) => frames.push(f.toString()), onError: (e) => errors.push(e) });
    const octets = framer();
    for (const ch of '5 <1>ab3 <2>\n10 <3>12345') octets.push(Buffer.from(ch));
    expect(frames).toEqual(['<1>ab', '<2>']);
    octets.end();
    expect(errors).toEqual(['connection closed in the middle of an octet-counted frame']);
    frames.length = errors.length = 0;
    const lines = framer(10);
    lines.push(Buffer.from('<1>a\n<2>b\n<3>way too long for ten'));
    lines.push(Buffer.from(' bytes\n<4>c'));
    lines.end();
    expect(frames).toEqual(['<1>a', '<2>b', '<4>c']);
    expect(errors).toEqual(['message too long: more than the maximum of 10 bytes']);
    frames.length = errors.length = 0;
    const big = framer(10);
    big.push(Buffer.from('20 <1>0123456789abcdefg5 <2>ok'));
    expect(frames).toEqual(['<2>ok']);
    expect(errors).toEqual(['message too long: 20 bytes, more than the maximum of 10']);
    frames.length = errors.length = 0;
    const junk = framer();
    junk.push(Buffer.from('hello\n<1>x\n'));
    expect(frames).toEqual([]);
    expect(errors).toEqual(["invalid or unsupported framing. first byte: 'h'"]);
  });
});

describe.skipIf(!hasLogger && !process.env.CI)('loki.source.syslog with util-linux logger', () => {
  it('receives RFC 5424 over TCP (newline framing) with structured data labels and incoming timestamps', async () => {
    const { h, port } = await start('label_structured_data = true\n    use_incoming_timestamp = true\n    labels = { job = "syslog" }');
    const before = Date.now();
    await run(LOGGER, ['--tcp', '-n', '127.0.0.1', '-P', String(port), '--rfc5424', '--sd-id', 'zoo@123', '--sd-param', 'tiger="hungry"', '-t', 'app5', '--msgid', 'MID', '-p', 'local3.warning', 'hello 5424']);
    await eventually(() => entries(h).length === 1, 'one entry');
    const [e] = entries(h);
    expect(e!.line).toBe('hello 5424');
    expect(e!.labels).toMatchObject({
      job: 'syslog',
      message_severity: 'warning',
      message_facility: 'local3',
      message_app_name: 'app5',
      message_msg_id: 'MID',
      message_sd_zoo_123_tiger: 'hungry',
      connection_ip_address: '127.0.0.1',
    });
    expect(e!.labels.message_hostname).toBeTruthy();
    expect(e!.ms).toBeGreaterThanOrEqual(before - 1000);
    expect(e!.ms).toBeLessThanOrEqual(Date.now());
  });

  it('receives octet-counted RFC 5424 frames and forwards the whole message with use_rfc5424_message', async () => {
    const { h, port } = await start('use_rfc5424_message = true', { relabel: false });
    await run(LOGGER, ['--tcp', '--octet-count', '-n', '127.0.0.1', '-P', String(port), '--rfc5424', '-i', '-t', 'oc', 'counted\nwith a newline']);
    await eventually(() => entries(h).length === 1, 'one entry');
    expect(entries(h)[0]!.line).toMatch(/^<13>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ oc \d+ - \[timeQuality [^\]]+\] counted\nwith a newline$/);
    // Without relabel rules every __syslog_ label is dropped: nothing is left.
    expect(entries(h)[0]!.labels).toEqual({});
  });

  it('receives RFC 3164 over TCP and UDP', async () => {
    const tcp = await start('syslog_format = "rfc3164"');
    await run(LOGGER, ['--tcp', '-n', '127.0.0.1', '-P', String(tcp.port), '--rfc3164', '-t', 'myapp', '-p', 'auth.err', 'hello 3164']);
    await eventually(() => entries(tcp.h).length === 1, 'tcp entry');
    expect(entries(tcp.h)[0]).toMatchObject({ line: 'hello 3164', labels: { message_app_name: 'myapp', message_severity: 'error', message_facility: 'auth' } });
    await tcp.h.stop();
    running.splice(running.indexOf(tcp.h), 1);
    const udp = await start('protocol = "udp"\n    syslog_format = "rfc3164"');
    await run(LOGGER, ['-d', '-n', '127.0.0.1', '-P', String(udp.port), '--rfc3164', '-t', 'udpapp', '-i', 'hello udp']);
    await eventually(() => entries(udp.h).length === 1, 'udp entry');
    expect(entries(udp.h)[0]).toMatchObject({ line: 'hello udp', labels: { message_app_name: 'udpapp', connection_ip_address: '127.0.0.1' } });
    expect(entries(udp.h)[0]!.labels.message_proc_id).toMatch(/^\d+$/);
  });

  it('receives RFC 5424 over UDP', async () => {
    const { h, port } = await start('protocol = "udp"');
    await run(LOGGER, ['-d', '-n', '127.0.0.1', '-P', String(port), '--rfc5424', '-t', 'u5', 'over udp']);
    await eventually(() => entries(h).length === 1, 'udp entry');
    expect(entries(h)[0]).toMatchObject({ line: 'over udp', labels: { message_app_name: 'u5' } });
  });
});

describe('loki.source.syslog robustness', () => {
  it('counts malformed messages and keeps the connection for the good ones', async () => {
    const { h, port } = await start('');
    await sendTcp(port, [
      '<165>1 2018-10-11T22:14:15.003Z host5 e - id1 [custom@32473 exkey="1"] good one',
      '<165>1    -   An application event log entry...',
      '<165>1 2018-10-11T22:14:15.007Z host5 e -   bad',
      '<999>1 - - - - - - bad priority',
      '<165>1 2018-10-11T22:14:15.005Z host5 e - id2 - good two',
      '<165>1 2018-10-11T22:14:15.005Z host5 e - id3 -',
      '',
    ].join('\n'));
    await eventually(() => entries(h).length === 2, 'two good entries');
    expect(entries(h).map((e) => e.line)).toEqual(['good one', 'good two']);
    expect(await metric(h, 'loki_source_syslog_parsing_errors_total')).toBe(3);
    expect(await metric(h, 'loki_source_syslog_empty_messages_total')).toBe(1);
    expect(await metric(h, 'loki_source_syslog_entries_total')).toBe(2);
  });

  it('forwards empty RFC 5424 messages with rfc5424_allow_empty_msg', async () => {
    const { h, port } = await start('rfc5424_allow_empty_msg = true');
    await sendTcp(port, '<165>1 - host5 e - id3 -\n');
    await eventually(() => entries(h).length === 1, 'the empty entry');
    expect(entries(h)[0]).toMatchObject({ line: '', labels: { message_msg_id: 'id3' } });
  });

  it('refuses a 1 MiB frame (counted), and a client that disconnects mid-frame, while others go on', async () => {
    const { h, port } = await start('');
    const huge = `${1024 * 1024} <13>1 - h a - - - ${'x'.repeat(1024 * 1024 - 20)}`;
    await sendTcp(port, `${huge}10 <13>1 - - `); // cut inside the next frame
    await sendTcp(port, `<13>1 - h a - - - ${'y'.repeat(2 * 1024 * 1024)}\n<13>1 - h a - - - after\n`);
    await sendTcp(port, '<13>1 - h a - - - fine\n');
    await eventually(() => entries(h).length === 2, 'the good entries');
    expect(entries(h).map((e) => e.line).sort()).toEqual(['after', 'fine']);
    await eventually(async () => (await metric(h, 'loki_source_syslog_parsing_errors_total')) === 3, 'three errors: two too long, one cut');
  });

  it('serves 1,000 concurrent connections', async () => {
    const { h, port } = await start('');
    const sockets: Socket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, async () => {
        const s = connect(port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => s.once('connect', () => resolve()).once('error', reject));
        return s;
      }));
      sockets.push(...opened);
    }
    sockets.forEach((s, i) => s.write(`<13>1 - host app - - - conn ${i}\n`));
    await eventually(() => entries(h).length === 1000, '1,000 entries', 30_000);
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.end(() => r()))));
    expect(new Set(entries(h).map((e) => e.line)).size).toBe(1000);
    expect(await metric(h, 'loki_source_syslog_parsing_errors_total')).toBe(0);
  });

  it('drops idle connections after idle_timeout', async () => {
    const { port } = await start('idle_timeout = "200ms"');
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('stops reading while deliveries lag, then delivers everything', async () => {
    const port = await freePort();
    const h = await Harness.start(`
loki.source.syslog "in" {
  listener {
    address = "127.0.0.1:${port}"
  }
  forward_to = [testing.logs_capture.out.receiver]
}
testing.logs_capture "out" { slow_ms = 100 }
`);
    running.push(h);
    const line = 'z'.repeat(1000);
    const count = 12_000; // ~12 MB: three times the in-flight window
    const payload = Array.from({ length: count }, (_, i) => `<13>1 - h a - - - ${i} ${line}\n`).join('');
    await sendTcp(port, payload);
    await eventually(() => entries(h).length === count, 'every entry', 60_000);
    expect(entries(h)[count - 1]!.line).toBe(`${count - 1} ${line}`);
  });

  it('rejects invalid listeners with Alloy’s messages', async () => {
    const h = await Harness.start('');
    running.push(h);
    for (const [extra, message] of [
      ['protocol = "sctp"', /protocol should be either 'tcp' or 'udp', got sctp/],
      ['syslog_format = "json"', /unknown syslog format: "json"/],
      ['rfc5424_allow_empty_msg = true\n    syslog_format = "rfc3164"', /"rfc5424_allow_empty_msg" has no effect when syslog format is set to "rfc3164"/],
      ['rfc3164_cisco_components {\n      enable_all = true\n    }', /rfc3164_cisco_components has no effect when syslog format is not "rfc3164"/],
      ['syslog_format = "rfc3164"\n    rfc3164_cisco_components { }', /at least one option in rfc3164_cisco_components has to be enabled/],
    ] as const) {
      const source = SourceFile.fromString('main.alloy', `loki.source.syslog "in" {\n  listener {\n    address = "127.0.0.1:1"\n    ${extra}\n  }\n  forward_to = []\n}\n`);
      const diagnostics = await h.controller.apply([{ source, file: parseFile(source).file }]);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(message);
    }
  });

  it('accepts UDP datagrams from a plain socket and cuts them at max_message_length', async () => {
    const { h, port } = await start('protocol = "udp"\n    max_message_length = 60');
    const client = createSocket('udp4');
    await new Promise<void>((r) => client.send(Buffer.from('<13>1 - h a - - - one\n<13>1 - h a - - - two'), port, '127.0.0.1', () => r()));
    await new Promise<void>((r) => client.send(Buffer.from(`<13>1 - h a - - - ${'long'.repeat(20)}`), port, '127.0.0.1', () => r()));
    client.close();
    await eventually(() => entries(h).length === 3, 'three entries');
    expect(entries(h).map((e) => e.line).sort()).toEqual(['long'.repeat(20).slice(0, 60 - 18), 'one', 'two'].sort());
  });

  it('receives over TLS with tls_config, requiring client certificates when a CA is set', async () => {
    const tlsDir = fileURLToPath(new URL('../../support/tls/', import.meta.url));
    const { h, port } = await start(`tls_config {\n      cert_file = "${tlsDir}server.pem"\n      key_file  = "${tlsDir}server.key"\n      ca_file   = "${tlsDir}ca.pem"\n    }`);
    const ca = readFileSync(`${tlsDir}ca.pem`);
    const send = (withCert: boolean) =>
      new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ port, host: '127.0.0.1', ca, ...(withCert ? { cert: readFileSync(`${tlsDir}client.pem`), key: readFileSync(`${tlsDir}client.key`) } : {}) }, () => {
          socket.end(`<13>1 - h a - - - over tls ${withCert}\n`);
        });
        socket.on('error', reject);
        socket.on('close', () => resolve());
      });
    await send(true);
    await eventually(() => entries(h).length === 1, 'the TLS entry');
    expect(entries(h)[0]!.line).toBe('over tls true');
    await send(false).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(entries(h)).toHaveLength(1);
  });
});
