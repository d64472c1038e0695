import { describe, expect, it } from 'vitest';
import { attr, attrDefault, defaultedBlock, defaultsOf, optional, optionalBlock, schema, t, type BlockSchema } from '../../src/lang/schema.js';
import { decodeFirstBlock } from '../support/decode-block.js';

/** Decodes the body of `b { … }` written in `text` with `s`; the diagnostic as `line:col: message`. */
function decodeText<T>(s: BlockSchema<T>, text: string): { value?: T; error?: string } {
  const r = decodeFirstBlock(s, `b {\n${text}\n}\n`);
  if (r.diagnostic) return { error: `${r.diagnostic.start.line}:${r.diagnostic.start.column}: ${r.diagnostic.message}` };
  return { value: r.value };
}

const Queue = schema(
  {
    capacity: attr(t.bytes, '10MiB'),
    drain_timeout: attr(t.duration, '15s'),
    min_shards: attr(t.int, 1),
  },
  (q) => (q.min_shards <= 0 ? 'min_shards must be greater than 0' : undefined),
);

const Args = schema({
  queue: defaultedBlock(Queue),
  tls: optionalBlock(schema({ insecure: attr(t.bool, false) })),
});

describe('defaultedBlock', () => {
  it('reads an absent block as its schema defaults, decoded like written values', () => {
    const r = decodeText(Args, '');
    expect(r.error).toBeUndefined();
    expect(r.value!.queue).toEqual({ capacity: 10 * 1024 * 1024, drain_timeout: 15_000, min_shards: 1 });
  });

  it('fills the attributes a written block leaves out from the same schema', () => {
    const r = decodeText(Args, '  queue {\n    drain_timeout = "1m"\n  }');
    expect(r.value!.queue).toEqual({ capacity: 10 * 1024 * 1024, drain_timeout: 60_000, min_shards: 1 });
  });

  it('still checks a written block (position of the offending block)', () => {
    expect(decodeText(Args, '  queue {\n    min_shards = 0\n  }').error).toBe('2:3: min_shards must be greater than 0');
    expect(decodeText(Args, '  queue {}\n  queue {}').error).toBe('3:3: block "queue" may only be specified once');
  });

  it('leaves a plain optional block undefined when absent', () => {
    const r = decodeText(Args, '');
    expect(r.value!.tls).toBeUndefined();
    expect(decodeText(Args, '  tls {}').value!.tls).toEqual({ insecure: false });
  });
});

describe('defaultsOf', () => {
  it('is the value of a block written empty, without a source to decode', () => {
    expect(defaultsOf(Queue)).toEqual({ capacity: 10 * 1024 * 1024, drain_timeout: 15_000, min_shards: 1 });
    expect(defaultsOf(Args)).toEqual({ queue: { capacity: 10 * 1024 * 1024, drain_timeout: 15_000, min_shards: 1 }, tls: undefined });
  });

  it('says which attribute a schema requires', () => {
    expect(() => defaultsOf(schema({ url: attr(t.string) }))).toThrow('missing required attribute "url"');
  });
});

describe('attrDefault', () => {
  it('decodes one attribute default like a written value', () => {
    expect(attrDefault(Queue.fields.capacity)).toBe(10 * 1024 * 1024);
    expect(attrDefault(Queue.fields.drain_timeout)).toBe(15_000);
    expect(() => attrDefault(optional(t.string) as never)).toThrow('has no default');
  });
});
