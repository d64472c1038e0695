/**
 * stage.logfmt: parses the line (or an extracted value) as logfmt like
 * go-logfmt's decoder and extracts mapped keys (under their mapping names)
 * and keys matching `regex` (under their own names). Values are strings; a
 * key without `=` has the empty value. A syntax error stops the parse, but
 * what was extracted before it stays.
 */
import { describeSchema, optional, schema, t } from '../../../lang/schema.js';
import { compileRegexp, regexpText, sourceName } from './common.js';
import { extractedText } from './entry.js';
import { defineStage, eachEntry } from './stage.js';

const Config = schema(
  {
    mapping: optional(t.map(t.string)),
    regex: optional(regexpText),
    source: optional(sourceName),
  },
  (c) => (Object.keys(c.mapping ?? {}).length === 0 && !c.regex ? 'logfmt mapping or regex is required' : undefined),
);

/**
 * Calls `onPair` for each key/value of a logfmt record, in order; stops at
 * the first syntax error (unquoted `"` or `=` in a value, bad quoting).
 */
export function parseLogfmt(text: string, onPair: (key: string, value: string) => void): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) <= 0x20) i++;
    if (i >= n) return;
    const keyStart = i;
    while (i < n && text.charCodeAt(i) > 0x20 && text[i] !== '=' && text[i] !== '"') i++;
    if (i === keyStart) return; // '=' or '"' where a key should start
    const key = text.slice(keyStart, i);
    if (text[i] !== '=') {
      if (text[i] === '"') return;
      onPair(key, '');
      continue;
    }
    i++;
    const value = text[i] === '"' ? readQuoted(text, i) : readBare(text, i);
    if (!value) return;
    onPair(key, value.value);
    i = value.end;
  }
}

function readBare(text: string, i: number): { value: string; end: number } | undefined {
  const start = i;
  while (i < text.length && text.charCodeAt(i) > 0x20) {
    if (text[i] === '"' || text[i] === '=') return undefined;
    i++;
  }
  return { value: text.slice(start, i), end: i };
}

function readQuoted(text: string, i: number): { value: string; end: number } | undefined {
  let j = i + 1;
  let escaped = false;
  for (; j < text.length; j++) {
    const c = text[j];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === '"') break;
  }
  if (j >= text.length) return undefined;
  try {
    return { value: JSON.parse(text.slice(i, j + 1)) as string, end: j + 1 };
  } catch {
    return undefined;
  }
}

export const logfmtStage = defineStage({
  name: 'stage.logfmt',
  schema: Config,
  build(c) {
    // Parsed key → extracted name (a mapping value "" means the key itself).
    const inverse = new Map<string, string>();
    for (const [name, key] of Object.entries(c.mapping ?? {})) inverse.set(key === '' ? name : key, name);
    const keyRegex = c.regex ? compileRegexp(c.regex) : undefined;
    return eachEntry((e) => {
      const input = c.source === undefined ? e.line : extractedText(e, c.source);
      if (input === undefined) return;
      const extracted = e.extracted;
      parseLogfmt(input, (key, value) => {
        const mapped = inverse.get(key);
        if (mapped !== undefined) extracted.set(mapped, value);
        if (keyRegex?.test(key)) extracted.set(key, value);
      });
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  mapping: 'Extracted value names mapped to logfmt keys (an empty key uses the name).',
  regex: 'Regular expression selecting the keys to extract.',
  source: 'Name of the extracted value to read; the log line when unset.',
}, 'Parses the line (or an extracted value) as logfmt and extracts values.');
