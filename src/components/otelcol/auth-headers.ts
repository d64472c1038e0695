/**
 * otelcol.auth.headers: sets headers on exporters' requests (client side
 * only, as in Alloy), from a fixed value or from the data's client metadata
 * (`from_context`; receivers need include_metadata = true), with the
 * headers_setter actions insert, update, upsert and delete
 * (grafana/alloy internal/component/otelcol/auth/headers/headers.go).
 */
import { describeSchema, attr, blocks, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { handlerType, HANDLER_TYPE, type AuthHandler } from './config/auth.js';
import { DebugMetricsBlock, notSupported } from './config/unsupported.js';

const Header = schema(
  {
    key: attr(t.string),
    value: optional(t.optionalSecret),
    from_context: optional(t.string),
    from_attribute: notSupported('header.from_attribute'),
    action: attr(t.checked('string', (a) => {
      // Alloy decodes the action with Action.UnmarshalText first (grafana/alloy internal/component/otelcol/auth/headers/headers.go).
      if (!['insert', 'update', 'upsert', 'delete'].includes(a)) throw new Error(`unknown action ${a.toLowerCase()}`);
    }), 'upsert'),
  },
  (h) => {
    if (h.action === 'delete') return undefined;
    if ((h.value === undefined) === (h.from_context === undefined)) return 'exactly one of value or from_context must be set';
    return undefined;
  },
);

const Arguments = schema({
  header: blocks(Header),
  debug_metrics: optionalBlock(DebugMetricsBlock),
}, (a) => (a.header.length === 0 ? 'at least one header block is required' : undefined));
type Arguments = Infer<typeof Arguments>;

export const otelcolAuthHeaders = defineComponent({
  name: 'otelcol.auth.headers',
  description: 'Adds headers to the requests of otelcol exporters, with fixed values or values from the request context.',
  stability: 'generally-available',
  args: Arguments,
  exports: schema({ handler: { kind: 'attr', type: handlerType, required: true } }),
  build(ctx, initial) {
    let args = initial;
    const handler: AuthHandler = {
      capsuleType: HANDLER_TYPE,
      componentId: ctx.id,
      async decorate(headers, metadata) {
        for (const h of args.header) {
          const key = h.key.toLowerCase();
          if (h.action === 'delete') {
            delete headers[key];
            continue;
          }
          const value = h.value !== undefined ? h.value.value : metadata?.get(h.from_context!.toLowerCase())?.[0];
          if (value === undefined || value === '') continue;
          const present = key in headers;
          if (h.action === 'insert' && present) continue;
          if (h.action === 'update' && !present) continue;
          headers[key] = value;
        }
      },
    };
    ctx.setExports({ handler });
    return {
      update(next: Arguments) {
        args = next;
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Header, {
  key: 'Name of the header.',
  value: 'Fixed value of the header (a secret).',
  from_context: 'Metadata key of the incoming request whose value is used.',
  from_attribute: 'Client attribute whose value is used.',
  action: 'insert, update, upsert or delete the header.',
}, 'One header to set.');
describeSchema(Arguments, {
  header: 'Headers to set on each request.',
});
describeSchema(otelcolAuthHeaders.exports!, {
  handler: 'Handler that otelcol components use in their auth argument.',
});
