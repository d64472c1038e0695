/**
 * stage.template, and the function map Alloy gives its templates (Sprig plus
 * ToLower, ToUpper, Replace, Trim*, Hash, Sha2Hash, regexReplaceAll*).
 */
import { createHash } from 'node:crypto';
import { describeSchema, attr, schema, t } from '../../../lang/schema.js';
import { goFunc, Template, type GoFunc } from '../../../go/template/template.js';
import { sprigFuncMap } from '../../../go/template/funcs.js';
import { goReplace, goToLower, goToUpper, goTrimPrefix, goTrimSpace, goTrimSuffix, trimCutset } from '../../../go/strings.js';
import type { GoValue } from '../../../go/fmt.js';
import { extractedString, type Entry } from './entry.js';
import { defineStage, eachEntry } from './stage.js';

const digest = (alg: string) => (salt: string, input: string) => createHash(alg).update(salt + input).digest('hex');

const ALLOY_FUNCS: Record<string, GoFunc> = {
  ToLower: goFunc(['string'], goToLower),
  ToUpper: goFunc(['string'], goToUpper),
  Replace: goFunc(['string', 'string', 'string', 'int'], goReplace),
  Trim: goFunc(['string', 'string'], (s: string, c: string) => trimCutset(s, c, true, true)),
  TrimLeft: goFunc(['string', 'string'], (s: string, c: string) => trimCutset(s, c, true, false)),
  TrimRight: goFunc(['string', 'string'], (s: string, c: string) => trimCutset(s, c, false, true)),
  TrimPrefix: goFunc(['string', 'string'], goTrimPrefix),
  TrimSuffix: goFunc(['string', 'string'], goTrimSuffix),
  TrimSpace: goFunc(['string'], goTrimSpace),
  Hash: goFunc(['string', 'string'], digest('sha3-256')),
  Sha2Hash: goFunc(['string', 'string'], digest('sha256')),
};

/** Sprig's functions with Alloy's additions (which win on name clashes). */
export const TEMPLATE_FUNCS = new Map([...sprigFuncMap(), ...Object.entries(ALLOY_FUNCS)]);

/** Parses a template with Alloy's function map (throws with Go-like messages). */
export function parseTemplate(text: string): Template {
  return Template.parse(text, TEMPLATE_FUNCS);
}

/** Template data: every extracted value that converts to a string. */
export function templateData(e: Entry): Map<string, GoValue> {
  const data = new Map<string, GoValue>();
  for (const [k, v] of e.extracted) {
    const s = extractedString(v);
    if (s !== undefined) data.set(k, s);
  }
  return data;
}

const templateText = t.checked('string', (s) => {
  parseTemplate(s);
});

const Config = schema({
  source: attr(t.checked('string', (s) => {
    if (s === '') throw new Error('template source value is required');
  })),
  template: attr(templateText),
});

export const templateStage = defineStage({
  name: 'stage.template',
  schema: Config,
  build(c) {
    const tpl = parseTemplate(c.template);
    return eachEntry((e) => {
      const data = templateData(e);
      const value = data.get(c.source);
      if (value !== undefined) data.set('Value', value);
      data.set('Entry', e.line);
      let out: string;
      try {
        out = tpl.execute(data);
      } catch {
        return; // Alloy leaves the extracted map unchanged when execution fails.
      }
      if (out === '') e.extracted.delete(c.source);
      else e.extracted.set(c.source, out);
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  source: 'Extracted value the template result is written to.',
  template: 'Go template computing the value, with Sprig-like functions.',
}, 'Sets an extracted value from a Go template.');
