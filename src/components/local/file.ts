/**
 * local.file: exports a file's content (grafana/alloy internal/component/local/file/file.go),
 * re-read on change
 * (fsnotify: watch + poll) or every poll_frequency (poll).
 */
import { attr, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';

const Arguments = schema({
  filename: attr(t.string),
  detector: attr(t.oneOf('fsnotify', 'poll'), 'fsnotify'),
  poll_frequency: attr(t.duration, '1m'),
  is_secret: attr(t.bool, false),
}, (a) => (a.poll_frequency <= 0 ? 'poll_frequency must be greater than 0' : undefined));
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({ content: attr(t.any) });
export type Exports = Infer<typeof Exports>;

export const localFile = defineComponent({
  name: 'local.file',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    const { buildLocalFile } = await import('./file/component.js');
    return buildLocalFile(ctx, initial);
  },
});
