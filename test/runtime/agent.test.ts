import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr, schema, t } from '../../src/lang/schema.js';
import { ComponentRegistry, defineComponent } from '../../src/runtime/component.js';
import { Agent } from '../../src/runtime/agent.js';

function agentFor(config: string, registry = new ComponentRegistry()) {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-agent-'));
  const configPath = path.join(dir, 'config.alloy');
  writeFileSync(configPath, config);
  const lines: string[] = [];
  const agent = new Agent({
    configPath,
    registry,
    storagePath: path.join(dir, 'data'),
    minStability: 'generally-available',
    httpListenAddr: '127.0.0.1:0',
    memoryAddr: 'alloy.internal:12345',
    version: 'test',
    writeLog: (l) => lines.push(l),
  });
  return { agent, lines, configPath };
}

describe('Agent', () => {
  it('applies the logging block: level and JSON format, and back to defaults when removed', async () => {
    const { agent, lines, configPath } = agentFor('logging {\n  level  = "debug"\n  format = "json"\n}\n');
    await agent.start();
    agent.logger.debug('hello', { k: 'v' });
    const record = JSON.parse(lines.at(-1)!) as Record<string, string>;
    expect(record).toMatchObject({ level: 'debug', msg: 'hello', k: 'v' });
    writeFileSync(configPath, '');
    await agent.reload();
    agent.logger.debug('hidden');
    agent.logger.info('shown', { k: 'has space' });
    expect(lines.at(-1)).toMatch(/^ts=\S+ level=info msg=shown k="has space"\n$/);
    expect(lines.some((l) => l.includes('hidden'))).toBe(false);
    await agent.stop();
  });

  it('stops components in reverse dependency order', async () => {
    const stopped: string[] = [];
    const node = defineComponent({
      name: 'testing.node',
      stability: 'generally-available',
      args: schema({ input: attr(t.any, null) }),
      exports: schema({ output: attr(t.any) }),
      build(ctx, args) {
        ctx.setExports({ output: args.input });
        return {
          update() {},
          run: (signal) =>
            new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => {
                stopped.push(ctx.id);
                resolve();
              }),
            ),
        };
      },
    });
    const { agent } = agentFor(
      'testing.node "sink" { input = testing.node.middle.output }\ntesting.node "source" { }\ntesting.node "middle" { input = testing.node.source.output }\n',
      new ComponentRegistry().register(node),
    );
    await agent.start();
    await agent.stop();
    expect(stopped).toEqual(['testing.node.sink', 'testing.node.middle', 'testing.node.source']);
  });

  it('refuses a first config with errors and a reload that does not parse', async () => {
    const bad = agentFor('nope.nope "x" { }\n');
    await expect(bad.agent.start()).rejects.toThrow(/cannot find the definition of component name "nope.nope"/);
    const { agent, configPath } = agentFor('');
    await agent.start();
    writeFileSync(configPath, 'logging {\n');
    await expect(agent.reload()).rejects.toThrow(/expected/);
    await agent.stop();
  });
});
