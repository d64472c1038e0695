/**
 * A catalogue of the components Grafana Alloy registers (facts only: names,
 * stability levels, export names), so that alloy-ts can tell a component
 * Alloy has but alloy-ts does not implement from a name nobody knows.
 *
 * - `validate` reports components alloy-ts does not implement as not
 *   supported; with `--target=alloy` it accepts them without checking
 *   their arguments (it has no schema for them), as Alloy would.
 * - `run` refuses them with the same "not supported by alloy-ts" message.
 *
 * Names and stability levels are generated from Alloy's Go source
 * (alloy-component-names.ts, by scripts/gen-alloy-components.mjs: every
 * component.Register call linked into Alloy's linux/amd64 build at the
 * commit ../shared/conformance uses). Export names are recorded for the
 * components whose exports are well known; `undefined` means "not recorded"
 * and references into the component are not checked.
 */
import type { Stability } from './component.js';
import { ALLOY_REGISTERED_COMPONENTS, COMMUNITY } from './alloy-component-names.js';

export interface AlloyComponentInfo {
  readonly name: string;
  /** Undefined for community components, which have no stability level. */
  readonly stability?: Stability;
  /** A community component: usable only with --feature.community-components.enabled. */
  readonly community?: boolean;
  /** Names of the component's exports, when recorded. */
  readonly exports?: readonly string[];
}

/** Export names of well-known components (by exact name). */
const EXPORTS: Record<string, readonly string[]> = {
  'discovery.relabel': ['output', 'rules'],
  'local.file': ['content'],
  'local.file_match': ['targets'],
  'loki.echo': ['receiver'],
  'loki.enrich': ['receiver'],
  'loki.process': ['receiver'],
  'loki.relabel': ['receiver', 'rules'],
  'loki.secretfilter': ['receiver'],
  'loki.write': ['receiver'],
  'prometheus.relabel': ['receiver', 'rules'],
  'prometheus.remote_write': ['receiver'],
  'pyroscope.write': ['receiver'],
  'remote.http': ['content'],
};

/** Export names shared by whole families of components. */
function familyExports(name: string): readonly string[] | undefined {
  if (name.startsWith('discovery.') && name !== 'discovery.relabel' && name !== 'discovery.remote_relabel') return ['targets'];
  if (name.startsWith('prometheus.exporter.')) return ['targets'];
  if (name.startsWith('otelcol.exporter.') || name.startsWith('otelcol.processor.') || name.startsWith('otelcol.connector.')) {
    return ['input'];
  }
  if (name.startsWith('otelcol.auth.')) return ['handler'];
  return undefined;
}

const CATALOGUE: ReadonlyMap<string, AlloyComponentInfo> = (() => {
  const out = new Map<string, AlloyComponentInfo>();
  for (const [name, level] of ALLOY_REGISTERED_COMPONENTS) {
    const exports = EXPORTS[name] ?? familyExports(name);
    const kind = level === COMMUNITY ? { community: true } : { stability: level };
    out.set(name, { name, ...kind, ...(exports ? { exports } : {}) });
  }
  return out;
})();

/** What the catalogue knows of an Alloy component, or undefined for a name Alloy does not have. */
export function alloyComponent(name: string): AlloyComponentInfo | undefined {
  return CATALOGUE.get(name);
}

/** Every catalogued component name, sorted. */
export function alloyComponentNames(): string[] {
  return [...CATALOGUE.keys()].sort();
}

/**
 * Alloy's runtime services. A block whose id (name, plus label if any) is a
 * service name configures that service instead of being a component;
 * services without configuration reject such a block.
 */
export const ALLOY_SERVICES: ReadonlyMap<string, { configurable: boolean }> = new Map([
  ['cluster', { configurable: false }],
  ['http', { configurable: true }],
  ['labelstore', { configurable: false }],
  ['livedebugging', { configurable: true }],
  ['otel', { configurable: false }],
  ['remotecfg', { configurable: true }],
  ['ui', { configurable: false }],
]);
