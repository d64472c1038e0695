/** The effective config (GET /api/v0/web/config): every secret kind redacted, everything else kept. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components/index.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { redactedConfigText } from '../../src/runtime/config-source.js';
import { AgentProcess, hasDist } from '../support/agent-process.js';

const CONFIG = `http {
  auth {
    basic {
      username = "admin"
      password = "http-pass-1"
    }
  }
}

loki.write "w" {
  endpoint {
    url          = "http://bob:url-pass-2@loki.example:3100/loki/api/v1/push"
    bearer_token = "bearer-3"

    basic_auth {
      username = "bob"
      password = "basic-pass-4"
    }

    tls_config {
      key_pem = \`-----BEGIN PRIVATE KEY-----key-5\`
    }
  }
}

prometheus.remote_write "r" {
  endpoint {
    url = "http://127.0.0.1:9090/api/v1/write"

    basic_auth {
      username = "r"
      password = sys.env("REMOTE_PASSWORD")
    }
  }
}

declare "nested" {
  loki.write "inner" {
    endpoint {
      url = "http://127.0.0.1:3100/loki/api/v1/push"

      basic_auth {
        password = "declare-pass-6"
      }
    }
  }
}
`;

const SECRETS = ['http-pass-1', 'url-pass-2', 'bearer-3', 'basic-pass-4', 'key-5', 'declare-pass-6'];

describe('effective config redaction', () => {
  it('replaces every secret literal and URL password, keeps expressions and other values', () => {
    const source = SourceFile.fromString('main.alloy', CONFIG);
    const text = redactedConfigText({ source, file: parseFile(source).file }, builtinComponents());
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).toContain('password = "(secret)"');
    expect(text).toContain('bearer_token = "(secret)"');
    expect(text).toContain('key_pem = "(secret)"');
    expect(text).toContain('http://bob:xxxxx@loki.example:3100/loki/api/v1/push');
    expect(text).toContain('password = sys.env("REMOTE_PASSWORD")');
    expect(text).toContain('username = "admin"');
    // Nothing else moved: the text differs only where a secret stood.
    expect(text.split('\n')).toHaveLength(CONFIG.split('\n').length);
  });
});

let agent: AgentProcess | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

describe.skipIf(!hasDist)('GET /api/v0/web/config', () => {
  it('returns every file of a config directory in load order, redacted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-effective-'));
    writeFileSync(path.join(dir, 'a.alloy'), 'loki.echo "a" {}\n');
    writeFileSync(path.join(dir, 'b.alloy'), 'loki.write "w" {\n  endpoint {\n    url = "http://u:pw-7@127.0.0.1:1/push"\n    bearer_token = "tok-8"\n  }\n}\n');
    let url: string;
    ({ agent, url } = await AgentProcess.start([dir, `--storage.path=${path.join(dir, 'data')}`]));
    await agent.waitForLog(/finished complete graph evaluation/);
    const body = (await (await fetch(`${url}/api/v0/web/config`)).json()) as { files: { name: string; content: string }[] };
    expect(body.files.map((f) => path.basename(f.name))).toEqual(['a.alloy', 'b.alloy']);
    const all = body.files.map((f) => f.content).join('\n');
    expect(all).not.toContain('pw-7');
    expect(all).not.toContain('tok-8');
    expect(all).toContain('bearer_token = "(secret)"');
  }, 60_000);
});
