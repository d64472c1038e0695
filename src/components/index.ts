/** Every built-in component, registered by name. */
import { ComponentRegistry } from '../runtime/component.js';
import { localFile } from './local/file.js';
import { lokiEcho } from './loki/echo.js';
import { lokiWrite } from './loki/write.js';
import { prometheusExporterSelf } from './prometheus/exporter-self.js';

export function builtinComponents(): ComponentRegistry {
  return new ComponentRegistry().register(
    localFile,
    lokiEcho,
    lokiWrite,
    prometheusExporterSelf,
  );
}
