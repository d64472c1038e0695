/**
 * loki.source.file's `decompression`: a compressed file is read once to its
 * end (grafana/alloy internal/component/loki/source/file/tailer.go). Offsets count decompressed bytes, so a restart skips what was
 * delivered; the final line is delivered even without a newline.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { TailEvent } from './file-follower.js';
import { detectBom, LineBuffer, linesEvent, type LineCodec } from './line-codec.js';
import { sleep } from '../../common/until-aborted.js';

export const COMPRESSION_FORMATS = ['gz', 'z', 'bz2'] as const;
export type CompressionFormat = (typeof COMPRESSION_FORMATS)[number];

const CHUNK_BYTES = 256 * 1024;
// unbzip2-stream is loaded only when a bz2 file is read.
const require = createRequire(import.meta.url);

export interface DecompressOptions {
  readonly path: string;
  readonly format: CompressionFormat;
  /** Decompressed bytes already delivered. */
  readonly offset: number;
  readonly codec: LineCodec;
  readonly initialDelayMs: number;
  readonly signal: AbortSignal;
}

/** The lines of a compressed file from `offset` on, ending with its last (possibly partial) line. */
export async function* readCompressed(opts: DecompressOptions): AsyncGenerator<TailEvent, void, undefined> {
  if (opts.initialDelayMs > 0) await sleep(opts.initialDelayMs, opts.signal);
  const stream = decompressedStream(opts.path, opts.format);
  const lines = new LineBuffer(opts.codec, CHUNK_BYTES);
  let position = 0; // decompressed bytes seen
  let skip = opts.offset;
  let lineEnd = opts.offset;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opts.signal.aborted) return;
      if (position === 0) skip = startAfterBom(chunk, lines, opts.codec, skip);
      position += chunk.length;
      const part = skip >= chunk.length ? undefined : chunk.subarray(skip);
      skip = Math.max(0, skip - chunk.length);
      if (!part) continue;
      lines.append(part);
      const taken = lines.take();
      if (taken) {
        lineEnd += taken.bytes;
        yield linesEvent(taken, lineEnd);
      }
    }
    const rest = lines.flush();
    if (rest) yield linesEvent(rest, lineEnd + rest.bytes);
  } finally {
    stream.destroy();
  }
}

/** A BOM at the start of the decompressed data selects the codec and is skipped. */
function startAfterBom(first: Buffer, lines: LineBuffer, codec: LineCodec, skip: number): number {
  const bom = detectBom(first);
  lines.reset(bom?.codec ?? codec);
  return Math.max(skip, bom?.length ?? 0);
}

function decompressedStream(path: string, format: CompressionFormat): Readable {
  const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (format === 'bz2') {
    // unbzip2-stream is an old-style stream; wrap() gives it the Readable interface (errors included).
    const bz = (require('unbzip2-stream') as typeof import('unbzip2-stream'))();
    file.on('error', (err) => bz.emit('error', err));
    return new Readable({ highWaterMark: CHUNK_BYTES }).wrap(file.pipe(bz));
  }
  const inflate: Transform = format === 'gz' ? createGunzip({ chunkSize: CHUNK_BYTES }) : createInflate({ chunkSize: CHUNK_BYTES });
  // pipeline forwards the file's errors to the decompressor, whose iteration then throws.
  pipeline(file, inflate, () => {});
  return inflate;
}
