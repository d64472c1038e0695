/**
 * Label and structured-metadata stages: labels, static_labels, label_drop,
 * label_keep, structured_metadata, structured_metadata_drop and tenant.
 */
import { describeSchema, attr, optional, schema, t } from '../../../lang/schema.js';
import { compileRegexp, nullableStringMap, regexpText, sourcesOf } from './common.js';
import { extractedString, extractedText, isValidLabelName, isValidLabelValue, type Entry } from './entry.js';
import { defineStage, eachEntry } from './stage.js';

/** The label under which loki.write finds the tenant. */
export const TENANT_LABEL = '__tenant_id__';

function invalidLabelName(names: Iterable<string>): string | undefined {
  for (const n of names) if (!isValidLabelName(n)) return `invalid label name: ${n}`;
  return undefined;
}

const LabelsConfig = schema(
  {
    values: attr(nullableStringMap),
    source_type: attr(t.oneOf('extracted', 'structured_metadata'), 'extracted'),
  },
  (c) => invalidLabelName(Object.keys(c.values)),
);

export const labelsStage = defineStage({
  name: 'stage.labels',
  schema: LabelsConfig,
  build(c) {
    const pairs = sourcesOf(c.values);
    if (c.source_type === 'structured_metadata') {
      return eachEntry((e) => {
        for (const [name, src] of pairs) {
          const v = e.metadata?.[src];
          if (v !== undefined && isValidLabelValue(v)) e.setLabel(name, v);
        }
      });
    }
    return eachEntry((e) => {
      for (const [name, src] of pairs) {
        const v = extractedText(e, src);
        if (v !== undefined && isValidLabelValue(v)) e.setLabel(name, v);
      }
    });
  },
});

const StaticConfig = schema({ values: attr(nullableStringMap) }, (c) => invalidLabelName(Object.keys(c.values)));

export const staticLabelsStage = defineStage({
  name: 'stage.static_labels',
  schema: StaticConfig,
  build(c) {
    const pairs = Object.entries(c.values).filter((p): p is [string, string] => p[1] !== null && p[1] !== '');
    return eachEntry((e) => {
      for (const [name, value] of pairs) e.setLabel(name, value);
    });
  },
});

const NamesConfig = (what: string) =>
  schema({ values: attr(t.list(t.string)) }, (c) => (c.values.length === 0 ? `${what} stage config cannot be empty` : undefined));

export const labelDropStage = defineStage({
  name: 'stage.label_drop',
  schema: NamesConfig('label_drop'),
  build(c) {
    return eachEntry((e) => {
      for (const name of c.values) e.deleteLabel(name);
    });
  },
});

export const labelKeepStage = defineStage({
  name: 'stage.label_keep',
  schema: NamesConfig('label_keep'),
  build(c) {
    const keep = new Set(c.values);
    return eachEntry((e) => {
      for (const name of Object.keys(e.labels)) if (!keep.has(name)) e.deleteLabel(name);
    });
  },
});

const MetadataConfig = schema(
  {
    values: attr(nullableStringMap, {}),
    regex: optional(regexpText),
  },
  (c) => invalidLabelName(Object.keys(c.values)),
);

export const structuredMetadataStage = defineStage({
  name: 'stage.structured_metadata',
  schema: MetadataConfig,
  build(c) {
    const pairs = sourcesOf(c.values);
    const re = c.regex ? compileRegexp(c.regex) : undefined;
    return eachEntry((e) => {
      fromExtracted(e, pairs, re);
      fromLabels(e, pairs, re);
    });
  },
});

/** Configured keys and keys matching the regex, from the extracted map. */
function fromExtracted(e: Entry, pairs: [string, string][], re: { test(s: string): boolean } | undefined): void {
  for (const [name, src] of pairs) {
    const v = extractedText(e, src);
    if (v !== undefined && isValidLabelValue(v)) e.setMetadata(name, v);
  }
  if (!re) return;
  for (const [k, raw] of e.extracted) {
    if (!re.test(k)) continue;
    const v = extractedString(raw);
    if (v !== undefined && isValidLabelValue(v)) e.setMetadata(k, v);
  }
}

/** Labels named as a source (or matching the regex) move to structured metadata. */
function fromLabels(e: Entry, pairs: [string, string][], re: { test(s: string): boolean } | undefined): void {
  const moved: string[] = [];
  for (const [name, src] of pairs) {
    const v = e.labels[src];
    if (v === undefined) continue;
    e.setMetadata(name, v);
    moved.push(src);
  }
  for (const src of moved) e.deleteLabel(src);
  if (!re) return;
  for (const [name, v] of Object.entries(e.labels)) {
    if (!re.test(name)) continue;
    e.setMetadata(name, v);
    e.deleteLabel(name);
  }
}

export const structuredMetadataDropStage = defineStage({
  name: 'stage.structured_metadata_drop',
  schema: NamesConfig('structured_metadata_drop'),
  build(c) {
    return eachEntry((e) => {
      for (const name of c.values) e.deleteMetadata(name);
    });
  },
});

const TenantConfig = schema(
  {
    label: attr(t.string, ''),
    source: attr(t.string, ''),
    value: attr(t.string, ''),
  },
  (c) => ([c.label, c.source, c.value].filter((x) => x !== '').length !== 1 ? 'only one of source, value or label can be used' : undefined),
);

export const tenantStage = defineStage({
  name: 'stage.tenant',
  schema: TenantConfig,
  build(c) {
    const tenantOf = (e: Entry): string | undefined => {
      if (c.value !== '') return c.value;
      if (c.label !== '') return e.labels[c.label];
      return extractedText(e, c.source);
    };
    return eachEntry((e) => {
      const tenant = tenantOf(e);
      if (tenant) e.setLabel(TENANT_LABEL, tenant);
    });
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(LabelsConfig, {
  values: 'Label names mapped to the extracted values they take (an empty value uses the label name).',
  source_type: 'Where values come from: extracted values or structured metadata.',
}, 'Sets labels from extracted values.');
describeSchema(StaticConfig, {
  values: 'Label names mapped to fixed values.',
}, 'Adds fixed labels to every entry.');
describeSchema(labelDropStage.schema, {
  values: 'Names of the labels removed.',
}, 'Removes the listed labels from entries.');
describeSchema(labelKeepStage.schema, {
  values: 'Names of the labels kept.',
}, 'Removes every label not listed.');
describeSchema(MetadataConfig, {
  values: 'Metadata names mapped to the extracted values they take.',
  regex: 'Regular expression selecting the labels moved into structured metadata.',
}, 'Attaches extracted values (or matching labels) as structured metadata.');
describeSchema(structuredMetadataDropStage.schema, {
  values: 'Names of the structured metadata keys removed.',
}, 'Removes the listed keys from structured metadata.');
describeSchema(TenantConfig, {
  label: 'Label holding the tenant ID.',
  source: 'Extracted value holding the tenant ID.',
  value: 'Fixed tenant ID.',
}, 'Sets the tenant ID that loki.write sends the entry with.');
