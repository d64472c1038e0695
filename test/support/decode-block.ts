/** Decodes the first block of a config text with a schema, as the controller would (no scope but the stdlib). */
import { Scope, evaluateInto } from '../../src/lang/eval.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { decodeBody, type BlockSchema, type DecodeContext } from '../../src/lang/schema.js';
import type { Diagnostic } from '../../src/lang/diag.js';

export function decodeFirstBlock<T>(s: BlockSchema<T>, text: string): { value?: T; diagnostic?: Diagnostic } {
  const source = SourceFile.fromString('main.alloy', text);
  const { file, diagnostics } = parseFile(source);
  if (diagnostics.length > 0) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const block = file.body[0];
  if (block?.kind !== 'Block') throw new Error('no block');
  const ctx: DecodeContext = {
    source,
    evaluate(expr, desc) {
      const r = evaluateInto(expr, new Scope(), source, desc as never);
      return r.ok ? { ok: true, value: r.value } : { ok: false, diagnostic: r.error.diagnostic! };
    },
  };
  return decodeBody(s, block.body, ctx, block);
}
