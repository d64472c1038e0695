/**
 * stage.multiline: joins the lines of a block (a line matching `firstline`
 * and the lines after it) into one entry, per stream. A block is sent on at
 * the next first line, when it reaches `max_lines`, when its stream has been
 * idle for `max_wait_time`, and at shutdown. Until a stream has seen a first
 * line, its lines pass through unchanged.
 */
import { describeSchema, attr, schema, t, type Infer } from '../../../lang/schema.js';
import { labelsString } from '../../common/log-entries.js';
import { compileRegexp, nonEmptyRegexpText } from './common.js';
import type { Entry } from './entry.js';
import { defineStage, type Emit, type Stage } from './stage.js';

const Config = schema(
  {
    firstline: attr(nonEmptyRegexpText),
    max_lines: attr(t.uint, 128),
    max_wait_time: attr(t.duration, '3s'),
    trim_newlines: attr(t.bool, true),
  },
  (c) => (c.max_wait_time <= 0 ? 'max_wait_time must be greater than 0' : undefined),
);

type Config = Infer<typeof Config>;

/** The block being collected for one stream. */
interface Block {
  /** The entry of the block's first line: labels, timestamp and extracted values of the result. */
  start: Entry;
  lines: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

class MultilineStage implements Stage {
  private readonly firstline;
  private readonly streams = new Map<string, Block>();
  private emit: Emit = () => {};

  constructor(private readonly c: Config) {
    this.firstline = compileRegexp(c.firstline);
  }

  start(emit: Emit): void {
    this.emit = emit;
  }

  process(entries: Entry[]): Entry[] {
    const out: Entry[] = [];
    for (const e of entries) this.add(e, out);
    return out;
  }

  private add(e: Entry, out: Entry[]): void {
    const key = labelsString(e.labels);
    const isFirst = this.firstline.test(e.line);
    let block = this.streams.get(key);
    if (!block) {
      if (!isFirst) {
        out.push(e);
        return;
      }
      block = { start: e, lines: [], timer: undefined };
      this.streams.set(key, block);
    }
    if (isFirst) {
      this.collapse(block, out);
      block.start = e;
    }
    block.lines.push(this.c.trim_newlines ? e.line.replace(/[\r\n]+$/, '') : e.line);
    if (block.lines.length === this.c.max_lines) this.collapse(block, out);
    else this.armTimer(block);
  }

  /** Restarts the idle timer of a block that holds lines. */
  private armTimer(block: Block): void {
    if (block.timer) clearTimeout(block.timer);
    block.timer = setTimeout(() => {
      block.timer = undefined;
      const out: Entry[] = [];
      this.collapse(block, out);
      if (out.length > 0) this.emit(out);
    }, this.c.max_wait_time);
    block.timer.unref?.();
  }

  /** Turns the lines collected so far into one entry (nothing when empty). */
  private collapse(block: Block, out: Entry[]): void {
    if (block.timer) clearTimeout(block.timer);
    block.timer = undefined;
    if (block.lines.length === 0) return;
    out.push(block.start.clone(block.lines.join('\n')));
    block.lines = [];
  }

  flush(): Entry[] {
    const out: Entry[] = [];
    for (const block of this.streams.values()) this.collapse(block, out);
    return out;
  }
}

export const multilineStage = defineStage({
  name: 'stage.multiline',
  schema: Config,
  build: (c) => new MultilineStage(c),
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Config, {
  firstline: 'Regular expression that matches the first line of each block.',
  max_lines: 'Most lines joined into one entry.',
  max_wait_time: 'Longest wait for more lines before a block is sent.',
  trim_newlines: 'Remove trailing newlines from the joined lines.',
}, 'Joins lines into one entry until the next line matching firstline.');
