/** Rewriting stages: stage.decolorize (ANSI colour codes), stage.luhn (card number redaction) and stage.truncate. */
import { describeSchema, attr, blocks, optional, schema, t, type Infer } from '../../../lang/schema.js';
import { sourceName, truncateUtf8 } from './common.js';
import { extractedText, type Entry } from './entry.js';
import { defineStage, eachEntry } from './stage.js';

/** ANSI escape sequences (CSI/OSC colour and cursor codes), the pattern Alloy strips. */
const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[a-zA-Z\d]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PRZcf-ntqry=><~]))/g;

export const decolorizeStage = defineStage({
  name: 'stage.decolorize',
  schema: schema({}),
  build() {
    return eachEntry((e) => {
      if (e.line.includes('\u001B') || e.line.includes('\u009B')) e.line = e.line.replace(ANSI, '');
    });
  },
});

/** Whether a digit string passes the Luhn checksum. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Replaces every run of at least `minLength` digits that passes the Luhn check. */
export function redactLuhn(s: string, replacement: string, minLength: number): string {
  return s.replace(/\d+/g, (run) => (run.length >= minLength && luhnValid(run) ? replacement : run));
}

const LuhnConfig = schema({
  replacement: attr(t.string, '**REDACTED**'),
  source: optional(sourceName),
  min_length: attr(t.int, 13),
});

export const luhnStage = defineStage({
  name: 'stage.luhn',
  schema: LuhnConfig,
  build(c) {
    return eachEntry((e) => {
      if (c.source === undefined) {
        e.line = redactLuhn(e.line, c.replacement, c.min_length);
        return;
      }
      const v = extractedText(e, c.source);
      if (v !== undefined) e.extracted.set(c.source, redactLuhn(v, c.replacement, c.min_length));
    });
  },
});

const TruncateRule = schema(
  {
    limit: attr(t.bytes),
    suffix: attr(t.string, ''),
    sources: attr(t.list(t.string), []),
    source_type: attr(t.oneOf('line', 'label', 'structured_metadata', 'extracted'), 'line'),
  },
  (r) => {
    if (r.limit <= 0) return 'limit must be greater than zero';
    if (r.source_type === 'line' && r.sources.length > 0) return "sources cannot be set when source_type is 'line'";
    if (r.suffix.length > 0 && Buffer.byteLength(r.suffix) >= r.limit) return 'suffix length cannot be greater than or equal to limit';
    return undefined;
  },
);

const TruncateConfig = schema({ rule: blocks(TruncateRule) }, (c) => (c.rule.length === 0 ? 'at least one truncate rule must be defined' : undefined));

type Rule = Infer<typeof TruncateRule>;

/**
 * stage.truncate: cuts the line, labels, structured metadata or extracted
 * strings to `limit` bytes (suffix included), records which kinds were cut in
 * the extracted value `truncated` and counts them per field.
 */
export const truncateStage = defineStage({
  name: 'stage.truncate',
  schema: TruncateConfig,
  build(c, ctx) {
    const counter = ctx.counter(
      'loki_process_truncated_fields_total',
      'A count of all log lines, labels, extracted values, or structured_metadata truncated as a result of a pipeline stage',
      ['field'],
    );
    return eachEntry((e) => {
      const truncated = new Set<string>();
      for (const rule of c.rule) {
        const cut = (v: string): string | undefined => {
          const limit = rule.limit - Buffer.byteLength(rule.suffix);
          if (Buffer.byteLength(v) <= limit) return undefined;
          counter.inc({ field: rule.source_type });
          truncated.add(rule.source_type);
          return truncateUtf8(v, limit) + rule.suffix;
        };
        truncateRule(e, rule, cut);
        recordTruncated(e, truncated);
      }
    });
  },
});

function truncateRule(e: Entry, rule: Rule, cut: (v: string) => string | undefined): void {
  const wanted = (name: string) => rule.sources.length === 0 || rule.sources.includes(name);
  switch (rule.source_type) {
    case 'line': {
      const v = cut(e.line);
      if (v !== undefined) e.line = v;
      return;
    }
    case 'label':
      for (const [k, val] of Object.entries(e.labels)) {
        const v = wanted(k) ? cut(val) : undefined;
        if (v !== undefined) e.setLabel(k, v);
      }
      return;
    case 'structured_metadata':
      for (const [k, val] of Object.entries(e.metadata ?? {})) {
        const v = wanted(k) ? cut(val) : undefined;
        if (v !== undefined) e.setMetadata(k, v);
      }
      return;
    case 'extracted':
      for (const [k, val] of e.extracted) {
        const v = wanted(k) && typeof val === 'string' ? cut(val) : undefined;
        if (v !== undefined) e.extracted.set(k, v);
      }
  }
}

/** Merges the kinds cut so far into the extracted `truncated` value (sorted, comma-separated). */
function recordTruncated(e: Entry, truncated: Set<string>): void {
  if (truncated.size === 0) return;
  const existing = e.extracted.get('truncated');
  if (typeof existing === 'string') for (const s of existing.split(',')) truncated.add(s);
  e.extracted.set('truncated', [...truncated].sort().join(','));
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(decolorizeStage.schema, {
}, 'Removes ANSI colour codes from the line.');
describeSchema(LuhnConfig, {
  replacement: 'Text that replaces each card number found.',
  source: 'Name of the extracted value to read; the log line when unset.',
  min_length: 'Fewest digits of a number that is checked.',
}, 'Replaces numbers that pass the Luhn check (card numbers).');
describeSchema(TruncateRule, {
  limit: 'Largest size in bytes kept.',
  suffix: 'Text appended to truncated values.',
  sources: 'Names of the labels, metadata or extracted values truncated.',
  source_type: 'What is truncated: line, label or structured_metadata.',
}, 'One truncation rule.');
describeSchema(TruncateConfig, {
  rule: 'Truncation rules.',
}, 'Truncates the line, labels or structured metadata to a size.');
