/** loki.secretfilter and loki.enrich through a real controller. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { singleEntry, type LogsReceiver } from '../../../src/components/common/log-entries.js';
import { maskSecret } from '../../../src/components/loki/secretfilter/component.js';
import { SecretDetector, shannonEntropy } from '../../../src/components/loki/secretfilter/detector.js';
import { eventually, Harness } from '../../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function receiverOf(id: string): LogsReceiver {
  const v = h!.exportOf(id, 'receiver');
  if (v?.type !== 'capsule') throw new Error(`${id} has no receiver`);
  return v.payload as unknown as LogsReceiver;
}

const GITHUB_PAT = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A';

describe('secret detection', () => {
  it('finds vendor tokens and random-looking assignments, not placeholders or plain words', () => {
    const d = SecretDetector.fromConfig('');
    expect(d.detect(`pushing with ${GITHUB_PAT} now`)).toEqual([{ ruleId: 'github-pat', secret: GITHUB_PAT }]);
    expect(d.detect('aws key AKIAIOSFODNN7ABCDEFG in use').map((f) => f.ruleId)).toContain('aws-access-token');
    expect(d.detect('api token token:Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk failed')).toEqual([
      { ruleId: 'generic-api-key', secret: 'Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk' },
    ]);
    expect(d.detect('password=changeme_changeme')).toEqual([]);
    expect(d.detect('token=aaaaaaaaaaaaaaaa')).toEqual([]); // too little entropy
    expect(d.detect('GET /api/v1/users 200 12ms')).toEqual([]);
  });

  it('measures Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('masks like gitleaks: leading share kept, REDACTED at 100%', () => {
    expect(maskSecret('abcdefghij', 80)).toBe('ab...');
    expect(maskSecret('abcdefghij', 100)).toBe('REDACTED');
    expect(maskSecret('abcde', 50)).toBe('ab...'); // 2.5 rounds half to even
  });

  it('loads a gitleaks TOML config, with or without the built-in rules', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-gitleaks-'));
    const own = path.join(dir, 'own.toml');
    writeFileSync(own, `[[rules]]\nid = "acme-key"\nregex = '''acme_[0-9a-f]{16}'''\nkeywords = ["acme_"]\n[[rules.allowlists]]\nstopwords = ["acme_0000000000000000"]\n`);
    const d = SecretDetector.fromConfig(own);
    expect(d.detect('k=acme_0123456789abcdef')).toEqual([{ ruleId: 'acme-key', secret: 'acme_0123456789abcdef' }]);
    expect(d.detect('k=acme_0000000000000000')).toEqual([]);
    expect(d.detect(`x ${GITHUB_PAT}`)).toEqual([]);
    const extended = path.join(dir, 'extended.toml');
    writeFileSync(extended, `[extend]\nuseDefault = true\n[[rules]]\nid = "acme-key"\nregex = '''acme_[0-9a-f]{16}'''\n`);
    expect(SecretDetector.fromConfig(extended).detect(`x ${GITHUB_PAT}`).map((f) => f.ruleId)).toEqual(['github-pat']);
  });
});

describe('loki.secretfilter', () => {
  it('redacts with redact_with placeholders and counts by rule and origin', async () => {
    h = await Harness.start(`
      testing.logs_capture "out" {}
      loki.secretfilter "s" {
        forward_to   = [testing.logs_capture.out.receiver]
        origin_label = "job"
        redact_with  = "<$SECRET_NAME:$SECRET_HASH>"
      }
    `);
    await receiverOf('loki.secretfilter.s').push(singleEntry({ job: 'ci' }, `token ${GITHUB_PAT} used`));
    await eventually(() => h!.entries('testing.logs_capture.out').length === 1);
    expect(h.entries('testing.logs_capture.out')[0]!.line).toMatch(/^token <github-pat:[0-9a-f]{40}> used$/);
    const metrics = (await Promise.all(h.controller.registries().map((r) => r.metrics()))).join('\n');
    expect(metrics).toMatch(/loki_secretfilter_secrets_redacted_by_category_total\{[^}]*rule="github-pat"[^}]*origin="ci"[^}]*\} 1/);
  });

  it('masks by percentage when redact_with is empty, and passes clean lines unchanged', async () => {
    h = await Harness.start(`
      testing.logs_capture "out" {}
      loki.secretfilter "s" {
        forward_to     = [testing.logs_capture.out.receiver]
        redact_percent = 100
      }
    `);
    const r = receiverOf('loki.secretfilter.s');
    await r.push(singleEntry({}, `t=${GITHUB_PAT}`));
    await r.push(singleEntry({}, 'nothing secret here'));
    await eventually(() => h!.entries('testing.logs_capture.out').length === 2);
    expect(h.entries('testing.logs_capture.out').map((e) => e.line)).toEqual(['t=REDACTED', 'nothing secret here']);
  });
});

describe('loki.enrich', () => {
  it('copies the matching target labels (or only labels_to_copy) and passes others unchanged', async () => {
    h = await Harness.start(`
      testing.logs_capture "out" {}
      loki.enrich "all" {
        targets            = [{ service = "api", cluster = "eu", team = "a" }]
        target_match_label = "service"
        forward_to         = [testing.logs_capture.out.receiver]
      }
      loki.enrich "some" {
        targets            = [{ name = "api", cluster = "eu", team = "a" }]
        target_match_label = "name"
        logs_match_label   = "service"
        labels_to_copy     = ["cluster"]
        forward_to         = [testing.logs_capture.out.receiver]
      }
    `);
    await receiverOf('loki.enrich.all').push(singleEntry({ service: 'api', cluster: 'old' }, 'a'));
    await receiverOf('loki.enrich.some').push(singleEntry({ service: 'api' }, 'b'));
    await receiverOf('loki.enrich.all').push(singleEntry({ service: 'web' }, 'c'));
    await eventually(() => h!.entries('testing.logs_capture.out').length === 3);
    expect(h.entries('testing.logs_capture.out').map((e) => [e.line, e.labels])).toEqual([
      ['a', { service: 'api', cluster: 'eu', team: 'a' }],
      ['b', { service: 'api', cluster: 'eu' }],
      ['c', { service: 'web' }],
    ]);
  });
});
