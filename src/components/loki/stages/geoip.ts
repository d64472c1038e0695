/**
 * stage.geoip: looks the extracted IP up in a MaxMind database (city, ASN or
 * country) and sets Alloy's geoip_* extracted values; `custom_lookups` run
 * JMESPath expressions over the raw record.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { compile, TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import { createRequire } from 'node:module';
import type { Reader } from 'maxmind';
import { describeSchema, attr, optional, schema, t } from '../../../lang/schema.js';
import { sourceName } from './common.js';
import { extractedText, type Extracted } from './entry.js';
import { jsonExtracted } from './json.js';
import { defineStage, eachEntry } from './stage.js';

const Config = schema(
  {
    db: attr(t.string),
    source: attr(sourceName),
    db_type: attr(t.string, ''),
    custom_lookups: optional(t.map(t.string)),
  },
  (c) => {
    if (c.db === '') return 'db path cannot be empty';
    if (c.db_type === '' && !c.custom_lookups) return 'db type or values need to be set';
    if (!['', 'asn', 'city', 'country'].includes(c.db_type)) return 'db type should be either city or asn';
    for (const [k, expr] of Object.entries(c.custom_lookups ?? {})) {
      try {
        compile(expr === '' ? k : expr);
      } catch {
        return 'could not compile JMES expression';
      }
    }
    return undefined;
  },
);

type GeoRecord = Record<string, unknown>;
type Setter = (key: string, value: Extracted) => void;

const names = (o: unknown) => ((o as { names?: Record<string, string> } | undefined)?.names?.['en'] ?? '') as string;
const field = (o: unknown, k: string) => ((o as Record<string, unknown> | undefined)?.[k] ?? '') as string;

function setIf(set: Setter, key: string, value: string): void {
  if (value !== '') set(key, value);
}

function countryFields(r: GeoRecord, set: Setter): void {
  setIf(set, 'geoip_country_name', names(r['country']));
  setIf(set, 'geoip_country_code', field(r['country'], 'iso_code'));
  setIf(set, 'geoip_continent_name', names(r['continent']));
  setIf(set, 'geoip_continent_code', field(r['continent'], 'code'));
}

function cityFields(r: GeoRecord, set: Setter): void {
  countryFields(r, set);
  setIf(set, 'geoip_city_name', names(r['city']));
  setIf(set, 'geoip_postal_code', field(r['postal'], 'code'));
  const loc = (r['location'] ?? {}) as { latitude?: number; longitude?: number; time_zone?: string };
  setIf(set, 'geoip_timezone', loc.time_zone ?? '');
  if ((loc.latitude ?? 0) !== 0 || (loc.longitude ?? 0) !== 0) {
    set('geoip_location_latitude', loc.latitude ?? 0);
    set('geoip_location_longitude', loc.longitude ?? 0);
  }
  const subs = (r['subdivisions'] ?? []) as unknown[];
  const last = subs[subs.length - 1];
  if (last) {
    setIf(set, 'geoip_subdivision_name', names(last));
    setIf(set, 'geoip_subdivision_code', field(last, 'iso_code'));
  }
}

function asnFields(r: GeoRecord, set: Setter): void {
  const asn = (r['autonomous_system_number'] ?? 0) as number;
  if (asn !== 0) set('geoip_autonomous_system_number', asn);
  setIf(set, 'geoip_autonomous_system_organization', field(r, 'autonomous_system_organization'));
}

const BY_TYPE: Record<string, (r: GeoRecord, set: Setter) => void> = { city: cityFields, asn: asnFields, country: countryFields };

export const geoipStage = defineStage({
  name: 'stage.geoip',
  schema: Config,
  build(c, ctx) {
    let reader: Reader<GeoRecord>;
    try {
      reader = new (maxmindReader())<GeoRecord>(readFileSync(c.db));
    } catch (err) {
      throw new Error(`opening GeoIP database ${c.db}: ${(err as Error).message}`);
    }
    const lookups = Object.entries(c.custom_lookups ?? {}).map(([k, expr]) => [k, compile(expr === '' ? k : expr)] as const);
    const fill = BY_TYPE[c.db_type];
    return eachEntry((e) => {
      const ip = extractedText(e, c.source);
      if (ip === undefined) return;
      if (isIP(ip) === 0) {
        ctx.logger.error('source is not an ip', { source: ip });
        return;
      }
      const record = reader.get(ip);
      if (!record) return;
      const set: Setter = (k, v) => e.extracted.set(k, v);
      fill?.(record, set);
      for (const [k, ast] of lookups) {
        const r = TreeInterpreter.search(ast, record as JSONValue);
        if (r !== null && r !== undefined) set(k, jsonExtracted(r));
      }
    });
  },
});

/** maxmind is required on first use: only configs with stage.geoip pay for it. */
let ReaderClass: typeof Reader | undefined;
function maxmindReader(): typeof Reader {
  ReaderClass ??= (createRequire(import.meta.url)('maxmind') as { Reader: typeof Reader }).Reader;
  return ReaderClass;
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  db: 'Path of the MaxMind database file.',
  source: 'Extracted value holding the IP address to look up.',
  db_type: 'Kind of database: city, asn or country.',
  custom_lookups: 'Extra fields read from the database, by name.',
}, 'Looks up the geographic location or ASN of an IP address in a MaxMind database.');
