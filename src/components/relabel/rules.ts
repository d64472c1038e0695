/**
 * The relabel engine shared by discovery.relabel, loki.relabel,
 * loki.source.docker (`relabel_rules`) and the Prometheus components
 * (grafana/alloy internal/component/common/relabel/relabel.go, Prometheus
 * model/relabel/relabel.go): the `rule` block with Alloy's defaults and validation
 * messages, and Prometheus' relabel semantics. Regexps are Go's, anchored as
 * `^(?s:…)$`; replacements use Go's `Regexp.Expand`.
 *
 * Rules travel between components as the `RelabelRules` capsule (Alloy's
 * `relabel.Rules`), which also runs them.
 */
import { createHash } from 'node:crypto';
import { describeSchema, attr, defaultsOf, optional, schema, t, type ArgType, type InferFields } from '../../lang/schema.js';
import { goQuote } from '../../go/strconv.js';
import { stringValue, uintValue, type CapsulePayload } from '../../lang/value.js';
import { ExpandTemplate } from '../../go/regexp/expand.js';
import { Re2Regexp } from '../../go/regexp/regexp.js';
import { goToLower, goToUpper, isValidLabelName, LabelBuilder, type LabelNameScheme, type Labels } from './labels.js';

export { LabelBuilder, isValidLabelName, type LabelNameScheme, type Labels };

export const RELABEL_ACTIONS = [
  'replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase', 'keepequal', 'dropequal',
] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

// ---------------------------------------------------------------------------
// The `rule` block

const DEFAULT_REGEX = '(.*)';
const DEFAULT_REPLACEMENT = '$1';
const DEFAULT_SEPARATOR = ';';

/** A rule's regex: the text as written and its compiled, fully anchored form. */
export class RelabelRegex {
  private constructor(
    readonly expr: string,
    readonly re: Re2Regexp,
  ) {}

  /** Every rule has one unless it sets `regex`: compiled once. */
  private static readonly default = new RelabelRegex(DEFAULT_REGEX, Re2Regexp.compile(`^(?s:${DEFAULT_REGEX})$`));

  /** Compiles like Alloy: `^(?s:<expr>)$` (so errors quote that text, as Alloy's do). */
  static compile(expr: string): RelabelRegex {
    return expr === DEFAULT_REGEX ? RelabelRegex.default : new RelabelRegex(expr, Re2Regexp.compile(`^(?s:${expr})$`));
  }

  equals(other: unknown): boolean {
    return other instanceof RelabelRegex && other.expr === this.expr;
  }
}

const actionType: ArgType<RelabelAction> = {
  name: 'string',
  desc: { kind: 'string' },
  from: (s: string) => {
    if (!(RELABEL_ACTIONS as readonly string[]).includes(s)) throw new Error(`unrecognized action type ${goQuote(s)}`);
    return s as RelabelAction;
  },
  to: stringValue,
};

const regexType: ArgType<RelabelRegex> = {
  name: 'string',
  desc: { kind: 'string' },
  from: (s: string) => RelabelRegex.compile(s),
  to: (r) => stringValue(r.expr),
};

/** Go uint64. */
const modulusType: ArgType<bigint> = {
  name: 'number',
  desc: { kind: 'bigint', unsigned: true },
  from: (n: bigint) => n,
  to: (n) => uintValue(n),
};

const ruleFields = {
  source_labels: optional(t.list(t.string)),
  separator: attr(t.string, DEFAULT_SEPARATOR),
  regex: attr(regexType, DEFAULT_REGEX),
  modulus: attr(modulusType, 0),
  target_label: attr(t.string, ''),
  replacement: attr(t.string, DEFAULT_REPLACEMENT),
  action: attr(actionType, 'replace'),
};
export type RuleConfig = InferFields<typeof ruleFields>;

/**
 * What a `target_label` with `$` references (or a labelmap `replacement`)
 * must look like. Prometheus writes it `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`;
 * this is the same language without the nested quantifiers that make a JS
 * engine backtrack exponentially on a near miss.
 */
const RELABEL_TARGET = /^(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+(?!\w)))(?:\w|\$(?:\{\w+\}|\w+(?!\w)))*$/;

const NEEDS_TARGET: ReadonlySet<RelabelAction> = new Set(['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal']);
const FIXED_REPLACEMENT: ReadonlySet<RelabelAction> = new Set(['lowercase', 'uppercase', 'keepequal', 'dropequal']);

