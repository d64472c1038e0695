/** examples/compose/compose.host-logs.yaml: what the journal needs, and the syslog port only on loopback unless asked. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../cli/repo-paths.js';

const override = parse(readFileSync(path.join(repoRoot, 'examples', 'compose', 'compose.host-logs.yaml'), 'utf8')) as {
  services: { alloy: { volumes: string[]; environment: Record<string, string>; ports: string[] } };
};
const alloy = override.services.alloy;

describe('examples/compose/compose.host-logs.yaml', () => {
  it('runs examples/host-logs.alloy with the host journal mounted read-only', () => {
    expect(alloy.volumes).toEqual(['../host-logs.alloy:/etc/alloy/config.alloy:ro', '/run/log/journal:/run/log/journal:ro', '/etc/machine-id:/etc/machine-id:ro']);
    expect(alloy.volumes.every((v) => v.endsWith(':ro'))).toBe(true);
    expect(alloy.environment).not.toHaveProperty('JOURNAL_PATH');
  });

  it('publishes the syslog port on loopback unless SYSLOG_PUBLISH says otherwise', () => {
    expect(alloy.environment.SYSLOG_LISTEN).toBe('0.0.0.0:1514');
    expect(alloy.ports).toEqual(['${SYSLOG_PUBLISH:-127.0.0.1}:1514:1514/tcp', '${SYSLOG_PUBLISH:-127.0.0.1}:1514:1514/udp']);
  });
});
