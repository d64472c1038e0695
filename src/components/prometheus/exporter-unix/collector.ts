/**
 * What every collector of prometheus.exporter.unix shares: where the host's
 * /proc, /sys and root filesystem are (node_exporter's --path.procfs,
 * --path.sysfs, --path.rootfs and --path.udev.data, which Alloy sets from
 * procfs_path, sysfs_path, rootfs_path and udev_data_path), reading their
 * files, and the "no data" outcome.
 *
 * As in node_exporter (prometheus/node_exporter collector/collector.go), a
 * collector that finds no source on this host returns NoDataError: it exposes
 * nothing and reports node_scrape_collector_success 0 without logging an error.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../runtime/logger.js';
import { parseGoUint } from '../../../go/strconv.js';
import type { Exposition } from './exposition.js';

export class NoDataError extends Error {
  constructor(message = 'collector returned no data') {
    super(message);
  }
}

export interface HostPathSettings {
  readonly procfs_path: string;
  readonly sysfs_path: string;
  readonly rootfs_path: string;
  readonly udev_data_path: string;
}

/** node_exporter collector/paths.go: procFilePath, sysFilePath, rootfsFilePath, rootfsStripPrefix. */
export class HostPaths {
  constructor(private readonly settings: HostPathSettings) {}

  proc(...parts: string[]): string {
    return join(this.settings.procfs_path, ...parts);
  }

  sys(...parts: string[]): string {
    return join(this.settings.sysfs_path, ...parts);
  }

  rootfs(...parts: string[]): string {
    return join(this.settings.rootfs_path, ...parts);
  }

  udevData(...parts: string[]): string {
    return join(this.settings.udev_data_path, ...parts);
  }

  /** A mount point as seen from the host: the rootfs prefix taken off ("/" when nothing is left). */
  stripRootfs(path: string): string {
    const root = this.settings.rootfs_path;
    if (root === '/' || root === '') return path;
    const stripped = path.startsWith(root) ? path.slice(root.length) : path;
    return stripped === '' ? '/' : stripped;
  }
}

/** The context a collector is built with. */
export interface CollectorEnv {
  readonly paths: HostPaths;
  readonly logger: Logger;
}

/** One node_exporter collector: adds its families to the scrape, or throws (NoDataError when its source is absent). */
export interface Collector {
  update(out: Exposition): Promise<void>;
}

/** Error codes that mean "this file is not there (for us)": the source is absent, not broken. */
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ENODEV', 'ENXIO']);

export function isAbsent(err: unknown): boolean {
  return ABSENT_CODES.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Whether `path` is a directory; false when it does not exist. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    if (isAbsent(err)) return false;
    throw err;
  }
}

/**
 * A file's text; throws as fs does.
 *
 * procfs and sysfs files are generated in memory by the kernel when read, so
 * they are read synchronously, as node_exporter reads them: a thread-pool
 * round trip per file cost more CPU than the read itself (a scrape reads a few
 * hundred). Only statfs(2), which can hang on a network mount, stays
 * asynchronous (filesystem.ts).
 */
export async function readText(path: string): Promise<string> {
  return readSmallFile(path);
}

/** One buffer for every read: procfs/sysfs files are small, and most fit at once. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** open, read until EOF into the shared buffer (grown for a larger file), close: no fstat, no buffer per file. */
function readSmallFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return scratch.toString('latin1', 0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A sysfs attribute's text, trimmed, or undefined when it cannot be read:
 * absent, unreadable, or refused by the driver (EINVAL, EOPNOTSUPP, EIO, ... as
 * for `speed` of a link that is down) — prometheus/procfs leaves such
 * attributes out.
 */
export async function readAttribute(path: string): Promise<string | undefined> {
  try {
    return readSmallFile(path).trim();
  } catch {
    return undefined;
  }
}

/**
 * A sensor attribute (hwmon, thermal zones, power supplies, cpufreq), read
 * asynchronously: their drivers may ask the hardware (I2C, ACPI, SMBus) and
 * take tens of milliseconds or more, which must not stall the agent.
 * Otherwise as readAttribute.
 */
export async function readSensorAttribute(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'latin1')).trim();
  } catch {
    return undefined;
  }
}

/** A sensor attribute as a number (see readSensorAttribute and readNumberAttribute). */
export async function readSensorNumber(path: string): Promise<number | undefined> {
  return parseAttributeNumber(await readSensorAttribute(path));
}

/** An attribute as an integer (decimal, or 0x-prefixed hex as procfs' ParseInt base 0), undefined when absent or not a number. */
export async function readNumberAttribute(path: string): Promise<number | undefined> {
  return parseAttributeNumber(await readAttribute(path));
}

function parseAttributeNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = /^-?0x/i.test(text) ? Number.parseInt(text, 16) : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Entry names of a directory, sorted; undefined when the directory is absent. */
export async function listDir(path: string): Promise<string[] | undefined> {
  try {
    return readdirSync(path).sort();
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/** Splits text into whitespace-separated fields (Go strings.Fields). */
export function fields(line: string): string[] {
  const out = line.trim().split(/\s+/);
  return out.length === 1 && out[0] === '' ? [] : out;
}

/** Non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/**
 * Go's strconv.ParseUint(text, 10, bits) as a float64 (as the collectors
 * convert it); undefined on invalid syntax or out of range.
 */
export function parseUint(text: string, bits: 32 | 64 = 64): number | undefined {
  if (/^\d{1,9}$/.test(text)) return Number(text);
  const n = parseGoUint(text, 10);
  if (n === undefined || n >= 1n << BigInt(bits)) return undefined;
  return Number(n);
}