/** Alloy's `Config.Validate`, with its messages, in its order. */
export function validateRule(rule: RuleConfig): string | undefined {
  const { action, target_label: target } = rule;
  if (action === 'hashmod' && rule.modulus === 0n) return 'relabel configuration for hashmod requires non-zero modulus';
  if (NEEDS_TARGET.has(action) && target === '') return `relabel configuration for ${action} action requires 'target_label' value`;
  if (!targetLabelValid(rule)) return `${goQuote(target)} is invalid 'target_label' for ${action} action`;
  if (FIXED_REPLACEMENT.has(action) && rule.replacement !== DEFAULT_REPLACEMENT) return `'replacement' can not be set for ${action} action`;
  if (action === 'labelmap' && !RELABEL_TARGET.test(rule.replacement)) return `${goQuote(rule.replacement)} is invalid 'replacement' for ${action} action`;
  if ((action === 'labeldrop' || action === 'labelkeep') && !onlyRegexSet(rule)) return `${action} action requires only 'regex', and no other fields`;
  if ((action === 'keepequal' || action === 'dropequal') && !onlySourceAndTargetSet(rule)) {
    return `${action} action requires only 'source_labels' and 'target_label', and no other fields`;
  }
  return undefined;
}

/** The `rule` block. */
export const RuleBlock = schema(ruleFields, validateRule);

/**
 * A validated rule from plain fields, defaults filled in: for code that
 * builds rules rather than decoding a `rule` block. Throws Alloy's message.
 */
export function ruleConfig(fields: Partial<Omit<RuleConfig, 'regex'>> & { regex?: string }): RuleConfig {
  const { regex, ...rest } = fields;
  // The unvalidated schema: the defaults alone are not a valid rule (no target_label).
  const rule: RuleConfig = { ...defaultsOf(schema(ruleFields)), ...rest };
  if (regex !== undefined) rule.regex = RelabelRegex.compile(regex);
  const problem = validateRule(rule);
  if (problem) throw new Error(problem);
  return rule;
}

/** At validation Alloy checks names with the UTF-8 scheme, whatever the consumer. */
function targetLabelValid({ action, target_label: target }: RuleConfig): boolean {
  if (action === 'replace') return target.includes('$') ? RELABEL_TARGET.test(target) : isValidLabelName(target, 'utf8');
  if (NEEDS_TARGET.has(action)) return isValidLabelName(target, 'utf8');
  return true;
}

function onlyRegexSet(rule: RuleConfig): boolean {
  return rule.source_labels === undefined && rule.target_label === '' && rule.modulus === 0n &&
    rule.separator === DEFAULT_SEPARATOR && rule.replacement === DEFAULT_REPLACEMENT;
}

function onlySourceAndTargetSet(rule: RuleConfig): boolean {
  return rule.regex.expr === DEFAULT_REGEX && rule.modulus === 0n && rule.separator === DEFAULT_SEPARATOR &&
    rule.replacement === DEFAULT_REPLACEMENT;
}

// ---------------------------------------------------------------------------
// Running rules

interface CompiledRule {
  readonly config: RuleConfig;
  readonly regex: Re2Regexp;
  readonly sourceLabels: readonly string[];
  /** `target_label` and `replacement` as Expand templates. */
  readonly target: ExpandTemplate;
  readonly replacement: ExpandTemplate;
}

function compileRule(config: RuleConfig): CompiledRule {
  const regex = config.regex.re;
  return {
    config,
    regex,
    sourceLabels: config.source_labels ?? [],
    target: ExpandTemplate.parse(config.target_label, regex),
    replacement: ExpandTemplate.parse(config.replacement, regex),
  };
}

/** Capsule type of exported rules, as Alloy names it. */
export const RELABEL_RULES_TYPE = 'relabel.Rules';

/** An ordered list of relabel rules, ready to run. */
export class RelabelRules implements CapsulePayload {
  readonly capsuleType = RELABEL_RULES_TYPE;
  private readonly rules: readonly CompiledRule[];
  /** Reused between runs: relabeling is synchronous, so one builder is enough. */
  private readonly builder = new LabelBuilder();

  constructor(readonly configs: readonly RuleConfig[]) {
    this.rules = configs.map(compileRule);
  }

  get length(): number {
    return this.rules.length;
  }

  /** Runs the rules top-down on `lb`; false as soon as one drops the label set. */
  applyTo(lb: LabelBuilder, scheme: LabelNameScheme): boolean {
    for (const rule of this.rules) if (!applyRule(rule, lb, scheme)) return false;
    return true;
  }

