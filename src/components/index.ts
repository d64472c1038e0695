/** Every built-in component, registered by name. */
import { ComponentRegistry } from '../runtime/component.js';
import { discoveryDocker } from './discovery/docker.js';
import { discoveryRelabel } from './discovery/relabel.js';
import { localFile } from './local/file.js';
import { localFileMatch } from './local/file-match.js';
import { lokiEcho } from './loki/echo.js';
import { lokiEnrich } from './loki/enrich.js';
import { lokiProcess } from './loki/process.js';
import { lokiRelabel } from './loki/relabel.js';
import { lokiSecretFilter } from './loki/secretfilter.js';
import { lokiSourceApi } from './loki/source-api.js';
import { lokiSourceDocker } from './loki/source-docker.js';
import { lokiSourceFile } from './loki/source-file.js';
import { lokiSourceJournal } from './loki/source-journal.js';
import { lokiSourceSyslog } from './loki/source-syslog.js';
import { lokiWrite } from './loki/write.js';
import { otelcolAuthBasic } from './otelcol/auth-basic.js';
import { otelcolAuthHeaders } from './otelcol/auth-headers.js';
import { otelcolExporterDebug } from './otelcol/exporter-debug.js';
import { otelcolExporterLoki } from './otelcol/exporter-loki.js';
import { otelcolExporterOtlp } from './otelcol/exporter-otlp.js';
import { otelcolExporterOtlphttp } from './otelcol/exporter-otlphttp.js';
import { otelcolExporterPrometheus } from './otelcol/exporter-prometheus.js';
import { otelcolProcessorAttributes } from './otelcol/processor-attributes.js';
import { otelcolProcessorBatch } from './otelcol/processor-batch.js';
import { otelcolProcessorMemoryLimiter } from './otelcol/processor-memory-limiter.js';
import { otelcolReceiverLoki } from './otelcol/receiver-loki.js';
import { otelcolReceiverOtlp } from './otelcol/receiver-otlp.js';
import { otelcolReceiverPrometheus } from './otelcol/receiver-prometheus.js';
import { prometheusExporterCadvisor } from './prometheus/exporter-cadvisor.js';
import { prometheusExporterSelf } from './prometheus/exporter-self.js';
import { prometheusExporterUnix } from './prometheus/exporter-unix.js';
import { prometheusRelabel } from './prometheus/relabel.js';
import { prometheusRemoteWrite } from './prometheus/remote-write.js';
import { prometheusScrape } from './prometheus/scrape.js';

export function builtinComponents(): ComponentRegistry {
  return new ComponentRegistry().register(
    discoveryDocker,
    discoveryRelabel,
    localFile,
    localFileMatch,
    lokiEcho,
    lokiEnrich,
    lokiProcess,
    lokiRelabel,
    lokiSecretFilter,
    lokiSourceApi,
    lokiSourceDocker,
    lokiSourceFile,
    lokiSourceJournal,
    lokiSourceSyslog,
    lokiWrite,
    otelcolAuthBasic,
    otelcolAuthHeaders,
    otelcolExporterDebug,
    otelcolExporterLoki,
    otelcolExporterOtlp,
    otelcolExporterOtlphttp,
    otelcolExporterPrometheus,
    otelcolProcessorAttributes,
    otelcolProcessorBatch,
    otelcolProcessorMemoryLimiter,
    otelcolReceiverLoki,
    otelcolReceiverOtlp,
    otelcolReceiverPrometheus,
    prometheusExporterCadvisor,
    prometheusExporterSelf,
    prometheusExporterUnix,
    prometheusRelabel,
    prometheusRemoteWrite,
    prometheusScrape,
  );
}
