/**
 * Config sources: a file, or a directory whose *.alloy files (not recursive,
 * sorted by name) form one configuration. Files must be UTF-8 (as Alloy's
 * run/validate insist) and parse without errors.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticsError, type Diagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import type { ConfigFile } from './loader.js';

export interface LoadedSource {
  files: ConfigFile[];
  /** Raw bytes by file name (for the diagnostics printer). */
  contents: Map<string, Uint8Array>;
}

/** Reads the files of a config path: the file itself, or a directory's *.alloy files. */
export async function readConfigPath(configPath: string): Promise<{ name: string; bytes: Uint8Array }[]> {
  const st = await stat(configPath);
  if (!st.isDirectory()) return [{ name: configPath, bytes: await readFile(configPath) }];
  const names = (await readdir(configPath)).filter((n) => n.endsWith('.alloy')).sort();
  return Promise.all(names.map(async (n) => ({ name: path.join(configPath, n), bytes: await readFile(path.join(configPath, n)) })));
}

/**
 * Parses config files. Encoding problems are plain errors (Alloy reports
 * them without a position); parse errors are diagnostics.
 */
export function parseConfigFiles(raw: { name: string; bytes: Uint8Array }[]): LoadedSource {
  const files: ConfigFile[] = [];
  const contents = new Map<string, Uint8Array>();
  const diagnostics: Diagnostic[] = [];
  for (const { name, bytes } of raw) {
    ensureUtf8(bytes);
    const source = new SourceFile(name, bytes);
    const { file, diagnostics: d } = parseFile(source);
    diagnostics.push(...d);
    files.push({ source, file });
    contents.set(name, bytes);
  }
  if (diagnostics.length > 0) throw new DiagnosticsError(diagnostics, contents);
  return { files, contents };
}

export async function loadConfigPath(configPath: string): Promise<LoadedSource> {
  return parseConfigFiles(await readConfigPath(configPath));
}

const BOMS: [number[], string][] = [
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32BE'],
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32LE'],
  [[0xfe, 0xff], 'UTF-16BE'],
  [[0xff, 0xfe], 'UTF-16LE'],
];

function ensureUtf8(bytes: Uint8Array): void {
  for (const [bom, enc] of BOMS) {
    if (bom.every((b, i) => bytes[i] === b)) throw new Error(`configuration is encoded with ${enc} but must be utf8`);
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('unknown encoding for config');
  }
}