  /** The relabeled label set (keys sorted), or undefined when a rule dropped it. */
  process(labels: Labels, scheme: LabelNameScheme): Record<string, string> | undefined {
    const lb = this.builder.reset(labels);
    return this.applyTo(lb, scheme) ? lb.labels() : undefined;
  }

  equals(other: CapsulePayload): boolean {
    if (!(other instanceof RelabelRules) || other.configs.length !== this.configs.length) return false;
    return this.configs.every((c, i) => ruleConfigsEqual(c, other.configs[i]!));
  }
}

/** Argument type for components that take rules from another component (`relabel_rules`). */
export const relabelRulesType = t.capsule<RelabelRules>(RELABEL_RULES_TYPE);

export function ruleConfigsEqual(a: RuleConfig, b: RuleConfig): boolean {
  const sa = a.source_labels;
  const sb = b.source_labels;
  const sameSources = sa === sb || (sa !== undefined && sb !== undefined && sa.length === sb.length && sa.every((x, i) => x === sb[i]));
  return sameSources && a.separator === b.separator && a.regex.equals(b.regex) && a.modulus === b.modulus &&
    a.target_label === b.target_label && a.replacement === b.replacement && a.action === b.action;
}

function applyRule(rule: CompiledRule, lb: LabelBuilder, scheme: LabelNameScheme): boolean {
  const { action, target_label: target } = rule.config;
  switch (action) {
    case 'drop': return !rule.regex.test(sourceValue(rule, lb));
    case 'keep': return rule.regex.test(sourceValue(rule, lb));
    case 'dropequal': return lb.get(target) !== sourceValue(rule, lb);
    case 'keepequal': return lb.get(target) === sourceValue(rule, lb);
    case 'replace': replace(rule, lb, scheme); break;
    case 'lowercase': lb.set(target, goToLower(sourceValue(rule, lb))); break;
    case 'uppercase': lb.set(target, goToUpper(sourceValue(rule, lb))); break;
    case 'hashmod': lb.set(target, hashMod(sourceValue(rule, lb), rule.config.modulus)); break;
    case 'labelmap': labelMap(rule, lb); break;
    case 'labeldrop': deleteLabels(rule, lb, true); break;
    case 'labelkeep': deleteLabels(rule, lb, false); break;
  }
  return true;
}

/** The source labels' values joined by the separator; a missing label counts as "". */
function sourceValue(rule: CompiledRule, lb: LabelBuilder): string {
  const names = rule.sourceLabels;
  if (names.length === 1) return lb.get(names[0]!);
  let val = '';
  for (let i = 0; i < names.length; i++) val += (i > 0 ? rule.config.separator : '') + lb.get(names[i]!);
  return val;
}

/** No match: nothing happens. An invalid expanded target: nothing happens. An empty result deletes the target. */
function replace(rule: CompiledRule, lb: LabelBuilder, scheme: LabelNameScheme): void {
  const match = rule.regex.exec(sourceValue(rule, lb));
  if (!match) return;
  const target = rule.target.expand(match);
  if (!isValidLabelName(target, scheme)) return;
  lb.set(target, rule.replacement.expand(match));
}

/** Copies every label whose name matches to the name the replacement gives (the regex is anchored, so one expansion). */
function labelMap(rule: CompiledRule, lb: LabelBuilder): void {
  lb.forEach((name, value) => {
    const match = rule.regex.exec(name);
    if (match) lb.set(rule.replacement.expand(match), value);
  });
}

/** labeldrop (names that match) and labelkeep (names that do not). */
function deleteLabels(rule: CompiledRule, lb: LabelBuilder, whenMatching: boolean): void {
  lb.forEach((name) => {
    if (rule.regex.test(name) === whenMatching) lb.delete(name);
  });
}

/** md5 of the value; bytes 8..16 as a big-endian uint64, modulo `modulus` (Prometheus' choice, kept for stable sharding). */
function hashMod(value: string, modulus: bigint): string {
  const digest = createHash('md5').update(value).digest();
  return (digest.readBigUInt64BE(8) % modulus).toString();
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(RuleBlock, {
  source_labels: 'Labels whose values are joined to form the value the rule works on.',
  separator: 'Text put between the joined source label values.',
  regex: 'Regular expression matched against the joined value (fully anchored, RE2 syntax).',
  modulus: 'Modulus taken of the hash of the joined value (hashmod action).',
  target_label: 'Label the result is written to.',
  replacement: 'Value written by replace-like actions; may refer to capture groups such as $1.',
  action: 'What the rule does: replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, keepequal, dropequal, lowercase or uppercase.',
}, 'One relabeling rule, applied in order with the others.');
