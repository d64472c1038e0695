import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStages, extractedOf, run } from './helpers.js';
import { buildMmdb } from './mmdb-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-geoip-'));

function db(name: string, type: string, networks: Parameters<typeof buildMmdb>[1]): string {
  const file = path.join(dir, name);
  writeFileSync(file, buildMmdb(type, networks));
  return file;
}

const CITY = {
  city: { names: { en: 'Kansas City' } },
  continent: { code: 'NA', names: { en: 'North America' } },
  country: { iso_code: 'US', names: { en: 'United States' } },
  location: { latitude: 39.1027, longitude: -94.5778, time_zone: 'America/Chicago' },
  postal: { code: '64184' },
  subdivisions: [{ iso_code: 'MO', names: { en: 'Missouri' } }],
  MyCompany: { DeptName: 'eng' },
};

describe('stage.geoip', () => {
  it('sets the city fields and custom lookups', async () => {
    const file = db('city.mmdb', 'GeoLite2-City', { '34.120.177.0/24': CITY });
    const body = `stage.json { expressions = { ip = "client_ip" } }
      stage.geoip {
        source         = "ip"
        db             = ${JSON.stringify(file)}
        db_type        = "city"
        custom_lookups = { department = "MyCompany.DeptName", missing = "MyCompany.Nope" }
      }`;
    const [hit, miss, notIp] = await run(body, ['{"client_ip":"34.120.177.193"}', '{"client_ip":"10.0.0.1"}', '{"client_ip":"nope"}']);
    const { ip: _ip, ...fields } = extractedOf(hit!);
    expect(fields).toEqual({
      geoip_city_name: 'Kansas City',
      geoip_country_name: 'United States',
      geoip_country_code: 'US',
      geoip_continent_name: 'North America',
      geoip_continent_code: 'NA',
      geoip_location_latitude: 39.1027,
      geoip_location_longitude: -94.5778,
      geoip_postal_code: '64184',
      geoip_timezone: 'America/Chicago',
      geoip_subdivision_name: 'Missouri',
      geoip_subdivision_code: 'MO',
      department: 'eng',
    });
    expect(Object.keys(extractedOf(miss!))).toEqual(['ip']);
    expect(Object.keys(extractedOf(notIp!))).toEqual(['ip']);
  });

  it('sets the ASN fields', async () => {
    const file = db('asn.mmdb', 'GeoLite2-ASN', { '34.120.0.0/16': { autonomous_system_number: { uint32: 396982 }, autonomous_system_organization: 'GOOGLE-CLOUD-PLATFORM' } });
    const body = `stage.geoip {\n source = "ip"\n db = ${JSON.stringify(file)}\n db_type = "asn"\n}`;
    const [e] = await run(body, ['x'], { ip: '34.120.177.193' }); // the extracted map starts with the labels
    expect(extractedOf(e!)).toMatchObject({ geoip_autonomous_system_number: 396982, geoip_autonomous_system_organization: 'GOOGLE-CLOUD-PLATFORM' });
  });

  it('validates its arguments, and fails to build without a database', async () => {
    expect(decodeStages('stage.geoip {\n source = "ip"\n db = "x.mmdb"\n}').error).toBe('1:1: db type or values need to be set');
    expect(decodeStages('stage.geoip {\n source = "ip"\n db = "x.mmdb"\n db_type = "isp"\n}').error).toBe('1:1: db type should be either city or asn');
    await expect(run('stage.geoip {\n source = "ip"\n db = "/nonexistent.mmdb"\n db_type = "city"\n}', ['x'])).rejects.toThrow(/opening GeoIP database \/nonexistent.mmdb/);
  });
});
