/**
 * A tiny MaxMind DB writer for tests: an IPv4 database mapping CIDR
 * networks to records (maps, arrays, strings, doubles, unsigned ints), in
 * the MaxMind DB format (24-bit records, data section, metadata).
 */

type Value = string | number | boolean | Value[] | { [k: string]: Value } | { uint32: number } | { uint16: number };

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBits = size;
  const extra: number[] = [];
  if (size >= 29 && size < 285) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size >= 285) {
    sizeBits = 30;
    extra.push((size - 285) >> 8, (size - 285) & 0xff);
  }
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...extra]);
}

function encode(v: Value): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return Buffer.concat([control(3, 8), b]);
  }
  if (typeof v === 'boolean') return control(14, v ? 1 : 0);
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  if ('uint32' in v || 'uint16' in v) {
    const n = (v as { uint32?: number; uint16?: number }).uint32 ?? (v as { uint16: number }).uint16;
    const bytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
    return Buffer.concat([control('uint32' in v ? 6 : 5, bytes.length), Buffer.from(bytes)]);
  }
  const entries = Object.entries(v);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

/** Builds an IPv4 database where each `network` ("a.b.c.d/len") maps to its record. */
export function buildMmdb(databaseType: string, networks: Record<string, Value>): Buffer {
  const nodes: [number, number][] = [[-1, -1]];
  const data: Buffer[] = [];
  let dataSize = 0;
  const leaves: { node: number; bit: number; offset: number }[] = [];
  for (const [cidr, record] of Object.entries(networks)) {
    const [ip, len] = cidr.split('/') as [string, string];
    const addr = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    let node = 0;
    for (let depth = 0; depth < Number(len); depth++) {
      const bit = (addr >>> (31 - depth)) & 1;
      if (depth === Number(len) - 1) {
        leaves.push({ node, bit, offset: dataSize });
        break;
      }
      if (nodes[node]![bit] < 0) {
        nodes.push([-1, -1]);
        nodes[node]![bit] = nodes.length - 1;
      }
      node = nodes[node]![bit];
    }
    const encoded = encode(record);
    data.push(encoded);
    dataSize += encoded.length;
  }
  const count = nodes.length;
  for (const l of leaves) nodes[l.node]![l.bit] = count + 16 + l.offset;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(left < 0 ? count : left, i * 6, 3);
    tree.writeUIntBE(right < 0 ? count : right, i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: { uint32: count },
    record_size: { uint16: 24 },
    ip_version: { uint16: 4 },
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: { uint16: 2 },
    binary_format_minor_version: { uint16: 0 },
    build_epoch: { uint32: 1_700_000_000 },
    description: { en: 'test' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), metadata]);
}
