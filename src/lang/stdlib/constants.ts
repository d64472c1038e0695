/**
 * The `constants` object: host name, Go-style OS and architecture names and
 * the build version normalised to `vX.Y.Z` (stdlib/constants.go).
 */
import { arch, hostname, platform } from 'node:os';
import { objectValue, stringValue, type ObjectValue } from '../value.js';

/** Node platform → Go GOOS. */
const GOOS: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
/** Node arch → Go GOARCH. */
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le', mipsel: 'mipsle' };

let buildVersion = '';

/** Sets the version reported by `constants.version` (call before evaluating). */
export function setBuildVersion(version: string): void {
  buildVersion = version;
}

/**
 * Go normalizeVersion: "" → "v0.0.0"; a version that parses as (tolerant)
 * semver → "v" + canonical form; anything else unchanged.
 */
export function normalizeVersion(version: string): string {
  const v = version.trim();
  if (v === '') return 'v0.0.0';
  const m = /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) return v;
  const num = (s: string | undefined): string => String(Number(s ?? '0'));
  return `v${num(m[1])}.${num(m[2])}.${num(m[3])}${m[4] ?? ''}${m[5] ?? ''}`;
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return '';
  }
}

/** The constants object (computed on each lookup so setBuildVersion takes effect). */
export function constantsValue(): ObjectValue {
  return objectValue({
    hostname: stringValue(safeHostname()),
    os: stringValue(GOOS[platform()] ?? platform()),
    arch: stringValue(GOARCH[arch()] ?? arch()),
    version: stringValue(normalizeVersion(buildVersion)),
  });
}
