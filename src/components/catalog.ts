/**
 * Where each built-in component is declared, by name, loaded on demand: a
 * command that needs only the components a config names (`validate`) imports
 * those declarations and nothing else (issue 20: loading every declaration,
 * with the stage, OpenTelemetry and Docker code they reach, was a third of
 * validate's time). `index.ts` registers the same components eagerly for the
 * commands that may meet any of them; test/components/catalog.test.ts keeps
 * the two lists equal.
 */
import { ComponentRegistry, type ComponentDefinition } from '../runtime/component.js';

type DeclarationLoader = () => Promise<ComponentDefinition>;

export const COMPONENT_DECLARATIONS: Readonly<Record<string, DeclarationLoader>> = {
  'discovery.docker': async () => (await import('./discovery/docker.js')).discoveryDocker,
  'discovery.relabel': async () => (await import('./discovery/relabel.js')).discoveryRelabel,
  'local.file': async () => (await import('./local/file.js')).localFile,
  'local.file_match': async () => (await import('./local/file-match.js')).localFileMatch,
  'loki.echo': async () => (await import('./loki/echo.js')).lokiEcho,
  'loki.enrich': async () => (await import('./loki/enrich.js')).lokiEnrich,
  'loki.process': async () => (await import('./loki/process.js')).lokiProcess,
  'loki.relabel': async () => (await import('./loki/relabel.js')).lokiRelabel,
  'loki.secretfilter': async () => (await import('./loki/secretfilter.js')).lokiSecretFilter,
  'loki.source.api': async () => (await import('./loki/source-api.js')).lokiSourceApi,
  'loki.source.docker': async () => (await import('./loki/source-docker.js')).lokiSourceDocker,
  'loki.source.file': async () => (await import('./loki/source-file.js')).lokiSourceFile,
  'loki.source.journal': async () => (await import('./loki/source-journal.js')).lokiSourceJournal,
  'loki.source.syslog': async () => (await import('./loki/source-syslog.js')).lokiSourceSyslog,
  'loki.write': async () => (await import('./loki/write.js')).lokiWrite,
  'otelcol.auth.basic': async () => (await import('./otelcol/auth-basic.js')).otelcolAuthBasic,
  'otelcol.auth.headers': async () => (await import('./otelcol/auth-headers.js')).otelcolAuthHeaders,
  'otelcol.exporter.debug': async () => (await import('./otelcol/exporter-debug.js')).otelcolExporterDebug,
  'otelcol.exporter.loki': async () => (await import('./otelcol/exporter-loki.js')).otelcolExporterLoki,
  'otelcol.exporter.otlp': async () => (await import('./otelcol/exporter-otlp.js')).otelcolExporterOtlp,
  'otelcol.exporter.otlphttp': async () => (await import('./otelcol/exporter-otlphttp.js')).otelcolExporterOtlphttp,
  'otelcol.exporter.prometheus': async () => (await import('./otelcol/exporter-prometheus.js')).otelcolExporterPrometheus,
  'otelcol.processor.attributes': async () => (await import('./otelcol/processor-attributes.js')).otelcolProcessorAttributes,
  'otelcol.processor.batch': async () => (await import('./otelcol/processor-batch.js')).otelcolProcessorBatch,
  'otelcol.processor.memory_limiter': async () => (await import('./otelcol/processor-memory-limiter.js')).otelcolProcessorMemoryLimiter,
  'otelcol.receiver.loki': async () => (await import('./otelcol/receiver-loki.js')).otelcolReceiverLoki,
  'otelcol.receiver.otlp': async () => (await import('./otelcol/receiver-otlp.js')).otelcolReceiverOtlp,
  'otelcol.receiver.prometheus': async () => (await import('./otelcol/receiver-prometheus.js')).otelcolReceiverPrometheus,
  'prometheus.exporter.cadvisor': async () => (await import('./prometheus/exporter-cadvisor.js')).prometheusExporterCadvisor,
  'prometheus.exporter.self': async () => (await import('./prometheus/exporter-self.js')).prometheusExporterSelf,
  'prometheus.exporter.unix': async () => (await import('./prometheus/exporter-unix.js')).prometheusExporterUnix,
  'prometheus.relabel': async () => (await import('./prometheus/relabel.js')).prometheusRelabel,
  'prometheus.remote_write': async () => (await import('./prometheus/remote-write.js')).prometheusRemoteWrite,
  'prometheus.scrape': async () => (await import('./prometheus/scrape.js')).prometheusScrape,
};

/**
 * A registry holding the built-in components among `names` (other names are
 * left out: they are custom components, blocks inside components, or unknown,
 * which the validator reports from the registry as it does for any name).
 */
export async function registryOfNames(names: Iterable<string>): Promise<ComponentRegistry> {
  const wanted = [...new Set(names)].filter((name) => Object.hasOwn(COMPONENT_DECLARATIONS, name));
  const defs = await Promise.all(wanted.map((name) => COMPONENT_DECLARATIONS[name]!()));
  return new ComponentRegistry().register(...defs);
}
