/**
 * CRC-32 (IEEE) of WAL records: node:zlib's crc32 where the runtime has it
 * (Node 20.15+, 22.2+), else a table-driven implementation of the same
 * polynomial (0xEDB88320, reflected).
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array): number {
  table ??= buildTable();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

export const crc32: Crc32 = native ? (data) => native(data) : tableCrc32;
/** Exported for the test that checks both agree. */
export const crc32Portable: Crc32 = tableCrc32;
