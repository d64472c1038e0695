/** stage.output (line from an extracted value) and stage.pack (labels and line packed as JSON). */
import { describeSchema, attr, schema, t } from '../../../lang/schema.js';
import { sourceName } from './common.js';
import { extractedString, extractedText } from './entry.js';
import { goJSON } from './json.js';
import { defineStage, eachEntry } from './stage.js';

export const outputStage = defineStage({
  name: 'stage.output',
  schema: schema({ source: attr(sourceName) }),
  build(c) {
    return eachEntry((e) => {
      const v = extractedText(e, c.source);
      if (v !== undefined) e.line = v;
    });
  },
});

const PackConfig = schema({
  labels: attr(t.list(t.string)),
  ingest_timestamp: attr(t.bool, true),
});

export const packStage = defineStage({
  name: 'stage.pack',
  schema: PackConfig,
  build(c) {
    const wanted = new Set(c.labels);
    return eachEntry((e) => {
      const packed: [string, string][] = [];
      for (const [k, v] of e.extracted) {
        if (!wanted.has(k)) continue;
        const s = extractedString(v);
        if (s !== undefined) packed.push([k, s]);
      }
      packed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const fields = packed.map(([k, v]) => `${goJSON(k)}:${goJSON(v)}`);
      fields.push(`"_entry":${goJSON(e.line)}`);
      e.line = `{${fields.join(',')}}`;
      for (const [k] of packed) e.deleteLabel(k);
      if (c.ingest_timestamp) {
        e.ms = Date.now();
        e.ns = 0;
      }
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(outputStage.schema, {
  source: 'Extracted value that becomes the log line.',
}, 'Replaces the log line with an extracted value.');
describeSchema(PackConfig, {
  labels: 'Labels (or extracted values) packed into the JSON line.',
  ingest_timestamp: 'Use the time of processing as the timestamp, keeping the original in the line.',
}, 'Packs the line and chosen labels into a JSON object that becomes the line.');
