/** stage.docker and stage.cri: the container runtimes' log file formats. */
import { describeSchema, attr, schema, t, type Infer } from '../../../lang/schema.js';
import { NAMED_LAYOUTS, parseGoTime, type Instant } from '../../../go/time.js';
import { labelsString } from '../../common/log-entries.js';
import { truncateUtf8 } from './common.js';
import type { Entry } from './entry.js';
import { defineStage, eachEntry, type Stage, type StageContext } from './stage.js';

function parseRFC3339Nano(s: string): Instant | undefined {
  try {
    return parseGoTime(NAMED_LAYOUTS['RFC3339Nano']!, s);
  } catch {
    return undefined;
  }
}

function setTimestamp(e: Entry, text: string): void {
  const t = parseRFC3339Nano(text);
  if (!t) return;
  e.ms = t.ms;
  e.ns = t.ns;
}

/** Docker's json-file line: `{"log":"…\n","stream":"stdout","time":"…"}`; undefined when it is not one. */
function parseDockerLine(line: string): { log: string; stream: string; time: string } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (x === undefined || x === null ? '' : typeof x === 'string' ? x : undefined);
  const [log, stream, time] = [str(o['log']), str(o['stream']), str(o['time'])];
  if (log === undefined || stream === undefined || time === undefined || log === '') return undefined;
  return { log, stream, time };
}

export const dockerStage = defineStage({
  name: 'stage.docker',
  schema: schema({}),
  build() {
    return eachEntry((e) => {
      const d = parseDockerLine(e.line);
      if (!d) return;
      e.extracted.set('output', d.log);
      e.extracted.set('stream', d.stream);
      e.extracted.set('timestamp', d.time);
      e.line = d.log;
      e.setLabel('stream', d.stream);
      setTimestamp(e, d.time);
    });
  },
});

/** A CRI line: `<time> <stdout|stderr> [P|F] <content>`, spaces between fields. */
export function parseCRILine(line: string): { time: string; stream: string; partial: boolean; content: string } | undefined {
  const sp = line.search(/\s/);
  const time = sp < 0 ? '' : line.slice(0, sp);
  let rest = sp < 0 ? line : skipSpaces(line.slice(sp));
  const stream = rest.startsWith('stdout') ? 'stdout' : rest.startsWith('stderr') ? 'stderr' : undefined;
  if (!stream) return undefined;
  rest = skipSpaces(rest.slice(6));
  const partial = rest[0] === 'P';
  if (rest[0] === 'P' || rest[0] === 'F') rest = skipSpaces(rest.slice(1));
  return { time, stream, partial, content: rest };
}

function skipSpaces(s: string): string {
  let i = 0;
  while (s[i] === ' ') i++;
  return s.slice(i);
}

const CRIConfig = schema(
  {
    max_partial_lines: attr(t.int, 100),
    max_partial_line_size: attr(t.uint, 0),
    max_partial_line_size_truncate: attr(t.bool, false),
  },
  (c) => (c.max_partial_lines <= 0 ? 'max_partial_lines must be greater than 0' : undefined),
);

type CRIConfig = Infer<typeof CRIConfig>;

/** Joins `P` (partial) lines of a stream until its `F` line. */
class CRIStage implements Stage {
  private partials = new Map<string, Entry>();
  private readonly flushedPartials;
  private readonly truncated;

  constructor(
    private readonly c: CRIConfig,
    ctx: StageContext,
  ) {
    this.flushedPartials = ctx.counter(
      'loki_process_cri_partial_lines_flushed_total',
      'A count of partial lines that were flushed prematurely due to the max_partial_lines limit being exceeded',
    );
    this.truncated = ctx.counter('loki_process_cri_lines_truncated_total', 'A count of lines that were truncated due to the max_partial_line_size limit');
  }

  process(entries: Entry[]): Entry[] {
    const extra: Entry[] = [];
    const out: Entry[] = [];
    for (const e of entries) {
      const keep = this.add(e, extra);
      if (keep) out.push(keep);
    }
    return extra.length > 0 ? [...extra, ...out] : out;
  }

  /** Handles one line; returns the entry to pass on now, if any. Partial lines flushed early go to `extra`. */
  private add(e: Entry, extra: Entry[]): Entry | undefined {
    const p = parseCRILine(e.line);
    if (!p) return e;
    const extracted = e.extracted;
    extracted.set('flags', p.partial ? 'P' : 'F');
    extracted.set('stream', p.stream);
    extracted.set('content', p.content);
    extracted.set('time', p.time);
    e.line = p.content;
    setTimestamp(e, p.time);
    e.setLabel('stream', p.stream);
    const key = labelsString(e.labels);
    const prev = this.partials.get(key);
    if (p.partial) {
      if (this.partials.size >= this.c.max_partial_lines) {
        this.flushedPartials.inc(this.partials.size);
        extra.push(...this.partials.values());
        this.partials = new Map();
      } else if (prev) e.line = prev.line + e.line;
      this.partials.set(key, this.truncate(e));
      return undefined;
    }
    if (!prev) return e;
    this.partials.delete(key);
    e.line = prev.line + e.line;
    return this.truncate(e);
  }

  private truncate(e: Entry): Entry {
    if (!this.c.max_partial_line_size_truncate) return e;
    const cut = truncateUtf8(e.line, this.c.max_partial_line_size);
    if (cut.length !== e.line.length) {
      e.line = cut;
      this.truncated.inc();
    }
    return e;
  }

  flush(): Entry[] {
    const held = [...this.partials.values()];
    this.partials = new Map();
    return held;
  }
}

export const criStage = defineStage({
  name: 'stage.cri',
  schema: CRIConfig,
  build: (c, ctx) => new CRIStage(c, ctx),
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(dockerStage.schema, {
}, 'Parses lines in the Docker JSON log format into line, stream label and timestamp.');
describeSchema(CRIConfig, {
  max_partial_lines: 'Most partial lines held per stream while waiting for the rest of a line.',
  max_partial_line_size: 'Largest size of a joined partial line (0 means no limit).',
  max_partial_line_size_truncate: 'Cut joined partial lines at max_partial_line_size.',
}, 'Parses lines in the CRI log format, joining partial lines.');
