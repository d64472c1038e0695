/**
 * Collectors describing the system (prometheus/node_exporter v1.5.0
 * collector/uname*.go, os_release.go, time*.go, selinux_linux.go).
 */
import { statSync } from 'node:fs';
import { hostname, machine, release, type as osType, version } from 'node:os';
import { fields, isAbsent, lines, listDir, NoDataError, readAttribute, readText, type Collector, type CollectorEnv } from './collector.js';
import type { Exposition } from './exposition.js';

/** uname: what uname(2) returns; Node reads the same utsname fields, the domain name comes from procfs. */
export class UnameCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const domainname = (await readAttribute(this.env.paths.proc('sys/kernel/domainname'))) ?? '(none)';
    out.family('node_uname_info', 'gauge', 'Labeled system information as provided by the uname system call.', [
      'sysname', 'release', 'version', 'machine', 'nodename', 'domainname',
    ]).add(1, osType(), release(), version(), machine(), hostname(), domainname);
  }
}

const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'];
const OS_INFO_LABELS = ['build_id', 'id', 'id_like', 'image_id', 'image_version', 'name', 'pretty_name', 'variant', 'variant_id', 'version', 'version_codename', 'version_id'];

/** os: os-release under rootfs_path, re-read only when its modification time changes. */
export class OsCollector implements Collector {
  private cached: { path: string; mtimeMs: number; env: Map<string, string> } | undefined;

  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const release = await this.read();
    const get = (k: string) => release.get(k) ?? '';
    out.family('node_os_info', 'gauge', `A metric with a constant '1' value labeled by ${OS_INFO_LABELS.join(', ')}.`, OS_INFO_LABELS)
      .add(1, ...OS_INFO_LABELS.map((l) => get(l.toUpperCase())));
    const majorMinor = /^[0-9]+\.?[0-9]*/.exec(get('VERSION_ID'))?.[0];
    const v = majorMinor ? Number.parseFloat(majorMinor) : 0;
    if (v > 0) out.family('node_os_version', 'gauge', 'Metric containing the major.minor part of the OS version.', ['id', 'id_like', 'name']).add(v, get('ID'), get('ID_LIKE'), get('NAME'));
  }

  private async read(): Promise<Map<string, string>> {
    for (const file of OS_RELEASE_FILES) {
      const path = this.env.paths.rootfs(file);
      let mtimeMs: number;
      try {
        mtimeMs = statSync(path).mtimeMs;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (this.cached?.path === path && this.cached.mtimeMs === mtimeMs) return this.cached.env;
      const env = parseOsRelease(await readText(path));
      this.cached = { path, mtimeMs, env };
      return env;
    }
    throw new NoDataError('no os-release file found');
  }
}

/** os-release(5): KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1).trim()));
  }
  return env;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  return v.replace(/\\(.)/g, '$1');
}

/** time: the clock, the zone offset and the kernel's clocksources. */
export class TimeCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const now = Date.now();
    out.single('node_time_seconds', 'gauge', 'System time in seconds since epoch (1970).', now / 1000);
    const date = new Date(now);
    out.family('node_time_zone_offset_seconds', 'gauge', 'System time zone offset in seconds.', ['time_zone']).add(-date.getTimezoneOffset() * 60, zoneAbbreviation(date));
    await this.clocksources(out);
  }

  private async clocksources(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('devices/system/clocksource');
    const devices = ((await listDir(root)) ?? []).filter((n) => /^clocksource[0-9]+$/.test(n));
    const available = out.family('node_time_clocksource_available_info', 'gauge', "Available clocksources read from '/sys/devices/system/clocksource'.", ['device', 'clocksource']);
    const current = out.family('node_time_clocksource_current_info', 'gauge', "Current clocksource read from '/sys/devices/system/clocksource'.", ['device', 'clocksource']);
    for (const [i, device] of devices.entries()) {
      const dir = `${root}/${device}`;
      const avail = await readText(`${dir}/available_clocksource`).catch((err: Error) => Promise.reject(new Error(`couldn't get clocksources: ${err.message}`)));
      for (const cs of fields(avail)) available.add(1, String(i), cs);
      current.add(1, String(i), ((await readAttribute(`${dir}/current_clocksource`)) ?? '').trim());
    }
  }
}

let zoneFormat: Intl.DateTimeFormat | undefined;

/** The zone's abbreviation as Go's time.Zone() gives it where the platform knows one ("UTC", "CET"). */
function zoneAbbreviation(date: Date): string {
  zoneFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const part = zoneFormat.formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
}

/** selinux: whether SELinux is on and, if so, its configured and current modes. */
export class SelinuxCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const mount = await selinuxMount(this.env);
    out.single('node_selinux_enabled', 'gauge', 'SELinux is enabled, 1 is true, 0 is false', mount ? 1 : 0);
    if (!mount) return;
    const current = Number((await readAttribute(`${mount}/enforce`)) ?? -1);
    out.single('node_selinux_current_mode', 'gauge', 'Current SELinux enforcement mode', current);
    out.single('node_selinux_config_mode', 'gauge', 'Configured SELinux enforcement mode', await configuredMode(this.env));
  }
}

/** SELinux is enabled when selinuxfs is mounted (go-selinux GetEnabled). */
async function selinuxMount(env: CollectorEnv): Promise<string | undefined> {
  const candidate = env.paths.sys('fs/selinux');
  if ((await readAttribute(`${candidate}/enforce`)) !== undefined) return candidate;
  try {
    for (const line of lines(await readText(env.paths.proc('self/mountinfo')))) {
      const parts = fields(line);
      const dash = parts.indexOf('-');
      if (dash > 0 && parts[dash + 1] === 'selinuxfs') return parts[4];
    }
  } catch (err) {
    if (!isAbsent(err)) throw err;
  }
  return undefined;
}

/** SELINUX= of /etc/selinux/config: enforcing 1, permissive 0, disabled -1. */
async function configuredMode(env: CollectorEnv): Promise<number> {
  const text = await readAttribute(env.paths.rootfs('etc/selinux/config'));
  const mode = /^\s*SELINUX\s*=\s*(\w+)/m.exec(text ?? '')?.[1];
  return mode === 'enforcing' ? 1 : mode === 'permissive' ? 0 : -1;
}
