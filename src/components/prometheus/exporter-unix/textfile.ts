/**
 * The textfile collector (prometheus/node_exporter v1.5.0
 * collector/textfile.go): the metrics of every `*.prom` file in `directory`,
 * their modification times, and node_textfile_scrape_error.
 *
 * A file that does not parse, or carries sample timestamps, is skipped whole
 * and sets the error gauge. Families without HELP get "Metric read from
 * <files>"; a series lacking a label its family's other series have gets it
 * empty, as node_exporter's convertMetricFamily does.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExpositionParser } from '../scrape/text-parser.js';
import type { Collector, CollectorEnv } from './collector.js';
import type { Exposition, FamilyType } from './exposition.js';

/** One family as read from the files. */
interface TextFamily {
  type: FamilyType;
  help: string | undefined;
  readonly files: string[];
  readonly samples: { name: string; labels: [string, string][]; value: number }[];
}

export class TextfileCollector implements Collector {
  constructor(
    private readonly env: CollectorEnv,
    private readonly directory: string,
  ) {}

  async update(out: Exposition): Promise<void> {
    let errored = false;
    const families = new Map<string, TextFamily>();
    const mtimes = new Map<string, number>();
    let names: string[] = [];
    try {
      names = (await readdir(this.directory)).sort();
    } catch (err) {
      // An unset directory (Alloy's default) is no error; a configured one that cannot be read is.
      if (this.directory !== '') {
        errored = true;
        this.env.logger.error('failed to read textfile collector directory', { path: this.directory, err: (err as Error).message });
      }
    }
    for (const name of names) {
      if (!name.endsWith('.prom')) continue;
      const path = join(this.directory, name);
      try {
        const [body, info] = await Promise.all([readFile(path), stat(path)]);
        mergeFile(families, parseTextfile(body, path), path);
        mtimes.set(path, Math.floor(info.mtimeMs / 1000));
      } catch (err) {
        errored = true;
        this.env.logger.error('failed to collect textfile data', { file: name, err: (err as Error).message });
      }
    }
    for (const [name, f] of families) addFamily(out, name, f);
    if (mtimes.size > 0) {
      const mtime = out.family('node_textfile_mtime_seconds', 'gauge', 'Unixtime mtime of textfiles successfully read.', ['file']);
      for (const [path, seconds] of mtimes) mtime.add(seconds, path);
    }
    out.single('node_textfile_scrape_error', 'gauge', '1 if there was an error opening or reading a file, 0 otherwise', errored ? 1 : 0);
  }
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** A file's families; throws when it does not parse or has timestamps. */
export function parseTextfile(body: Buffer, path: string): Map<string, TextFamily> {
  const families = new Map<string, TextFamily>();
  const get = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: 'untyped', help: undefined, files: [], samples: [] }));
    return f;
  };
  const parser = new ExpositionParser(body, 'prometheus');
  while (parser.next()) {
    if (parser.kind === 'type') get(parser.metaName).type = asFamilyType(parser.metaText);
    else if (parser.kind === 'help') get(parser.metaName).help = parser.metaText;
    else if (parser.kind === 'sample') {
      if (!Number.isNaN(parser.timestampMs)) throw new Error(`textfile ${JSON.stringify(path)} contains unsupported client-side timestamps, skipping entire file`);
      const { name, labels } = parser.seriesLabels();
      get(familyOf(families, name)).samples.push({ name, labels, value: parser.value });
    }
  }
  return families;
}

/** The family a sample belongs to: its own name, or a histogram/summary whose suffixed sample it is. */
function familyOf(families: ReadonlyMap<string, TextFamily>, name: string): string {
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  }
  return name;
}

function asFamilyType(t: string): FamilyType {
  return t === 'counter' || t === 'gauge' || t === 'histogram' || t === 'summary' ? t : 'untyped';
}

function mergeFile(into: Map<string, TextFamily>, file: Map<string, TextFamily>, path: string): void {
  for (const [name, f] of file) {
    const existing = into.get(name);
    if (!existing) into.set(name, { ...f, files: [path], samples: [...f.samples] });
    else {
      existing.files.push(path);
      existing.samples.push(...f.samples);
    }
  }
}

function addFamily(out: Exposition, name: string, f: TextFamily): void {
  if (f.samples.length === 0) return;
  const labelNames = [...new Set(f.samples.flatMap((s) => s.labels.map(([n]) => n).filter((n) => n !== 'le' && n !== 'quantile')))];
  const family = out.family(name, f.type, f.help ?? `Metric read from ${f.files.join(', ')}`, labelNames);
  for (const s of f.samples) {
    const byName = new Map(s.labels);
    const values = labelNames.map((n) => byName.get(n) ?? '');
    const extra = byName.has('le') ? (['le', byName.get('le')!] as const) : byName.has('quantile') ? (['quantile', byName.get('quantile')!] as const) : undefined;
    family.addSample(s.name, s.value, values, extra);
  }
}
