/**
 * stage.match: entries whose labels match a LogQL selector (and whose line
 * passes its line filters) go through nested stages (`action = "keep"`) or
 * are dropped (`action = "drop"`); other entries pass unchanged.
 */
import { attr, describeSchema, enumBlocks, schema, t, type BlockSchema } from '../../../lang/schema.js';
import { parseLogSelector, type LogSelector } from './logql.js';
import type { Entry } from './entry.js';
import { defineStage, filterEntries, type Pipeline, type Stage, type StageConfig, type StageContext, type StageDef } from './stage.js';

function selectorError(selector: string): string | undefined {
  try {
    parseLogSelector(selector);
    return undefined;
  } catch (err) {
    return `invalid selector syntax for match stage: ${(err as Error).message}`;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function matchSchema(variants: Record<string, BlockSchema<any>>) {
  const s = schema(
    {
      selector: attr(t.string),
      action: attr(t.oneOf('keep', 'drop'), 'keep'),
      drop_counter_reason: attr(t.string, 'match_stage'),
      pipeline_name: attr(t.string, ''),
      stages: enumBlocks(variants),
    },
    (c) => {
      if (c.selector === '') return 'selector statement required for match stage';
      if (c.action === 'keep' && c.stages.length === 0) return "match stage requires at least one additional stage to be defined in '- stages'";
      if (c.action === 'drop' && c.stages.length > 0) return 'match stage configured to drop entries cannot contains stages';
      return selectorError(c.selector);
    },
  );
  return describeSchema(s, {
    selector: 'LogQL stream selector, optionally with line filters, that entries must match.',
    action: 'keep runs the nested stages on matching entries; drop drops them.',
    drop_counter_reason: 'Reason label of the dropped-entries counter.',
    pipeline_name: 'Name of the nested pipeline, for metrics.',
  }, 'Runs nested stages on, or drops, entries that match a selector.');
}

/** Builds a nested pipeline from decoded stage blocks. */
export type NestedPipelineBuilder = (configs: readonly StageConfig[], ctx: StageContext) => Pipeline;

/** stage.match, given the stage blocks it may nest (itself included) and how to build them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function matchStageDef(variants: Record<string, BlockSchema<any>>, buildNested: NestedPipelineBuilder): StageDef {
  return defineStage({
    name: 'stage.match',
    schema: matchSchema(variants),
    build(c, ctx) {
      const selector = parseLogSelector(c.selector);
      if (c.action === 'drop') {
        const dropped = ctx.dropped(c.drop_counter_reason);
        return filterEntries((e) => {
          if (!selector.matches(e.labels, e.line)) return true;
          dropped.inc();
          return false;
        });
      }
      return new MatchKeep(selector, buildNested(c.stages as StageConfig[], ctx));
    },
  }) as StageDef;
}

const byTimestamp = (a: Entry, b: Entry) => a.ms - b.ms || a.ns - b.ns;

class MatchKeep implements Stage {
  constructor(
    private readonly selector: LogSelector,
    private readonly inner: Pipeline,
  ) {}

  start(emit: (entries: Entry[]) => void): void {
    this.inner.start(emit);
  }

  flush(): Promise<Entry[]> {
    return this.inner.flush();
  }

  process(entries: Entry[]): Entry[] | Promise<Entry[]> {
    const matched = entries.map((e) => this.selector.matches(e.labels, e.line));
    if (!matched.includes(true)) return entries;
    return this.runs(entries, matched, 0, []);
  }

  /**
   * Runs of consecutive matching entries go through the nested stages
   * together and the result keeps input order; it is then sorted by
   * timestamp (stably), as entries of one stream may have taken different
   * branches.
   */
  private runs(entries: Entry[], matched: boolean[], from: number, out: Entry[]): Entry[] | Promise<Entry[]> {
    let i = from;
    while (i < entries.length) {
      if (!matched[i]) {
        out.push(entries[i++]!);
        continue;
      }
      let j = i;
      while (j < entries.length && matched[j]) j++;
      const result = this.inner.process(entries.slice(i, j));
      if (result instanceof Promise) {
        return result.then((r) => {
          out.push(...r);
          return this.runs(entries, matched, j, out);
        });
      }
      out.push(...result);
      i = j;
    }
    return out.sort(byTimestamp);
  }
}
