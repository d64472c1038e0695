/**
 * Loading a configuration path the way `alloy run` / `alloy validate` do
 * (readConfigPath in src/runtime/sources.ts), with fs failures worded like
 * Go's PathError and naming the path as the user wrote it.
 */
import { readConfigPath, type RawConfigFile } from '../runtime/sources.js';
import { CliError, fsError, type CliIO } from './io.js';

export type ConfigSource = RawConfigFile;

export async function loadConfigSources(target: string, io: CliIO): Promise<ConfigSource[]> {
  // Go's os.Stat("") fails; Node would resolve "" to the current directory and validate that.
  if (target === '') throw new CliError('stat : no such file or directory');
  return readConfigPath(target, io.cwd ?? process.cwd(), fsError);
}
