/**
 * A Promtail YAML config read with Promtail's defaults (the values its flags
 * register, grafana/alloy internal/loki/promtail/… at the conformance
 * snapshot). Only what the converter reads is modelled; the rest stays YAML.
 */
import { Duration } from '../builder.js';
import { checkSdConfigs } from '../discovery.js';
import { bool, goDuration, int, list, map, str, type YamlMap, loadYaml } from '../yaml-input.js';

const secs = (s: number) => new Duration(BigInt(s) * 1_000_000_000n);

/** Top-level keys of promtail's Config struct (yaml.UnmarshalStrict of `config.plain`). */
const TOP_LEVEL_KEYS = [
  'global',
  'server',
  'client',
  'clients',
  'positions',
  'scrape_configs',
  'target_config',
  'limits_config',
  'options',
  'tracing',
  'wal',
];

export interface PromtailClient {
  readonly y: YamlMap;
  readonly name: string;
  readonly url: string;
  readonly batchWait: Duration;
  readonly batchSize: number;
  readonly timeout: Duration;
  readonly minBackoff: Duration;
  readonly maxBackoff: Duration;
  readonly maxRetries: number;
  readonly tenantId: string;
  readonly dropRateLimited: boolean;
  readonly headers: Record<string, string> | undefined;
  readonly externalLabels: Record<string, string>;
}

export interface PromtailLimits {
  readonly readlineRate: number;
  readonly readlineBurst: number;
  readonly readlineRateEnabled: boolean;
  readonly readlineRateDrop: boolean;
  readonly maxStreams: number;
  readonly maxLineSize: number;
  readonly maxLineSizeTruncate: boolean;
}

export interface PromtailConfig {
  readonly raw: YamlMap;
  readonly server: YamlMap;
  readonly clients: PromtailClient[];
  readonly positionsFile: string;
  readonly scrapeConfigs: YamlMap[];
  readonly targetSyncPeriod: Duration;
  readonly stdin: boolean;
  readonly fileWatch: { min: Duration; max: Duration };
  readonly limits: PromtailLimits;
  readonly tracingEnabled: boolean;
  readonly walEnabled: boolean;
}

export function loadPromtailConfig(text: string): PromtailConfig {
  const raw = loadYaml(text, { keys: TOP_LEVEL_KEYS, typeName: 'config.plain' });
  for (const sc of list(raw['scrape_configs']) ?? []) checkSdConfigs(map(sc) ?? {});
  const clients = (list(raw['clients']) ?? []).map((c) => readClient(map(c) ?? {}));
  const single = map(raw['client']);
  if (single && single['url'] !== undefined) clients.push(readClient(single));
  const watch = map(map(raw['global'])?.['file_watch_config']) ?? {};
  const target = map(raw['target_config']) ?? {};
  const limits = map(raw['limits_config']) ?? {};
  return {
    raw,
    server: map(raw['server']) ?? {},
    clients,
    positionsFile: str(map(raw['positions'])?.['filename'], '/var/log/positions.yaml'),
    scrapeConfigs: (list(raw['scrape_configs']) ?? []).map((s) => map(s) ?? {}),
    targetSyncPeriod: goDuration(target['sync_period'], secs(10)),
    stdin: bool(target['stdin']),
    fileWatch: { min: goDuration(watch['min_poll_frequency'], Duration.ms(250)), max: goDuration(watch['max_poll_frequency'], Duration.ms(250)) },
    limits: {
      readlineRate: Number(limits['readline_rate'] ?? 10000),
      readlineBurst: int(limits['readline_burst'], 10000),
      readlineRateEnabled: bool(limits['readline_rate_enabled']),
      readlineRateDrop: bool(limits['readline_rate_drop'], true),
      maxStreams: int(limits['max_streams']),
      maxLineSize: parseByteSize(limits['max_line_size']),
      maxLineSizeTruncate: bool(limits['max_line_size_truncate']),
    },
    tracingEnabled: bool(map(raw['tracing'])?.['enabled'], true),
    walEnabled: bool(map(raw['wal'])?.['enabled']),
  };
}

function readClient(y: YamlMap): PromtailClient {
  const backoff = map(y['backoff_config']) ?? {};
  return {
    y,
    name: str(y['name']),
    url: str(y['url']),
    batchWait: goDuration(y['batchwait'], secs(1)),
    batchSize: int(y['batchsize'], 1024 * 1024),
    timeout: goDuration(y['timeout'], secs(10)),
    minBackoff: goDuration(backoff['min_period'], Duration.ms(500)),
    maxBackoff: goDuration(backoff['max_period'], secs(300)),
    maxRetries: int(backoff['max_retries'], 10),
    tenantId: str(y['tenant_id']),
    dropRateLimited: bool(y['drop_rate_limited_batches']),
    headers: y['headers'] === undefined ? undefined : Object.fromEntries(Object.entries(map(y['headers']) ?? {}).map(([k, v]) => [k, str(v)])),
    externalLabels: Object.fromEntries(Object.entries(map(y['external_labels']) ?? {}).map(([k, v]) => [k, str(v)])),
  };
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * Loki's flagext.ByteSize (c2h5oh/datasize: every unit base 2, "256KB" is
 * 262,144 bytes) — throws with its wording on bad input.
 */
export function parseByteSize(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v;
  const text = String(v);
  const m = /^\s*([0-9.]+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const mult = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new Error(`strconv.UnmarshalText: parsing ${JSON.stringify(text.toUpperCase())}: invalid syntax`);
  return Math.floor(Number(m[1]) * mult);
}
