/**
 * Change notifications for tailed files, so that thousands of idle files cost
 * nothing between changes: one fs.watch (inotify on Linux) per directory,
 * shared by every file tailed in it, wakes the tailer of a file that was
 * written, renamed or removed. Promtail and Alloy watch directories with
 * fsnotify for the same reason. Where watching is impossible (an unsupported
 * file system, inotify limits) tailers poll at file_watch's frequencies as
 * before; where it works they still poll now and then (see
 * WATCHED_POLL_MS), because some file systems (NFS, FUSE) change without
 * telling.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** How often a watched idle file is still checked, in case a change went unnoticed. */
export const WATCHED_POLL_MS = 60_000;

type Listener = () => void;

interface DirectoryWatch {
  readonly watcher: FSWatcher;
  /** File name → listeners of the tailers of that file. */
  readonly files: Map<string, Set<Listener>>;
}

const directories = new Map<string, DirectoryWatch>();
/** Directories that could not be watched are not tried again for each file. */
const unwatchable = new Set<string>();

/**
 * Calls `onChange` whenever the file at `file` may have changed. Returns the
 * function that stops it, or undefined when the directory cannot be watched
 * (the caller polls).
 */
export function watchFile(file: string, onChange: Listener): (() => void) | undefined {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const entry = directories.get(dir) ?? startWatching(dir);
  if (!entry) return undefined;
  let listeners = entry.files.get(name);
  if (!listeners) entry.files.set(name, (listeners = new Set()));
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) entry.files.delete(name);
    if (entry.files.size === 0 && directories.get(dir) === entry) {
      directories.delete(dir);
      entry.watcher.close();
    }
  };
}

function startWatching(dir: string): DirectoryWatch | undefined {
  if (unwatchable.has(dir)) return undefined;
  let watcher: FSWatcher;
  try {
    // Not persistent: watching must not keep a stopping agent alive.
    watcher = watch(dir, { persistent: false });
  } catch {
    unwatchable.add(dir);
    return undefined;
  }
  const entry: DirectoryWatch = { watcher, files: new Map() };
  watcher.on('change', (_event, filename) => {
    if (filename == null) notifyAll(entry);
    else for (const listener of entry.files.get(String(filename)) ?? []) listener();
  });
  watcher.on('error', () => {
    // The directory went away or the watch broke: every tailer there falls back to polling.
    watcher.close();
    if (directories.get(dir) === entry) directories.delete(dir);
    notifyAll(entry);
  });
  directories.set(dir, entry);
  return entry;
}

function notifyAll(entry: DirectoryWatch): void {
  for (const listeners of entry.files.values()) for (const listener of listeners) listener();
}

/** Whether `dir` is being watched (tests). */
export function isWatched(dir: string): boolean {
  return directories.has(dir);
}
