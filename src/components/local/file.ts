/**
 * local.file: exports a file's content (grafana/alloy internal/component/local/file/file.go),
 * re-read on change
 * (fsnotify: watch + poll) or every poll_frequency (poll).
 */
import { describeSchema, attr, schema, t, type Infer } from '../../lang/schema.js';
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
  description: 'Reads one file and exports its contents, read again whenever the file changes.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    const { buildLocalFile } = await import('./file/component.js');
    return buildLocalFile(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  filename: 'Path of the file to read.',
  detector: 'How changes are noticed: fsnotify (filesystem events) or poll.',
  poll_frequency: 'How often the file is read again to look for changes.',
  is_secret: 'Export the contents as a secret, hidden in the UI and API.',
});
describeSchema(Exports, {
  content: 'The contents of the file (a string, or a secret with is_secret).',
});
