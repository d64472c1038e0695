/**
 * loki.source.journal: reads the systemd journal and forwards its entries
 * (grafana/alloy internal/component/loki/source/journal). Journal fields
 * become `__journal_<lowercased name>` labels (PRIORITY also gives
 * `__journal_priority_keyword`), `job` is the component's ID, the line is
 * MESSAGE or, with format_as_json, every field as a JSON object.
 *
 * The journal is read with `journalctl --output=export --follow` (see
 * source-journal/journalctl.ts and the README for why). The position is the
 * journal cursor, stored under `cursor-<component id>` in positions.yml only
 * once every destination acknowledged the entry and all before it (AckWindow),
 * so a restart resumes after the last delivered entry; max_age bounds the
 * first read and a stored cursor older than it, as in Alloy.
 */
import { describeSchema, attr, optional, optionalBlock, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { relabelRulesType } from '../relabel/rules.js';

/** Alloy's "Error parsing journal reader 'matches' configuration value" cases: each match is FIELD=VALUE. */
const matchesType = t.checked('string', (s) => {
  for (const m of s.split(/\s+/).filter(Boolean)) {
    if (m.split('=').length !== 2 || m.startsWith('=')) throw new Error(`Error parsing journal reader 'matches' configuration value: ${JSON.stringify(m)} is not FIELD=VALUE`);
  }
});

/** Promtail's positions file and journal job name, whose cursor a first start takes over. */
const LegacyPosition = schema({
  file: attr(t.string),
  name: attr(t.string),
});

const Arguments = schema({
  format_as_json: attr(t.bool, false),
  max_age: attr(t.duration, '7h'),
  path: attr(t.string, ''),
  relabel_rules: optional(relabelRulesType),
  matches: attr(matchesType, ''),
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
  labels: attr(t.map(t.string), {}),
  legacy_position: optionalBlock(LegacyPosition),
});
export type Arguments = Infer<typeof Arguments>;

export const lokiSourceJournal = defineComponent({
  name: 'loki.source.journal',
  description: 'Reads entries of the systemd journal and forwards them as log entries.',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const { buildJournalSource } = await import('./source-journal/component.js');
    return buildJournalSource(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(LegacyPosition, {
  file: 'Promtail positions file to read the journal cursor from.',
  name: 'Job name the cursor was saved under.',
}, 'A journal cursor saved by Promtail, used once to resume.');
describeSchema(Arguments, {
  format_as_json: 'Forward each entry as a JSON object of all its fields instead of MESSAGE alone.',
  max_age: 'Oldest entry read when starting without a saved position.',
  path: 'Directory of journal files to read instead of the system default.',
  relabel_rules: 'Relabeling rules; __journal_* fields are available as labels.',
  matches: 'Journal matches (FIELD=value) that entries must meet.',
  forward_to: 'Receivers the log entries are sent to.',
  labels: 'Labels added to every entry.',
  legacy_position: 'A Promtail journal cursor to resume from.',
});
