/**
 * loki.source.file: tails files and forwards their lines (grafana/alloy
 * internal/component/loki/source/file/file.go).
 *
 * One tailer per distinct (path, public labels) target; an update starts the
 * new ones and stops the vanished ones (dropping their position entries),
 * leaving the others running. Positions live in `<data path>/positions.yml`
 * and only ever hold acknowledged offsets (see source-file-tailer.ts).
 */
import { describeSchema, attr, defaultedBlock, optionalBlock, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { codecFor } from './source-file/line-codec.js';
import { COMPRESSION_FORMATS } from './source-file/decompress.js';

const FileWatch = schema({
  min_poll_frequency: attr(t.duration, '250ms'),
  max_poll_frequency: attr(t.duration, '250ms'),
});

const FileMatch = schema(
  {
    enabled: attr(t.bool, false),
    sync_period: attr(t.duration, '10s'),
    ignore_older_than: attr(t.duration, '0s'),
  },
  (m) => (m.sync_period <= 0 ? 'sync period must be greater than 0' : undefined),
);

const Decompression = schema({
  enabled: attr(t.bool),
  format: attr(t.oneOf(...COMPRESSION_FORMATS)),
  initial_delay: attr(t.duration, '0s'),
});

/** An encoding must be one iconv-lite can decode (Alloy would fail each tailer instead). */
const encodingType = t.checked('string', (name) => void codecFor(name));

const Arguments = schema({
  targets: attr(targetsType),
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
  encoding: attr(encodingType, ''),
  tail_from_end: attr(t.bool, false),
  on_positions_file_error: attr(t.oneOf('skip', 'restart_from_end', 'restart_from_beginning'), 'restart_from_beginning'),
  legacy_positions_file: attr(t.string, ''),
  file_watch: defaultedBlock(FileWatch),
  file_match: defaultedBlock(FileMatch),
  decompression: optionalBlock(Decompression),
});
export type Arguments = Infer<typeof Arguments>;

export const lokiSourceFile = defineComponent({
  name: 'loki.source.file',
  description: 'Tails the files named by the __path__ label of its targets and forwards each line as a log entry.',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const { buildFileSource } = await import('./source-file/component.js');
    return buildFileSource(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(FileWatch, {
  min_poll_frequency: 'Shortest wait between checks of a file for new lines.',
  max_poll_frequency: 'Longest wait between checks of a file for new lines.',
}, 'How often files are checked for changes.');
describeSchema(FileMatch, {
  enabled: 'Expand glob patterns in __path__ inside this component.',
  sync_period: 'How often the patterns are expanded again.',
  ignore_older_than: 'Leave out files not modified for longer than this.',
}, 'Glob matching of __path__ done by the component itself.');
describeSchema(Decompression, {
  enabled: 'Read the files as compressed.',
  format: 'Compression format of the files: gz, z or bz2.',
  initial_delay: 'Wait before reading a new compressed file.',
}, 'Reading compressed files.');
describeSchema(Arguments, {
  targets: 'Targets whose __path__ label names the files to read.',
  forward_to: 'Receivers the log entries are sent to.',
  encoding: 'Character encoding of the files; lines are converted to UTF-8.',
  tail_from_end: 'Start at the end of files that have no saved position.',
  on_positions_file_error: 'What to do when a file\'s saved position is corrupt: skip the file, restart_from_end or restart_from_beginning.',
  legacy_positions_file: 'Path of a Promtail positions file to take positions from once.',
});
