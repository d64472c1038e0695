/**
 * Where each built-in component is declared, by name, so that a command
 * loads only the declarations a config uses (issue 20: importing all of
 * them, with the stage, OpenTelemetry and Docker code they reach, was a
 * third of `validate`'s and `run`'s start-up). `index.ts` loads them all from
 * this list for the tools that list every component (lsp, pipeline tests);
 * test/components/catalog.test.ts checks that each name here is the name its
 * declaration gives itself.
 */
import { createRequire } from 'node:module';
import { ComponentRegistry, type ComponentDefinition } from '../runtime/component.js';

/** Component name → [module, relative to this one; exported name]. */
const DECLARED_IN: Readonly<Record<string, readonly [string, string]>> = {
  'discovery.docker': ['./discovery/docker.js', 'discoveryDocker'],
  'discovery.relabel': ['./discovery/relabel.js', 'discoveryRelabel'],
  'local.file': ['./local/file.js', 'localFile'],
  'local.file_match': ['./local/file-match.js', 'localFileMatch'],
  'loki.echo': ['./loki/echo.js', 'lokiEcho'],
  'loki.enrich': ['./loki/enrich.js', 'lokiEnrich'],
  'loki.process': ['./loki/process.js', 'lokiProcess'],
  'loki.relabel': ['./loki/relabel.js', 'lokiRelabel'],
  'loki.secretfilter': ['./loki/secretfilter.js', 'lokiSecretFilter'],
  'loki.source.api': ['./loki/source-api.js', 'lokiSourceApi'],
  'loki.source.docker': ['./loki/source-docker.js', 'lokiSourceDocker'],
  'loki.source.file': ['./loki/source-file.js', 'lokiSourceFile'],
  'loki.source.journal': ['./loki/source-journal.js', 'lokiSourceJournal'],
  'loki.source.syslog': ['./loki/source-syslog.js', 'lokiSourceSyslog'],
  'loki.write': ['./loki/write.js', 'lokiWrite'],
  'otelcol.auth.basic': ['./otelcol/auth-basic.js', 'otelcolAuthBasic'],
  'otelcol.auth.headers': ['./otelcol/auth-headers.js', 'otelcolAuthHeaders'],
  'otelcol.exporter.debug': ['./otelcol/exporter-debug.js', 'otelcolExporterDebug'],
  'otelcol.exporter.loki': ['./otelcol/exporter-loki.js', 'otelcolExporterLoki'],
  'otelcol.exporter.otlp': ['./otelcol/exporter-otlp.js', 'otelcolExporterOtlp'],
  'otelcol.exporter.otlphttp': ['./otelcol/exporter-otlphttp.js', 'otelcolExporterOtlphttp'],
  'otelcol.exporter.prometheus': ['./otelcol/exporter-prometheus.js', 'otelcolExporterPrometheus'],
  'otelcol.processor.attributes': ['./otelcol/processor-attributes.js', 'otelcolProcessorAttributes'],
  'otelcol.processor.batch': ['./otelcol/processor-batch.js', 'otelcolProcessorBatch'],
  'otelcol.processor.memory_limiter': ['./otelcol/processor-memory-limiter.js', 'otelcolProcessorMemoryLimiter'],
  'otelcol.receiver.loki': ['./otelcol/receiver-loki.js', 'otelcolReceiverLoki'],
  'otelcol.receiver.otlp': ['./otelcol/receiver-otlp.js', 'otelcolReceiverOtlp'],
  'otelcol.receiver.prometheus': ['./otelcol/receiver-prometheus.js', 'otelcolReceiverPrometheus'],
  'prometheus.exporter.cadvisor': ['./prometheus/exporter-cadvisor.js', 'prometheusExporterCadvisor'],
  'prometheus.exporter.self': ['./prometheus/exporter-self.js', 'prometheusExporterSelf'],
  'prometheus.exporter.unix': ['./prometheus/exporter-unix.js', 'prometheusExporterUnix'],
  'prometheus.relabel': ['./prometheus/relabel.js', 'prometheusRelabel'],
  'prometheus.remote_write': ['./prometheus/remote-write.js', 'prometheusRemoteWrite'],
  'prometheus.scrape': ['./prometheus/scrape.js', 'prometheusScrape'],
};

type DeclarationLoader = () => Promise<ComponentDefinition>;

/** Component name → its declaration, imported on demand. */
export const COMPONENT_DECLARATIONS: Readonly<Record<string, DeclarationLoader>> = Object.fromEntries(
  Object.entries(DECLARED_IN).map(([name, [module, exported]]) => [
    name,
    async () => (await import(module))[exported] as ComponentDefinition,
  ]),
);

function isBuiltin(name: string): boolean {
  return Object.hasOwn(DECLARED_IN, name);
}

/**
 * A registry holding the built-in components among `names` (other names are
 * left out: they are custom components, blocks inside components, or unknown,
 * which the validator reports from the registry as it does for any name).
 */
export async function registryOfNames(names: Iterable<string>): Promise<ComponentRegistry> {
  const wanted = [...new Set(names)].filter(isBuiltin);
  const defs = await Promise.all(wanted.map((name) => COMPONENT_DECLARATIONS[name]!()));
  return new ComponentRegistry().register(...defs);
}

/**
 * Every built-in component, each declaration loaded the first time the
 * runtime asks for it: `run` pays only for the components its config (and
 * the modules and reloads that follow) use. The runtime asks synchronously,
 * so a declaration is loaded with require(), which Node (≥ 20.19) allows for
 * ES modules without top-level await.
 */
class OnDemandRegistry extends ComponentRegistry {
  private readonly require = createRequire(import.meta.url);

  override get(name: string): ComponentDefinition | undefined {
    const def = super.get(name);
    if (def !== undefined || !isBuiltin(name)) return def;
    const [module, exported] = DECLARED_IN[name]!;
    const loaded = (this.require(module) as Record<string, ComponentDefinition>)[exported]!;
    this.register(loaded);
    return loaded;
  }

  override names(): string[] {
    return [...new Set([...super.names(), ...Object.keys(DECLARED_IN)])].sort();
  }
}

/**
 * The registry `run` uses: on demand where declarations can be required
 * (the compiled modules), else every declaration loaded now (TypeScript
 * sources run by the tests cannot be required).
 */
export async function builtinComponentsOnDemand(): Promise<ComponentRegistry> {
  const compiled = import.meta.url.endsWith('.js') && process.features.require_module === true;
  if (compiled) return new OnDemandRegistry();
  return (await import('./index.js')).builtinComponents();
}
