/**
 * The built-in secret rules, written for alloy-ts from the published formats
 * of common credentials (prefixes and lengths vendors document), plus one
 * generic rule for `key/token/secret/password = value` assignments whose value
 * looks random. Alloy embeds gitleaks' full default rule set instead; this
 * set is smaller (see the README), and `gitleaks_config` loads any gitleaks
 * rule file, with `[extend] useDefault = true` keeping these.
 */

export interface RuleSpec {
  readonly id: string;
  /** Go (RE2) syntax. */
  readonly regex: string;
  /** Group holding the secret; 0 = the first group that matched (or the whole match). */
  readonly secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  readonly entropy?: number;
  readonly keywords?: readonly string[];
  readonly allowRegexes?: readonly string[];
  readonly stopwords?: readonly string[];
}

/** Values that look like placeholders rather than credentials. */
const PLACEHOLDERS = ['example', 'placeholder', 'changeme', 'xxxxxx', 'redacted', 'dummy', 'sample'];

export const BUILTIN_RULES: readonly RuleSpec[] = [
  { id: 'aws-access-token', regex: `\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b`, keywords: ['a3t', 'akia', 'asia', 'abia', 'acca'] },
  { id: 'github-pat', regex: `\\b(ghp_[0-9a-zA-Z]{36})\\b`, keywords: ['ghp_'] },
  { id: 'github-fine-grained-pat', regex: `\\b(github_pat_[0-9a-zA-Z_]{82})\\b`, keywords: ['github_pat_'] },
  { id: 'github-oauth', regex: `\\b(gho_[0-9a-zA-Z]{36})\\b`, keywords: ['gho_'] },
  { id: 'github-app-token', regex: `\\b((?:ghu|ghs)_[0-9a-zA-Z]{36})\\b`, keywords: ['ghu_', 'ghs_'] },
  { id: 'gitlab-pat', regex: `\\b(glpat-[0-9a-zA-Z_-]{20})\\b`, keywords: ['glpat-'] },
  { id: 'slack-token', regex: `\\b(xox[abposr]-[0-9A-Za-z-]{10,250})\\b`, keywords: ['xoxa', 'xoxb', 'xoxp', 'xoxo', 'xoxs', 'xoxr'] },
  { id: 'stripe-access-token', regex: `\\b((?:sk|rk)_(?:test|live|prod)_[0-9a-zA-Z]{10,99})\\b`, keywords: ['sk_test', 'sk_live', 'sk_prod', 'rk_test', 'rk_live', 'rk_prod'] },
  { id: 'grafana-cloud-api-token', regex: `\\b(glc_[A-Za-z0-9+/]{32,400}={0,2})`, keywords: ['glc_'] },
  { id: 'grafana-service-account-token', regex: `\\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\\b`, keywords: ['glsa_'] },
  { id: 'google-api-key', regex: `\\b(AIza[0-9A-Za-z_-]{35})\\b`, keywords: ['aiza'] },
  { id: 'jwt', regex: `\\b(ey[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,})`, keywords: ['ey'] },
  {
    id: 'private-key',
    regex: `(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)`,
    keywords: ['private key'],
  },
  {
    // name (containing a credential word), up to 20 characters of filler, an
    // assignment, optional quotes, then the value: 10+ characters that look random.
    id: 'generic-api-key',
    regex: `(?i)[\\w.-]{0,50}?(?:access|auth|api|credential|creds|key|passwd|password|pwd|secret|token)[ \\t\\w.-]{0,20}?[ \\t'"]{0,3}(?:=|:=|=>|:|,)[ \\t'"\\x60=]{0,5}([\\w.=-]{10,150})(?:[ \\t'"\\x60;,]|$)`,
    entropy: 3.5,
    keywords: ['access', 'auth', 'api', 'credential', 'creds', 'key', 'passw', 'pwd', 'secret', 'token'],
    stopwords: PLACEHOLDERS,
  },
];
