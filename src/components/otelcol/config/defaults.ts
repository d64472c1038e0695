/** The decoded value of a block written empty: its defaults, as declared once in its schema. */
import { defaultsOf, optionalBlock, type BlockField, type BlockSchema } from '../../../lang/schema.js';
import { SourceFile } from '../../../lang/position.js';

const NO_SOURCE = SourceFile.fromString('defaults', '');

export function defaultsFor<T>(s: BlockSchema<T>): T {
  return defaultsOf(s, {
    source: NO_SOURCE,
    evaluate: () => {
      throw new Error('an empty block evaluates no expression');
    },
  });
}

/** An optional block that, absent, decodes as if written empty. */
export function blockOrDefaults<T>(s: BlockSchema<T>): BlockField<T, 'optional'> {
  return optionalBlock(s, () => defaultsFor(s));
}
