/**
 * Pipeline test files in Alloy's `pipelinetest` format (grafana/alloy
 * internal/pipelinetest/schema.go): `config` (inline Alloy text, or
 * `{ path: … }`), `inputs.loki[]` (entries sent to named receivers) and
 * `assert.loki[]` (`count` and `contains`). alloy-ts adds `inputs.files[]`
 * (files written before the pipeline starts, for sources that tail them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface LokiEntryInput {
  readonly labels: Record<string, string>;
  readonly line: string;
  /** RFC3339; absent = the zero time (as upstream). */
  readonly timestamp?: string;
  readonly structuredMetadata: Record<string, string>;
}

export interface LokiInput {
  readonly components: string[];
  readonly entries: LokiEntryInput[];
}

export interface FileInput {
  /** Where to write it (relative paths to the working directory). */
  readonly path: string;
  readonly lines: string[];
}

export interface MapMatch {
  readonly partial: boolean;
  readonly values: Record<string, string>;
}

export interface LokiMatch {
  readonly line?: string;
  readonly timestamp?: string;
  readonly labels?: MapMatch;
  readonly structuredMetadata?: MapMatch;
}

export interface MetricMatch {
  /** The metric name (`__name__`). */
  readonly name?: string;
  readonly labels?: MapMatch;
  readonly value?: number;
}

/** `count`: exactly N matches; `contains`: at least one. */
export type Assertion<M> = { readonly type: 'count'; readonly count: number; readonly match: M } | { readonly type: 'contains'; readonly match: M };

export type MetricAssertion = Assertion<MetricMatch>;

export type LokiAssertion = Assertion<LokiMatch>;

export interface PipelineTest {
  /** The test file, as given. */
  readonly file: string;
  readonly config: string;
  readonly lokiInputs: LokiInput[];
  readonly fileInputs: FileInput[];
  readonly lokiAssertions: LokiAssertion[];
  /** alloy-ts: assertions on the samples the sink received (`assert.metrics`). */
  readonly metricAssertions: MetricAssertion[];
}

/** A test file that cannot be used as written. */
export class TestFileError extends Error {}

type Y = Record<string, unknown>;

const obj = (v: unknown, what: string): Y => {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TestFileError(`${what} must be a mapping`);
  return v as Y;
};
const arr = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TestFileError(`${what} must be a list`);
  return v;
};
const strMap = (v: unknown, what: string): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v, what)).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]));
const optStr = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

/** Reads and checks one test file; config paths resolve against `workDir`. */
export function loadPipelineTest(file: string, workDir: string): PipelineTest {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TestFileError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const y = obj(doc, 'the test file');
  const inputs = obj(y['inputs'], 'inputs');
  const assert = obj(y['assert'], 'assert');
  return {
    file,
    config: readConfig(y['config'], workDir),
    lokiInputs: arr(inputs['loki'], 'inputs.loki').map((i, n) => lokiInput(obj(i, `inputs.loki[${n}]`), n)),
    fileInputs: arr(inputs['files'], 'inputs.files').map((f, n) => fileInput(obj(f, `inputs.files[${n}]`), n)),
    lokiAssertions: arr(assert['loki'], 'assert.loki').map((a, n) => assertion(obj(a, `assert.loki[${n}]`), n, 'loki', lokiMatch)),
    metricAssertions: arr(assert['metrics'], 'assert.metrics').map((a, n) => assertion(obj(a, `assert.metrics[${n}]`), n, 'metrics', metricMatch)),
  };
}

function readConfig(v: unknown, workDir: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  const m = obj(v, 'config');
  const p = optStr(m['path']);
  if (!p) throw new TestFileError('config mapping requires path');
  try {
    return readFileSync(path.resolve(workDir, p), 'utf8');
  } catch (e) {
    throw new TestFileError(`read config path ${JSON.stringify(p)}: ${(e as Error).message}`);
  }
}

function lokiInput(y: Y, n: number): LokiInput {
  const components = arr(y['components'], `inputs.loki[${n}].components`).map(String);
  const entries = arr(y['entries'], `inputs.loki[${n}].entries`).map((e, i) => {
    const m = obj(e, `inputs.loki[${n}].entries[${i}]`);
    const timestamp = optStr(m['timestamp']);
    if (timestamp !== undefined && Number.isNaN(Date.parse(timestamp))) throw new TestFileError(`parse timestamp ${JSON.stringify(timestamp)}: not RFC3339`);
    return {
      labels: strMap(m['labels'], 'labels'),
      line: String(m['line'] ?? ''),
      ...(timestamp ? { timestamp } : {}),
      structuredMetadata: strMap(m['structured_metadata'], 'structured_metadata'),
    };
  });
  if (entries.length > 0 && components.length === 0) throw new TestFileError(`loki input ${n} requires at least one receiver target`);
  return { components, entries };
}

function fileInput(y: Y, n: number): FileInput {
  const p = optStr(y['path']);
  if (!p) throw new TestFileError(`inputs.files[${n}] requires path`);
  return { path: p, lines: arr(y['lines'], `inputs.files[${n}].lines`).map(String) };
}

function mapMatch(v: unknown, what: string): MapMatch | undefined {
  const m = obj(v, what);
  const values = strMap(m['values'], `${what}.values`);
  if (Object.keys(values).length === 0) return undefined;
  const mode = optStr(m['mode']) ?? 'exact';
  if (mode !== 'exact' && mode !== 'partial') throw new TestFileError(`${what} mode must be "exact" or "partial", got ${JSON.stringify(mode)}`);
  return { partial: mode === 'partial', values };
}

function lokiMatch(v: unknown): LokiMatch {
  const m = obj(v, 'match');
  const timestamp = optStr(m['timestamp']);
  if (timestamp !== undefined && Number.isNaN(Date.parse(timestamp))) throw new TestFileError(`parse match timestamp ${JSON.stringify(timestamp)}: not RFC3339`);
  const labels = mapMatch(m['labels'], 'labels');
  const structuredMetadata = mapMatch(m['structured_metadata'], 'structured_metadata');
  const line = optStr(m['line']);
  return { ...(line !== undefined ? { line } : {}), ...(timestamp ? { timestamp } : {}), ...(labels ? { labels } : {}), ...(structuredMetadata ? { structuredMetadata } : {}) };
}

/** One entry of `assert.<section>`, its match read by `readMatch`. */
function assertion<M extends object>(y: Y, n: number, section: string, readMatch: (v: unknown) => M): Assertion<M> {
  const match = readMatch(y['match']);
  switch (y['type']) {
    case 'count':
      if (typeof y['count'] !== 'number') throw new TestFileError('count requires count');
      return { type: 'count', count: y['count'], match };
    case 'contains':
      if (Object.keys(match).length === 0) throw new TestFileError('contains requires at least one match field');
      return { type: 'contains', match };
    default:
      throw new TestFileError(`unknown assertion type ${JSON.stringify(y['type'])} (assert.${section}[${n}])`);
  }
}

function metricMatch(v: unknown): MetricMatch {
  const m = obj(v, 'match');
  const name = optStr(m['name']);
  const labels = mapMatch(m['labels'], 'labels');
  const value = m['value'] === undefined || m['value'] === null ? undefined : Number(m['value']);
  if (value !== undefined && Number.isNaN(value) && String(m['value']).toLowerCase() !== 'nan') throw new TestFileError(`match value ${JSON.stringify(m['value'])} is not a number`);
  return { ...(name !== undefined ? { name } : {}), ...(labels ? { labels } : {}), ...(value !== undefined ? { value } : {}) };
}
