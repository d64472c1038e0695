/** Shared helpers of the prometheus.exporter.unix tests: arguments with Alloy's defaults, a recording logger, parsing a scrape. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prometheusExporterUnix, type UnixArguments } from '../../../../src/components/prometheus/exporter-unix.js';
import { ExpositionParser } from '../../../../src/components/prometheus/scrape/text-parser.js';
import { defaultsOf } from '../../../../src/lang/schema.js';
import { Logger, LogSettings } from '../../../../src/runtime/logger.js';

export const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/exporter-unix/host');

/** Alloy's defaults with `overrides` merged in per block. */
export function unixArgs(overrides: Partial<{ [K in keyof UnixArguments]: Partial<UnixArguments[K]> }> = {}): UnixArguments {
  const args = defaultsOf(prometheusExporterUnix.args) as UnixArguments;
  const out: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(overrides)) {
    const base = (args as Record<string, unknown>)[k];
    out[k] = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...base, ...(v as object) } : v;
  }
  return out as UnixArguments;
}

/** Arguments reading the fixture tree (or a copy of it) instead of the host. */
export function fixtureArgs(root = FIXTURE, overrides: Parameters<typeof unixArgs>[0] = {}): UnixArguments {
  return unixArgs({
    procfs_path: path.join(root, 'proc'),
    sysfs_path: path.join(root, 'sys'),
    rootfs_path: path.join(root, 'rootfs'),
    udev_data_path: path.join(root, 'udev'),
    ...overrides,
  });
}

/** A writable copy of the fixture tree, for edge cases that change it. */
export function fixtureCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'exporter-unix-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

export interface LogLine {
  readonly level: string;
  readonly line: string;
}

export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const settings = new LogSettings({ level: 'debug', format: 'logfmt', write: () => {}, sinks: [(line, level) => lines.push({ level, line })] });
  return { logger: new Logger(settings), lines };
}

export interface ScrapedFamily {
  type: string;
  help: string;
  /** Series key (sorted `name="value"` pairs) → value. */
  readonly series: Map<string, number>;
  readonly labelNames: Set<string>;
}

/** Parses an exposition with the project's own scrape parser into families. */
export function parseExposition(text: string): Map<string, ScrapedFamily> {
  const families = new Map<string, ScrapedFamily>();
  const get = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: 'untyped', help: '', series: new Map(), labelNames: new Set() }));
    return f;
  };
  const p = new ExpositionParser(Buffer.from(text), 'prometheus');
  while (p.next()) {
    if (p.kind === 'type') get(p.metaName).type = p.metaText;
    else if (p.kind === 'help') get(p.metaName).help = p.metaText;
    else if (p.kind === 'sample') {
      const { name, labels } = p.seriesLabels();
      const f = get(name);
      for (const [n] of labels) f.labelNames.add(n);
      f.series.set(seriesKey(labels), p.value);
    }
  }
  return families;
}

export function seriesKey(labels: readonly (readonly [string, string])[]): string {
  return [...labels].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',');
}
