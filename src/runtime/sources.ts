/**
 * Config sources: a file, or a directory whose *.alloy files (not recursive,
 * sorted by name) form one configuration. Files must be UTF-8 (as Alloy's
 * run/validate insist) and parse without errors.
 */
import { constants, open } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { DiagnosticsError, type Diagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import type { ConfigFile } from './loader.js';

export interface LoadedSource {
  files: ConfigFile[];
  /** Raw bytes by file name (for the diagnostics printer). */
  contents: Map<string, Uint8Array>;
}

/** A config file as read: its name as shown in diagnostics, and its bytes. */
export interface RawConfigFile {
  name: string;
  bytes: Uint8Array;
}

/** Rewords a failed fs call on `shownPath` (the CLI words them like Go's PathError). */
export type FsErrorWording = (err: unknown, shownPath: string) => Error;

/**
 * Reads the files of a config path, as `alloy run` / `alloy validate` do: the
 * file itself, or every `*.alloy` file directly inside a directory (not
 * recursive), in byte order of their names as Go's directory walk returns
 * them. Names are the path as given (`dir/x.alloy`); `cwd` resolves it.
 */
export async function readConfigPath(configPath: string, cwd = process.cwd(), wording?: FsErrorWording): Promise<RawConfigFile[]> {
  const fs = async <T>(shown: string, call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (err) {
      throw wording ? wording(err, shown) : err;
    }
  };
  const read = async (name: string): Promise<RawConfigFile> => ({ name, bytes: await fs(name, readFileOrPipe(path.resolve(cwd, name))) });
  const absolute = path.resolve(cwd, configPath);
  if (!(await fs(configPath, stat(absolute))).isDirectory()) return [await read(configPath)];
  const entries = await fs(configPath, readdir(absolute, { withFileTypes: true }));
  const names = entries
    .filter((e) => !e.isDirectory() && e.name.endsWith('.alloy'))
    .map((e) => e.name)
    .sort(compareBytes);
  return Promise.all(names.map((n) => read(path.join(configPath, n))));
}

const openFd = promisify(open);

/**
 * Reads a file; a named pipe (FIFO) is read through the event loop instead
 * of the thread pool. Opening a FIFO without O_NONBLOCK blocks until a
 * writer appears, and a thread-pool thread blocked that way can neither be
 * cancelled nor let the process exit (SIGTERM while waiting for a config
 * that is a FIFO). Opened non-blocking, Linux reports no hang-up before a
 * writer has connected, so the read still waits for the writer's data.
 */
async function readFileOrPipe(file: string): Promise<Buffer> {
  if (!(await stat(file)).isFIFO()) return readFile(file);
  const fd = await openFd(file, constants.O_RDONLY | constants.O_NONBLOCK);
  const pipe = new Socket({ fd, readable: true, writable: false });
  const chunks: Buffer[] = [];
  for await (const chunk of pipe) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Byte-wise name order (Go's), not JS's UTF-16 order. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Parses config files. Encoding problems are plain errors (Alloy reports
 * them without a position); parse errors are diagnostics.
 */
export function parseConfigFiles(raw: RawConfigFile[]): LoadedSource {
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

/** Rewrites the files read before they are parsed (the CLI's `--config.format` conversion). */
export type SourceTransform = (raw: RawConfigFile[]) => RawConfigFile[];

export async function loadConfigPath(configPath: string, transform?: SourceTransform): Promise<LoadedSource> {
  const raw = await readConfigPath(configPath);
  return parseConfigFiles(transform ? transform(raw) : raw);
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
