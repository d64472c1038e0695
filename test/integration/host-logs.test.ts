/**
 * examples/host-logs.alloy run as users run it (`alloy-ts run`), pointed by
 * its environment variables at a journal directory written by
 * systemd-journal-remote, a free syslog port fed by util-linux logger, and a
 * decoding Loki stand-in; /var/log is the machine's own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/repo-paths.js';
import { AgentProcess, hasDist } from '../support/agent-process.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { freePort } from '../support/free-port.js';

const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
const tools = ['/usr/bin/journalctl', JOURNAL_REMOTE, '/usr/bin/logger'].filter((t) => !existsSync(t));
const ready = tools.length === 0 && hasDist;
if (!ready && !process.env.CI) console.warn(`skipping the host-logs example test: ${hasDist ? `missing ${tools.join(', ')}` : 'dist/ is not built'}`);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function writeJournal(file: string, message: string): void {
  const export_ = `__REALTIME_TIMESTAMP=${Date.now() * 1000}\n__MONOTONIC_TIMESTAMP=1\n_BOOT_ID=0123456789abcdef0123456789abcdef\nMESSAGE=${message}\nPRIORITY=4\n_SYSTEMD_UNIT=example.service\nSYSLOG_IDENTIFIER=example\n\n`;
  writeFileSync(`${file}.export`, export_);
  const res = spawnSync(JOURNAL_REMOTE, [`--output=${file}`, `${file}.export`], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
}

/** Whether /var/log has a non-empty file the example's glob matches. */
function varLogHasFiles(): boolean {
  try {
    return readdirSync('/var/log').some((f) => (f.endsWith('.log') || f === 'syslog' || f === 'messages') && statSync(path.join('/var/log', f)).size > 0);
  } catch {
    return false;
  }
}

describe.skipIf(!ready && !process.env.CI)('examples/host-logs.alloy', () => {
  it('ships the journal, syslog and /var/log files to Loki', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-host-logs-'));
    const journalDir = path.join(dir, 'journal');
    execFileSync('mkdir', ['-p', journalDir]);
    writeJournal(path.join(journalDir, 'system.journal'), 'from the journal');
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const syslogPort = await freePort();
    const { agent } = await AgentProcess.start([path.join(repoRoot, 'examples', 'host-logs.alloy'), `--storage.path=${dir}/data`], {
      LOKI_HOST: `127.0.0.1:${loki.port}`,
      JOURNAL_PATH: journalDir,
      SYSLOG_LISTEN: `127.0.0.1:${syslogPort}`,
    });
    cleanups.push(() => agent.stop());
    await agent.waitForLog(/syslog listening on address.*protocol=udp/);
    execFileSync('/usr/bin/logger', ['--tcp', '-n', '127.0.0.1', '-P', String(syslogPort), '--rfc5424', '-t', 'router', 'from syslog over tcp']);
    execFileSync('/usr/bin/logger', ['-d', '-n', '127.0.0.1', '-P', String(syslogPort), '--rfc5424', '-t', 'switch', 'from syslog over udp']);
    const find = (line: string) => loki.entries().find((e) => e.line === line);
    await loki.waitUntil(() => !!find('from the journal') && !!find('from syslog over tcp') && !!find('from syslog over udp'), 30_000, () => `got: ${loki.entries().slice(0, 5).map((e) => e.line).join(' | ')}`);
    expect(find('from the journal')!.labels).toBe('{identifier="example", job="loki.source.journal.system", level="warning", source="journal", unit="example.service"}');
    expect(find('from syslog over tcp')!.labels).toMatch(/^\{app_name="router", facility="user", hostname="[^"]+", severity="notice", source="syslog"\}$/);
    expect(find('from syslog over udp')!.labels).toMatch(/app_name="switch"/);
    if (varLogHasFiles()) await loki.waitUntil(() => loki.entries().some((e) => e.labels.includes('source="file"')), 30_000, () => 'no /var/log lines');
  }, 60_000);
});
