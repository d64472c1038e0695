/**
 * stage.eventlogmessage: splits a Windows Event Log message ("Key: value"
 * lines separated by CRLF) into extracted values.
 */
import { describeSchema, attr, schema, t } from '../../../lang/schema.js';
import { extractedString, isValidLabelName, isValidLabelValue, type Entry } from './entry.js';
import { defineStage, filterEntries } from './stage.js';

const Config = schema(
  {
    source: attr(t.string, 'message'),
    drop_invalid_labels: attr(t.bool, false),
    overwrite_existing: attr(t.bool, false),
  },
  (c) => (isValidLabelName(c.source) ? undefined : `invalid label name: ${c.source}`),
);

/** Prometheus strutil.SanitizeFullLabelName: every invalid character (and a leading digit) becomes "_". */
export function sanitizeLabelName(name: string): string {
  if (name === '') return '_';
  return [...name].map((ch, i) => (/[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch)) ? ch : '_')).join('');
}

export const eventLogMessageStage = defineStage({
  name: 'stage.eventlogmessage',
  schema: Config,
  build(c) {
    /** False when the source value cannot be read as a string: Alloy drops the entry then. */
    const extract = (e: Entry): boolean => {
      if (!e.extracted.has(c.source)) return true;
      const message = extractedString(e.extracted.get(c.source));
      if (message === undefined) return false;
      for (const line of message.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        let key = line.slice(0, colon);
        if (!isValidLabelName(key)) {
          if (c.drop_invalid_labels) continue;
          key = sanitizeLabelName(key);
        }
        if (e.extracted.has(key) && !c.overwrite_existing) key += '_extracted';
        const value = line.slice(colon + 1).trim();
        if (isValidLabelValue(value)) e.extracted.set(key, value);
      }
      return true;
    };
    return filterEntries(extract);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  source: 'Extracted value holding the Windows event message; the line when unset.',
  drop_invalid_labels: 'Drop keys that are not valid label names instead of fixing them.',
  overwrite_existing: 'Overwrite extracted values that already exist.',
}, 'Extracts key: value pairs from the Message field of Windows event logs.');
