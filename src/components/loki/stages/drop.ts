/** stage.drop (drop entries meeting every configured condition) and stage.sampling. */
import { describeSchema, attr, optional, schema, t, type Infer } from '../../../lang/schema.js';
import { quoteMeta } from '../../../go/regexp/ops.js';
import { formatFloat } from '../../../go/strconv.js';
import { compileRegexp, regexpText } from './common.js';
import { extractedString, type Entry } from './entry.js';
import { defineStage, filterEntries, type StageContext } from './stage.js';

const DropConfig = schema(
  {
    source: attr(t.string, ''),
    separator: attr(t.string, ';'),
    expression: optional(regexpText),
    value: attr(t.string, ''),
    older_than: optional(t.duration),
    longer_than: optional(t.bytes),
    drop_counter_reason: attr(t.string, 'drop_stage'),
  },
  (c) => {
    if (c.source === '' && !c.expression && !c.older_than && !c.longer_than) {
      return 'drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`';
    }
    if (c.value !== '' && c.expression) return 'drop stage config error, `value` and `expression` cannot both be defined at the same time.';
    if (c.value !== '' && c.source === '') return 'drop stage config must contain `source` if `value` is specified';
    return undefined;
  },
);

type Condition = (e: Entry) => boolean;

/** The configured conditions, cheapest first; an entry is dropped when all hold. */
function dropConditions(c: Infer<typeof DropConfig>): Condition[] {
  const conds: Condition[] = [];
  const longer = c.longer_than;
  if (longer) conds.push((e) => Buffer.byteLength(e.line) > longer);
  const older = c.older_than;
  if (older) conds.push((e) => e.ms < Date.now() - older);
  const pattern = c.value !== '' ? `^${quoteMeta(c.value)}$` : c.expression;
  const re = pattern ? compileRegexp(pattern) : undefined;
  const sources = c.source === '' ? [] : c.source.split(',');
  if (sources.length > 0 && !re) conds.push((e) => sources.every((s) => e.extracted.has(s)));
  if (sources.length === 0 && re) conds.push((e) => re.test(e.line));
  if (sources.length > 0 && re) conds.push((e) => joinedSourcesMatch(e, sources, c.separator, re));
  return conds;
}

/** Present source values joined by the separator; an unconvertible value means "do not drop". */
function joinedSourcesMatch(e: Entry, sources: string[], sep: string, re: { test(s: string): boolean }): boolean {
  const parts: string[] = [];
  for (const s of sources) {
    if (!e.extracted.has(s)) continue;
    const v = extractedString(e.extracted.get(s));
    if (v === undefined) return false;
    parts.push(v);
  }
  return re.test(parts.join(sep));
}

export const dropStage = defineStage({
  name: 'stage.drop',
  schema: DropConfig,
  build(c, ctx: StageContext) {
    const conds = dropConditions(c);
    const dropped = ctx.dropped(c.drop_counter_reason);
    return filterEntries((e) => {
      for (const cond of conds) if (!cond(e)) return true;
      dropped.inc();
      return false;
    });
  },
});

const SamplingConfig = schema(
  {
    rate: attr(t.float),
    drop_counter_reason: attr(t.string, 'sampling_stage'),
  },
  (c) => (c.rate < 0 || c.rate > 1 ? `sampling stage failed to parse rate,Sampling Rate must be between 0.0 and 1.0, received ${formatFloat(c.rate, 'f', 6)}` : undefined),
);

export const samplingStage = defineStage({
  name: 'stage.sampling',
  schema: SamplingConfig,
  build(c, ctx) {
    const dropped = ctx.dropped(c.drop_counter_reason);
    return filterEntries(() => {
      if (Math.random() < c.rate) return true;
      dropped.inc();
      return false;
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(DropConfig, {
  source: 'Extracted value(s) the conditions apply to; the log line when unset.',
  separator: 'Text joining several source values before matching.',
  expression: 'Regular expression; matching entries are dropped.',
  value: 'Exact value; entries whose source equals it are dropped.',
  older_than: 'Drop entries whose timestamp is older than this.',
  longer_than: 'Drop entries whose line is longer than this many bytes.',
  drop_counter_reason: 'Reason label of the dropped-entries counter.',
}, 'Drops entries that meet all the given conditions.');
describeSchema(SamplingConfig, {
  rate: 'Share of entries kept, from 0 to 1.',
  drop_counter_reason: 'Reason label of the dropped-entries counter.',
}, 'Keeps a random sample of entries and drops the rest.');
