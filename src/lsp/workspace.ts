/**
 * The files cross-file navigation looks at: the open documents (their
 * current text) and the `.alloy` files on disk under the workspace folders
 * (or, without folders, beside the open files), each parsed once per version
 * or modification time. Bounded: a file count, a size per file, a depth,
 * and a cache of parsed files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlloyDocument, displayName } from './documents.js';
import { buildModel, type FileModel } from './model.js';

export interface WorkspaceFile {
  uri: string;
  doc: AlloyDocument;
  model: FileModel;
}

/** Most files looked at on disk for one request. */
const MAX_FILES = 1000;
/** Larger files are not read (Alloy configs are far smaller). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 8;
/** Parsed files from disk kept between requests. */
const CACHE_LIMIT = 200;

export class Workspace {
  private roots: string[] = [];
  private readonly diskCache = new Map<string, { mtimeMs: number; size: number; file: WorkspaceFile }>();

  constructor(
    /** The open document of a URI (current version), if open. */
    private readonly openFile: (uri: string) => WorkspaceFile | undefined,
    /** URIs of the open documents. */
    private readonly openUris: () => string[],
  ) {}

  /** Folders from `initialize` (workspaceFolders, else rootUri), as file paths. */
  setRoots(uris: readonly string[]): void {
    this.roots = uris.filter((u) => u.startsWith('file:')).map(displayName);
  }

  /** An open document, else the file on disk; undefined when unreadable or too large. */
  load(uri: string): WorkspaceFile | undefined {
    const open = this.openFile(uri);
    if (open) return open;
    if (!uri.startsWith('file:')) return undefined;
    return this.fromDisk(displayName(uri));
  }

  /** Every file to search: open documents first, then files on disk not open. */
  files(): WorkspaceFile[] {
    const out: WorkspaceFile[] = [];
    const seen = new Set<string>();
    for (const uri of this.openUris()) {
      const file = this.openFile(uri);
      if (file) out.push(file);
      seen.add(uri);
    }
    for (const path of this.diskPaths()) {
      const uri = pathToFileURL(path).href;
      if (seen.has(uri)) continue;
      seen.add(uri);
      const file = this.fromDisk(path);
      if (file) out.push(file);
    }
    return out;
  }

  private diskPaths(): string[] {
    const roots = this.roots.length > 0 ? this.roots : this.openUris().filter((u) => u.startsWith('file:')).map((u) => dirname(displayName(u)));
    const out: string[] = [];
    const visited = new Set<string>();
    // Without workspace folders only the open files' own directories are looked at, not below them.
    const depth = this.roots.length > 0 ? MAX_DEPTH : 0;
    for (const root of roots) collectAlloyFiles(root, depth, out, visited);
    return out;
  }

  private fromDisk(path: string): WorkspaceFile | undefined {
    let info;
    try {
      info = statSync(path);
    } catch {
      return undefined;
    }
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return undefined;
    const cached = this.diskCache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.file;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    const uri = pathToFileURL(path).href;
    const doc = new AlloyDocument(uri, 0, text);
    const file = { uri, doc, model: buildModel(doc.file.body) };
    this.diskCache.delete(path);
    this.diskCache.set(path, { mtimeMs: info.mtimeMs, size: info.size, file });
    if (this.diskCache.size > CACHE_LIMIT) this.diskCache.delete(this.diskCache.keys().next().value!);
    return file;
  }
}

function collectAlloyFiles(dir: string, depth: number, out: string[], visited: Set<string>): void {
  if (out.length >= MAX_FILES || visited.has(dir)) return;
  visited.add(dir);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= MAX_FILES) return;
    if (entry.isFile() && entry.name.endsWith('.alloy')) out.push(join(dir, entry.name));
    else if (entry.isDirectory() && depth > 0 && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
      collectAlloyFiles(join(dir, entry.name), depth - 1, out, visited);
    }
  }
}
