/**
 * Promtail pipeline stages → loki.process `stage.*` blocks (grafana/alloy
 * internal/converter/internal/promtailconvert/internal/build/stages.go).
 * A stage is returned as `{ <alloy stage name>: { …arguments } }`.
 */
import { Bytes, Duration, Float, type GoValue } from '../builder.js';
import type { ConvertDiagnostics } from '../diag.js';
import { goFormatValue } from '../go-values.js';
import { bool, goDuration, int, list, map, optStr, str, stringMap, strings, type YamlMap } from '../yaml-input.js';
import { parseByteSize } from './config.js';

type Obj = Record<string, GoValue>;
type Converter = (cfg: unknown, diags: ConvertDiagnostics, raw: unknown) => Obj | undefined;

/** A map of label names to optional source keys (map[string]*string). */
function optionalStringMap(v: unknown): Record<string, GoValue> | undefined {
  const m = map(v);
  if (!m) return undefined;
  return Object.fromEntries(Object.entries(m).map(([k, val]) => [k, val === null || val === undefined ? null : str(val)]));
}

const CONVERTERS: Record<string, Converter> = {
  json: (c) => {
    const y = map(c) ?? {};
    return { json: { expressions: stringMap(y['expressions']), source: optStr(y['source']), drop_malformed: bool(y['drop_malformed']) } };
  },
  logfmt: (c) => {
    const y = map(c) ?? {};
    return { logfmt: { source: str(y['source']), mapping: stringMap(y['mapping']) } };
  },
  regex: (c) => {
    const y = map(c) ?? {};
    return { regex: { expression: str(y['expression']), source: optStr(y['source']) } };
  },
  replace: (c) => {
    const y = map(c) ?? {};
    return { replace: { expression: str(y['expression']), source: str(y['source']), replace: str(y['replace']) } };
  },
  metrics: convertMetrics,
  labels: (c) => ({ labels: { values: optionalStringMap(c) ?? null } }),
  labeldrop: (c) => ({ label_drop: { values: strings(c) ?? null } }),
  labelallow: (c) => ({ label_keep: { values: strings(c) ?? null } }),
  static_labels: (c) => ({ static_labels: { values: optionalStringMap(c) ?? null } }),
  structured_metadata: (c) => ({ structured_metadata: { values: optionalStringMap(c) } }),
  timestamp: (c) => {
    const y = map(c) ?? {};
    return {
      timestamp: {
        source: str(y['source']),
        format: str(y['format']),
        fallback_formats: strings(y['fallback_formats']),
        location: optStr(y['location']),
        action_on_failure: str(y['action_on_failure']),
      },
    };
  },
  output: (c) => ({ output: { source: str(map(c)?.['source']) } }),
  docker: () => ({ docker: {} }),
  cri: (c) => {
    const y = map(c) ?? {};
    const maxLines = int(y['max_partial_lines']);
    return {
      cri: {
        max_partial_lines: maxLines === 0 ? 100 : maxLines,
        max_partial_line_size: parseByteSize(y['max_partial_line_size']),
        max_partial_line_size_truncate: bool(y['max_partial_line_size_truncate']),
      },
    };
  },
  match: (c, diags) => {
    const y = map(c) ?? {};
    const stages = (list(y['stages']) ?? []).map((s) => convertStage(s, diags) ?? {});
    return {
      match: {
        selector: str(y['selector']),
        stage: stages,
        action: str(y['action']),
        pipeline_name: str(y['pipeline_name']),
        drop_counter_reason: str(y['drop_counter_reason']),
      },
    };
  },
  template: (c) => {
    const y = map(c) ?? {};
    return { template: { source: str(y['source']), template: str(y['template']) } };
  },
  tenant: (c) => {
    const y = map(c) ?? {};
    return { tenant: { label: str(y['label']), source: str(y['source']), value: str(y['value']) } };
  },
  drop: convertDrop,
  sampling: (c) => {
    const y = map(c) ?? {};
    return { sampling: { drop_counter_reason: optStr(y['drop_counter_reason']) ?? 'sampling_stage', rate: new Float(Number(y['rate'] ?? 0)) } };
  },
  limit: (c) => {
    const y = map(c) ?? {};
    return {
      limit: {
        rate: new Float(Number(y['rate'] ?? 0)),
        burst: int(y['burst']),
        drop: bool(y['drop']),
        by_label_name: str(y['by_label_name']),
        max_distinct_labels: int(y['max_distinct_labels']),
      },
    };
  },
  multiline: (c, diags) => {
    const y = map(c) ?? {};
    let maxWait = new Duration(0n);
    const raw = optStr(y['max_wait_time']);
    if (raw !== undefined) {
      try {
        maxWait = goDuration(raw);
      } catch {
        diags.error(`invalid pipeline_stages.multiline.max_wait_time: ${raw}`);
      }
    }
    return { multiline: { firstline: str(y['firstline']), max_lines: int(y['max_lines']), max_wait_time: maxWait, trim_newlines: true } };
  },
  pack: (c) => {
    const y = map(c) ?? {};
    return { pack: { labels: strings(y['labels']), ingest_timestamp: bool(y['ingest_timestamp']) } };
  },
  decolorize: () => ({ decolorize: {} }),
  eventlogmessage: (c) => {
    const y = map(c) ?? {};
    return {
      eventlogmessage: { source: optStr(y['source']) ?? 'message', drop_invalid_labels: bool(y['drop_invalid_labels']), overwrite_existing: bool(y['overwrite_existing']) },
    };
  },
  geoip: (c) => {
    const y = map(c) ?? {};
    return { geoip: { db: str(y['db']), source: optStr(y['source']), db_type: str(y['db_type']) } };
  },
};

