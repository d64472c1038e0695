/**
 * Loading a configuration path the way `alloy run` / `alloy validate` do
 * (readConfigPath in src/runtime/sources.ts), with fs failures worded like
 * Go's PathError and naming the path as the user wrote it.
 */
import { readConfigPath, type RawConfigFile } from '../runtime/sources.js';
import { fsError, type CliIO } from './io.js';

export type ConfigSource = RawConfigFile;

export function loadConfigSources(target: string, io: CliIO): Promise<ConfigSource[]> {
  return readConfigPath(target, io.cwd ?? process.cwd(), fsError);
}
