/** loki.echo: logs every entry it receives (grafana/alloy internal/component/loki/echo/echo.go). */
import { describeSchema, schema, t } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { labelsString, LOGS_RECEIVER_TYPE, receiverOf, timestampText, type LogBatch, type LogsReceiver } from '../common/log-entries.js';

const Exports = schema({ receiver: { kind: 'attr', type: t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE), required: true } });

export const lokiEcho = defineComponent({
  name: 'loki.echo',
  description: 'Writes every log entry it receives to Alloy\'s own log output.',
  stability: 'generally-available',
  args: schema({}),
  exports: Exports,
  liveDebugging: true,
  build(ctx) {
    const receiver = receiverOf(async (batch: LogBatch) => {
      const labels = labelsString(batch.labels);
      for (let i = 0; i < batch.lines.length; i++) {
        ctx.logger.info('received log entry', {
          entry: batch.lines[i],
          entry_timestamp: timestampText(batch.ms[i]!, batch.ns[i]!),
          labels,
          structured_metadata: JSON.stringify(batch.metadata?.[i] ?? {}),
        });
      }
      ctx.debug(() => `${labels} ${batch.lines.length} entries`);
    });
    ctx.setExports({ receiver });
    return {
      update() {},
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to.',
});
