/** Every built-in component, registered by name. */
import { ComponentRegistry } from '../runtime/component.js';
import { discoveryDocker } from './discovery/docker.js';
import { discoveryRelabel } from './discovery/relabel.js';
import { localFileMatch } from './local/file-match.js';
import { localFile } from './local/file.js';
import { lokiEcho } from './loki/echo.js';
import { lokiProcess } from './loki/process.js';
import { lokiRelabel } from './loki/relabel.js';
import { lokiSourceDocker } from './loki/source-docker.js';
import { lokiSourceFile } from './loki/source-file.js';
import { lokiWrite } from './loki/write.js';
import { prometheusExporterCadvisor } from './prometheus/exporter-cadvisor.js';
import { prometheusExporterSelf } from './prometheus/exporter-self.js';

export function builtinComponents(): ComponentRegistry {
  return new ComponentRegistry().register(
    discoveryDocker,
    discoveryRelabel,
    localFileMatch,
    localFile,
    lokiEcho,
    lokiProcess,
    lokiRelabel,
    lokiSourceDocker,
    lokiSourceFile,
    lokiWrite,
    prometheusExporterCadvisor,
    prometheusExporterSelf,
  );
}
