/**
 * The `encoding` namespace (grafana/alloy syntax/internal/stdlib/stdlib.go): JSON and YAML decoding, JSON encoding
 * of objects, base64 (standard and URL alphabets, padded, Go's error texts)
 * and URL query escaping (Go url.QueryEscape / QueryUnescape).
 */
import { bytesValue, stringValue, type FunctionValue, type Value } from '../value.js';
import { T } from '../value-decode.js';
import { goQuote } from '../../go/strconv.js';
import { typedFunc } from './func.js';
import { encodeJson, parseJson } from './json.js';
import { parseYaml } from './yaml.js';
import { STD_ALPHABET, URL_ALPHABET, base64Decode, base64Encode } from './base64.js';

/** Go url.QueryEscape: unreserved characters stay, space becomes '+', the rest %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go url.QueryUnescape, including its `invalid URL escape "%zz"` error. */
export function queryUnescape(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out.push(0x20);
    else if (b !== 0x25) out.push(b);
    else {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        const bad = bytes.subarray(i, i + 3).toString('utf8');
        throw new Error(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push(parseInt(hex, 16));
      i += 2;
    }
  }
  return Buffer.from(out).toString('utf8');
}

const ANY_ERR = 'func(string) (interface {}, error)';

/** Functions of the `encoding` namespace. */
export function encodingFunctions(): Record<string, FunctionValue> {
  const fromString = (name: string, goType: string, fn: (s: string) => Value): FunctionValue =>
    typedFunc({ name: `encoding.${name}`, goType, params: [T.string] }, fn);
  const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');
  return {
    from_json: fromString('from_json', ANY_ERR, (s) => parseJson(s)),
    from_yaml: fromString('from_yaml', ANY_ERR, (s) => parseYaml(s)),
    from_base64: fromString('from_base64', ANY_ERR, (s) => bytesValue(base64Decode(s, STD_ALPHABET))),
    from_URLbase64: fromString('from_URLbase64', ANY_ERR, (s) => bytesValue(base64Decode(s, URL_ALPHABET))),
    to_base64: fromString('to_base64', ANY_ERR, (s) => stringValue(base64Encode(text(s), STD_ALPHABET))),
    to_URLbase64: fromString('to_URLbase64', ANY_ERR, (s) => stringValue(base64Encode(text(s), URL_ALPHABET))),
    url_encode: fromString('url_encode', 'func(string) string', (s) => stringValue(queryEscape(s))),
    url_decode: fromString('url_decode', 'func(string) (string, error)', (s) => stringValue(queryUnescape(s))),
    to_json: typedFunc(
      { name: 'encoding.to_json', goType: 'func(interface {}) (string, error)', params: [T.any] },
      (v: Value) => {
        if (v.type !== 'object') throw new Error('jsonEncode only supports map');
        return stringValue(encodeJson(v));
      },
    ),
  };
}
