/**
 * Alloy arguments and blocks alloy-ts does not implement: written in a
 * config, they fail the load with a message that says so and where, never
 * silently ignored. Absent, they change nothing.
 */
import { describeSchema, attr, optional, optionalBlock, schema, t, type AttrField, type BlockField, type BlockSchema, type Field } from '../../../lang/schema.js';

function unsupportedMessage(what: string): string {
  return `${what} is not supported by alloy-ts`;
}

/** An optional attribute that is refused when written. */
export function notSupported(what: string): AttrField<undefined, false> {
  return optional({
    ...t.any,
    name: 'any',
    from: (): never => {
      throw new Error(unsupportedMessage(what));
    },
  } as unknown as typeof t.any) as unknown as AttrField<undefined, false>;
}

/**
 * A schema that accepts any attribute (so the message below is the one
 * reported, not "unrecognized attribute") and then refuses the block.
 */
function refusingSchema(what: string): BlockSchema<undefined> {
  const anyAttr: Field = optional(t.any) as Field;
  const fields = new Proxy({} as Record<string, Field>, {
    get: (_target, prop) => (typeof prop === 'string' ? anyAttr : undefined),
  });
  return { fields, validate: () => unsupportedMessage(what) } as BlockSchema<undefined>;
}

/** An optional block that is refused when written. */
export function unsupportedBlock(what: string): BlockField<undefined, 'optional'> {
  return optionalBlock(refusingSchema(what));
}

/** `debug_metrics`: accepted; alloy-ts emits none of the high-cardinality metrics it could disable. */
export const DebugMetricsBlock = schema({ disable_high_cardinality_metrics: attr(t.bool, true) });

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(DebugMetricsBlock, {
  disable_high_cardinality_metrics: 'Leave out metric attributes that could have many values.',
}, 'Settings of the component\'s own debug metrics.');
