/**
 * otelcol.processor.attributes: applies `action` blocks in order to the
 * attributes of spans, log records and metric data points, optionally only
 * to items matching `include` and not matching `exclude`
 * (opentelemetry-collector-contrib processor/attributesprocessor and
 * internal/coreinternal/attraction; Alloy's
 * internal/component/otelcol/processor/attributes/attributes.go).
 *
 * Actions: insert (only when the key is absent), update (only when present),
 * upsert, delete (the key, or every key matching `pattern`), hash (SHA-1,
 * hex), extract (named groups of `pattern` on the key's string value become
 * attributes) and convert (`converted_type` int, double or string).
 * Matching: match_type strict or regexp over services, span_names,
 * span_kinds, log_bodies, log_severity_texts, metric_names, attribute,
 * resource and library blocks; every property given must match.
 * Not supported (refused at load): the log_severity and regexp blocks.
 */
import { describeSchema, attr, blocks, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { DebugMetricsBlock, unsupportedBlock } from './config/unsupported.js';
import { consumerOf, fanOut, InputExports, outputField, type Output } from './pdata/consumer.js';

const ACTIONS = ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'] as const;

const Action = schema(
  {
    key: attr(t.string),
    action: attr(t.oneOf(...ACTIONS)),
    value: optional(t.any),
    pattern: attr(t.string, ''),
    from_attribute: attr(t.string, ''),
    from_context: attr(t.string, ''),
    converted_type: attr(t.string, ''),
  },
  (a) => {
    const sources = [a.value !== undefined, a.from_attribute !== '', a.from_context !== ''].filter(Boolean).length;
    if (['insert', 'update', 'upsert'].includes(a.action) && sources !== 1) return `error creating AttrProc due to missing value field, from_attribute field or from_context field for action "${a.action}" with key "${a.key}"`;
    if (a.action === 'extract' && a.pattern === '') return `error creating AttrProc. Action "extract" requires a pattern for key "${a.key}"`;
    if (a.action === 'convert' && !['int', 'double', 'string'].includes(a.converted_type)) return `error creating AttrProc. Action "convert" requires converted_type int, double or string for key "${a.key}"`;
    return undefined;
  },
);
export type ActionArgs = Infer<typeof Action>;

const KeyValueBlock = schema({ key: attr(t.string), value: optional(t.any) });
const LibraryBlock = schema({ name: attr(t.string), version: optional(t.string) });

const MatchBlock = schema({
  match_type: attr(t.oneOf('strict', 'regexp')),
  services: attr(t.list(t.string), []),
  span_names: attr(t.list(t.string), []),
  span_kinds: attr(t.list(t.string), []),
  log_bodies: attr(t.list(t.string), []),
  log_severity_texts: attr(t.list(t.string), []),
  metric_names: attr(t.list(t.string), []),
  attribute: blocks(KeyValueBlock),
  resource: blocks(KeyValueBlock),
  library: blocks(LibraryBlock),
  log_severity: unsupportedBlock('the log_severity block'),
  regexp: unsupportedBlock('the regexp block'),
});
export type MatchArgs = Infer<typeof MatchBlock>;

const Arguments = schema({
  action: blocks(Action),
  include: optionalBlock(MatchBlock),
  exclude: optionalBlock(MatchBlock),
  output: outputField,
  debug_metrics: optionalBlock(DebugMetricsBlock),
});
export type AttributesArgs = Infer<typeof Arguments>;

export const otelcolProcessorAttributes = defineComponent({
  name: 'otelcol.processor.attributes',
  description: 'Inserts, updates, deletes, hashes or extracts attributes of spans, logs and metric points.',
  stability: 'generally-available',
  args: Arguments,
  exports: InputExports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { AttributesProcessor } = await import('./processor-attributes/apply.js');
    let args = initial;
    let processor = new AttributesProcessor(args);
    ctx.setExports({
      input: consumerOf(async (payload, consumeCtx) => {
        const out = processor.process(payload, consumeCtx.metadata);
        return fanOut((args.output as Output)[payload.signal], out, consumeCtx);
      }),
    });
    return {
      update(next: AttributesArgs) {
        args = next;
        processor = new AttributesProcessor(args);
      },
      run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Action, {
  key: 'Attribute the action works on.',
  action: 'insert, update, upsert, delete, hash, extract or convert.',
  value: 'Value written by insert, update and upsert.',
  pattern: 'Regular expression for delete (matching keys) or extract (named groups).',
  from_attribute: 'Attribute whose value is copied.',
  from_context: 'Request context key whose value is copied.',
  converted_type: 'Type the convert action turns the value into: int, double or string.',
}, 'One change made to the attributes.');
describeSchema(KeyValueBlock, {
  key: 'Attribute name.',
  value: 'Value the attribute must have (any when unset).',
}, 'An attribute that must be present.');
describeSchema(LibraryBlock, {
  name: 'Instrumentation library name.',
  version: 'Instrumentation library version.',
}, 'An instrumentation library to match.');
describeSchema(MatchBlock, {
  match_type: 'How values are compared: strict or regexp.',
  services: 'Service names to match.',
  span_names: 'Span names to match.',
  span_kinds: 'Span kinds to match.',
  log_bodies: 'Log bodies to match.',
  log_severity_texts: 'Log severity texts to match.',
  metric_names: 'Metric names to match.',
  attribute: 'Attributes that must be present.',
  resource: 'Resource attributes that must be present.',
  library: 'Instrumentation libraries to match.',
  log_severity: 'Lowest log severity to match.',
  regexp: 'Settings of the regexp match type.',
}, 'Which telemetry the actions apply to.');
describeSchema(Arguments, {
  action: 'Changes made to the attributes, in order.',
  include: 'Only telemetry matching this is changed.',
  exclude: 'Telemetry matching this is left alone.',
});
