/** prometheus.exporter.self scraped through the agent's in-memory address, served in-process. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinComponents } from '../../../src/components/index.js';
import { Agent } from '../../../src/runtime/agent.js';
import { HttpServer } from '../../../src/runtime/http/server.js';
import { remoteWriteBlock, usesServers } from './helpers.js';

const { receiver } = usesServers();
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

describe('prometheus.exporter.self → prometheus.scrape', () => {
  it('scrapes the agent\'s own metrics in-process, without the HTTP server listening', async () => {
    const rw = await receiver();
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-self-'));
    const configPath = path.join(dir, 'config.alloy');
    writeFileSync(configPath, `
prometheus.exporter.self "me" { }
prometheus.scrape "me" {
  targets         = prometheus.exporter.self.me.targets
  forward_to      = [prometheus.remote_write.w.receiver]
  scrape_interval = "100ms"
  scrape_timeout  = "90ms"
}
${remoteWriteBlock(rw.url)}
`);
    const agent = new Agent({
      configPath,
      registry: builtinComponents(),
      storagePath: path.join(dir, 'data'),
      minStability: 'generally-available',
      httpListenAddr: '127.0.0.1:0',
      memoryAddr: 'alloy.internal:12345',
      version: 'test',
      writeLog: () => {},
    });
    agents.push(agent);
    new HttpServer(agent, { listenAddr: '127.0.0.1:0' });
    await agent.start();
    await rw.waitFor(() => rw.named('alloy_build_info').length > 0 && rw.named('up').length > 0, 'self metrics');
    const instance = process.env['HOSTNAME'] || hostname();
    expect(rw.named('up')[0]!.labels).toEqual({ __name__: 'up', instance, job: 'integrations/self' });
    expect(rw.named('up')[0]!.value).toBe(1);
    expect(rw.named('alloy_build_info')[0]!.labels).toMatchObject({ job: 'integrations/self', instance, version: 'test' });
    // The scrape's own component metrics come back through it too.
    await rw.waitFor(() => rw.named('prometheus_scrape_targets_gauge').length > 0, 'component metrics');
  });
});
