/**
 * Finding secrets in a log line with rules in gitleaks' model (the engine
 * Alloy's loki.secretfilter embeds): a rule has a Go regular expression, the
 * group that holds the secret, optional keywords (the rule only runs when
 * the line contains one, case-insensitively), an optional minimum Shannon
 * entropy of the secret, and allowlists (regexes or stopwords that, when
 * they match the secret, discard the finding).
 *
 * Rules come from a gitleaks TOML file (`gitleaks_config`: `[[rules]]` with
 * id, regex, secretGroup, entropy, keywords and `[[rules.allowlists]]`;
 * `[extend] useDefault = true` adds the built-in rules) or, by default, from
 * the built-in set in rules.ts.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { findAllMatches } from '../../../go/regexp/ops.js';
import { BUILTIN_RULES, type RuleSpec } from './rules.js';

export interface Finding {
  readonly ruleId: string;
  readonly secret: string;
}

interface CompiledRule {
  readonly id: string;
  readonly regex: Re2Regexp;
  readonly secretGroup: number;
  readonly entropy: number;
  readonly keywords: readonly string[];
  readonly allowRegexes: readonly Re2Regexp[];
  readonly stopwords: readonly string[];
}

/** Shannon entropy in bits per character, as gitleaks computes it. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

function compile(spec: RuleSpec): CompiledRule {
  return {
    id: spec.id,
    regex: Re2Regexp.compile(spec.regex),
    secretGroup: spec.secretGroup ?? 0,
    entropy: spec.entropy ?? 0,
    keywords: (spec.keywords ?? []).map((k) => k.toLowerCase()),
    allowRegexes: (spec.allowRegexes ?? []).map((r) => Re2Regexp.compile(r)),
    stopwords: (spec.stopwords ?? []).map((w) => w.toLowerCase()),
  };
}

export class SecretDetector {
  private readonly rules: readonly CompiledRule[];

  constructor(specs: readonly RuleSpec[]) {
    this.rules = specs.map(compile);
  }

  /** The built-in rules, or a gitleaks TOML file's (throws with the reason when it is unusable). */
  static fromConfig(path: string): SecretDetector {
    if (path === '') return new SecretDetector(BUILTIN_RULES);
    const doc = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const extend = (doc['extend'] ?? {}) as Record<string, unknown>;
    const own = ((doc['rules'] ?? []) as Record<string, unknown>[]).map(ruleFromToml);
    return new SecretDetector(extend['useDefault'] === true ? [...BUILTIN_RULES, ...own] : own);
  }

  detect(line: string): Finding[] {
    const lower = line.toLowerCase();
    const out: Finding[] = [];
    for (const rule of this.rules) {
      if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
      for (const m of findAllMatches(rule.regex, line)) {
        const secret = secretOf(m, rule.secretGroup);
        if (!secret) continue;
        if (rule.entropy > 0 && shannonEntropy(secret) < rule.entropy) continue;
        if (rule.allowRegexes.some((r) => r.test(secret))) continue;
        const lowerSecret = secret.toLowerCase();
        if (rule.stopwords.some((w) => lowerSecret.includes(w))) continue;
        out.push({ ruleId: rule.id, secret });
      }
    }
    return out;
  }
}

/** The rule's secret group, else the first group that matched, else the whole match. */
function secretOf(m: RegExpExecArray, group: number): string | undefined {
  if (group > 0) return m[group];
  for (let i = 1; i < m.length; i++) if (m[i]) return m[i];
  return m[0];
}

function ruleFromToml(r: Record<string, unknown>): RuleSpec {
  const id = String(r['id'] ?? '');
  if (id === '' || typeof r['regex'] !== 'string') throw new Error(`gitleaks rule ${JSON.stringify(id)}: id and regex are required`);
  const allowlists = [...((r['allowlists'] ?? []) as Record<string, unknown>[]), ...(r['allowlist'] ? [r['allowlist'] as Record<string, unknown>] : [])];
  return {
    id,
    regex: r['regex'],
    ...(typeof r['secretGroup'] === 'number' ? { secretGroup: r['secretGroup'] } : {}),
    ...(typeof r['entropy'] === 'number' ? { entropy: r['entropy'] } : {}),
    keywords: ((r['keywords'] ?? []) as unknown[]).map(String),
    allowRegexes: allowlists.flatMap((a) => ((a['regexes'] ?? []) as unknown[]).map(String)),
    stopwords: allowlists.flatMap((a) => ((a['stopwords'] ?? []) as unknown[]).map(String)),
  };
}
