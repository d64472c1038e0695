/**
 * stage.regex (named groups of the first match into the extracted map),
 * stage.replace (every capture of every match rewritten through a template)
 * and stage.pattern (Loki pattern captures).
 */
import { describeSchema, attr, optional, schema, t } from '../../../lang/schema.js';
import { findAllMatches } from '../../../go/regexp/ops.js';
import { parsePattern } from './logql.js';
import type { Template } from '../../../go/template/template.js';
import { compileRegexp, nonEmptyRegexpText, sourceName } from './common.js';
import { extractedText, isValidLabelName, isValidLabelValue, type Entry } from './entry.js';
import { defineStage, eachEntry } from './stage.js';
import { parseTemplate, templateData } from './template.js';

/** The input of a stage with an optional `source`: the line, or the extracted value (undefined: skip). */
function inputOf(e: Entry, source: string | undefined): string | undefined {
  return source === undefined ? e.line : extractedText(e, source);
}

const RegexConfig = schema({
  expression: attr(nonEmptyRegexpText),
  source: optional(sourceName),
  labels_from_groups: attr(t.bool, false),
});

export const regexStage = defineStage({
  name: 'stage.regex',
  schema: RegexConfig,
  build(c) {
    const re = compileRegexp(c.expression);
    const named = re.names.flatMap((name, i) => (name ? [[i, name] as const] : []));
    return eachEntry((e) => {
      const input = inputOf(e, c.source);
      if (input === undefined) return;
      const m = re.exec(input);
      if (!m) return;
      for (const [i, name] of named) {
        const value = m[i] ?? '';
        e.extracted.set(name, value);
        if (c.labels_from_groups) e.setLabel(name, value);
      }
    });
  },
});

const ReplaceConfig = schema({
  expression: attr(nonEmptyRegexpText),
  source: optional(t.string),
  replace: attr(t.string, ''),
});

export const replaceStage = defineStage({
  name: 'stage.replace',
  schema: ReplaceConfig,
  build(c) {
    const re = compileRegexp(c.expression);
    let tpl: Template | undefined;
    try {
      tpl = parseTemplate(c.replace);
    } catch {
      tpl = undefined; // Alloy only notices a bad template per entry, and then skips it.
    }
    const source = c.source === '' ? undefined : c.source;
    return eachEntry((e) => {
      const input = inputOf(e, source);
      if (input === undefined || !tpl) return;
      const result = replaceCaptures(re.names, findAllMatches(re, input, true), input, e, tpl);
      if (!result) return;
      if (source === undefined) e.line = result.text;
      else e.extracted.set(source, result.text);
      const first = result.matches[0]!;
      re.names.forEach((name, i) => {
        const captured = first[i];
        if (name && captured !== undefined && result.rendered.has(captured)) e.extracted.set(name, result.rendered.get(captured)!);
      });
    });
  },
});

/**
 * Rewrites each participating capture group of each match with the template
 * (`.Value` = the capture); text outside captures is kept. Nested groups
 * inside an already rewritten one are rendered but not substituted again.
 */
function replaceCaptures(
  names: readonly (string | undefined)[],
  matches: RegExpExecArray[],
  input: string,
  e: Entry,
  tpl: Template,
): { text: string; rendered: Map<string, string>; matches: RegExpExecArray[] } | undefined {
  if (matches.length === 0) return undefined;
  const data = templateData(e);
  const rendered = new Map<string, string>();
  let text = '';
  let prevEnd = 0;
  for (const m of matches) {
    for (let g = 1; g < names.length; g++) {
      const captured = m[g];
      if (captured === undefined) continue;
      const start = m.indices![g]![0];
      data.set('Value', captured);
      let out: string;
      try {
        out = tpl.execute(data);
      } catch {
        return undefined;
      }
      if (prevEnd === 0 || prevEnd <= start) {
        text += input.slice(prevEnd, start) + out;
        prevEnd = start + captured.length;
      }
      rendered.set(captured, out);
    }
  }
  return { text: text + input.slice(prevEnd), rendered, matches };
}

const PatternConfig = schema(
  {
    pattern: attr(t.string),
    source: optional(sourceName),
    labels_from_groups: attr(t.bool, false),
  },
  (c) => {
    if (c.pattern === '') return 'pattern is required';
    try {
      for (const name of parsePattern(c.pattern).names) if (!isValidLabelName(name)) return `invalid capture label name '${name}'`;
    } catch (err) {
      return `failed to parse pattern: ${(err as Error).message}`;
    }
    return undefined;
  },
);

/** stage.pattern: Loki pattern captures (`<_> <method> <path>`) into the extracted map. */
export const patternStage = defineStage({
  name: 'stage.pattern',
  schema: PatternConfig,
  build(c) {
    const pattern = parsePattern(c.pattern);
    return eachEntry((e) => {
      const input = inputOf(e, c.source);
      const captures = input === undefined ? null : pattern.matches(input);
      if (!captures) return;
      captures.forEach((value, i) => {
        const name = pattern.names[i]!;
        e.extracted.set(name, value);
        if (c.labels_from_groups && isValidLabelValue(value)) e.setLabel(name, value);
      });
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(RegexConfig, {
  expression: 'RE2 regular expression whose named groups become extracted values.',
  source: 'Name of the extracted value to read; the log line when unset.',
  labels_from_groups: 'Also set a label for each named group.',
}, 'Extracts values from named capture groups of a regular expression.');
describeSchema(ReplaceConfig, {
  expression: 'RE2 regular expression; its capture groups are replaced.',
  source: 'Name of the extracted value to read; the log line when unset.',
  replace: 'Template text that replaces each captured group.',
}, 'Replaces the parts of the line (or a value) captured by a regular expression.');
describeSchema(PatternConfig, {
  pattern: 'LogQL pattern with <name> captures.',
  source: 'Name of the extracted value to read; the log line when unset.',
  labels_from_groups: 'Also set a label for each named capture.',
}, 'Extracts values with a LogQL pattern expression.');
