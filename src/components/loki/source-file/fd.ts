/**
 * The file calls of the tailers, on plain descriptors through node:fs's
 * callback API. With thousands of files every call counts: a FileHandle call
 * of node:fs/promises costs about twice the CPU of the same callback call
 * (measured here: 10,000 × open, fstat, read, close took 0.8-1.1 CPU-s with
 * FileHandle, 0.5 with callbacks), mostly in FileHandle's bookkeeping.
 *
 * A descriptor is closed explicitly by its one owner (file-follower's
 * OpenFile), never while a call on it is in flight: the number could
 * otherwise be reused by another open meanwhile.
 */
import { close, fstat, open, read, stat, type Stats } from 'node:fs';

export function openReadOnly(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

export function fstatFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (err, stats) => (err ? reject(err) : resolve(stats))));
}

export function statPath(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(path, (err, stats) => (err ? reject(err) : resolve(stats))));
}

/** Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves with the count read. */
export function readAt(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}
