/**
 * Loading a configuration path the way `alloy run` / `alloy validate` do: a
 * single file, or every `*.alloy` file directly inside a directory (no
 * recursion), in sorted-name order.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsCall, resolvePath, type CliIO } from './io.js';

export interface ConfigSource {
  /** Name used in diagnostics: the path as given, or `<dir>/<file>` for a directory. */
  name: string;
  bytes: Uint8Array;
}

export async function loadConfigSources(target: string, io: CliIO): Promise<ConfigSource[]> {
  const absolute = resolvePath(io, target);
  const info = await fsCall(target, stat(absolute));
  if (!info.isDirectory()) return [await readSource(target, absolute)];

  const entries = await fsCall(target, readdir(absolute, { withFileTypes: true }));
  const names = entries
    .filter((e) => !e.isDirectory() && e.name.endsWith('.alloy'))
    .map((e) => e.name)
    .sort(compareBytes);
  return Promise.all(names.map((n) => readSource(path.join(target, n), path.join(absolute, n))));
}

async function readSource(name: string, absolute: string): Promise<ConfigSource> {
  return { name, bytes: await fsCall(name, readFile(absolute)) };
}

/** Byte-wise name order, as Go's directory walk uses (not locale order). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