/** One Promtail stage, or undefined (with a diagnostic) when it cannot be converted. */
export function convertStage(st: unknown, diags: ConvertDiagnostics): Obj | undefined {
  const stage = map(st);
  if (!stage) {
    diags.critical(
      'invalid input YAML config, make sure each stage of your pipeline is a YAML object (must end with a `:`), ' +
        `check stage \`- ${goFormatValue(st)}\``,
    );
    return undefined;
  }
  const keys = Object.keys(stage);
  if (keys.length !== 1) {
    diags.critical(`each pipeline stage must contain exactly one key, got: ${goFormatValue(st)}`);
    return undefined;
  }
  const name = keys[0]!;
  const convert = CONVERTERS[name];
  if (!convert) {
    diags.error(`The converter does not support converting the provided pipeline stage: ${goFormatValue(st)}`);
    return undefined;
  }
  return convert(stage[name], diags, st);
}

function convertDrop(c: unknown, diags: ConvertDiagnostics): Obj | undefined {
  const y = map(c) ?? {};
  let source = '';
  const src = y['source'];
  if (Array.isArray(src)) {
    const parts: string[] = [];
    for (const [i, v] of src.entries()) {
      if (typeof v !== 'string') {
        diags.error(`invalid pipeline_stages.drop.source[${i}] field type '${goTypeName(v)}': ${goFormatValue(v)}`);
        return undefined;
      }
      parts.push(v);
    }
    source = parts.join(',');
  } else if (typeof src === 'string') {
    source = src;
  } else if (src !== undefined && src !== null) {
    diags.error(`invalid pipeline_stages.drop.source field type '${goTypeName(src)}': ${goFormatValue(src)}`);
    return undefined;
  }
  let olderThan = new Duration(0n);
  if (y['older_than'] !== undefined) {
    try {
      olderThan = goDuration(str(y['older_than']));
    } catch (e) {
      diags.error(`invalid pipeline_stages.drop.older_than field: ${(e as Error).message}`);
      return undefined;
    }
  }
  let longerThan = 0;
  if (y['longer_than'] !== undefined) {
    try {
      longerThan = parseByteSize(str(y['longer_than']));
    } catch (e) {
      diags.error(`invalid pipeline_stages.drop.longer_than field: ${(e as Error).message}`);
      return undefined;
    }
  }
  return {
    drop: {
      drop_counter_reason: str(y['drop_counter_reason']),
      source,
      value: str(y['value']),
      separator: str(y['separator']),
      expression: str(y['expression']),
      older_than: olderThan,
      longer_than: new Bytes(longerThan),
    },
  };
}

function convertMetrics(c: unknown, diags: ConvertDiagnostics): Obj | undefined {
  const metrics = map(c) ?? {};
  const out: Obj[] = [];
  for (const name of Object.keys(metrics).sort()) {
    const m = map(metrics[name]) ?? {};
    let maxIdle = new Duration(0n);
    const idle = optStr(m['max_idle_duration']);
    if (idle !== undefined) {
      try {
        maxIdle = goDuration(idle);
      } catch (e) {
        diags.error(`failed to parse duration: ${idle} - ${(e as Error).message}`);
        return undefined;
      }
    }
    const cfg = map(m['config']) ?? {};
    const common: Obj = {
      name,
      description: str(m['description']),
      source: str(m['source']),
      prefix: str(m['prefix']),
      max_idle_duration: maxIdle,
      value: str(cfg['value']),
    };
    switch (str(m['type']).toLowerCase()) {
      case 'counter':
        out.push({ counter: { ...common, action: str(cfg['action']), match_all: bool(cfg['match_all']), count_entry_bytes: bool(cfg['count_entry_bytes']) } });
        break;
      case 'gauge':
        out.push({ gauge: { ...common, action: str(cfg['action']) } });
        break;
      case 'histogram':
        out.push({ histogram: { ...common, buckets: (list(cfg['buckets']) ?? []).map((b) => new Float(Number(b))) } });
        break;
      default:
        out.push({});
    }
  }
  return { metrics: { metric: out } };
}

function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (v !== null && typeof v === 'object') return 'map[interface {}]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

export type { YamlMap };
