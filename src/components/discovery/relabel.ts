/**
 * discovery.relabel (grafana/alloy internal/component/discovery/relabel/relabel.go): applies `rule` blocks to every target and
 * exports the survivors, in input order, and the rules themselves. It runs
 * inside every update, so the output follows the targets at once. Label
 * names are checked with the UTF-8 scheme, as Alloy's discovery relabeling does.
 */
import { describeSchema, attr, blocks, schema, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent, type ComponentContext } from '../../runtime/component.js';
import { untilAborted } from '../common/until-aborted.js';
import { labelsString } from '../common/log-entries.js';
import { RelabelRules, relabelRulesType, RuleBlock } from '../relabel/rules.js';
import type { Target } from '../common/targets.js';

const Arguments = schema({
  targets: attr(targetsType),
  rule: blocks(RuleBlock),
});
type Arguments = Infer<typeof Arguments>;

const Exports = schema({
  output: attr(targetsType),
  rules: attr(relabelRulesType),
});
type Exports = Infer<typeof Exports>;

export const discoveryRelabel = defineComponent({
  name: 'discovery.relabel',
  description: 'Rewrites the labels of a list of targets with relabeling rules and exports the result.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  build(ctx, args) {
    const apply = (next: Arguments) => {
      const rules = new RelabelRules(next.rule);
      ctx.setExports({ output: relabelTargets(ctx, next.targets, rules), rules });
    };
    apply(args);
    return { update: apply, run: untilAborted };
  },
});

function relabelTargets(ctx: ComponentContext<Exports>, targets: readonly Target[], rules: RelabelRules): Record<string, string>[] {
  const output: Record<string, string>[] = [];
  for (const target of targets) {
    const relabeled = rules.process(target, 'utf8');
    if (relabeled) output.push(relabeled);
    ctx.debug(() => `${labelsString(target)} => ${labelsString(relabeled ?? {})}`);
  }
  return output;
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  targets: 'Targets to relabel.',
  rule: 'Relabeling rules, applied in the order written.',
});
describeSchema(Exports, {
  output: 'The targets after relabeling (dropped ones left out).',
  rules: 'The rules, for use by other components\' relabel_rules.',
});
