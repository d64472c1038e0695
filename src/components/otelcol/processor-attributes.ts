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
import { attr, blocks, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
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
