/**
 * The agent the UI tests look at: an in-process `run` on a config with every
 * kind of edge (receiver data flow, value data flow, plain references), a
 * secret, a module instance and live debugging on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAgent, type RunningAgent } from '../../src/cli/run-agent.js';
import { singleEntry, type LogsReceiver } from '../../src/components/common/log-entries.js';
import { normalizePrefix } from '../../src/runtime/http/ui.js';

export const SECRET = 'hunter2';

export interface UiAgent {
  running: RunningAgent;
  dir: string;
  configPath: string;
  /** Files read by `local.file` components, by label. */
  files: { pointer: string; secret: string; doomed: string };
  /** http://127.0.0.1:PORT (no trailing slash). */
  origin: string;
  /** The UI's root URL: origin + prefix, with a trailing slash. */
  uiUrl: string;
  config(extra?: string): string;
  /** Pushes log lines into a component's exported receiver, as a pipeline would. */
  push(componentId: string, lines: string[]): Promise<void>;
  /** Stops the agent and removes its directory. */
  close(): Promise<void>;
}

/** Every node the fixture config creates at the root. */
export const ROOT_NODES = [
  'declare.pipeline',
  'livedebugging',
  'local.file.doomed',
  'local.file.pointer',
  'local.file.secret',
  'logging',
  'loki.echo.logs',
  'loki.echo.out',
  'pipeline.main',
  'prometheus.exporter.self.agent',
];

/** The data-flow edges the agent must report for the fixture (from → to). */
export const ROOT_FLOWS = [
  'local.file.pointer → local.file.secret',
  'logging → loki.echo.logs',
  'pipeline.main → loki.echo.out',
];

export async function startUiAgent(uiPathPrefix?: string): Promise<UiAgent> {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-ui-'));
  const files = { pointer: path.join(dir, 'pointer.txt'), secret: path.join(dir, 'secret.txt'), doomed: path.join(dir, 'doomed.txt') };
  writeFileSync(files.secret, SECRET);
  writeFileSync(files.pointer, files.secret);
  writeFileSync(files.doomed, 'still here');
  const configPath = path.join(dir, 'config.alloy');
  const config = (extra = '') => fixtureConfig(files) + extra;
  writeFileSync(configPath, config());
  const flags = { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': path.join(dir, 'data'), ...(uiPathPrefix ? { 'server.http.ui-path-prefix': uiPathPrefix } : {}) };
  const quiet = { write: () => true };
  const running = await startAgent(configPath, flags, { stdin: (async function* () {})(), stdout: quiet, stderr: quiet });
  const origin = `http://127.0.0.1:${running.server.address!.port}`;
  return {
    running, dir, configPath, files, origin, config,
    uiUrl: origin + normalizePrefix(uiPathPrefix ?? '/'),
    push: (id, lines) => push(running, id, lines),
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function fixtureConfig(files: UiAgent['files']): string {
  return `
logging {
  level    = "warn"
  write_to = [loki.echo.logs.receiver]
}

livedebugging {
  enabled = true
}

local.file "pointer" {
  filename = ${JSON.stringify(files.pointer)}
}

local.file "secret" {
  filename  = local.file.pointer.content
  is_secret = true
}

local.file "doomed" {
  filename = ${JSON.stringify(files.doomed)}
}

prometheus.exporter.self "agent" { }

loki.echo "logs" { }

loki.echo "out" { }

declare "pipeline" {
  argument "forward_to" {
    optional = true
  }

  loki.echo "inner" { }

  export "receiver" {
    value = loki.echo.inner.receiver
  }
}

pipeline "main" {
  forward_to = [loki.echo.out.receiver]
}
`;
}

async function push(running: RunningAgent, componentId: string, lines: string[]): Promise<void> {
  const exports = running.agent.root.find(componentId)?.exports;
  const receiver = exports?.type === 'object' ? exports.fields.get('receiver') : undefined;
  if (receiver?.type !== 'capsule') throw new Error(`${componentId} exports no receiver`);
  for (const line of lines) await (receiver.payload as LogsReceiver).push(singleEntry({ job: 'ui-test' }, line));
}
